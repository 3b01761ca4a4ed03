"""Fixtures shared by every test folder: data paths and throwaway PostgreSQL databases."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPOSITORY_ROOT / "tests" / "fixtures"
DEMO_DATA = REPOSITORY_ROOT / "demo" / "data"

# The server CI starts on this machine; trust auth, database `test`.
POSTGRES_ADMIN_URL = os.environ.get("HIMPUN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _connect_admin() -> psycopg.Connection:
    try:
        return psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        # Failing, not skipping: CI must run the PostgreSQL tests.
        pytest.fail(f"PostgreSQL at {POSTGRES_ADMIN_URL} is not reachable: {error}")


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """Create an empty PostgreSQL database for one test and return its SQLAlchemy URL."""
    name = f"himpun_test_{uuid.uuid4().hex[:12]}"
    with _connect_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        with _connect_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_database(tmp_path: Path) -> str:
    """Return the SQLAlchemy URL of a fresh SQLite file."""
    return f"sqlite:///{tmp_path / 'himpun.sqlite3'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Run a test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_database")
    return request.getfixturevalue("postgres_database")


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    """Bind every pytest-httpserver server to 127.0.0.1 (the plugin's default name, localhost, may be ::1)."""
    return ("127.0.0.1", 0)
