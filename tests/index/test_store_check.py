"""Public search never returns a dataset the store no longer publishes, even from a stale index."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from harvester.model import AccessLevel, AccessRights
from harvester.store import Store
from index.base import SearchQuery
from index.embedded import EmbeddedIndex
from index.store_check import StoreCheckedIndex
from index.sync import sync_datasets
from tests.dedupe.helpers import make_record


def test_stale_index_hit_dropped(tmp_path: Path, sqlite_database: str) -> None:
    store = Store(sqlite_database)
    store.migrate()
    records = []
    for number in range(3):
        record = make_record("kampar", f"r{number}", f"Jumlah Puskesmas Kecamatan {number}")
        record.access = AccessRights(level=AccessLevel.TERBUKA)
        records.append(record)
    outcome = store.upsert_records("kampar", records)
    inner = EmbeddedIndex(tmp_path / "index")
    sync_datasets(inner, store, outcome.changed)
    checked = StoreCheckedIndex(inner, store)

    # The store withdraws one dataset, but the index is not told (a crash before the index write).
    store.withdraw_records("kampar", ["r1"], dt.datetime(2026, 12, 4, tzinfo=dt.timezone.utc))
    withdrawn = store.get_dataset(next(iter(store.public_ids(outcome.changed) ^ set(outcome.changed))))

    stale = inner.search(SearchQuery(text="puskesmas"))
    result = checked.search(SearchQuery(text="puskesmas"))
    suggestions = checked.suggest("jumlah")

    assert withdrawn.record.title == "Jumlah Puskesmas Kecamatan 1"
    assert stale.total == 3
    assert result.total == 2
    assert withdrawn.id not in {hit.id for hit in result.hits}
    assert withdrawn.id not in {suggestion.id for suggestion in suggestions}
    inner.close()
    store.close()
