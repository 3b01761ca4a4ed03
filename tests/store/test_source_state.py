"""Backoff of failing sources across runs, and retention of old job rows."""

from __future__ import annotations

import datetime as dt

import pytest

from harvester.jobs import JobState
from harvester.sources import SourceConfig
from harvester.store import Store
from harvester.store.source_state import backoff_after

START = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clocked(database_url: str):
    clock = Clock()
    store = Store(database_url, clock=clock)
    store.migrate()
    store.sync_sources([SourceConfig(id="rapuh", name="Sumber rapuh", family="ckan", url="https://rapuh.invalid")])
    yield store, clock
    store.close()


def test_backoff_doubles_and_caps() -> None:
    assert backoff_after(0) == dt.timedelta(0)
    assert backoff_after(1) == dt.timedelta(minutes=15)
    assert backoff_after(3) == dt.timedelta(hours=1)
    assert backoff_after(20) == dt.timedelta(hours=24)


def test_failures_back_off_until_success(clocked) -> None:
    store, clock = clocked

    first = store.record_run_outcome("rapuh", failed=True)
    second = store.record_run_outcome("rapuh", failed=True)

    assert first == START + dt.timedelta(minutes=15)
    assert second == START + dt.timedelta(minutes=30)
    assert store.backoff_until("rapuh") == second
    clock.now = START + dt.timedelta(minutes=31)
    assert store.backoff_until("rapuh") is None
    store.record_run_outcome("rapuh", failed=True)
    store.record_run_outcome("rapuh", failed=False)
    assert store.backoff_until("rapuh") is None


def test_old_jobs_purged_latest_kept(clocked) -> None:
    store, clock = clocked
    for _ in range(3):
        job = store.start_job("rapuh")
        job.state = JobState.SUCCEEDED
        store.finish_job(job)
        clock.now += dt.timedelta(days=40)

    removed = store.purge_jobs(clock.now - dt.timedelta(days=50))

    remaining = store.list_jobs("rapuh", limit=10)
    assert removed == 2
    assert len(remaining) == 1
