"""Lost and refused database connections raise `DatabaseUnavailableError`; other database errors pass unchanged."""

from __future__ import annotations

import socket

import pytest
import sqlalchemy as sa

from harvester.errors import DatabaseUnavailableError
from harvester.jobs import JobState
from harvester.store import Store


def closed_port() -> int:
    """Return a port on 127.0.0.1 that nothing listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_refused_connection_raises_unavailable() -> None:
    store = Store(f"postgresql+psycopg://himpun:rahasia@127.0.0.1:{closed_port()}/himpun")
    try:
        with pytest.raises(DatabaseUnavailableError) as written:
            store.heartbeat_job(1)
        with pytest.raises(DatabaseUnavailableError) as read:
            store.list_jobs("kab-uji")
    finally:
        store.close()

    assert written.value.code == "database-unavailable"
    assert read.value.code == "database-unavailable"
    assert "127.0.0.1" in written.value.message
    assert "rahasia" not in written.value.message, "the message hides the password"
    assert isinstance(written.value.__cause__, sa.exc.OperationalError)


def test_backend_ended_mid_transaction(postgres_database: str) -> None:
    store = Store(postgres_database)
    store.migrate()
    job = store.start_job("kab-uji")
    try:
        with pytest.raises(DatabaseUnavailableError) as raised:
            with store._write() as connection:  # noqa: SLF001 - the transaction the store methods use
                connection.execute(sa.text("UPDATE harvest_job SET heartbeat_at = now() WHERE id = :id"),
                                   {"id": job.job_id})
                connection.execute(sa.text("SELECT pg_terminate_backend(pg_backend_pid())"))
        # The pool replaces the broken connection, so the next write works.
        store.heartbeat_job(job.job_id)
        stored = store.get_job(job.job_id)
    finally:
        store.close()

    assert raised.value.code == "database-unavailable"
    assert stored.state is JobState.RUNNING


def test_other_database_errors_unchanged(sqlite_database: str) -> None:
    store = Store(sqlite_database)
    try:
        with pytest.raises(sa.exc.OperationalError, match="no such table"):
            with store._write() as connection:  # noqa: SLF001 - the transaction the store methods use
                connection.execute(sa.text("UPDATE missing_table SET x = 1"))
    finally:
        store.close()
