"""Syncing the embedded index with a real SQLite store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from connectors.base import RemoteRecord
from harvester.model import AccessLevel, AccessRights, DatasetRecord, Provenance
from harvester.store import Store
from index.base import SearchQuery
from index.documents import build_document
from index.embedded import EmbeddedIndex
from index.sync import reindex_all, sync_datasets

SOURCE = "kab-pesawaran"


def make_record(remote_id: str, title: str, access: AccessLevel | None = AccessLevel.TERBUKA) -> DatasetRecord:
    raw = {"id": remote_id, "title": title, "access": access.value if access else None}
    return DatasetRecord(
        title=title,
        access=AccessRights(level=access),
        provenance=Provenance(source_id=SOURCE, remote_id=remote_id, harvested_at=dt.datetime(2025, 3, 1, tzinfo=dt.UTC),
                              content_hash=RemoteRecord(remote_id=remote_id, raw=raw).content_hash(), raw=raw),
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(f"sqlite:///{tmp_path / 'himpun.sqlite3'}")
    store.migrate()
    yield store
    store.close()


def test_sync_indexes_public_deletes_others(store: Store, embedded_index: EmbeddedIndex) -> None:
    outcome = store.upsert_records(SOURCE, [
        make_record("r1", "Jumlah Penduduk Kabupaten Pesawaran"),
        make_record("r2", "Jumlah Puskesmas"),
        make_record("r3", "Data Pegawai Terbatas", access=AccessLevel.TERBATAS),
    ])

    report = sync_datasets(embedded_index, store, outcome.changed + ["no-such-dataset"])

    assert report.indexed == 2
    assert report.deleted == 2
    assert report.errors == {}
    assert embedded_index.count() == 2
    assert embedded_index.search(SearchQuery(text="pegawai", public_only=False)).total == 0


def test_sync_removes_reclassified(store: Store, embedded_index: EmbeddedIndex) -> None:
    first = store.upsert_records(SOURCE, [make_record("r1", "Jumlah Puskesmas")])
    sync_datasets(embedded_index, store, first.changed)
    assert embedded_index.count() == 1

    second = store.upsert_records(SOURCE, [make_record("r1", "Jumlah Puskesmas", access=AccessLevel.TERTUTUP)])
    sync_datasets(embedded_index, store, second.changed)

    assert embedded_index.count() == 0


def test_sync_stores_document_hash(store: Store, embedded_index: EmbeddedIndex) -> None:
    outcome = store.upsert_records(SOURCE, [make_record("r1", "Jumlah Puskesmas")])
    sync_datasets(embedded_index, store, outcome.changed)

    dataset = store.get_dataset(outcome.changed[0])
    hashes = {document_id: content_hash for document_id, content_hash, _ in embedded_index.iter_hashes()}

    assert hashes == {dataset.id: build_document(dataset).content_hash}


def test_sync_batches_large_sets(store: Store, embedded_index: EmbeddedIndex) -> None:
    outcome = store.upsert_records(SOURCE, [make_record(f"r{number}", f"Jumlah Sekolah {number}")
                                            for number in range(1200)])

    report = sync_datasets(embedded_index, store, outcome.changed, batch_size=250)

    assert report.indexed == 1200
    assert embedded_index.count() == 1200


def test_reindex_all_keeps_public_only(store: Store, embedded_index: EmbeddedIndex) -> None:
    store.upsert_records(SOURCE, [
        make_record("r1", "Jumlah Penduduk"),
        make_record("r2", "Jumlah Puskesmas"),
        make_record("r3", "Data Tanpa Kelas Akses", access=None),
    ])
    embedded_index.index([build_document(store.get_dataset(dataset_id))
                          for dataset_id in [d.id for d in store.iter_datasets()]])
    embedded_index.commit()
    assert embedded_index.count() == 3

    count = reindex_all(embedded_index, store)

    assert count == 2
    assert embedded_index.count() == 2
    assert embedded_index.search(SearchQuery(text="kelas", public_only=False)).total == 0
