"""The job runner with mapping workers: same batches, counts and errors as mapping in one process."""

from __future__ import annotations

import os
from typing import ClassVar

import pytest

import harvester.job as job_module
from connectors.base import RemoteRecord
from harvester.job import run_harvest
from harvester.job_workers import MappingWorkerError
from harvester.jobs import JobState
from harvester.model import DatasetRecord
from tests.job.conftest import RunnerServices, fake_source
from tests.job.fake_connector import FakeConnector, remote_id_of


class WorkerConnector(FakeConnector):
    """The fake connector, allowed to map in workers; each record names the process that mapped it."""

    map_in_workers: ClassVar[bool] = True

    def map_record(self, remote: RemoteRecord) -> DatasetRecord:
        if remote.raw.get("title", "").endswith(" 99") and self.options.title == "crash":
            raise RuntimeError("mapping bug")
        record = super().map_record(remote)
        record.extras["mapped_by"] = os.getpid()
        return record


@pytest.fixture
def small_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start the workers after 20 records and send them chunks of 7, on any machine."""
    monkeypatch.setattr(job_module, "POOL_AFTER_RECORDS", 20)
    monkeypatch.setattr(job_module, "POOL_CHUNK_RECORDS", 7)
    monkeypatch.setattr(job_module, "available_cpus", lambda: 2)


def harvest(services: RunnerServices, **options: object):
    source = fake_source(**options)
    return run_harvest(services, source, connector=WorkerConnector(source, None))  # type: ignore[arg-type]


def stored_pids(services: RunnerServices) -> set[int]:
    return {dataset.record.extras["mapped_by"] for dataset in services.store.iter_datasets()}


@pytest.mark.usefixtures("small_pool")
def test_workers_store_every_record(services: RunnerServices) -> None:
    report = harvest(services, count=120)

    assert report.state is JobState.SUCCEEDED
    assert report.counts.added == 120
    assert services.store.count_datasets() == 120
    assert os.getpid() in stored_pids(services)
    assert len(stored_pids(services) - {os.getpid()}) >= 1


@pytest.mark.usefixtures("small_pool")
def test_workers_keep_error_order(services: RunnerServices) -> None:
    malformed = [remote_id_of(number) for number in (5, 33, 60, 61, 118)]
    repeated = [remote_id_of(number) for number in (40, 90)]

    report = harvest(services, count=120, malformed=malformed, repeat=repeated)

    assert report.state is JobState.SUCCEEDED_WITH_ERRORS
    assert report.counts.added == 115
    assert report.counts.rejected == 7
    # Duplicates are rejected while listing, malformed records when their chunk comes back.
    assert [error.remote_id for error in report.errors if error.code == "missing-title"] == malformed
    assert [error.remote_id for error in report.errors if error.code == "duplicate-record"] == repeated


@pytest.mark.usefixtures("small_pool")
def test_workers_rerun_writes_nothing(services: RunnerServices) -> None:
    harvest(services, count=120)

    report = harvest(services, count=120)

    assert report.counts.unchanged == 120
    assert report.counts.added == 0
    assert report.counts.updated == 0


@pytest.mark.usefixtures("small_pool")
def test_workers_update_changed_records(services: RunnerServices) -> None:
    harvest(services, count=120)

    report = harvest(services, count=120, title="Jumlah Sekolah")

    assert report.counts.updated == 120
    assert all(dataset.record.title.startswith("Jumlah Sekolah") for dataset in services.store.iter_datasets())


@pytest.mark.usefixtures("small_pool")
def test_workers_dry_run_counts(services: RunnerServices) -> None:
    source = fake_source(count=120)
    report = run_harvest(services, source, connector=WorkerConnector(source, None),  # type: ignore[arg-type]
                         dry_run=True)

    assert report.counts.added == 120
    assert services.store.count_datasets() == 0


@pytest.mark.usefixtures("small_pool")
def test_worker_bug_fails_job(services: RunnerServices) -> None:
    with pytest.raises(MappingWorkerError, match="mapping bug"):
        harvest(services, count=120, title="crash")

    job = services.store.get_job(services.store.list_jobs("kab-uji")[0].job_id)
    assert job is not None
    assert job.state is JobState.FAILED
    assert job.errors[-1].code == "internal-error"


def test_small_run_maps_in_process(services: RunnerServices) -> None:
    harvest(services, count=120)

    assert stored_pids(services) == {os.getpid()}


class InProcessConnector(WorkerConnector):
    map_in_workers: ClassVar[bool] = False


@pytest.mark.usefixtures("small_pool")
def test_connector_without_opt_in_maps_in_process(services: RunnerServices) -> None:
    source = fake_source(count=120)
    report = run_harvest(services, source, connector=InProcessConnector(source, None))  # type: ignore[arg-type]

    assert report.counts.added == 120
    assert stored_pids(services) == {os.getpid()}
