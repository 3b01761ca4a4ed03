"""Request helpers shared by the admin routes: services, background runs, scoped lookups, audit."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from harvester.egress import Resolver
from harvester.jobs import JobReport
from harvester.services import Services
from harvester.sources import SourceConfig
from server.admin.audit import Outcome, write_audit
from server.admin.auth import Principal, client_address
from server.admin.errors import AdminApiError
from server.admin.runs import BackgroundRuns
from server.admin.source_store import get_source

__all__ = ["audit", "background_runs", "egress_resolver", "services_of", "visible_job", "visible_source"]


def services_of(request: Request) -> Services:
    return request.app.state.services


def background_runs(request: Request) -> BackgroundRuns:
    state = request.app.state
    runs = getattr(state, "admin_runs", None)
    if runs is None:
        runs = BackgroundRuns(services_of(request))
        state.admin_runs = runs
    return runs


def egress_resolver(request: Request) -> Resolver | None:
    """Return the resolver for source URL checks; tests set `app.state.egress_resolver`."""
    return getattr(request.app.state, "egress_resolver", None)


def audit(request: Request, principal: Principal, action: str, target: str, *, outcome: Outcome = "ok",
          detail: dict[str, Any] | None = None) -> None:
    write_audit(services_of(request).store, principal, action, target, outcome=outcome,
                client=client_address(request), detail=detail)


def visible_source(request: Request, principal: Principal, source_id: str, action: str) -> SourceConfig:
    """Return the source when the principal may see it; 404 otherwise, auditing a denied existing one."""
    source = get_source(services_of(request), source_id)
    if source is not None and principal.can_see(source.walidata):
        return source
    if source is not None:
        audit(request, principal, action, f"source:{source_id}", outcome="denied",
              detail={"reason": "walidata-scope"})
    raise AdminApiError(404, f"Sumber {source_id} tidak ditemukan", f"source {source_id} not found",
                        code="source-not-found")


def visible_job(request: Request, principal: Principal, job_id: int, action: str) -> JobReport:
    """Return the job when the principal may see its source; 404 otherwise."""
    services = services_of(request)
    job = services.store.get_job(job_id)
    if job is not None:
        source = get_source(services, job.source_id)
        walidata = source.walidata if source is not None else None
        if principal.can_see(walidata) or principal.is_admin:
            return job
        audit(request, principal, action, f"job:{job_id}", outcome="denied", detail={"reason": "walidata-scope"})
    raise AdminApiError(404, f"Job {job_id} tidak ditemukan", f"job {job_id} not found", code="job-not-found")
