"""The long-lived objects one Himpun process shares: settings, store, index, harmonizer, sources."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from harvester.credentials import source_cipher
from harvester.harmonize import Harmonizer
from harvester.settings import Settings
from harvester.sources import SourceConfig, load_sources
from harvester.store import Store
from index import SearchIndex, open_index
from index.store_check import StoreCheckedIndex

logger = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    store: Store
    index: SearchIndex
    harmonizer: Harmonizer
    sources: list[SourceConfig] = field(default_factory=list)

    def source(self, source_id: str) -> SourceConfig:
        """Return the configured source `source_id`, or raise `KeyError` naming the known ones."""
        for source in self.sources:
            if source.id == source_id:
                return source
        known = ", ".join(source.id for source in self.sources) or "none"
        raise KeyError(f"source {source_id!r} is not configured; configured sources: {known}")

    def close(self) -> None:
        self.index.close()
        self.store.close()


def open_services(settings: Settings, *, load_source_file: bool = True) -> Services:
    """Open the store (migrated to head), the index and the harmonizer for `settings`."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store.from_settings(settings)
    store.migrate()

    sources = load_sources(settings.resolved_sources_file) if load_source_file else []
    cipher = source_cipher(settings)
    store.sync_sources(sources, cipher)
    configured = {source.id for source in sources}
    sources += [source for source in store.api_sources(cipher) if source.id not in configured]

    harmonizer = Harmonizer.from_config(settings.config_dir)
    index = StoreCheckedIndex(open_index(settings), store)
    logger.info("services opened: database=%s index=%s sources=%d",
                store.describe(), settings.index_backend, len(sources))
    return Services(settings=settings, store=store, index=index, harmonizer=harmonizer, sources=sources)
