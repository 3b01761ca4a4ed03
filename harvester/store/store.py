"""The `Store` class: one SQLAlchemy engine over SQLite or PostgreSQL."""

from __future__ import annotations

import logging

from harvester.settings import Settings
from harvester.store.base import Clock, utc_now
from harvester.store.datasets import DatasetsMixin
from harvester.store.engine import create_store_engine, describe_url, sqlite_file_path
from harvester.store.jobs import JobsMixin
from harvester.store.lease import LeaseMixin
from harvester.store.migrate import upgrade_to_head
from harvester.store.records import RecordsMixin
from harvester.store.reserve import RESERVE_BYTES, DiskReserve
from harvester.store.source_state import SourceStateMixin

logger = logging.getLogger(__name__)


class Store(RecordsMixin, DatasetsMixin, JobsMixin, LeaseMixin, SourceStateMixin):
    """The store of sources, records, datasets, jobs and the scheduler lease.

    `clock` returns the current UTC time; tests pass a fixed clock to move
    through grace periods without waiting. A file-backed SQLite store keeps a
    disk reserve of `disk_reserve_bytes` beside its database file (0 turns it
    off); see `harvester.store.reserve`.
    """

    def __init__(self, url: str, *, clock: Clock | None = None, disk_reserve_bytes: int = RESERVE_BYTES) -> None:
        self.url = url
        self.clock = clock or utc_now
        self.engine = create_store_engine(url)
        database_file = sqlite_file_path(url)
        if database_file is not None and disk_reserve_bytes > 0:
            self.disk_reserve = DiskReserve(database_file, disk_reserve_bytes)
            self.disk_reserve.ensure()

    @classmethod
    def from_settings(cls, settings: Settings) -> Store:
        """Open the database that `settings` names (SQLite in data_dir by default)."""
        return cls(settings.resolved_database_url)

    def migrate(self) -> None:
        """Run the Alembic migrations up to head."""
        upgrade_to_head(self.engine)
        logger.info("store migrated to head: %s", self.describe())

    def describe(self) -> str:
        """Return the database URL without its password, for logs."""
        return describe_url(self.url)

    def close(self) -> None:
        self.engine.dispose()
