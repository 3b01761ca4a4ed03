"""A harvest killed part way converges to the uninterrupted result after one rerun."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time

import orjson
import sqlalchemy as sa

from connectors.base import RemoteRecord
from harvester.job import CRASH_ENVIRONMENT_VARIABLE, CRASH_EXIT_STATUS, run_harvest
from harvester.jobs import JobState
from tests.conftest import REPOSITORY_ROOT
from tests.job.conftest import RunnerServices, fake_source
from tests.job.fake_connector import remote_id_of

RECORDS = 600
# Stored-record counts after which a hook ends each trial's child with exit
# status 137; the fixed points cover the first batch and the last record.
_RANDOM = random.Random(20261204)
CRASH_POINTS = (1, 599, *sorted(_RANDOM.sample(range(2, 599), 6)))
# Records of the SIGKILL trials: enough that the child is still writing when the signal comes.
KILL_RECORDS = 20_000
# Seconds after its job started at which a trial's child receives SIGKILL from outside.
KILL_DELAYS = tuple(round(_RANDOM.uniform(0.1, 1.0), 2) for _ in range(3))


def store_digest(services: RunnerServices) -> str:
    with services.store.engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT source_id, remote_id, content_hash FROM record WHERE status = 'active' "
            "ORDER BY source_id, remote_id"
        )).all()
    return hashlib.sha256(orjson.dumps([list(row) for row in rows])).hexdigest()


def expected_digest(title: str, count: int = RECORDS) -> str:
    rows = []
    for number in range(count):
        raw = {"id": remote_id_of(number), "title": f"{title} {number}"}
        rows.append(["kab-uji", remote_id_of(number), RemoteRecord(remote_id_of(number), raw).content_hash()])
    return hashlib.sha256(orjson.dumps(rows)).hexdigest()


def crash_child(database_url: str, options: dict, crash_after: int) -> subprocess.CompletedProcess:
    environment = {**os.environ, CRASH_ENVIRONMENT_VARIABLE: str(crash_after)}
    return subprocess.run(
        [sys.executable, "-m", "tests.job.harvest_child", database_url, orjson.dumps(options).decode()],
        cwd=REPOSITORY_ROOT, env=environment, capture_output=True, text=True, timeout=60,
    )


def killed_child(services: RunnerServices, database_url: str, options: dict, delay: float) -> int:
    """Start a harvest child, wait until its job is running, SIGKILL it `delay` seconds later; return its status."""
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.job.harvest_child", database_url, orjson.dumps(options).decode()],
        cwd=REPOSITORY_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and child.poll() is None:
        jobs = services.store.list_jobs("kab-uji", limit=1)
        if jobs and jobs[0].state is JobState.RUNNING:
            break
        time.sleep(0.05)
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    return child.wait(timeout=60)


def test_sigkilled_harvest_converges(services: RunnerServices, database_url: str) -> None:
    for trial, delay in enumerate(KILL_DELAYS):
        options = {"count": KILL_RECORDS, "title": f"Kill {trial}"}

        status = killed_child(services, database_url, options, delay)
        before_rerun = services.store.list_jobs("kab-uji", limit=1)
        rerun = run_harvest(services, fake_source(**options))

        assert status == -signal.SIGKILL
        assert before_rerun[0].state is JobState.RUNNING
        assert rerun.state is JobState.SUCCEEDED
        assert store_digest(services) == expected_digest(f"Kill {trial}", KILL_RECORDS)
        crashed = services.store.list_jobs("kab-uji", limit=2)[1]
        assert crashed.state is JobState.INTERRUPTED


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
