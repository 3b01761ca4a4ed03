"""The disk reserve beside a SQLite database: created on open, deleted on a full disk, created again later."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from harvester.errors import StorageFullError
from harvester.model import DatasetRecord
from harvester.store import Store
from harvester.store import reserve as reserve_module
from harvester.store.reserve import RESERVE_BYTES, RETRY_SECONDS, DiskReserve
from tests.store.records import make_record


@pytest.fixture
def sqlite_store(sqlite_database: str) -> Iterator[Store]:
    store = Store(sqlite_database)
    store.migrate()
    yield store
    store.close()


def cap_database_size(store: Store) -> Callable[[Any, Any], None]:
    """Make every new connection of `store` fail with SQLITE_FULL once the database needs one more page.

    Returns the connect listener, for `lift_cap`.
    """
    with store.engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar_one()

    def set_max_page_count(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    store.engine.dispose()
    sa.event.listen(store.engine, "connect", set_max_page_count)
    return set_max_page_count


def lift_cap(store: Store, listener: Callable[[Any, Any], None]) -> None:
    store.engine.dispose()
    sa.event.remove(store.engine, "connect", listener)


def big_records(count: int) -> list[DatasetRecord]:
    return [make_record("kab-uji", f"rec-{number}", title="Jumlah Penduduk " + "x" * 4000) for number in range(count)]


def test_reserve_created_beside_database(sqlite_store: Store, tmp_path: Path) -> None:
    reserve_path = tmp_path / "himpun.sqlite3.reserve"

    assert sqlite_store.disk_reserve is not None
    assert sqlite_store.disk_reserve.path == reserve_path
    assert reserve_path.stat().st_size == RESERVE_BYTES
    # Allocated blocks, not a sparse file, or deleting it would free nothing.
    assert reserve_path.stat().st_blocks * 512 >= RESERVE_BYTES


def test_reserve_skipped_without_room(sqlite_database: str, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reserve_module, "free_bytes", lambda folder: 2 * RESERVE_BYTES - 1)

    store = Store(sqlite_database)
    store.close()

    assert store.disk_reserve is not None
    assert not (tmp_path / "himpun.sqlite3.reserve").exists()


def test_reserve_released_on_full_disk_then_recreated(sqlite_store: Store,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    reserve = sqlite_store.disk_reserve
    assert reserve is not None and reserve.exists()
    sqlite_store.upsert_records("kab-uji", big_records(5))
    listener = cap_database_size(sqlite_store)

    with caplog.at_level(logging.ERROR, logger="harvester.store.base"):
        with pytest.raises(StorageFullError) as raised:
            sqlite_store.upsert_records("kab-uji", big_records(200))

    assert raised.value.code == "storage-full"
    assert not reserve.path.exists()
    assert "deleted the disk reserve" in caplog.text
    assert len(sqlite_store.known_states("kab-uji")) == 5, "the failed batch was rolled back"

    lift_cap(sqlite_store, listener)
    sqlite_store.upsert_records("kab-uji", big_records(200))

    assert reserve.exists(), "the first successful write on a disk with room creates the reserve again"
    assert len(sqlite_store.known_states("kab-uji")) == 200


def test_no_reserve_for_memory_or_postgresql(postgres_database: str) -> None:
    for url in ("sqlite://", "sqlite:///:memory:", postgres_database):
        store = Store(url)
        store.close()

        assert store.disk_reserve is None, url


def test_reserve_retry_waits_after_skip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reserve = DiskReserve(tmp_path / "himpun.sqlite3", size=64 * 1024)
    monkeypatch.setattr(reserve_module, "free_bytes", lambda folder: 0)
    assert reserve.ensure() is False

    monkeypatch.setattr(reserve_module, "free_bytes", lambda folder: 1 << 40)
    assert reserve.ensure() is False, "the disk is checked again only after RETRY_SECONDS"

    later = reserve_module.time.monotonic() + RETRY_SECONDS + 1
    monkeypatch.setattr(reserve_module.time, "monotonic", lambda: later)
    assert reserve.ensure() is True
    assert reserve.exists()


def test_reserve_release_and_ensure(tmp_path: Path) -> None:
    reserve = DiskReserve(tmp_path / "himpun.sqlite3", size=64 * 1024)

    assert reserve.release() is False
    assert reserve.ensure() is True
    assert reserve.ensure() is True
    assert reserve.path.stat().st_size == 64 * 1024
    assert reserve.release() is True
    assert not reserve.path.exists()
    assert list(tmp_path.iterdir()) == [], "no temporary file is left behind"
