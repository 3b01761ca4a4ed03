"""Small builders for dedupe tests."""

from __future__ import annotations

import datetime as dt

from harvester.model import Agent, DatasetRecord, Distribution, Provenance, RegionCode, RegionSystem

HARVESTED_AT = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)


def make_record(source: str, remote_id: str, title: str, *, publisher: str | None = "Kabupaten Kampar",
                creator: str | None = None, region: str | None = "14.01", urls: tuple[str, ...] = (),
                identifiers: tuple[str, ...] = (), extras: dict | None = None,
                modified: dt.datetime | None = None) -> DatasetRecord:
    return DatasetRecord(
        title=title,
        publisher=Agent(name=publisher, identifier=publisher.lower().replace(" ", "-")) if publisher else None,
        creator=Agent(name=creator, identifier=creator.lower()) if creator else None,
        spatial=[RegionCode(system=RegionSystem.KEMENDAGRI, edition="2025", code=region)] if region else [],
        distributions=[Distribution(access_url=url) for url in urls],
        identifiers=list(identifiers),
        extras=extras or {},
        modified=modified,
        provenance=Provenance(source_id=source, remote_id=remote_id, harvested_at=HARVESTED_AT,
                              content_hash=f"{source}:{remote_id}"),
    )
