"""Shared plumbing of the store mixins: the engine, transactions, time and JSON."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import orjson
import psycopg
import sqlalchemy as sa

from harvester.errors import DatabaseUnavailableError, StorageFullError
from harvester.store.engine import WRITE_OPTION
from harvester.store.reserve import MIB, DiskReserve

logger = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
T = TypeVar("T")

# Rows per IN (...) list, well under SQLite's bound-parameter limit.
CHUNK_SIZE = 500

# SQLite's message and PostgreSQL's SQLSTATE 53100 (disk_full) for a full disk.
_STORAGE_FULL_MARKERS = ("database or disk is full", "No space left on device", "could not extend file")

# PostgreSQL SQLSTATEs of a server that ended or refused the session: admin_shutdown,
# crash_shutdown and cannot_connect_now. Class 08 (connection_exception) counts as well.
_CONNECTION_LOST_SQLSTATES = frozenset({"57P01", "57P02", "57P03"})


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
    """The engine, the clock and the disk reserve that every store mixin uses."""

    engine: sa.Engine
    clock: Clock
    # Set on file-backed SQLite stores only; see `harvester.store.reserve`.
    disk_reserve: DiskReserve | None = None

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        """Open one write transaction; it commits on exit and rolls back on error.

        A full disk raises `StorageFullError` after the rollback and deletes the
        disk reserve, so that the job's final state still fits. A failed or
        broken database connection raises `DatabaseUnavailableError`. After a
        successful commit the disk reserve is created again if space allows.
        """
        try:
            with self.engine.connect().execution_options(**{WRITE_OPTION: True}) as connection:
                with connection.begin():
                    yield connection
        except sa.exc.DBAPIError as error:
            if _is_storage_full(error):
                self._release_disk_reserve()
                raise StorageFullError(f"store: the disk under the database {self._database()} is full, so "
                                       f"nothing of this transaction was written: {error.orig}. Free space on "
                                       f"that disk, then run the job again") from error
            if _is_connection_failure(error):
                raise self._unavailable(error) from error
            raise
        if self.disk_reserve is not None:
            self.disk_reserve.ensure()

    @contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        """Open one read transaction (one snapshot on SQLite; per statement on PostgreSQL).

        A failed or broken database connection raises `DatabaseUnavailableError`.
        """
        try:
            with self.engine.connect() as connection, connection.begin():
                yield connection
        except sa.exc.DBAPIError as error:
            if _is_connection_failure(error):
                raise self._unavailable(error) from error
            raise

    def _now(self) -> dt.datetime:
        return as_utc(self.clock())  # type: ignore[return-value]

    def _database(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def _unavailable(self, error: sa.exc.DBAPIError) -> DatabaseUnavailableError:
        # libpq messages span several lines, and the first one names the failure.
        lines = str(error.orig).strip().splitlines()
        detail = lines[0] if lines else type(error.orig).__name__
        return DatabaseUnavailableError(
            f"store: the connection to the database {self._database()} failed, so this transaction may not "
            f"have been committed: {detail}. Check that the database server is running and reachable, "
            f"then run the job again")

    def _release_disk_reserve(self) -> None:
        reserve = self.disk_reserve
        if reserve is None or not reserve.release():
            return
        logger.error("the disk under the database %s is full: deleted the disk reserve %s (%d MiB) so that "
                     "running jobs can store their final state. Free space on that disk. The store creates the "
                     "reserve again once %d MiB are free", self._database(), reserve.path, reserve.size // MIB,
                     2 * reserve.size // MIB, extra={"event": "storage-full", "path": str(reserve.path)})


def _is_storage_full(error: sa.exc.DBAPIError) -> bool:
    return any(marker in str(error.orig) for marker in _STORAGE_FULL_MARKERS)


def _is_connection_failure(error: sa.exc.DBAPIError) -> bool:
    """Return True when `error` means the database connection could not be opened or broke."""
    if error.connection_invalidated:
        return True
    if not isinstance(error.orig, psycopg.Error):
        return False
    sqlstate = error.orig.sqlstate
    if sqlstate is None:
        # psycopg raises OperationalError without a SQLSTATE when libpq could not
        # connect or lost the connection, since no server reply carries one.
        return isinstance(error.orig, psycopg.OperationalError)
    return sqlstate.startswith("08") or sqlstate in _CONNECTION_LOST_SQLSTATES
