"""Source rows of the store, read and written by the admin API.

The `source` table contains the configured sources (synced from sources.yaml
at start-up, origin "config") and the ones created through the admin API
(origin "api", loaded again at every start-up). Changes are also
applied to the in-memory source list of the running process, so the web
pages and the next scheduler start see them.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from harvester.credentials import decode_source, encode_source, source_cipher
from harvester.services import Services
from harvester.sources import SourceConfig
from harvester.store.tables import RecordRow, SourceRow

__all__ = ["count_walidata_sources", "delete_source", "get_source", "has_records", "list_sources", "save_source"]

logger = logging.getLogger(__name__)

SOURCE = SourceRow.__table__
RECORD = RecordRow.__table__


def list_sources(services: Services) -> list[SourceConfig]:
    """Return every stored source, ordered by id."""
    with services.store._read() as connection:
        rows = connection.execute(sa.select(SOURCE.c.config, SOURCE.c.enabled).order_by(SOURCE.c.id)).all()
    return [_config(services, config, enabled) for config, enabled in rows]


def get_source(services: Services, source_id: str) -> SourceConfig | None:
    with services.store._read() as connection:
        row = connection.execute(sa.select(SOURCE.c.config, SOURCE.c.enabled).where(SOURCE.c.id == source_id)).first()
    return None if row is None else _config(services, row[0], row[1])


def count_walidata_sources(services: Services, walidata: str) -> int:
    return sum(1 for source in list_sources(services) if source.walidata == walidata)


def save_source(services: Services, source: SourceConfig) -> None:
    """Insert or replace one source row, credentials encrypted, and the process's copy of it."""
    now = services.store._now()
    config = encode_source(source, source_cipher(services.settings))
    values = {"config": config, "enabled": source.enabled, "updated_at": now}
    with services.store._write() as connection:
        updated = connection.execute(SOURCE.update().where(SOURCE.c.id == source.id).values(**values)).rowcount
        if updated == 0:
            connection.execute(SOURCE.insert().values(id=source.id, failures=0, origin="api", **values))

    services.sources[:] = [known for known in services.sources if known.id != source.id] + [source]


def delete_source(services: Services, source_id: str) -> None:
    with services.store._write() as connection:
        connection.execute(SOURCE.delete().where(SOURCE.c.id == source_id))
    services.sources[:] = [known for known in services.sources if known.id != source_id]


def has_records(services: Services, source_id: str) -> bool:
    with services.store._read() as connection:
        return connection.execute(
            sa.select(RECORD.c.id).where(RECORD.c.source_id == source_id).limit(1)
        ).first() is not None


def _config(services: Services, config: str, enabled: bool) -> SourceConfig:
    source = decode_source(config, source_cipher(services.settings))
    return source.model_copy(update={"enabled": bool(enabled)})
