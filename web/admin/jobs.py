"""Operator pages for sources and jobs: last state, counts, next run, errors, review."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from starlette.responses import RedirectResponse, Response

from harvester.errors import ConflictError
from harvester.jobs import JobState
from harvester.store.review import approve_job, reject_job
from index.sync import sync_datasets
from web.admin.auth import check_csrf, require_operator
from web.admin.schedule import next_run
from web.deps import get_services
from web.templating import render

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/admin")


@router.get("/", name="admin_sources")
def sources_page(request: Request, session: dict[str, str] = Depends(require_operator)) -> Response:
    services = get_services(request)
    now = dt.datetime.now(dt.UTC)
    rows: list[dict[str, Any]] = []
    for source in services.sources:
        jobs = services.store.list_jobs(source.id, limit=1)
        last_job = jobs[0] if jobs else None
        rows.append({"source": source, "job": last_job, "next_run": next_run(source, last_job, now)})

    review = services.store.list_jobs(state=JobState.NEEDS_REVIEW, limit=50)
    return render(request, "admin/sources.html", {"rows": rows, "review": review, "session": session})


@router.get("/jobs/{job_id}", name="admin_job")
def job_page(request: Request, job_id: int, session: dict[str, str] = Depends(require_operator)) -> Response:
    store = get_services(request).store
    job = store.get_job(job_id)
    if job is None:
        raise HTTPException(status_code=404, detail=f"job {job_id} not found")

    held = store.pending_withdrawals(job_id) if job.state is JobState.NEEDS_REVIEW else []
    return render(request, "admin/job.html", {"job": job, "held": held, "session": session})


@router.post("/jobs/{job_id}/review", name="admin_job_review")
async def review_job(request: Request, job_id: int,
                     session: dict[str, str] = Depends(require_operator)) -> Response:
    form = await request.form()
    check_csrf(session, str(form.get("csrf", "")))
    decision = form.get("decision")
    if decision not in ("approve", "reject"):
        raise HTTPException(status_code=400, detail="decision must be approve or reject")

    services = get_services(request)
    try:
        if decision == "approve":
            approve_job(services.store, job_id,
                        indexer=lambda dataset_ids: sync_datasets(services.index, services.store, dataset_ids))
        else:
            reject_job(services.store, job_id)
    except ConflictError as error:
        raise HTTPException(status_code=409, detail=str(error)) from error
    logger.info("operator decided %s on job %s", decision, job_id)
    return RedirectResponse(f"/admin/jobs/{job_id}", status_code=303)
