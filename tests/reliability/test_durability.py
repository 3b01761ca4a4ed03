"""Durability: a harvester killed while the public API reads the same SQLite file.

Crash convergence on both backends, withdrawal guards, grace periods,
index reconciliation and Elasticsearch bulk faults are asserted in
tests/job, tests/store and tests/index. bench/kill_loop.py runs the long
random-kill version. docs/reliability.md names each test.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import orjson
from fastapi.testclient import TestClient

from harvester.job import CRASH_ENVIRONMENT_VARIABLE, CRASH_EXIT_STATUS
from harvester.services import Services
from server.app import create_app
from tests.conftest import REPOSITORY_ROOT

READ_PATHS = ("/catalog.ttl", "/api/3/action/package_list", "/api/search?q=penduduk", "/sitemap.xml")


def test_killed_writer_never_breaks_readers(services: Services, tmp_path: Path) -> None:
    database_url = services.settings.resolved_database_url
    client = TestClient(create_app(services))
    statuses: list[int] = []
    stop = threading.Event()

    def read_loop() -> None:
        while not stop.is_set():
            for path in READ_PATHS:
                statuses.append(client.get(path).status_code)

    reader = threading.Thread(target=read_loop, daemon=True)
    reader.start()
    environment = {**os.environ, CRASH_ENVIRONMENT_VARIABLE: "400"}
    options = orjson.dumps({"count": 1000, "title": "Jumlah Penduduk"}).decode()
    try:
        child = subprocess.run([sys.executable, "-m", "tests.job.harvest_child", database_url, options],
                               cwd=REPOSITORY_ROOT, env=environment, capture_output=True, text=True, timeout=120)
    finally:
        stop.set()
        reader.join(timeout=30)

    database = sqlite3.connect(database_url.removeprefix("sqlite:///"))
    stored = database.execute("SELECT count(*) FROM record").fetchone()[0]
    integrity = database.execute("PRAGMA integrity_check").fetchone()[0]
    assert child.returncode == CRASH_EXIT_STATUS, child.stderr[-2000:]
    assert statuses
    assert [status for status in statuses if status >= 500] == []
    assert integrity == "ok"
    assert stored >= 400
