"""`himpun tokens` and `himpun jobs` against a real SQLite store."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from harvester.job import run_harvest
from harvester.jobs import JobState
from harvester.settings import Settings
from harvester.store import Store
from server.admin.tokens import hash_token, list_tokens
from tests.job.conftest import RunnerServices, fake_source
from tests.job.fake_connector import register_fake


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HIMPUN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HIMPUN_SOURCES_FILE", str(tmp_path / "sources.yaml"))
    (tmp_path / "sources.yaml").write_text("sources: []\n")
    return tmp_path


def test_tokens_create_list_revoke(data_dir: Path) -> None:
    runner = CliRunner()

    created = runner.invoke(app, ["tokens", "create", "--name", "cli@uji", "--role", "operator",
                                  "--walidata", "kota-metro"])
    raw = created.output.strip().splitlines()[-1]
    listed = runner.invoke(app, ["tokens", "list"])
    revoked = runner.invoke(app, ["tokens", "revoke", "1"])
    store = Store(Settings(data_dir=data_dir).resolved_database_url)
    tokens = list_tokens(store)
    store.close()

    assert created.exit_code == 0, created.output
    assert raw.startswith("himpun_")
    assert raw not in listed.output
    assert "active" in listed.output
    assert "kota-metro" in listed.output
    assert revoked.exit_code == 0
    assert tokens[0].revoked_at is not None
    database = b"".join(path.read_bytes() for path in data_dir.glob("himpun.sqlite3*"))
    assert raw.encode() not in database
    assert hash_token(raw).encode() in database


def test_tokens_reject_bad_role(data_dir: Path) -> None:
    result = CliRunner().invoke(app, ["tokens", "create", "--name", "x", "--role", "raja"])

    assert result.exit_code == 2


def test_jobs_list_show_approve(data_dir: Path) -> None:
    register_fake()
    settings = Settings(data_dir=data_dir)
    store = Store(settings.resolved_database_url)
    store.migrate()
    from harvester.harmonize import Harmonizer

    services = RunnerServices(settings=settings, store=store, harmonizer=Harmonizer())
    run_harvest(services, fake_source(count=4))
    held = run_harvest(services, fake_source(count=0))
    store.close()
    assert held.state is JobState.NEEDS_REVIEW
    runner = CliRunner()

    listed = runner.invoke(app, ["jobs", "list", "--state", "needs-review"])
    shown = runner.invoke(app, ["jobs", "show", str(held.job_id)])
    approved = runner.invoke(app, ["jobs", "approve", str(held.job_id)])
    again = runner.invoke(app, ["jobs", "reject", str(held.job_id)])

    assert listed.exit_code == 0, listed.output
    assert f"{held.job_id:6} kab-uji" in listed.output
    assert "withdrawals-held" in shown.output
    assert "4 penarikan ditahan" in shown.output
    assert approved.exit_code == 0, approved.output
    assert "succeeded" in approved.output
    assert again.exit_code == 1
