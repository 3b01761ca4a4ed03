"""A harvest killed part way converges to the uninterrupted result after one rerun."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import orjson
import sqlalchemy as sa

from connectors.base import RemoteRecord
from harvester.job import CRASH_ENVIRONMENT_VARIABLE, CRASH_EXIT_STATUS, run_harvest
from harvester.jobs import JobState
from tests.conftest import REPOSITORY_ROOT
from tests.job.conftest import RunnerServices, fake_source
from tests.job.fake_connector import remote_id_of

RECORDS = 600
# Stored-record counts after which each trial's child process dies.
CRASH_POINTS = (1, 50, 230, 480, 599)


def store_digest(services: RunnerServices) -> str:
    with services.store.engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT source_id, remote_id, content_hash FROM record WHERE status = 'active' "
            "ORDER BY source_id, remote_id"
        )).all()
    return hashlib.sha256(orjson.dumps([list(row) for row in rows])).hexdigest()


def expected_digest(title: str) -> str:
    rows = []
    for number in range(RECORDS):
        raw = {"id": remote_id_of(number), "title": f"{title} {number}"}
        rows.append(["kab-uji", remote_id_of(number), RemoteRecord(remote_id_of(number), raw).content_hash()])
    return hashlib.sha256(orjson.dumps(rows)).hexdigest()


def crash_child(database_url: str, options: dict, crash_after: int) -> subprocess.CompletedProcess:
    environment = {**os.environ, CRASH_ENVIRONMENT_VARIABLE: str(crash_after)}
    return subprocess.run(
        [sys.executable, "-m", "tests.job.harvest_child", database_url, orjson.dumps(options).decode()],
        cwd=REPOSITORY_ROOT, env=environment, capture_output=True, text=True, timeout=60,
    )


def test_killed_harvest_converges(services: RunnerServices, database_url: str) -> None:
    for trial, crash_after in enumerate(CRASH_POINTS):
        options = {"count": RECORDS, "title": f"Trial {trial}"}

        child = crash_child(database_url, options, crash_after)
        assert child.returncode == CRASH_EXIT_STATUS, child.stderr
        rerun = run_harvest(services, fake_source(**options))
        crashed = services.store.list_jobs("kab-uji", limit=2)[1]

        assert crashed.state is JobState.INTERRUPTED
        assert rerun.state is JobState.SUCCEEDED
        assert rerun.counts.withdrawn == 0
        assert store_digest(services) == expected_digest(f"Trial {trial}")
