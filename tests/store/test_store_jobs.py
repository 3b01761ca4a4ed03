"""Job rows, the one-running-job guard, stale jobs and the scheduler lease."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
import sqlalchemy as sa

from harvester.errors import AlreadyRunningError, ConflictError
from harvester.jobs import JobCounts, JobError, JobState
from harvester.store import Store
from tests.store.records import Clock

STALE_AFTER = dt.timedelta(minutes=10)


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_job_lifecycle_stores_counts_and_errors(store: Store) -> None:
    job = store.start_job("kab-a")
    job.state = JobState.SUCCEEDED_WITH_ERRORS
    job.complete = True
    job.counts = JobCounts(added=3, rejected=1)
    job.errors = [JobError(code="invalid-record", message="title is missing", remote_id="r9", value="")]
    store.finish_job(job)

    stored = store.get_job(job.job_id)

    assert stored.state is JobState.SUCCEEDED_WITH_ERRORS
    assert stored.complete is True
    assert stored.counts == JobCounts(added=3, rejected=1)
    assert stored.errors == job.errors
    assert stored.finished_at is not None
    assert [listed.job_id for listed in store.list_jobs("kab-a")] == [job.job_id]


def test_second_running_job_is_rejected(store: Store) -> None:
    first = store.start_job("kab-a")
    other_source = store.start_job("kab-b")

    with pytest.raises(AlreadyRunningError) as raised:
        store.start_job("kab-a")

    assert raised.value.code == "already-running"
    assert other_source.job_id != first.job_id


def test_finished_job_releases_the_guard(store: Store) -> None:
    first = store.start_job("kab-a")
    first.state = JobState.SUCCEEDED
    store.finish_job(first)

    second = store.start_job("kab-a")

    assert second.job_id != first.job_id


def test_stale_job_of_dead_process_is_interrupted(store: Store) -> None:
    job = store.start_job("kab-a")
    with store._write() as connection:
        connection.execute(sa.text("UPDATE harvest_job SET pid = :pid"), {"pid": dead_pid()})

    interrupted = store.interrupt_stale_jobs(stale_after=STALE_AFTER)
    stored = store.get_job(job.job_id)

    assert interrupted == [job.job_id]
    assert stored.state is JobState.INTERRUPTED
    assert [error.code for error in stored.errors] == ["job-interrupted"]
    assert store.start_job("kab-a").job_id != job.job_id


def test_live_job_is_not_interrupted(store: Store) -> None:
    store.start_job("kab-a")

    assert store.interrupt_stale_jobs(stale_after=STALE_AFTER) == []


def test_job_without_heartbeat_is_interrupted(store: Store, clock: Clock) -> None:
    job = store.start_job("kab-a")
    with store._write() as connection:
        connection.execute(sa.text("UPDATE harvest_job SET host = 'elsewhere.invalid'"))
    clock.advance(minutes=11)

    assert store.interrupt_stale_jobs(stale_after=STALE_AFTER) == [job.job_id]


def test_interrupted_job_cannot_finish(store: Store) -> None:
    job = store.start_job("kab-a")
    with store._write() as connection:
        connection.execute(sa.text("UPDATE harvest_job SET pid = :pid"), {"pid": dead_pid()})
    store.interrupt_stale_jobs(stale_after=STALE_AFTER)
    job.state = JobState.SUCCEEDED

    with pytest.raises(ConflictError):
        store.finish_job(job)


def test_pending_withdrawals_kept_for_review(store: Store) -> None:
    job = store.start_job("kab-a")
    job.state = JobState.NEEDS_REVIEW
    store.finish_job(job, pending_withdrawals=["r1", "r2"])

    pending = store.pending_withdrawals(job.job_id)
    store.resolve_review(job.job_id, review="rejected", state=JobState.SUCCEEDED, counts=JobCounts())

    assert pending == ["r1", "r2"]
    assert store.pending_withdrawals(job.job_id) == []
    assert store.get_job(job.job_id).state is JobState.SUCCEEDED
    with pytest.raises(ConflictError):
        store.resolve_review(job.job_id, review="approved", state=JobState.SUCCEEDED, counts=JobCounts())


def test_lease_held_until_expiry(store: Store, clock: Clock) -> None:
    ttl = dt.timedelta(seconds=30)

    first = store.acquire_lease("scheduler", "process-1", ttl)
    rival = store.acquire_lease("scheduler", "process-2", ttl)
    renewed = store.acquire_lease("scheduler", "process-1", ttl)
    clock.advance(seconds=31)
    taken_over = store.acquire_lease("scheduler", "process-2", ttl)
    old_holder = store.acquire_lease("scheduler", "process-1", ttl)

    assert (first, rival, renewed, taken_over, old_holder) == (True, False, True, True, False)
    assert store.lease_holder("scheduler")[0] == "process-2"


def test_released_lease_is_free(store: Store) -> None:
    ttl = dt.timedelta(seconds=30)
    store.acquire_lease("scheduler", "process-1", ttl)

    store.release_lease("scheduler", "process-1")

    assert store.lease_holder("scheduler") is None
    assert store.acquire_lease("scheduler", "process-2", ttl) is True
