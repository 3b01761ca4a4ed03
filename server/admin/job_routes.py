"""Admin routes for jobs: list, detail with per-record errors, cancel, approve and reject a review."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from harvester.errors import ConflictError
from harvester.jobs import JobReport, JobState
from harvester.store.review import approve_job, reject_job
from index.sync import sync_datasets
from server.admin.auth import Principal, require_principal, require_writer
from server.admin.deps import audit, background_runs, services_of, visible_job, visible_source
from server.admin.errors import AdminApiError, AdminRoute
from server.admin.schemas import JobDetailOut, JobOut
from server.admin.source_store import list_sources

__all__ = ["router"]

router = APIRouter(route_class=AdminRoute, tags=["admin: jobs"])


@router.get("/jobs", response_model=list[JobOut])
def jobs_index(request: Request, source_id: str | None = None, state: JobState | None = None,
               limit: int = Query(50, ge=1, le=500), principal: Principal = Depends(require_principal)) -> list[JobOut]:
    """List jobs newest first, only of sources this token may see."""
    store = services_of(request).store
    if source_id is not None:
        visible_source(request, principal, source_id, "job.list")
        return [JobOut.of(job) for job in store.list_jobs(source_id, state=state, limit=limit)]
    if principal.is_admin:
        return [JobOut.of(job) for job in store.list_jobs(state=state, limit=limit)]

    jobs: list[JobReport] = []
    for source in list_sources(services_of(request)):
        if principal.can_see(source.walidata):
            jobs.extend(store.list_jobs(source.id, state=state, limit=limit))
    jobs.sort(key=lambda job: job.job_id or 0, reverse=True)
    return [JobOut.of(job) for job in jobs[:limit]]


@router.get("/jobs/{job_id}", response_model=JobDetailOut)
def job_detail(request: Request, job_id: int, principal: Principal = Depends(require_principal)) -> JobDetailOut:
    job = visible_job(request, principal, job_id, "job.read")
    return _detail(request, job)


@router.post("/jobs/{job_id}/cancel", response_model=JobDetailOut, status_code=202)
def cancel_job(request: Request, job_id: int, principal: Principal = Depends(require_writer)) -> JobDetailOut:
    """Ask a running job started from this API to stop between two records."""
    job = visible_job(request, principal, job_id, "job.cancel")
    if job.state is not JobState.RUNNING:
        raise AdminApiError(409, f"Job {job_id} tidak sedang berjalan ({job.state.value})",
                            f"job {job_id} is not running ({job.state.value})", code="not-running")
    if not background_runs(request).cancel(job_id):
        # TODO: cancel jobs started by the scheduler or another process, through a flag in the job row.
        raise AdminApiError(409, f"Job {job_id} tidak dijalankan dari API ini sehingga tidak dapat dibatalkan",
                            f"job {job_id} was not started by this API process, so it cannot be cancelled",
                            code="not-cancellable")
    audit(request, principal, "job.cancel", f"job:{job_id}", detail={"source_id": job.source_id})
    return _detail(request, job)


@router.post("/jobs/{job_id}/approve", response_model=JobDetailOut)
def approve(request: Request, job_id: int, principal: Principal = Depends(require_writer)) -> JobDetailOut:
    """Apply the withdrawals a needs-review job held back."""
    visible_job(request, principal, job_id, "job.approve")
    services = services_of(request)
    try:
        job = approve_job(services.store, job_id,
                          indexer=lambda dataset_ids: sync_datasets(services.index, services.store, dataset_ids))
    except ConflictError as error:
        raise _conflict(request, principal, "job.approve", job_id, error) from error
    audit(request, principal, "job.approve", f"job:{job_id}", detail={"withdrawn": job.counts.withdrawn})
    return _detail(request, job)


@router.post("/jobs/{job_id}/reject", response_model=JobDetailOut)
def reject(request: Request, job_id: int, principal: Principal = Depends(require_writer)) -> JobDetailOut:
    """Drop the withdrawals a needs-review job held back; the records stay published."""
    visible_job(request, principal, job_id, "job.reject")
    try:
        job = reject_job(services_of(request).store, job_id)
    except ConflictError as error:
        raise _conflict(request, principal, "job.reject", job_id, error) from error
    audit(request, principal, "job.reject", f"job:{job_id}")
    return _detail(request, job)


def _detail(request: Request, job: JobReport) -> JobDetailOut:
    store = services_of(request).store
    fresh = store.get_job(job.job_id) if job.job_id is not None else None
    job = fresh or job
    pending = store.pending_withdrawals(job.job_id) if job.state is JobState.NEEDS_REVIEW else []
    return JobDetailOut(**JobOut.of(job).model_dump(), errors=job.errors, pending_withdrawals=pending)


def _conflict(request: Request, principal: Principal, action: str, job_id: int, error: ConflictError) -> AdminApiError:
    audit(request, principal, action, f"job:{job_id}", outcome="failed", detail={"code": error.code})
    return AdminApiError(409, f"Keputusan tidak dapat diterapkan: {error}", f"the decision cannot be applied: {error}",
                         code=error.code)
