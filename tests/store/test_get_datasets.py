"""Reading many datasets at once with `Store.get_datasets`, on SQLite and PostgreSQL."""

from __future__ import annotations

from harvester.store import Store, assign_dataset_id
from tests.store.records import make_record


def test_get_datasets_matches_get_dataset(store: Store) -> None:
    store.upsert_records("kab-a", [make_record("kab-a", f"r{number}") for number in range(1203)])
    dataset_ids = [assign_dataset_id("kab-a", f"r{number}") for number in range(1203)]

    found = store.get_datasets([*dataset_ids, "no-such-dataset", dataset_ids[0]])

    assert len(found) == 1203
    assert "no-such-dataset" not in found
    for dataset_id in (dataset_ids[0], dataset_ids[600], dataset_ids[-1]):
        assert found[dataset_id] == store.get_dataset(dataset_id)


def test_get_datasets_of_nothing(store: Store) -> None:
    assert store.get_datasets([]) == {}
