"""Builders of mapped records for store and job tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from connectors.base import RemoteRecord
from harvester.model import AccessLevel, AccessRights, DatasetRecord, Provenance


@dataclass
class Clock:
    """A settable clock for the store."""

    now: dt.datetime

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def make_record(source_id: str, remote_id: str, title: str = "Jumlah Penduduk",
                access: AccessLevel | None = AccessLevel.TERBUKA) -> DatasetRecord:
    """Build a mapped record whose raw payload, and so its hash, follows `title`."""
    raw = {"id": remote_id, "title": title}
    remote = RemoteRecord(remote_id=remote_id, raw=raw)
    return DatasetRecord(
        title=title,
        access=AccessRights(level=access),
        provenance=Provenance(
            source_id=source_id, remote_id=remote_id, harvested_at=dt.datetime(2025, 3, 1, tzinfo=dt.UTC),
            content_hash=remote.content_hash(), raw=raw,
        ),
    )
