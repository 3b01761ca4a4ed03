"""Index rebuild and drift repair from a real SQLite store, on every index backend."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app as cli_app
from harvester.model import AccessLevel, AccessRights, Agent, DatasetRecord, Provenance, RegionCode, RegionSystem
from harvester.sources import SourceConfig
from harvester.store import Store, assign_dataset_id
from index.base import SearchIndex, SearchQuery
from index.documents import build_document
from index.maintenance import check_index, rebuild_index
from tests.index.elasticsearch_backend import make_elasticsearch_index

SOURCE_ID = "pesawaran"
HARVESTED_AT = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)


def _embedded_factory() -> Callable[[Path], SearchIndex] | None:
    try:
        from index.embedded import EmbeddedIndex
    except ImportError:
        return None
    return lambda folder: EmbeddedIndex(folder / "index")


FACTORIES: dict[str, Callable[[Path], SearchIndex] | None] = {
    "elasticsearch": make_elasticsearch_index,
    "embedded": _embedded_factory(),
}


def _record(remote_id: str, title: str, level: AccessLevel = AccessLevel.TERBUKA) -> DatasetRecord:
    return DatasetRecord(
        title=title,
        description=f"{title}, dihimpun dari portal Satu Data Pesawaran.",
        publisher=Agent(name="Diskominfo Kabupaten Pesawaran", identifier="org-18.09-diskominfo"),
        spatial=[RegionCode(system=RegionSystem.KEMENDAGRI, edition="2025", code="18.09")],
        access=AccessRights(level=level),
        provenance=Provenance(source_id=SOURCE_ID, remote_id=remote_id, harvested_at=HARVESTED_AT,
                              content_hash=f"sha256-{remote_id}-{title}"),
    )


RECORDS = [
    _record("r1", "Jumlah Penduduk Kabupaten Pesawaran 2023"),
    _record("r2", "Jumlah Sekolah Dasar Kabupaten Pesawaran 2023"),
    _record("r3", "Produksi Padi Kabupaten Pesawaran 2023"),
    _record("r4", "Jumlah Penduduk Miskin Kabupaten Pesawaran 2023"),
    _record("r5", "Data Pegawai Tertutup", level=AccessLevel.TERTUTUP),
]


def dataset_id(remote_id: str) -> str:
    return assign_dataset_id(SOURCE_ID, remote_id)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(f"sqlite:///{tmp_path / 'himpun.sqlite3'}")
    store.migrate()
    store.sync_sources([SourceConfig(id=SOURCE_ID, name="Satu Data Pesawaran", family="ckan",
                                     url="https://satudata.pesawarankab.go.id")])
    store.upsert_records(SOURCE_ID, RECORDS)
    yield store
    store.close()


@pytest.fixture(params=sorted(FACTORIES))
def search_index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchIndex]:
    factory = FACTORIES[request.param]
    if factory is None:
        pytest.fail(f"the {request.param} index backend is not importable")
    index = factory(tmp_path)
    yield index
    index.close()


def _public_ids(index: SearchIndex, text: str = "") -> set[str]:
    return {hit.id for hit in index.search(SearchQuery(text=text, rows=100)).hits}


def test_rebuild_holds_public_datasets(search_index: SearchIndex, store: Store) -> None:
    count = rebuild_index(search_index, store)

    assert count == 4
    assert search_index.count() == 4
    assert _public_ids(search_index) == {dataset_id(remote) for remote in ("r1", "r2", "r3", "r4")}


def test_rebuild_document_shape(search_index: SearchIndex, store: Store) -> None:
    rebuild_index(search_index, store)
    document = search_index.get(dataset_id("r1"))

    assert document is not None
    assert document.regency[0].key == "18.09"
    assert document.regency[0].label == "Kabupaten Pesawaran"
    assert document.province[0].label == "Lampung"
    assert document.publisher is not None
    assert document.publisher.key == "org-18.09-diskominfo"


def test_check_clean_after_rebuild(search_index: SearchIndex, store: Store) -> None:
    rebuild_index(search_index, store)
    report = check_index(search_index, store, repair=False)

    assert report.clean
    assert report.total == 0


def test_check_finds_and_repairs_drift(search_index: SearchIndex, store: Store) -> None:
    rebuild_index(search_index, store)

    # Missing: the index lost a document after the store committed it.
    search_index.delete([dataset_id("r1")])
    # Stale: the store took a new title that never reached the index.
    store.upsert_records(SOURCE_ID, [_record("r2", "Jumlah Sekolah Dasar Kabupaten Pesawaran 2024")])
    # Withdrawn but present: the store withdrew a dataset the index still holds.
    store.withdraw_records(SOURCE_ID, ["r3"], HARVESTED_AT + dt.timedelta(days=1))
    # Extra: a non-public dataset that reached the index.
    closed = store.get_dataset(dataset_id("r5"))
    assert closed is not None
    search_index.index([build_document(closed)])
    search_index.commit()

    report = check_index(search_index, store, repair=True)

    assert report.missing == [dataset_id("r1")]
    assert report.stale == [dataset_id("r2")]
    assert report.extra_or_withdrawn == sorted([dataset_id("r3"), dataset_id("r5")])
    assert report.repaired
    assert report.errors == {}
    assert check_index(search_index, store, repair=False).clean
    assert _public_ids(search_index) == {dataset_id(remote) for remote in ("r1", "r2", "r4")}


def test_repair_updates_stale_title(search_index: SearchIndex, store: Store) -> None:
    rebuild_index(search_index, store)
    store.upsert_records(SOURCE_ID, [_record("r2", "Jumlah Sekolah Dasar Kabupaten Pesawaran 2024")])

    check_index(search_index, store, repair=True)
    document = search_index.get(dataset_id("r2"))

    assert document is not None
    assert document.title.endswith("2024")


def test_withdrawn_hidden_before_repair(search_index: SearchIndex, store: Store) -> None:
    rebuild_index(search_index, store)
    store.withdraw_records(SOURCE_ID, ["r3"], HARVESTED_AT + dt.timedelta(days=1))
    withdrawn = store.get_dataset(dataset_id("r3"))
    assert withdrawn is not None

    # The withdraw stage rewrote the document's status, and the crash came
    # before it could delete the document.
    search_index.index([build_document(withdrawn)])
    search_index.commit()

    assert dataset_id("r3") not in _public_ids(search_index)
    assert dataset_id("r3") not in _public_ids(search_index, "produksi padi")
    assert all(suggestion.id != dataset_id("r3") for suggestion in search_index.suggest("produksi"))
    assert check_index(search_index, store, repair=False).extra_or_withdrawn == [dataset_id("r3")]


def test_check_without_repair_changes_nothing(search_index: SearchIndex, store: Store) -> None:
    rebuild_index(search_index, store)
    search_index.delete([dataset_id("r4")])
    search_index.commit()

    first = check_index(search_index, store, repair=False)
    second = check_index(search_index, store, repair=False)

    assert first.missing == [dataset_id("r4")]
    assert second.missing == [dataset_id("r4")]
    assert not first.repaired


def test_cli_check_then_rebuild(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIMPUN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HIMPUN_INDEX_BACKEND", "embedded")
    store = Store(f"sqlite:///{tmp_path / 'himpun.sqlite3'}")
    store.migrate()
    store.sync_sources([SourceConfig(id=SOURCE_ID, name="Satu Data Pesawaran", family="ckan",
                                     url="https://satudata.pesawarankab.go.id")])
    store.upsert_records(SOURCE_ID, RECORDS)
    store.close()
    runner = CliRunner()

    unrepaired = runner.invoke(cli_app, ["index", "check", "--no-repair"])
    rebuilt = runner.invoke(cli_app, ["index", "rebuild"])
    clean = runner.invoke(cli_app, ["index", "check"])

    assert unrepaired.exit_code == 1, unrepaired.output
    assert "missing from the index: 4" in unrepaired.output
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "index rebuilt: 4 datasets" in rebuilt.output
    assert clean.exit_code == 0, clean.output
    assert "the index matches the store" in clean.output
