"""Admin routes for the reports operators review: duplicate clusters, decisions, harmonization."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from harvester.dedupe.decisions import parse_record_reference
from harvester.dedupe.overlaps import collection_overlaps
from harvester.dedupe.report import duplicates_report
from harvester.dedupe.store_ops import save_decision
from harvester.errors import ConfigError
from harvester.harmonize.report import harmonize_report
from harvester.pipeline import dedupe_and_index
from server.admin.auth import Principal, require_principal, require_writer
from server.admin.deps import audit, services_of, visible_source
from server.admin.errors import AdminApiError, AdminRoute
from server.admin.source_store import list_sources

__all__ = ["router"]

router = APIRouter(route_class=AdminRoute, tags=["admin: review"])


class DecisionIn(BaseModel):
    """A decision on two records written as `<source id>/<remote id>`."""

    left: str
    right: str
    decision: Literal["confirm", "split"]


def _visible_source_ids(request: Request, principal: Principal) -> set[str]:
    return {source.id for source in list_sources(services_of(request)) if principal.can_see(source.walidata)}


@router.get("/duplicates")
def duplicates(request: Request, limit: int = Query(200, ge=1, le=2000),
               principal: Principal = Depends(require_principal)) -> list[dict[str, Any]]:
    """List merged datasets with their copies, scores and reasons, weakest evidence first."""
    visible = _visible_source_ids(request, principal)
    clusters = []
    for cluster in duplicates_report(services_of(request).store, limit=limit):
        if principal.is_admin or any(copy.partition("/")[0] in visible for copy in cluster.sources):
            clusters.append({
                "dataset_id": cluster.dataset_id, "title": cluster.title, "sources": cluster.sources,
                "score": cluster.score,
                "pairs": [{"left": pair.left, "right": pair.right, "score": pair.score, "reasons": pair.reasons}
                          for pair in cluster.pairs],
            })
    return clusters


@router.post("/duplicates/decisions", status_code=201)
def decide(request: Request, body: DecisionIn, principal: Principal = Depends(require_writer)) -> dict[str, Any]:
    """Confirm two records as one dataset or split them; the decision survives re-harvests."""
    try:
        left, right = parse_record_reference(body.left), parse_record_reference(body.right)
    except ConfigError as error:
        raise AdminApiError(422, f"Rujukan rekaman tidak valid: {error}", f"invalid record reference: {error}",
                            code="invalid-record-reference") from error
    for source_id, _ in (left, right):
        visible_source(request, principal, source_id, "duplicates.decide")

    services = services_of(request)
    save_decision(services.store, left, right, body.decision, actor=principal.name)
    report = dedupe_and_index(services)
    audit(request, principal, f"duplicates.{body.decision}", f"records:{body.left}|{body.right}")
    return {"decision": body.decision, "left": body.left, "right": body.right, "changed": len(report.changed)}


@router.get("/duplicates/overlaps")
def overlaps(request: Request, principal: Principal = Depends(require_principal)) -> list[dict[str, Any]]:
    """List data collected by several OPD of one region (duplicated collection)."""
    return [
        {"region": overlap.region, "title": overlap.title, "creators": list(overlap.creators),
         "dataset_ids": list(overlap.dataset_ids)}
        for overlap in collection_overlaps(services_of(request).store)
    ]


@router.get("/harmonization")
def harmonization(request: Request, source_id: str | None = None,
                  principal: Principal = Depends(require_principal)) -> Any:
    """Coverage of reference codes and the values that could not be mapped, for one source or all."""
    if source_id is not None:
        visible_source(request, principal, source_id, "harmonization.read")
    elif not principal.is_admin:
        raise AdminApiError(403, "Laporan semua sumber hanya untuk admin; sebutkan source_id",
                            "the report over every source is for admins; name a source_id", code="forbidden")
    report = harmonize_report(services_of(request).store, source_id)
    return report.model_dump(mode="json") if hasattr(report, "model_dump") else _plain(report)


def _plain(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(item) for item in value]
    return value
