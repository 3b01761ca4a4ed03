"""The dedupe stage over a real store, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from harvester.dedupe.stage import run_dedupe
from harvester.dedupe.store_ops import list_matches, list_series, redirect_target, save_decision
from harvester.model import AccessLevel, AccessRights
from harvester.sources import SourceConfig
from harvester.store import Store

from tests.dedupe.helpers import make_record

SOURCES = [
    SourceConfig(id="prov", name="Satu Data Provinsi", family="ckan", url="https://prov.example.invalid", priority=80),
    SourceConfig(id="datagoid", name="data.go.id", family="datagoid", url="https://datagoid.example.invalid",
                 priority=20),
]


def _uuid(number: int) -> str:
    return f"00000000-0000-4000-8000-{number:012d}"


def _public(record):
    record.access = AccessRights(level=AccessLevel.TERBUKA)
    return record


@pytest.fixture
def store(database_url: str):
    store = Store(database_url)
    store.migrate()
    yield store
    store.close()


def _harvest_both(store: Store, count: int) -> None:
    province = [_public(make_record("prov", _uuid(n), f"Data Statistik Sektoral {n}", identifiers=(_uuid(n),)))
                for n in range(count)]
    portal = [_public(make_record("datagoid", f"dg-{n}", f"DATA STATISTIK SEKTORAL {n}", identifiers=(_uuid(n),)))
              for n in range(count)]
    store.upsert_records("prov", province)
    store.upsert_records("datagoid", portal)


def test_same_datasets_two_sources_publish_once(store: Store) -> None:
    _harvest_both(store, 100)
    assert store.count_datasets(public_only=True) == 200

    report = run_dedupe(store, SOURCES)

    assert report.records == 200
    assert report.datasets == 100
    assert report.merged_datasets == 100
    published = list(store.iter_datasets(public_only=True))
    assert len(published) == 100
    assert all(len(dataset.sources) == 2 for dataset in published)
    assert all(dataset.record.provenance.source_id == "prov" for dataset in published)


def test_second_pass_changes_nothing(store: Store) -> None:
    _harvest_both(store, 10)
    run_dedupe(store, SOURCES)
    before = {dataset.id: dataset.updated_at for dataset in store.iter_datasets()}

    report = run_dedupe(store, SOURCES)

    assert report.changed == []
    after = {dataset.id: dataset.updated_at for dataset in store.iter_datasets()}
    assert after == before


def test_merged_id_redirects_to_survivor(store: Store) -> None:
    _harvest_both(store, 1)
    ids_before = {dataset.id for dataset in store.iter_datasets()}
    run_dedupe(store, SOURCES)

    (survivor,) = list(store.iter_datasets(public_only=True))
    (merged_away,) = ids_before - {survivor.id}
    assert survivor.id in ids_before
    assert redirect_target(store, merged_away) == survivor.id
    matches = list_matches(store, survivor.id)
    assert matches[0]["reasons"] == [f"identifier uuid:{_uuid(0)}"]


def test_split_decision_survives_reharvest(store: Store) -> None:
    _harvest_both(store, 1)
    run_dedupe(store, SOURCES)
    (merged,) = list(store.iter_datasets(public_only=True))

    save_decision(store, ("prov", _uuid(0)), ("datagoid", "dg-0"), "split", actor="operator")
    run_dedupe(store, SOURCES)
    split = {dataset.id for dataset in store.iter_datasets(public_only=True)}
    assert len(split) == 2
    assert merged.id in split

    _harvest_both(store, 1)
    run_dedupe(store, SOURCES)
    assert {dataset.id for dataset in store.iter_datasets(public_only=True)} == split


def test_withdrawn_copy_leaves_other_source(store: Store) -> None:
    _harvest_both(store, 1)
    run_dedupe(store, SOURCES)
    store.withdraw_records("datagoid", ["dg-0"], dt.datetime(2026, 12, 2, tzinfo=dt.timezone.utc))

    run_dedupe(store, SOURCES)

    (dataset,) = list(store.iter_datasets(public_only=True))
    assert [copy.source_id for copy in dataset.sources if copy.source_id == "prov"] == ["prov"]


def test_yearly_datasets_form_series(store: Store) -> None:
    records = [_public(make_record("prov", f"p-{year}", f"Jumlah Penduduk Tahun {year}")) for year in (2023, 2021, 2022)]
    store.upsert_records("prov", records)

    report = run_dedupe(store, SOURCES)

    assert report.series == 1
    (series,) = list_series(store)
    assert series["title"] == "Jumlah Penduduk"
    titles = [store.get_dataset(dataset_id).record.title for dataset_id in series["members"]]
    assert titles == ["Jumlah Penduduk Tahun 2021", "Jumlah Penduduk Tahun 2022", "Jumlah Penduduk Tahun 2023"]
    assert all(store.get_dataset(dataset_id).series_id == series["id"] for dataset_id in series["members"])


def test_changed_copy_updates_merged_dataset(store: Store) -> None:
    _harvest_both(store, 1)
    run_dedupe(store, SOURCES)
    (merged,) = list(store.iter_datasets(public_only=True))

    changed = _public(make_record("datagoid", "dg-0", "DATA STATISTIK SEKTORAL 0", identifiers=(_uuid(0),)))
    changed.description = "Deskripsi baru dari data.go.id"
    changed.provenance.content_hash = "changed"
    store.upsert_records("datagoid", [changed])

    assert [dataset.id for dataset in store.iter_datasets(public_only=True)] == [merged.id]
    run_dedupe(store, SOURCES)
    (after,) = list(store.iter_datasets(public_only=True))
    assert after.id == merged.id
    assert after.record.description == "Deskripsi baru dari data.go.id"
    assert after.record.title == "Data Statistik Sektoral 0"
