"""Harmonization and duplicates reports, drawn from the functions their packages expose."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from fastapi import APIRouter, Depends, HTTPException, Request
from starlette.responses import RedirectResponse, Response

from harvester.dedupe.decisions import parse_record_reference
from harvester.dedupe.report import duplicates_report
from harvester.dedupe.store_ops import save_decision
from harvester.errors import ConfigError
from harvester.harmonize.report import FieldCoverage, HarmonizeReport, ValueCount, harmonize_report
from harvester.pipeline import dedupe_and_index
from web.admin.auth import check_csrf, require_operator
from web.deps import get_services
from web.templating import render

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/admin")


# Finding fields named after the record field that have a coverage row under another name.
COVERAGE_FIELD_OF_FINDING = {"spatial": "region", "publisher": "walidata", "creator": "opd", "theme": "topic"}
# Rows shown per field; a source with more distinct values gets a note with the remainder.
MAX_VALUES_PER_FIELD = 200


@dataclass
class FieldSection:
    """One field of the report: its coverage, when measured, and the values that need a mapping."""

    field: str
    coverage: FieldCoverage | None
    values: list[ValueCount]
    hidden: int = 0
    # Distinct values that an operator can fix with a mapping; inferred values are not errors.
    to_map: int = 0

    @property
    def percent(self) -> float:
        return round(self.coverage.ratio * 100, 1) if self.coverage else 0.0


def field_sections(report: HarmonizeReport) -> list[FieldSection]:
    """Group the report per field: the coverage fields first, then fields that only have findings."""
    values: dict[str, list[ValueCount]] = {}
    for value in report.values:
        values.setdefault(COVERAGE_FIELD_OF_FINDING.get(value.field, value.field), []).append(value)

    names = list(report.coverage) + sorted(name for name in values if name not in report.coverage)
    sections = []
    for name in names:
        field_values = values.get(name, [])
        sections.append(FieldSection(field=name, coverage=report.coverage.get(name),
                                     values=field_values[:MAX_VALUES_PER_FIELD],
                                     hidden=max(0, len(field_values) - MAX_VALUES_PER_FIELD),
                                     to_map=sum(1 for value in field_values if value.kind != "inferred")))
    return sections


@router.get("/sources/{source_id}/harmonization", name="admin_harmonization")
def harmonization_page(request: Request, source_id: str,
                       session: dict[str, str] = Depends(require_operator)) -> Response:
    services = get_services(request)
    if source_id not in {source.id for source in services.sources}:
        raise HTTPException(status_code=404, detail=f"source {source_id} is not configured")

    report = harmonize_report(services.store, source_id)
    context = {"source_id": source_id, "records": report.records, "sections": field_sections(report),
               "session": session}
    return render(request, "admin/harmonization.html", context)


@router.get("/duplicates", name="admin_duplicates")
def duplicates_page(request: Request, session: dict[str, str] = Depends(require_operator)) -> Response:
    clusters = duplicates_report(get_services(request).store)
    return render(request, "admin/duplicates.html", {"clusters": clusters, "session": session})


@router.post("/duplicates/decision", name="admin_duplicates_decision")
async def decide_duplicates(request: Request, session: dict[str, str] = Depends(require_operator)) -> Response:
    form = await request.form()
    check_csrf(session, str(form.get("csrf", "")))
    decision = form.get("decision")
    if decision not in ("confirm", "split"):
        raise HTTPException(status_code=400, detail="decision must be confirm or split")
    try:
        left = parse_record_reference(str(form.get("left", "")))
        right = parse_record_reference(str(form.get("right", "")))
    except ConfigError as error:
        raise HTTPException(status_code=400, detail=str(error)) from error

    services = get_services(request)
    save_decision(services.store, left, right, str(decision), actor=session.get("user", "operator"))
    dedupe_and_index(services)
    logger.info("operator decided %s on records %s and %s", decision, left, right)
    return RedirectResponse("/admin/duplicates", status_code=303)
