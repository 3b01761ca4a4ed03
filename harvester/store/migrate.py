"""Run the Alembic migrations programmatically, without an alembic.ini."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from harvester.store.engine import WRITE_OPTION

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# Key of the PostgreSQL advisory lock that serializes concurrent migrations.
MIGRATION_LOCK_KEY = 0x48494D50


def alembic_config(connection: sa.Connection) -> Config:
    """Build an Alembic configuration that runs on `connection`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def upgrade_to_head(engine: sa.Engine) -> None:
    """Apply every migration not yet applied, in one transaction.

    Two processes starting together migrate one after the other: SQLite
    through its write lock, PostgreSQL through an advisory lock.
    """
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as connection, connection.begin():
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        command.upgrade(alembic_config(connection), "head")
