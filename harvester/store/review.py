"""Operator decisions on a needs-review job: apply or drop the withdrawals it held."""

from __future__ import annotations

import logging
from collections.abc import Callable

from harvester.errors import ConflictError
from harvester.jobs import JobReport, JobState
from harvester.store.store import Store

logger = logging.getLogger(__name__)

Indexer = Callable[[list[str]], None]


def approve_job(store: Store, job_id: int, *, indexer: Indexer | None = None) -> JobReport:
    """Withdraw the records job `job_id` held for review and close the review.

    Raises `ConflictError` when the job is not waiting for review, or when a
    newer job of the same source exists, because that job decided afresh.
    """
    job = _reviewable_job(store, job_id)
    pending = store.pending_withdrawals(job_id)

    dataset_ids = store.withdraw_records(job.source_id, pending, at=store._now())
    counts = job.counts.model_copy(update={"withdrawn": job.counts.withdrawn + len(pending)})
    store.resolve_review(job_id, review="approved", state=_final_state(job), counts=counts)
    logger.info("job %d approved: %d records of source %s withdrawn", job_id, len(pending), job.source_id)

    if indexer is not None and dataset_ids:
        indexer(dataset_ids)
    return store.get_job(job_id)  # type: ignore[return-value]


def reject_job(store: Store, job_id: int) -> JobReport:
    """Drop the withdrawals job `job_id` held for review; the records stay published."""
    job = _reviewable_job(store, job_id)
    store.resolve_review(job_id, review="rejected", state=_final_state(job), counts=job.counts)
    logger.info("job %d rejected: held withdrawals of source %s dropped", job_id, job.source_id)
    return store.get_job(job_id)  # type: ignore[return-value]


def _reviewable_job(store: Store, job_id: int) -> JobReport:
    job = store.get_job(job_id)
    if job is None:
        raise ConflictError(f"job {job_id} does not exist", code="job-not-found")
    if job.state is not JobState.NEEDS_REVIEW:
        raise ConflictError(f"job {job_id} is {job.state.value}, not needs-review", code="not-in-review")

    latest = store.list_jobs(job.source_id, limit=1)
    if latest and latest[0].job_id != job_id:
        raise ConflictError(
            f"job {job_id} is outdated: job {latest[0].job_id} of source {job.source_id} ran after it",
            code="review-outdated",
        )
    return job


def _final_state(job: JobReport) -> JobState:
    if job.counts.rejected or any(error.code != "withdrawals-held" for error in job.errors):
        return JobState.SUCCEEDED_WITH_ERRORS
    return JobState.SUCCEEDED
