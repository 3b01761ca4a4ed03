"""The `Store` class: one SQLAlchemy engine over SQLite or PostgreSQL."""

from __future__ import annotations

import logging

from harvester.settings import Settings
from harvester.store.base import Clock, utc_now
from harvester.store.datasets import DatasetsMixin
from harvester.store.engine import create_store_engine, describe_url
from harvester.store.jobs import JobsMixin
from harvester.store.lease import LeaseMixin
from harvester.store.migrate import upgrade_to_head
from harvester.store.records import RecordsMixin
from harvester.store.source_state import SourceStateMixin

logger = logging.getLogger(__name__)


class Store(RecordsMixin, DatasetsMixin, JobsMixin, LeaseMixin, SourceStateMixin):
    """The store of sources, records, datasets, jobs and the scheduler lease.

    `clock` returns the current UTC time; tests pass a fixed clock to move
    through grace periods without waiting.
    """

    def __init__(self, url: str, *, clock: Clock | None = None) -> None:
        self.url = url
        self.clock = clock or utc_now
        self.engine = create_store_engine(url)

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
