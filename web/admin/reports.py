"""Harmonization and duplicates reports, drawn from the functions their packages expose."""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel
from starlette.responses import RedirectResponse, Response

from harvester.dedupe.decisions import parse_record_reference
from harvester.dedupe.report import duplicates_report
from harvester.dedupe.store_ops import save_decision
from harvester.errors import ConfigError
from harvester.pipeline import dedupe_and_index
from web.admin.auth import check_csrf, require_operator
from web.deps import get_services
from web.templating import render

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/admin")


def _optional_function(module_name: str, function_name: str) -> Callable[..., Any] | None:
    """Return `module_name.function_name` when that module exists and defines it, else None."""
    if importlib.util.find_spec(module_name.rpartition(".")[0]) is None:
        return None
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        return None
    return getattr(module, function_name, None)


def _plain(value: Any) -> Any:
    """Turn a report object into dicts, lists and scalars for the generic report template."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if hasattr(value, "__dataclass_fields__"):
        return {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(item) for item in value]
    return value


@router.get("/sources/{source_id}/harmonization", name="admin_harmonization")
def harmonization_page(request: Request, source_id: str,
                       session: dict[str, str] = Depends(require_operator)) -> Response:
    services = get_services(request)
    if source_id not in {source.id for source in services.sources}:
        raise HTTPException(status_code=404, detail=f"source {source_id} is not configured")

    # TODO: drop the availability check once harvester.harmonize.report ships harmonize_report.
    harmonize_report = _optional_function("harvester.harmonize.report", "harmonize_report")
    report = _plain(harmonize_report(services.store, source_id)) if harmonize_report else None
    context = {"source_id": source_id, "report": report, "available": harmonize_report is not None,
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
