"""The job runner when the store fails: a full disk, a lost connection, an unstored final state."""

from __future__ import annotations

from typing import Any

import pytest

from harvester.errors import DatabaseUnavailableError, StorageFullError
from harvester.job import run_harvest
from harvester.jobs import JobReport, JobState
from tests.job.conftest import RunnerServices, fake_source


def failing_upsert(error: Exception) -> Any:
    def upsert_prepared(*args: Any, **kwargs: Any) -> Any:
        raise error

    return upsert_prepared


def test_batch_failure_ends_job_failed(services: RunnerServices, monkeypatch: pytest.MonkeyPatch) -> None:
    lost = DatabaseUnavailableError("store: the connection to the database failed")
    monkeypatch.setattr(services.store, "upsert_prepared", failing_upsert(lost))

    report = run_harvest(services, fake_source(count=120))
    stored = services.store.get_job(report.job_id)

    assert report.state is JobState.FAILED
    assert stored.state is JobState.FAILED
    assert [error.code for error in stored.errors] == ["database-unavailable"]


def test_final_state_retried_once_as_failed(services: RunnerServices, monkeypatch: pytest.MonkeyPatch) -> None:
    store = services.store
    finish_job = store.finish_job
    attempts: list[JobState] = []

    def full_once(report: JobReport, **kwargs: Any) -> JobReport:
        attempts.append(report.state)
        if len(attempts) == 1:
            raise StorageFullError("store: the disk under the database is full")
        return finish_job(report, **kwargs)

    monkeypatch.setattr(store, "finish_job", full_once)

    report = run_harvest(services, fake_source(count=20))
    stored = store.get_job(report.job_id)

    assert attempts == [JobState.SUCCEEDED, JobState.FAILED]
    assert stored.state is JobState.FAILED
    assert [error.code for error in stored.errors] == ["storage-full"]
    assert stored.counts.added == 20, "the records committed before the failure are counted"


def test_unstored_final_state_raises_first_failure(services: RunnerServices,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    store = services.store
    lost = DatabaseUnavailableError("store: the connection to the database failed")
    attempts: list[JobState] = []

    def unavailable(report: JobReport, **kwargs: Any) -> JobReport:
        attempts.append(report.state)
        raise DatabaseUnavailableError("store: the connection to the database failed again")

    monkeypatch.setattr(store, "upsert_prepared", failing_upsert(lost))
    monkeypatch.setattr(store, "finish_job", unavailable)

    with pytest.raises(DatabaseUnavailableError) as raised:
        run_harvest(services, fake_source(count=20))
    job = store.list_jobs("kab-uji", limit=1)[0]

    assert attempts == [JobState.FAILED], "a job already failed with this code is not written twice"
    assert raised.value.code == "database-unavailable"
    assert raised.value.__cause__ is lost
    assert f"source kab-uji: job {job.job_id} failed" in raised.value.message
    assert job.state is JobState.RUNNING, "the stale-job check marks it interrupted later"
