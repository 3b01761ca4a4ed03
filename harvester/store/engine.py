"""Engine construction with the durability settings of each database."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

logger = logging.getLogger(__name__)

# How long a SQLite writer waits for another writer's lock before failing.
SQLITE_BUSY_TIMEOUT_MS = 30_000

# Execution option that marks a connection whose transaction writes.
WRITE_OPTION = "himpun_write"


def create_store_engine(url: str) -> sa.Engine:
    """Create an engine for `url`: SQLite in WAL mode with synchronous=FULL, or PostgreSQL."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _create_sqlite_engine(parsed)
    if parsed.get_backend_name() == "postgresql":
        return _create_postgresql_engine(parsed)
    return sa.create_engine(parsed, future=True)


def describe_url(url: str) -> str:
    """Return `url` with its password hidden, for logs and status pages."""
    return make_url(url).render_as_string(hide_password=True)


def sqlite_file_path(url: str) -> Path | None:
    """Return the database file of a file-backed SQLite `url`, or None for in-memory SQLite and other databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if str(parsed.query.get("uri", "")).lower() in ("true", "1"):
        if parsed.query.get("mode") == "memory":
            return None
        database = urlsplit(database).path
    if not database or database == ":memory:":
        return None
    return Path(database)


def _create_sqlite_engine(url: URL) -> sa.Engine:
    engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
    sa.event.listen(engine, "connect", _configure_sqlite_connection)
    sa.event.listen(engine, "begin", _begin_sqlite_transaction)
    return engine


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite opens transactions on its own; turning that off lets the
    # "begin" listener choose the BEGIN statement.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin_sqlite_transaction(connection: sa.Connection) -> None:
    # A write transaction takes the write lock at BEGIN, so concurrent writers
    # queue on busy_timeout instead of failing on a read-to-write upgrade.
    # Readers use a deferred BEGIN and never block the writer in WAL mode.
    if connection.get_execution_options().get(WRITE_OPTION):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.exec_driver_sql("BEGIN")


def _create_postgresql_engine(url: URL) -> sa.Engine:
    # synchronous_commit=on is the server default; setting it per connection
    # keeps a committed record durable even where the server default is off.
    return sa.create_engine(
        url,
        pool_pre_ping=True,
        connect_args={"options": "-c synchronous_commit=on"},
    )
