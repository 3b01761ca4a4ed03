"""Two scheduler processes on one PostgreSQL database: one runs each slot, the survivor takes over."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from harvester.store import Store
from scheduler import LEASE_NAME
from tests.conftest import REPOSITORY_ROOT

LEASE_SECONDS = 3.0
INTERVAL_SECONDS = 2.0


@pytest.fixture
def store(postgres_database: str) -> Iterator[Store]:
    store = Store(postgres_database)
    store.migrate()
    yield store
    store.close()


def start_child(database_url: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.scheduler.scheduler_child", database_url, str(LEASE_SECONDS)],
        cwd=REPOSITORY_ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )


def job_rows(store: Store) -> list[tuple[int, dt.datetime, dt.datetime | None, str]]:
    with store.engine.connect() as connection:
        return connection.execute(sa.text(
            "SELECT pid, started_at, finished_at, state FROM harvest_job ORDER BY started_at"
        )).all()


def wait_for(condition, timeout: float) -> float:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return time.monotonic()
        time.sleep(0.1)
    raise AssertionError(f"condition not met within {timeout} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_one_scheduler_runs_and_survivor_takes_over(store: Store, postgres_database: str) -> None:
    children = [start_child(postgres_database), start_child(postgres_database)]
    try:
        holders = {child.pid: child.stdout.readline().strip() for child in children}
        # Ten scheduled slots pass under the first leader before it is killed.
        wait_for(lambda: len(job_rows(store)) >= 10, timeout=60)

        leader_pid = next(pid for pid, holder in holders.items() if holder == store.lease_holder(LEASE_NAME)[0])
        before_kill = job_rows(store)
        leader = next(child for child in children if child.pid == leader_pid)
        leader.kill()
        leader.wait()
        killed_at = time.monotonic()

        survivor_pid = next(pid for pid in holders if pid != leader_pid)
        took_over = wait_for(lambda: store.lease_holder(LEASE_NAME)[0] == holders[survivor_pid], timeout=15)
        wait_for(lambda: any(row[0] == survivor_pid and row[3] != "running" for row in job_rows(store)), timeout=15)
        rows = job_rows(store)
    finally:
        for child in children:
            stop(child)

    leader_starts = [row[1] for row in rows if row[0] == leader_pid]
    survivor_starts = [row[1] for row in rows if row[0] == survivor_pid]
    assert {row[0] for row in before_kill} == {leader_pid}
    assert survivor_starts, "the survivor never ran a harvest"
    assert min(survivor_starts) > max(leader_starts)
    assert took_over - killed_at <= LEASE_SECONDS + LEASE_SECONDS / 3 + 0.5

    starts = [row[1] for row in rows]
    gaps = [(later - earlier).total_seconds() for earlier, later in zip(starts, starts[1:])]
    assert min(gaps) >= INTERVAL_SECONDS / 2, f"two runs in one slot: gaps {gaps}"
    assert all(row[3] in ("succeeded", "interrupted") for row in rows if row[0] == leader_pid)
