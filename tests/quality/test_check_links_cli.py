"""`himpun quality check-links` checks distribution URLs of public datasets on loopback servers."""

from __future__ import annotations

import json
from pathlib import Path

from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from cli.main import app
from harvester.model import AccessLevel, AccessRights, Distribution
from harvester.quality.linkcheck import LINK_CHECK_FILE
from harvester.store import Store
from tests.dedupe.helpers import make_record


def test_check_links_records_results(tmp_path: Path, httpserver: HTTPServer, monkeypatch) -> None:  # noqa: ANN001
    httpserver.expect_request("/ada.csv").respond_with_data("a,b\n", content_type="text/csv")
    httpserver.expect_request("/hilang.csv").respond_with_data("not found", status=404)
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources: []\n", encoding="utf-8")
    database = f"sqlite:///{tmp_path / 'himpun.sqlite3'}"
    store = Store(database)
    store.migrate()
    record = make_record("kampar", "1", "Jumlah Puskesmas")
    record.access = AccessRights(level=AccessLevel.TERBUKA)
    record.distributions = [Distribution(access_url=httpserver.url_for("/ada.csv")),
                            Distribution(access_url=httpserver.url_for("/hilang.csv"))]
    store.upsert_records("kampar", [record])
    store.close()

    for name, value in {"HIMPUN_DATA_DIR": str(tmp_path), "HIMPUN_DATABASE_URL": database,
                        "HIMPUN_SOURCES_FILE": str(sources),
                        "HIMPUN_EGRESS_ALLOWLIST": json.dumps([f"127.0.0.1:{httpserver.port}"])}.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(app, ["quality", "check-links"])

    assert result.exit_code == 0, result.output
    assert "2 links checked, 1 reachable" in " ".join(result.output.split())
    saved = json.loads((tmp_path / LINK_CHECK_FILE).read_text(encoding="utf-8"))
    assert len(saved) == 2
