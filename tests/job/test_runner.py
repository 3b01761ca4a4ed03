"""The job runner against a generated connector, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from harvester.errors import AlreadyRunningError, ConflictError
from harvester.job import approve_job, purge_withdrawn, reject_job, run_harvest
from harvester.jobs import JobCounts, JobState
from harvester.model import DatasetStatus
from harvester.store import assign_dataset_id
from tests.job.conftest import RunnerServices, fake_source
from tests.job.fake_connector import remote_id_of


def active_ids(services: RunnerServices) -> set[str]:
    return {remote_id for remote_id, (_, status) in services.store.known_states("kab-uji").items()
            if status == "active"}


def test_first_run_adds_every_record(services: RunnerServices) -> None:
    indexed: list[str] = []

    report = run_harvest(services, fake_source(count=120), indexer=indexed.extend)

    assert report.state is JobState.SUCCEEDED
    assert report.complete is True
    assert report.counts == JobCounts(added=120)
    assert len(indexed) == 120
    assert services.store.count_datasets(public_only=True) == 120


def test_unchanged_rerun_writes_nothing(services: RunnerServices) -> None:
    run_harvest(services, fake_source(count=120))
    before = {dataset.id: dataset.updated_at for dataset in services.store.iter_datasets()}
    indexed: list[str] = []

    report = run_harvest(services, fake_source(count=120), indexer=indexed.extend)
    after = {dataset.id: dataset.updated_at for dataset in services.store.iter_datasets()}

    assert report.counts == JobCounts(unchanged=120)
    assert indexed == []
    assert after == before


def test_changed_record_is_updated(services: RunnerServices) -> None:
    run_harvest(services, fake_source(count=5))

    report = run_harvest(services, fake_source(count=5, title="Jumlah Sekolah"))

    assert report.counts == JobCounts(updated=5)
    dataset = services.store.get_dataset(assign_dataset_id("kab-uji", remote_id_of(0)))
    assert dataset.record.title == "Jumlah Sekolah 0"


def test_malformed_record_reported_others_kept(services: RunnerServices) -> None:
    bad = remote_id_of(3)

    report = run_harvest(services, fake_source(count=10, malformed=[bad]))
    stored = services.store.get_job(report.job_id)

    assert report.state is JobState.SUCCEEDED_WITH_ERRORS
    assert report.counts.added == 9
    assert report.counts.rejected == 1
    assert [(error.code, error.remote_id) for error in stored.errors] == [("missing-title", bad)]
    assert bad not in active_ids(services)


def test_malformed_record_is_not_withdrawn(services: RunnerServices) -> None:
    run_harvest(services, fake_source(count=10))

    report = run_harvest(services, fake_source(count=10, malformed=[remote_id_of(3)]))

    assert report.counts.withdrawn == 0
    assert remote_id_of(3) in active_ids(services)


def test_duplicate_remote_id_keeps_first(services: RunnerServices) -> None:
    repeated = remote_id_of(2)

    report = run_harvest(services, fake_source(count=5, repeat=[repeated]))

    assert report.counts.added == 5
    assert report.counts.rejected == 1
    assert [(error.code, error.remote_id) for error in report.errors] == [("duplicate-record", repeated)]


def test_empty_catalogue_needs_review(services: RunnerServices) -> None:
    run_harvest(services, fake_source(count=100))

    report = run_harvest(services, fake_source(count=0))

    assert report.state is JobState.NEEDS_REVIEW
    assert report.counts.withdrawn == 0
    assert len(services.store.pending_withdrawals(report.job_id)) == 100
    assert services.store.count_datasets(public_only=True) == 100


def test_one_percent_drop_is_withdrawn(services: RunnerServices) -> None:
    run_harvest(services, fake_source(count=200))
    dropped = [remote_id_of(7), remote_id_of(150)]
    indexed: list[str] = []

    report = run_harvest(services, fake_source(count=200, drop=dropped), indexer=indexed.extend)

    assert report.state is JobState.SUCCEEDED
    assert report.counts.withdrawn == 2
    assert report.counts.unchanged == 198
    assert sorted(indexed) == sorted(assign_dataset_id("kab-uji", remote_id) for remote_id in dropped)
    assert services.store.count_datasets(public_only=True) == 198


def test_large_drop_is_held_then_approved(services: RunnerServices) -> None:
    run_harvest(services, fake_source(count=100))
    dropped = [remote_id_of(number) for number in range(30)]
    held = run_harvest(services, fake_source(count=100, drop=dropped))
    indexed: list[str] = []

    approved = approve_job(services.store, held.job_id, indexer=indexed.extend)

    assert held.state is JobState.NEEDS_REVIEW
    assert approved.state is JobState.SUCCEEDED
    assert approved.counts.withdrawn == 30
    assert len(indexed) == 30
    assert services.store.count_datasets(public_only=True) == 70
    assert services.store.get_dataset(assign_dataset_id("kab-uji", dropped[0])).status is DatasetStatus.WITHDRAWN


def test_rejected_review_withdraws_nothing(services: RunnerServices) -> None:
    run_harvest(services, fake_source(count=10))
    held = run_harvest(services, fake_source(count=10, drop=[remote_id_of(n) for n in range(5)]))

    rejected = reject_job(services.store, held.job_id)

    assert rejected.state is JobState.SUCCEEDED
    assert services.store.count_datasets(public_only=True) == 10
    with pytest.raises(ConflictError):
        approve_job(services.store, held.job_id)


def test_outdated_review_cannot_be_approved(services: RunnerServices) -> None:
    run_harvest(services, fake_source(count=10))
    held = run_harvest(services, fake_source(count=0))
    run_harvest(services, fake_source(count=10))

    with pytest.raises(ConflictError) as raised:
        approve_job(services.store, held.job_id)

    assert raised.value.code == "review-outdated"


def test_item_cap_withdraws_nothing(services: RunnerServices) -> None:
    run_harvest(services, fake_source(count=100))

    report = run_harvest(services, fake_source(count=100, drop=[remote_id_of(99)]), max_records=10)

    assert report.complete is False
    assert report.state is JobState.SUCCEEDED
    assert report.counts == JobCounts(unchanged=10)
    assert remote_id_of(99) in active_ids(services)


def test_dry_run_stores_nothing(services: RunnerServices) -> None:
    report = run_harvest(services, fake_source(count=20), dry_run=True)

    assert report.counts == JobCounts(added=20)
    assert report.dry_run is True
    assert services.store.count_datasets() == 0
    assert services.store.get_job(report.job_id).state is JobState.SUCCEEDED


def test_dry_run_withdraws_nothing(services: RunnerServices) -> None:
    run_harvest(services, fake_source(count=100))

    report = run_harvest(services, fake_source(count=100, drop=[remote_id_of(1)]), dry_run=True)

    assert report.counts.withdrawn == 1
    assert services.store.count_datasets(public_only=True) == 100


def test_source_failure_keeps_stored_and_withdraws_nothing(services: RunnerServices) -> None:
    run_harvest(services, fake_source(count=100))

    report = run_harvest(services, fake_source(count=100, title="Baru", fail_after=60))

    assert report.state is JobState.FAILED
    assert report.complete is False
    assert [error.code for error in report.errors] == ["fetch-failed"]
    assert report.counts.updated == 60
    assert report.counts.withdrawn == 0
    assert len(active_ids(services)) == 100


def test_withdrawn_record_returns_active(services: RunnerServices) -> None:
    run_harvest(services, fake_source(count=100))
    run_harvest(services, fake_source(count=100, drop=[remote_id_of(5)]))

    report = run_harvest(services, fake_source(count=100))
    dataset = services.store.get_dataset(assign_dataset_id("kab-uji", remote_id_of(5)))

    assert report.counts.updated == 1
    assert report.counts.unchanged == 99
    assert dataset.status is DatasetStatus.ACTIVE


def test_purge_after_grace_period(services: RunnerServices) -> None:
    run_harvest(services, fake_source(count=100))
    run_harvest(services, fake_source(count=100, drop=[remote_id_of(5)]))
    services.settings.withdraw_grace_days = 0

    purged = purge_withdrawn(services)

    assert purged == [assign_dataset_id("kab-uji", remote_id_of(5))]
    assert services.store.count_datasets() == 99


def test_running_job_blocks_second_start(services: RunnerServices) -> None:
    services.store.start_job("kab-uji")

    with pytest.raises(AlreadyRunningError):
        run_harvest(services, fake_source(count=5))


def test_unknown_family_fails_job(services: RunnerServices) -> None:
    source = fake_source().model_copy(update={"family": "tidak-ada"})

    report = run_harvest(services, source)

    assert report.state is JobState.FAILED
    assert [error.code for error in report.errors] == ["invalid-config"]


def test_connector_bug_marks_job_failed(services: RunnerServices) -> None:
    from tests.job.fake_connector import FakeConnector

    class BrokenConnector(FakeConnector):
        def list_records(self):  # type: ignore[no-untyped-def]
            raise RuntimeError("bug in paging")

    source = fake_source()
    with pytest.raises(RuntimeError):
        run_harvest(services, source, connector=BrokenConnector(source, None))  # type: ignore[arg-type]

    job = services.store.list_jobs("kab-uji")[0]
    assert job.state is JobState.FAILED
    assert [error.code for error in services.store.get_job(job.job_id).errors] == ["internal-error"]
