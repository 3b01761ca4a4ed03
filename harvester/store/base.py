"""Shared plumbing of the store mixins: the engine, transactions, time and JSON."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import orjson
import sqlalchemy as sa

from harvester.errors import StoreError
from harvester.store.engine import WRITE_OPTION

Clock = Callable[[], dt.datetime]
T = TypeVar("T")

# Rows per IN (...) list, well under SQLite's bound-parameter limit.
CHUNK_SIZE = 500

# SQLite's message and PostgreSQL's SQLSTATE 53100 (disk_full) for a full disk.
_STORAGE_FULL_MARKERS = ("database or disk is full", "No space left on device", "could not extend file")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """Return `value` as an aware UTC datetime; SQLite hands back naive ones."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def dump_json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode("utf-8")


def load_json(text: str | None) -> Any:
    return None if text is None else orjson.loads(text)


def chunked(items: Sequence[T], size: int = CHUNK_SIZE) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class StoreBase:
    """The engine and the clock that every store mixin uses."""

    engine: sa.Engine
    clock: Clock

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        """Open one write transaction; it commits on exit and rolls back on error.

        A full disk raises `StoreError` with code `storage-full` after the rollback.
        """
        try:
            with self.engine.connect().execution_options(**{WRITE_OPTION: True}) as connection:
                with connection.begin():
                    yield connection
        except sa.exc.OperationalError as error:
            if any(marker in str(error.orig) for marker in _STORAGE_FULL_MARKERS):
                raise StoreError(f"store: the database disk is full, nothing of this transaction was written: "
                                 f"{error.orig}", code="storage-full") from error
            raise

    @contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        """Open one read transaction (one snapshot on SQLite; per statement on PostgreSQL)."""
        with self.engine.connect() as connection, connection.begin():
            yield connection

    def _now(self) -> dt.datetime:
        return as_utc(self.clock())  # type: ignore[return-value]
