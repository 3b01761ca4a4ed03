"""Store fixtures: a migrated store on SQLite and PostgreSQL, with a movable clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from harvester.store import Store
from tests.store.records import Clock


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.datetime(2025, 3, 1, 8, 0, tzinfo=dt.UTC))


@pytest.fixture
def store(database_url: str, clock: Clock) -> Iterator[Store]:
    store = Store(database_url, clock=clock)
    store.migrate()
    yield store
    store.close()
