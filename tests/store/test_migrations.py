"""Migrations build the schema the table classes describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from harvester.store import Store
from harvester.store.migrate import MIGRATIONS_DIR
from harvester.store.tables import SQLModel


def test_migrated_schema_matches_tables(database_url: str) -> None:
    store = Store(database_url)
    store.migrate()

    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    store.close()

    assert differences == []


def test_migrate_twice_is_harmless(database_url: str) -> None:
    store = Store(database_url)
    store.migrate()
    store.migrate()

    with store.engine.connect() as connection:
        version = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one()
    store.close()

    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    assert version == head


def test_public_reads_use_the_id_index(sqlite_database: str) -> None:
    store = Store(sqlite_database)
    store.migrate()
    public = "status = 'active' AND access_level = 'terbuka'"

    with store.engine.connect() as connection:
        hit_check = connection.exec_driver_sql(
            f"EXPLAIN QUERY PLAN SELECT id FROM dataset WHERE {public} AND id IN ('a', 'b')").all()
        keyset_page = connection.exec_driver_sql(
            f"EXPLAIN QUERY PLAN SELECT * FROM dataset WHERE {public} AND id > 'a' ORDER BY id LIMIT 500").all()
    store.close()

    assert "ix_dataset_status_access_level_id" in str(hit_check)
    assert "ix_dataset_status_access_level_id" in str(keyset_page)
    assert "TEMP B-TREE" not in str(keyset_page)


def test_sqlite_durability_pragmas(sqlite_database: str) -> None:
    store = Store(sqlite_database)

    with store.engine.connect() as connection:
        journal = connection.exec_driver_sql("PRAGMA journal_mode").scalar_one()
        synchronous = connection.exec_driver_sql("PRAGMA synchronous").scalar_one()
        busy_timeout = connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one()
    store.close()

    assert journal == "wal"
    assert synchronous == 2
    assert busy_timeout >= 5000


def test_postgresql_synchronous_commit_on(postgres_database: str) -> None:
    store = Store(postgres_database)

    with store.engine.connect() as connection:
        setting = connection.exec_driver_sql("SHOW synchronous_commit").scalar_one()
    store.close()

    assert setting == "on"


def test_describe_hides_password() -> None:
    store = Store("postgresql+psycopg://himpun:rahasia@db.invalid/himpun")

    assert "rahasia" not in store.describe()
    assert "db.invalid" in store.describe()
