"""The harmonization report: coverage per field and the values that could not be mapped.

`build_report` aggregates harmonized records with their findings;
`harmonize_report(store, source_id)` reads them from the store's record table
(the mapped record and the findings stored beside it by `upsert_records`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from harvester.harmonize.findings import Finding
from harvester.model import DatasetRecord, RegionSystem

logger = logging.getLogger(__name__)

__all__ = ["FieldCoverage", "HarmonizeReport", "ValueCount", "build_report", "harmonize_report",
           "iter_stored_records"]

COVERAGE_FIELDS = ("region", "walidata", "opd", "topic", "licence", "format", "frequency")
_EXAMPLES = 3


@dataclass
class FieldCoverage:
    """How many records have a mapped value for one field."""

    field: str
    covered: int = 0
    total: int = 0

    @property
    def ratio(self) -> float:
        return self.covered / self.total if self.total else 0.0


@dataclass
class ValueCount:
    """One unmapped, ambiguous or conflicting value, its count and example record ids."""

    field: str
    kind: str
    value: str
    count: int = 0
    examples: list[str] = field(default_factory=list)
    detail: str = ""


@dataclass
class HarmonizeReport:
    """Coverage per field and the findings grouped by field, kind and value."""

    source_id: str | None
    records: int = 0
    coverage: dict[str, FieldCoverage] = field(default_factory=dict)
    values: list[ValueCount] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return the report as plain data, for the JSON API."""
        return {
            "source_id": self.source_id,
            "records": self.records,
            "coverage": {name: {"covered": c.covered, "total": c.total, "ratio": round(c.ratio, 4)}
                         for name, c in self.coverage.items()},
            "values": [vars(value) for value in self.values],
        }


def _covered(record: DatasetRecord) -> dict[str, bool]:
    publisher = record.publisher.identifier if record.publisher else None
    return {
        "region": any(code.system is RegionSystem.KEMENDAGRI for code in record.spatial),
        "walidata": bool(publisher) and publisher.startswith(("kemendagri:", "kl:")),
        "opd": bool(record.creator and record.creator.identifier),
        "topic": any(theme.uri for theme in record.themes),
        "licence": bool(record.licence and record.licence.spdx_id),
        "format": any(d.format is not None and d.format.file_type_uri for d in record.distributions),
        "frequency": bool(record.frequency and record.frequency.uri),
    }


def build_report(items: Iterable[tuple[DatasetRecord, list[Finding]]], source_id: str | None = None) -> HarmonizeReport:
    """Aggregate harmonized records and their findings into a report."""
    report = HarmonizeReport(source_id=source_id,
                             coverage={name: FieldCoverage(name) for name in COVERAGE_FIELDS})
    grouped: dict[tuple[str, str, str], ValueCount] = {}

    for record, findings in items:
        report.records += 1
        for name, covered in _covered(record).items():
            report.coverage[name].total += 1
            report.coverage[name].covered += covered

        example = f"{record.provenance.source_id}:{record.provenance.remote_id}"
        for finding in findings:
            key = (finding.field, finding.kind, finding.value)
            entry = grouped.setdefault(key, ValueCount(finding.field, finding.kind, finding.value,
                                                       detail=finding.detail))
            entry.count += 1
            if len(entry.examples) < _EXAMPLES:
                entry.examples.append(example)

    report.values = sorted(grouped.values(), key=lambda v: (v.kind == "inferred", -v.count, v.field, v.value))
    return report


def iter_stored_records(store: Any, source_id: str | None = None,
                        batch: int = 1000) -> Iterator[tuple[DatasetRecord, list[Finding]]]:
    """Yield each stored, not withdrawn record with its findings, in id order."""
    from harvester.store.tables import RecordRow  # the store package is optional for pure reports

    table = RecordRow.__table__
    last_id = 0
    while True:
        query = (sa.select(table.c.id, table.c.record, table.c.findings)
                 .where(table.c.id > last_id, table.c.withdrawn_at.is_(None))
                 .order_by(table.c.id).limit(batch))
        if source_id is not None:
            query = query.where(table.c.source_id == source_id)
        with store.engine.connect() as connection:
            rows = connection.execute(query).all()
        if not rows:
            return
        for row_id, record_json, findings_json in rows:
            last_id = row_id
            record = DatasetRecord.model_validate_json(record_json)
            findings = [Finding(**item) for item in json.loads(findings_json or "[]")]
            yield record, findings


def harmonize_report(store: Any, source_id: str | None = None) -> HarmonizeReport:
    """Build the harmonization report of one source, or of all sources, from the store."""
    return build_report(iter_stored_records(store, source_id), source_id)
