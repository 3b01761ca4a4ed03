"""Admin routes for sources: create, read, replace, delete, dry-run preview and run now."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Body, Depends, Query, Request

from harvester.errors import AlreadyRunningError, ConfigError, SourceError
from server.admin.auth import Principal, require_principal, require_writer
from server.admin.deps import audit, background_runs, egress_resolver, services_of, visible_source
from server.admin.errors import AdminApiError, AdminRoute
from server.admin.runs import preview_source
from server.admin.schemas import JobDetailOut, JobOut, PreviewOut, RunStarted, SourceOut, keep_masked_credentials
from server.admin.source_checks import check_source, parse_source
from server.admin.source_store import (
    count_walidata_sources,
    delete_source,
    get_source,
    has_records,
    list_sources,
    save_source,
)

__all__ = ["router"]

logger = logging.getLogger(__name__)

router = APIRouter(route_class=AdminRoute, tags=["admin: sources"])

PREVIEW_MAX_RECORDS = 100


@router.get("/sources", response_model=list[SourceOut])
def sources_index(request: Request, principal: Principal = Depends(require_principal)) -> list[SourceOut]:
    """List the sources this token may see."""
    sources = list_sources(services_of(request))
    return [SourceOut.of(source) for source in sources if principal.can_see(source.walidata)]


@router.post("/sources", response_model=SourceOut, status_code=201)
def create_source(request: Request, body: dict[str, Any] = Body(...),
                  principal: Principal = Depends(require_writer)) -> SourceOut:
    """Create a source after checking its options, URL, schedule and the Walidata limit."""
    services = services_of(request)
    source = parse_source(body)
    target = f"source:{source.id}"
    try:
        check_source(source, principal, services.settings, egress_resolver(request))
        if get_source(services, source.id) is not None:
            raise AdminApiError(409, f"Sumber {source.id} sudah ada", f"source {source.id} already exists",
                                code="source-exists")
        _check_walidata_limit(request, source.walidata)
    except AdminApiError as error:
        audit(request, principal, "source.create", target, outcome="failed", detail={"code": error.code})
        raise

    save_source(services, source)
    audit(request, principal, "source.create", target, detail={"family": source.family, "walidata": source.walidata})
    return SourceOut.of(source)


@router.get("/sources/{source_id}", response_model=SourceOut)
def source_detail(request: Request, source_id: str, principal: Principal = Depends(require_principal)) -> SourceOut:
    return SourceOut.of(visible_source(request, principal, source_id, "source.read"))


@router.put("/sources/{source_id}", response_model=SourceOut)
def replace_source(request: Request, source_id: str, body: dict[str, Any] = Body(...),
                   principal: Principal = Depends(require_writer)) -> SourceOut:
    """Replace a source's configuration; the id in the body must match the path."""
    services = services_of(request)
    current = visible_source(request, principal, source_id, "source.update")
    source = parse_source({**body, "id": body.get("id", source_id)})
    # A body read back from GET carries `***` for each credential; keep the stored value there.
    source = source.model_copy(update={"options": keep_masked_credentials(source.options, current.options)})
    target = f"source:{source_id}"
    try:
        if source.id != source_id:
            raise AdminApiError(422, "id di badan permintaan berbeda dengan id di URL",
                                "the id in the body differs from the id in the URL", code="id-mismatch", field="id")
        check_source(source, principal, services.settings, egress_resolver(request))
        if source.walidata != current.walidata:
            _check_walidata_limit(request, source.walidata)
    except AdminApiError as error:
        audit(request, principal, "source.update", target, outcome="failed", detail={"code": error.code})
        raise

    save_source(services, source)
    audit(request, principal, "source.update", target, detail={"family": source.family, "walidata": source.walidata})
    return SourceOut.of(source)


@router.delete("/sources/{source_id}", status_code=204)
def remove_source(request: Request, source_id: str, principal: Principal = Depends(require_writer)) -> None:
    """Delete a source that has no stored records; disable it instead when it has some."""
    services = services_of(request)
    visible_source(request, principal, source_id, "source.delete")
    if has_records(services, source_id):
        audit(request, principal, "source.delete", f"source:{source_id}", outcome="failed",
              detail={"code": "source-has-records"})
        raise AdminApiError(409, f"Sumber {source_id} masih punya rekaman; nonaktifkan dengan enabled=false",
                            f"source {source_id} still has records; disable it with enabled=false instead",
                            code="source-has-records")
    delete_source(services, source_id)
    audit(request, principal, "source.delete", f"source:{source_id}")


@router.post("/sources/{source_id}/preview", response_model=PreviewOut)
def preview(request: Request, source_id: str,
            limit: int = Query(10, ge=1, le=PREVIEW_MAX_RECORDS, description="Records to map and show."),
            principal: Principal = Depends(require_writer)) -> PreviewOut:
    """Dry-run a source over its first records: mapped and harmonized, nothing stored but the job row."""
    services = services_of(request)
    source = visible_source(request, principal, source_id, "source.preview")
    try:
        result = preview_source(services, source, limit)
    except AlreadyRunningError as error:
        raise _already_running(source_id) from error
    except ConfigError as error:
        raise AdminApiError(422, f"Konfigurasi sumber tidak valid: {error}", f"invalid source configuration: {error}",
                            code=error.code) from error

    audit(request, principal, "source.preview", f"source:{source_id}", detail={"job_id": result.report.job_id})
    records = [record.model_dump(mode="json", exclude={"provenance": {"raw"}}) for record in result.records]
    job = JobDetailOut(**JobOut.of(result.report).model_dump(), errors=result.report.errors)
    return PreviewOut(job=job, records=records)


@router.post("/sources/{source_id}/run", response_model=RunStarted, status_code=202)
def run_now(request: Request, source_id: str, principal: Principal = Depends(require_writer)) -> RunStarted:
    """Start a full harvest of a source now; 409 `already-running` while one of its jobs runs."""
    source = visible_source(request, principal, source_id, "source.run")
    if not source.enabled:
        raise AdminApiError(409, f"Sumber {source_id} nonaktif", f"source {source_id} is disabled",
                            code="source-disabled")
    try:
        job_id = background_runs(request).start(source)
    except AlreadyRunningError as error:
        audit(request, principal, "source.run", f"source:{source_id}", outcome="failed",
              detail={"code": error.code})
        raise _already_running(source_id) from error
    except (ConfigError, SourceError) as error:
        raise AdminApiError(422, f"Panen tidak dapat dimulai: {error}", f"the harvest could not start: {error}",
                            code=error.code) from error

    audit(request, principal, "source.run", f"source:{source_id}", detail={"job_id": job_id})
    return RunStarted(job_id=job_id, source_id=source_id)


def _check_walidata_limit(request: Request, walidata: str | None) -> None:
    if walidata is None:
        return
    services = services_of(request)
    limit = services.settings.max_sources_per_walidata
    if count_walidata_sources(services, walidata) >= limit:
        raise AdminApiError(422, f"Walidata {walidata} sudah punya {limit} sumber, batas maksimum",
                            f"Walidata {walidata} already has the maximum of {limit} sources",
                            code="too-many-sources", field="walidata")


def _already_running(source_id: str) -> AdminApiError:
    return AdminApiError(409, f"Job sumber {source_id} sedang berjalan; tunggu sampai selesai",
                         f"a job of source {source_id} is already running; wait for it to finish",
                         code="already-running")
