"""Source credentials at rest: encrypted in the store, absent from files, logs and API bodies, still sent."""

from __future__ import annotations

import json
import logging
import os
import stat
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from harvester.credentials import ENCRYPTED_MARKER, KEY_FILE_NAME, SourceCipher, source_cipher
from harvester.errors import ConfigError
from harvester.store.tables import SourceRow
from tests.admin.conftest import WALIDATA_A, AdminEnv, Portal, build_env, wait_for_job

CANARY_KEY = "kunci-kanari-7f3a9c41d2"
SOURCE_ID = "bps-kanari"


def serve_bps(server: HTTPServer) -> list[dict[str, str]]:
    """Serve a one-page BPS subject list at /v1/api/list; return the query of every request."""
    queries: list[dict[str, str]] = []
    body = {"status": "OK", "data-availability": "available",
            "data": [{"page": 1, "pages": 1, "per_page": 10, "count": 2, "total": 2},
                     [{"sub_id": 1, "title": "Kependudukan", "subcat_id": 1, "subcat": "Sosial"},
                      {"sub_id": 2, "title": "Ketenagakerjaan", "subcat_id": 1, "subcat": "Sosial"}]]}

    def respond(request: Request) -> Response:
        queries.append(dict(request.args))
        # The ETag makes the conditional-request cache write its files, so the scan covers them too.
        return Response(json.dumps(body), content_type="application/json", headers={"ETag": '"v1"'})

    server.expect_request("/v1/api/list").respond_with_handler(respond)
    return queries


def files_containing(folder: Path, needle: bytes) -> list[str]:
    """Return every file under `folder` whose raw bytes contain `needle`."""
    return [str(path) for path in sorted(folder.rglob("*")) if path.is_file() and needle in path.read_bytes()]


@pytest.fixture
def bps_env(tmp_path: Path, httpserver: HTTPServer) -> Any:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    portal = Portal(url=httpserver.url_for("/").rstrip("/"), port=httpserver.port)
    env = build_env(data_dir, f"sqlite:///{data_dir / 'himpun.sqlite3'}", portal, admin_auth_max_failures=10_000)
    yield env
    env.services.close()


def test_canary_key_encrypted_hidden_and_sent(bps_env: AdminEnv, httpserver: HTTPServer,
                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    queries = serve_bps(httpserver)
    env, admin = bps_env, bps_env.headers("admin")
    client = env.client()
    body = {"id": SOURCE_ID, "name": "BPS Kanari", "family": "bps", "url": httpserver.url_for("/v1/api"),
            "walidata": WALIDATA_A, "options": {"domain": "1809", "models": ["subject"], "key": CANARY_KEY}}
    responses = [client.post("/admin/api/sources", headers=admin, json=body)]
    assert responses[0].status_code == 201, responses[0].text

    # A body read back through GET carries `***`; sending it back keeps the stored key.
    read = client.get(f"/admin/api/sources/{SOURCE_ID}", headers=admin)
    changed = {**read.json()["source"], "name": "BPS Kanari Kabupaten"}
    responses += [read, client.put(f"/admin/api/sources/{SOURCE_ID}", headers=admin, json=changed)]
    assert responses[-1].status_code == 200, responses[-1].text

    started = client.post(f"/admin/api/sources/{SOURCE_ID}/run", headers=admin)
    assert started.status_code == 202, started.text
    job = wait_for_job(env.services.store, started.json()["job_id"])
    assert job.state.value == "succeeded", job.errors
    responses += [started, client.get(f"/admin/api/jobs/{job.job_id}", headers=admin),
                  client.get("/admin/api/jobs", headers=admin), client.get("/admin/api/sources", headers=admin),
                  client.get("/admin/api/audit", headers=admin)]

    assert queries, "the BPS server got no request"
    assert [query.get("key") for query in queries] == [CANARY_KEY] * len(queries)

    with env.services.store.engine.connect() as connection:
        stored = connection.execute(sa.select(SourceRow.__table__.c.config)
                                    .where(SourceRow.__table__.c.id == SOURCE_ID)).scalar_one()
    assert set(json.loads(stored)["options"]["key"]) == {ENCRYPTED_MARKER}

    data_dir = env.services.settings.data_dir
    assert Path(f"{data_dir / 'himpun.sqlite3'}-wal").exists(), "expected a WAL file while the store is open"
    assert files_containing(data_dir, CANARY_KEY.encode()) == []
    for response in responses:
        assert CANARY_KEY not in response.text, response.request.url
    # The werkzeug logger belongs to the loopback BPS server, which logs the query it received.
    himpun_lines = [record.getMessage() for record in caplog.records if not record.name.startswith("werkzeug")]
    assert [line for line in himpun_lines if CANARY_KEY in line] == []

    env.services.store.engine.dispose()
    assert files_containing(data_dir, CANARY_KEY.encode()) == [], "the key appeared after the WAL checkpoint"


def test_generated_key_file_private(bps_env: AdminEnv) -> None:
    key_file = bps_env.services.settings.data_dir / KEY_FILE_NAME

    assert key_file.exists(), "saving the fixture sources should have generated the key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600


def test_stored_key_reloads_for_harvest(bps_env: AdminEnv, httpserver: HTTPServer) -> None:
    response = bps_env.client().post("/admin/api/sources", headers=bps_env.headers("admin"), json={
        "id": SOURCE_ID, "name": "BPS Kanari", "family": "bps", "url": httpserver.url_for("/v1/api"),
        "walidata": WALIDATA_A, "options": {"domain": "1809", "key": CANARY_KEY}})
    assert response.status_code == 201, response.text
    store = bps_env.services.store

    loaded = {source.id: source for source in store.api_sources(source_cipher(bps_env.services.settings))}

    assert loaded[SOURCE_ID].options["key"] == CANARY_KEY
    with pytest.raises(ConfigError, match="cannot be decrypted"):
        store.api_sources(SourceCipher(b"A" * 43 + b"="))
