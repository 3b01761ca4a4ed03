"""Upserts, withdrawals, purges and dataset reads on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from harvester.model import AccessLevel, DatasetStatus
from harvester.sources import SourceConfig
from harvester.store import Store, assign_dataset_id
from tests.store.records import Clock, make_record


def table_rows(store: Store, table: str) -> list[dict]:
    with store.engine.connect() as connection:
        return [dict(row) for row in connection.execute(sa.text(f"SELECT * FROM {table} ORDER BY 1")).mappings()]


def test_upsert_adds_then_updates(store: Store) -> None:
    first = store.upsert_records("kab-a", [make_record("kab-a", "r1"), make_record("kab-a", "r2")])
    second = store.upsert_records("kab-a", [make_record("kab-a", "r1", title="Jumlah Sekolah")])

    assert sorted(first.added) == sorted([assign_dataset_id("kab-a", "r1"), assign_dataset_id("kab-a", "r2")])
    assert first.updated == []
    assert second.added == []
    assert second.updated == [assign_dataset_id("kab-a", "r1")]
    assert store.get_dataset(assign_dataset_id("kab-a", "r1")).record.title == "Jumlah Sekolah"
    assert len(table_rows(store, "record")) == 2


def test_unchanged_upsert_writes_nothing(store: Store, clock: Clock) -> None:
    store.upsert_records("kab-a", [make_record("kab-a", "r1")])
    before_records = table_rows(store, "record")
    before_datasets = table_rows(store, "dataset")

    clock.advance(hours=1)
    outcome = store.upsert_records("kab-a", [make_record("kab-a", "r1")])

    assert outcome.changed == []
    assert outcome.unchanged == 1
    assert table_rows(store, "record") == before_records
    assert table_rows(store, "dataset") == before_datasets


def test_sql_guard_skips_unchanged_rows(store: Store, clock: Clock) -> None:
    store.upsert_records("kab-a", [make_record("kab-a", "r1")])
    before = table_rows(store, "dataset")
    row = store._record_row("kab-a", make_record("kab-a", "r1"), [])
    row["record"] = '{"changed": "but same hash"}'

    clock.advance(hours=1)
    with store._write() as connection:
        store._write_records(connection, [row])
        store._write_datasets(connection, [row], {row["remote_id"]: "terbuka"}, clock(), 50)

    assert table_rows(store, "dataset") == before
    assert "changed" not in table_rows(store, "record")[0]["record"]


def test_known_hashes_lists_source_records(store: Store) -> None:
    records = [make_record("kab-a", "r1"), make_record("kab-a", "r2"), make_record("kab-b", "r1")]
    store.upsert_records("kab-a", records[:2])
    store.upsert_records("kab-b", records[2:])

    assert store.known_hashes("kab-a") == {
        "r1": records[0].provenance.content_hash, "r2": records[1].provenance.content_hash,
    }


def test_iter_datasets_pages_by_id(store: Store) -> None:
    store.upsert_records("kab-a", [make_record("kab-a", f"r{number}") for number in range(1203)])
    expected = sorted(assign_dataset_id("kab-a", f"r{number}") for number in range(1203))

    everything = [dataset.id for dataset in store.iter_datasets()]
    first_page = [dataset.id for dataset in store.iter_datasets(limit=10)]
    next_page = [dataset.id for dataset in store.iter_datasets(after_id=first_page[-1], limit=10)]

    assert everything == expected
    assert first_page == expected[:10]
    assert next_page == expected[10:20]
    assert store.count_datasets() == 1203


def test_public_only_filters_status_and_access(store: Store) -> None:
    store.upsert_records("kab-a", [
        make_record("kab-a", "open"),
        make_record("kab-a", "restricted", access=AccessLevel.TERBATAS),
        make_record("kab-a", "unknown", access=None),
        make_record("kab-a", "gone"),
    ])
    store.withdraw_records("kab-a", ["gone"], at=dt.datetime(2025, 3, 2, tzinfo=dt.UTC))

    public = [dataset.id for dataset in store.iter_datasets(public_only=True)]

    assert public == [assign_dataset_id("kab-a", "open")]
    assert store.count_datasets(public_only=True) == 1
    assert store.count_datasets() == 4


def test_modified_since_filters_updated_at(store: Store, clock: Clock) -> None:
    store.upsert_records("kab-a", [make_record("kab-a", "old")])
    clock.advance(days=1)
    cutoff = clock()
    store.upsert_records("kab-a", [make_record("kab-a", "new")])

    recent = [dataset.id for dataset in store.iter_datasets(modified_since=cutoff)]

    assert recent == [assign_dataset_id("kab-a", "new")]
    assert store.count_datasets(modified_since=cutoff) == 1


def test_withdrawn_record_returns_with_same_id(store: Store, clock: Clock) -> None:
    store.upsert_records("kab-a", [make_record("kab-a", "r1")])
    dataset_id = assign_dataset_id("kab-a", "r1")
    created_at = store.get_dataset(dataset_id).created_at

    withdrawn = store.withdraw_records("kab-a", ["r1"], at=clock())
    hidden = store.count_datasets(public_only=True)
    clock.advance(days=2)
    outcome = store.upsert_records("kab-a", [make_record("kab-a", "r1")])
    dataset = store.get_dataset(dataset_id)

    assert withdrawn == [dataset_id]
    assert hidden == 0
    assert outcome.updated == [dataset_id]
    assert dataset.status is DatasetStatus.ACTIVE
    assert dataset.withdrawn_at is None
    assert dataset.created_at == created_at
    assert len(table_rows(store, "dataset")) == 1


def test_tombstones_and_purge_after_grace(store: Store, clock: Clock) -> None:
    store.upsert_records("kab-a", [make_record("kab-a", "r1"), make_record("kab-a", "r2")])
    withdrawn_at = clock()
    store.withdraw_records("kab-a", ["r1"], at=withdrawn_at)

    tombstones = store.tombstones(since=withdrawn_at - dt.timedelta(days=7))
    too_early = store.purge_withdrawn(before=withdrawn_at)
    purged = store.purge_withdrawn(before=withdrawn_at + dt.timedelta(days=7))

    assert [dataset.id for dataset in tombstones] == [assign_dataset_id("kab-a", "r1")]
    assert too_early == []
    assert purged == [assign_dataset_id("kab-a", "r1")]
    assert store.get_dataset(assign_dataset_id("kab-a", "r1")) is None
    assert store.known_hashes("kab-a").keys() == {"r2"}


def test_quarantine_finding_holds_record(store: Store) -> None:
    from harvester.harmonize import Finding

    finding = Finding(field="description", value="3201****", kind="personal-data")  # type: ignore[arg-type]
    outcome = store.upsert_records("kab-a", [make_record("kab-a", "r1")], {"r1": [finding]})
    dataset = store.get_dataset(assign_dataset_id("kab-a", "r1"))

    assert outcome.quarantined == 1
    assert dataset.status is DatasetStatus.QUARANTINED
    assert store.count_datasets(public_only=True) == 0


def test_raw_copy_returns_payload(store: Store) -> None:
    record = make_record("kab-a", "r1")
    store.upsert_records("kab-a", [record])

    copy = store.raw_copy("kab-a", "r1")

    assert copy.raw == {"id": "r1", "title": "Jumlah Penduduk"}
    assert copy.content_hash == record.provenance.content_hash
    assert store.raw_copy("kab-a", "missing") is None


def test_dataset_lists_its_source_copy(store: Store) -> None:
    store.upsert_records("kab-a", [make_record("kab-a", "r1")])

    dataset = store.get_dataset(assign_dataset_id("kab-a", "r1"))

    assert [(copy.source_id, copy.remote_id) for copy in dataset.sources] == [("kab-a", "r1")]
    assert dataset.record.provenance.raw is None


def test_sync_sources_disables_removed(store: Store) -> None:
    first = SourceConfig(id="kab-a", name="A", family="ckan", url="https://a.invalid/")
    second = SourceConfig(id="kab-b", name="B", family="ckan", url="https://b.invalid/")
    store.sync_sources([first, second])
    store.sync_sources([second])

    enabled = {row["id"]: bool(row["enabled"]) for row in table_rows(store, "source")}

    assert enabled == {"kab-a": False, "kab-b": True}


def test_update_follows_reassigned_dataset(store: Store) -> None:
    store.upsert_records("kab-a", [make_record("kab-a", "r1"), make_record("kab-a", "r2")])
    survivor = assign_dataset_id("kab-a", "r1")
    with store._write() as connection:
        connection.execute(sa.text("UPDATE record SET dataset_id = :survivor"), {"survivor": survivor})

    outcome = store.upsert_records("kab-a", [make_record("kab-a", "r2", title="Jumlah Sekolah")])

    assert outcome.updated == [survivor]
    assert store.get_dataset(survivor).record.title == "Jumlah Penduduk"
