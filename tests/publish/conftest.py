"""A real SQLite store and embedded index filled with sample datasets, served through the ASGI app."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from harvester.harmonize import Finding, Harmonizer
from harvester.model import DatasetRecord, PublishedDataset
from harvester.services import Services
from harvester.settings import Settings
from harvester.store import Store, assign_dataset_id
from index.embedded import EmbeddedIndex
from index.sync import reindex_all
from server.app import create_app
from tests.publish.samples import aceh_datasets, ckan_datasets, edge_case_dataset, hidden_datasets

BASE_URL = "http://127.0.0.1:8000"
FIRST_LOAD = dt.datetime(2025, 3, 1, 8, 0, tzinfo=dt.timezone.utc)
SECOND_LOAD = dt.datetime(2025, 6, 1, 8, 0, tzinfo=dt.timezone.utc)


@dataclass
class Clock:
    now: dt.datetime

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass
class Catalog:
    """The loaded app and what went into it, by dataset id as the store assigned it."""

    client: TestClient
    store: Store
    public_ids: list[str] = field(default_factory=list)
    second_load_ids: list[str] = field(default_factory=list)
    hidden_ids: dict[str, str] = field(default_factory=dict)
    withdrawn_id: str = ""


def _dataset_id(record: DatasetRecord) -> str:
    return assign_dataset_id(record.provenance.source_id, record.provenance.remote_id)


def _upsert(store: Store, datasets: list[PublishedDataset], findings: dict[str, list[Finding]] | None = None) -> None:
    by_source: dict[str, list[DatasetRecord]] = defaultdict(list)
    for dataset in datasets:
        by_source[dataset.record.provenance.source_id].append(dataset.record)
    for source_id, records in by_source.items():
        store.upsert_records(source_id, records, findings)


def _hidden_records(store: Store) -> tuple[dict[str, str], str]:
    """Load the never-public datasets under their own source ids; return their ids and the withdrawn one."""
    hidden: dict[str, str] = {}
    withdrawn_id = ""
    for dataset in hidden_datasets():
        kind = dataset.id.removeprefix("hidden-")
        record = dataset.record.model_copy(deep=True)
        record.provenance = record.provenance.model_copy(update={"source_id": f"hidden-{kind}", "remote_id": kind})
        findings = None
        if kind == "quarantined":
            findings = {kind: [Finding(field="description", value="3201****", kind="personal-data")]}  # type: ignore[arg-type]
        store.upsert_records(record.provenance.source_id, [record], findings)
        hidden[kind] = _dataset_id(record)
        if kind == "withdrawn":
            store.withdraw_records(record.provenance.source_id, [kind], at=SECOND_LOAD)
            withdrawn_id = hidden[kind]
    return hidden, withdrawn_id


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Catalog]:
    folder: Path = tmp_path_factory.mktemp("publish")
    settings = Settings(base_url=BASE_URL, data_dir=folder, _env_file=None)  # type: ignore[call-arg]
    clock = Clock(FIRST_LOAD)
    store = Store(f"sqlite:///{folder / 'himpun.sqlite3'}", clock=clock)
    store.migrate()

    first = aceh_datasets()[:80] + [edge_case_dataset()]
    second = aceh_datasets()[80:] + ckan_datasets()
    _upsert(store, first)
    clock.now = SECOND_LOAD
    _upsert(store, second)
    hidden_ids, withdrawn_id = _hidden_records(store)

    index = EmbeddedIndex(folder / "index")
    reindex_all(index, store)
    services = Services(settings=settings, store=store, index=index,
                        harmonizer=Harmonizer.from_config(settings.config_dir))
    app = create_app(services)
    with TestClient(app, base_url=BASE_URL) as client:
        yield Catalog(
            client=client,
            store=store,
            public_ids=sorted(_dataset_id(d.record) for d in first + second),
            second_load_ids=sorted(_dataset_id(d.record) for d in second),
            hidden_ids=hidden_ids,
            withdrawn_id=withdrawn_id,
        )
    index.close()
    store.close()
