"""Harvest job rows: start with the one-running-job guard, heartbeat, finish, read."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa

from harvester.errors import AlreadyRunningError, ConflictError, StoreError
from harvester.jobs import JobCounts, JobError, JobReport, JobState
from harvester.store.base import StoreBase, as_utc, dump_json, load_json
from harvester.store.tables import HarvestJobRow, JobErrorRow

logger = logging.getLogger(__name__)

JOB = HarvestJobRow.__table__
JOB_ERROR = JobErrorRow.__table__

HOST = socket.gethostname()


def process_alive(pid: int) -> bool:
    """Return True when process `pid` of this host exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        # The state letter follows the parenthesised command name.
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


class JobsMixin(StoreBase):
    """Job records and the guard that allows one running job per source."""

    def start_job(self, source_id: str, *, dry_run: bool = False, incremental: bool = False) -> JobReport:
        """Insert a running job for `source_id`, or raise `AlreadyRunningError` if one runs."""
        now = self._now()
        values = {
            "source_id": source_id, "state": JobState.RUNNING.value, "dry_run": dry_run,
            "incremental": incremental, "complete": False, "counts": JobCounts().model_dump_json(),
            "started_at": now, "heartbeat_at": now, "pid": os.getpid(), "host": HOST,
        }
        try:
            with self._write() as connection:
                job_id = connection.execute(JOB.insert().values(**values).returning(JOB.c.id)).scalar_one()
        except sa.exc.IntegrityError as error:
            raise AlreadyRunningError(
                f"source {source_id}: a harvest job is already running; wait for it to finish"
            ) from error
        return JobReport(job_id=job_id, source_id=source_id, state=JobState.RUNNING, dry_run=dry_run,
                         started_at=now)

    def heartbeat_job(self, job_id: int) -> None:
        """Record that the running job `job_id` is alive."""
        with self._write() as connection:
            connection.execute(JOB.update().where(JOB.c.id == job_id).values(heartbeat_at=self._now()))

    def finish_job(self, report: JobReport, *, pending_withdrawals: Sequence[str] | None = None) -> JobReport:
        """Store the final state, counts and errors of a running job.

        `pending_withdrawals` keeps the withdrawals a needs-review job held back.
        Raises `ConflictError` when the job is no longer running, for example
        because it was marked interrupted meanwhile.
        """
        finished_at = report.finished_at or self._now()
        update = (
            JOB.update()
            .where(JOB.c.id == report.job_id, JOB.c.state == JobState.RUNNING.value)
            .values(
                state=report.state.value, complete=report.complete, counts=report.counts.model_dump_json(),
                finished_at=finished_at, heartbeat_at=finished_at,
                pending_withdrawals=dump_json(list(pending_withdrawals)) if pending_withdrawals else None,
            )
        )
        with self._write() as connection:
            if connection.execute(update).rowcount != 1:
                raise ConflictError(f"job {report.job_id} is not running; its final state was not stored")
            self._insert_errors(connection, report.job_id, report.errors)
        return report.model_copy(update={"finished_at": finished_at})

    def _insert_errors(self, connection: sa.Connection, job_id: int | None, errors: Sequence[JobError]) -> None:
        if errors:
            connection.execute(JOB_ERROR.insert(), [{"job_id": job_id, **error.model_dump()} for error in errors])

    def get_job(self, job_id: int) -> JobReport | None:
        """Return one job with its errors, or None."""
        with self._read() as connection:
            row = connection.execute(sa.select(JOB).where(JOB.c.id == job_id)).mappings().first()
            if row is None:
                return None
            errors = connection.execute(
                sa.select(JOB_ERROR.c.code, JOB_ERROR.c.message, JOB_ERROR.c.remote_id, JOB_ERROR.c.value)
                .where(JOB_ERROR.c.job_id == job_id).order_by(JOB_ERROR.c.id)
            ).mappings()
            return _report(row, [JobError(**error) for error in errors])

    def list_jobs(self, source_id: str | None = None, *, state: JobState | None = None,
                  limit: int = 50) -> list[JobReport]:
        """Return jobs newest first, without their errors (see `get_job`)."""
        query = sa.select(JOB).order_by(JOB.c.id.desc()).limit(limit)
        if source_id is not None:
            query = query.where(JOB.c.source_id == source_id)
        if state is not None:
            query = query.where(JOB.c.state == state.value)
        with self._read() as connection:
            return [_report(row, []) for row in connection.execute(query).mappings()]

    def pending_withdrawals(self, job_id: int) -> list[str]:
        """Return the remote ids whose withdrawal job `job_id` holds for review."""
        with self._read() as connection:
            text = connection.execute(sa.select(JOB.c.pending_withdrawals).where(JOB.c.id == job_id)).scalar()
        return load_json(text) or []

    def resolve_review(self, job_id: int, *, review: str, state: JobState, counts: JobCounts) -> None:
        """Close the review of a needs-review job: clear its held list, set its final state."""
        update = (
            JOB.update()
            .where(JOB.c.id == job_id, JOB.c.state == JobState.NEEDS_REVIEW.value)
            .values(state=state.value, review=review, pending_withdrawals=None, counts=counts.model_dump_json())
        )
        with self._write() as connection:
            if connection.execute(update).rowcount != 1:
                raise ConflictError(f"job {job_id} is not waiting for review")

    def interrupt_stale_jobs(self, *, stale_after: dt.timedelta, source_id: str | None = None) -> list[int]:
        """Mark running jobs of dead processes interrupted and return their ids.

        A job is stale when its process on this host no longer exists, or when
        its heartbeat is older than `stale_after` (a process on another host).
        """
        now = self._now()
        query = sa.select(JOB.c.id, JOB.c.pid, JOB.c.host, JOB.c.heartbeat_at).where(
            JOB.c.state == JobState.RUNNING.value
        )
        if source_id is not None:
            query = query.where(JOB.c.source_id == source_id)
        with self._read() as connection:
            running = list(connection.execute(query))

        stale = [job_id for job_id, pid, host, heartbeat_at in running
                 if _is_stale(pid, host, as_utc(heartbeat_at), now, stale_after)]
        for job_id in stale:
            self._interrupt(job_id, now)
        return stale

    def _interrupt(self, job_id: int, now: dt.datetime) -> None:
        error = JobError(code="job-interrupted",
                         message=f"job {job_id} stopped without finishing; its process is gone")
        update = (
            JOB.update().where(JOB.c.id == job_id, JOB.c.state == JobState.RUNNING.value)
            .values(state=JobState.INTERRUPTED.value, finished_at=now)
        )
        with self._write() as connection:
            if connection.execute(update).rowcount == 1:
                self._insert_errors(connection, job_id, [error])
                logger.warning("job %d marked interrupted: its process is gone", job_id)


def _is_stale(pid: int | None, host: str | None, heartbeat_at: dt.datetime | None, now: dt.datetime,
              stale_after: dt.timedelta) -> bool:
    if host == HOST and pid is not None and pid != os.getpid() and not process_alive(pid):
        return True
    return heartbeat_at is None or now - heartbeat_at > stale_after


def _report(row: sa.RowMapping, errors: list[JobError]) -> JobReport:
    counts = load_json(row["counts"]) or {}
    if row["state"] not in {state.value for state in JobState}:
        raise StoreError(f"job {row['id']} has an unknown state {row['state']!r}")
    return JobReport(
        job_id=row["id"], source_id=row["source_id"], state=JobState(row["state"]), dry_run=row["dry_run"],
        complete=row["complete"], counts=JobCounts(**counts), errors=errors,
        started_at=as_utc(row["started_at"]), finished_at=as_utc(row["finished_at"]),
    )
