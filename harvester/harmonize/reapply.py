"""Re-harmonize stored records from their raw copies, without a re-harvest.

After an operator edits a table under config/, each stored record is mapped
again from its raw payload with its source's connector, harmonized with the
current tables, and written back when its record or findings changed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from connectors import RemoteRecord, connector_class
from harvester.errors import RecordError
from harvester.harmonize.findings import Finding
from harvester.harmonize.harmonizer import Harmonizer
from harvester.model import DatasetRecord
from harvester.sources import SourceConfig

logger = logging.getLogger(__name__)

__all__ = ["ReapplyOutcome", "reapply"]

_BATCH = 500


@dataclass
class ReapplyOutcome:
    """Counts of one `apply` run and the dataset ids whose records changed."""

    read: int = 0
    changed: int = 0
    failed: int = 0
    dataset_ids: list[str] = field(default_factory=list)


def _stored_rows(store: Any, source_id: str) -> Iterator[dict[str, Any]]:
    from harvester.store.tables import RecordRow

    table = RecordRow.__table__
    last_id = 0
    while True:
        query = (sa.select(table).where(table.c.source_id == source_id, table.c.id > last_id,
                                        table.c.withdrawn_at.is_(None))
                 .order_by(table.c.id).limit(_BATCH))
        with store.engine.connect() as connection:
            rows = list(connection.execute(query).mappings())
        if not rows:
            return
        yield from rows
        last_id = rows[-1]["id"]


def _remap(source: SourceConfig, row: dict[str, Any]) -> DatasetRecord:
    raw: Any = row["raw"]
    if row["raw_format"] == "json" and raw is not None:
        raw = json.loads(raw)
    connector = connector_class(source.family)(source, http=None)  # type: ignore[arg-type]
    remote = RemoteRecord(remote_id=row["remote_id"], raw=raw, raw_format=row["raw_format"],
                          remote_url=row["remote_url"])
    record = connector.map_record(remote)
    # Keep the original harvest time and hash: nothing was fetched again.
    record.provenance.harvested_at = row["harvested_at"]
    record.provenance.content_hash = row["content_hash"]
    return record


def _dump(record: DatasetRecord, findings: list[Finding]) -> tuple[str, list[dict[str, str]]]:
    return (record.model_dump_json(exclude={"provenance": {"raw", "harvested_at"}}),
            [{"field": f.field, "value": f.value, "kind": f.kind, "detail": f.detail} for f in findings])


def _stored_dump(row: dict[str, Any]) -> tuple[str, list[dict[str, str]]]:
    stored = DatasetRecord.model_validate_json(row["record"])
    return (stored.model_dump_json(exclude={"provenance": {"raw", "harvested_at"}}),
            json.loads(row["findings"] or "[]"))


def _write(store: Any, source: SourceConfig, records: list[DatasetRecord],
           findings: dict[str, list[Finding]]) -> list[str]:
    """Upsert re-harmonized records; return the ids of the datasets that changed."""
    dataset_ids: list[str] = []
    for start in range(0, len(records), _BATCH):
        batch = records[start:start + _BATCH]
        batch_findings = {r.provenance.remote_id: findings[r.provenance.remote_id] for r in batch}
        dataset_ids += store.upsert_records(source.id, batch, batch_findings, force=True).changed
    return dataset_ids


def reapply(store: Any, harmonizer: Harmonizer, source: SourceConfig, *, dry_run: bool = False) -> ReapplyOutcome:
    """Map, harmonize and upsert again every stored record of `source` whose result changed."""
    outcome = ReapplyOutcome()
    changed: list[DatasetRecord] = []
    findings: dict[str, list[Finding]] = {}

    for row in _stored_rows(store, source.id):
        outcome.read += 1
        try:
            record = _remap(source, row)
        except RecordError as error:
            outcome.failed += 1
            logger.warning("source %s record %s: mapping again failed: %s", source.id, row["remote_id"], error)
            continue
        record_findings = harmonizer.harmonize(record, source)
        if _dump(record, record_findings) == _stored_dump(row):
            continue
        changed.append(record)
        findings[record.provenance.remote_id] = record_findings

    outcome.changed = len(changed)
    if changed and not dry_run:
        outcome.dataset_ids = _write(store, source, changed, findings)
    logger.info("harmonize apply %s: %d read, %d changed, %d failed", source.id,
                outcome.read, outcome.changed, outcome.failed)
    return outcome
