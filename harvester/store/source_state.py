"""Per-source harvest state kept across runs: consecutive failures and the backoff they earn."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from harvester.store.base import StoreBase, as_utc
from harvester.store.tables import HarvestJobRow, JobErrorRow, SourceRow

SOURCE = SourceRow.__table__
JOB = HarvestJobRow.__table__
JOB_ERROR = JobErrorRow.__table__

# First backoff after a failed scheduled run; it doubles with each further failure.
BASE_BACKOFF = dt.timedelta(minutes=15)
MAX_BACKOFF = dt.timedelta(hours=24)


def backoff_after(failures: int) -> dt.timedelta:
    """Return the wait after `failures` consecutive failed runs: 15 min, 30 min, 1 h ... at most 24 h."""
    if failures <= 0:
        return dt.timedelta(0)
    return min(BASE_BACKOFF * (2 ** (failures - 1)), MAX_BACKOFF)


class SourceStateMixin(StoreBase):
    """Failure counts and backoff of sources, and retention of old job rows."""

    def record_run_outcome(self, source_id: str, failed: bool) -> dt.datetime | None:
        """Count a failed run (and set the backoff it earns) or clear the count; return the backoff end."""
        now = self._now()
        with self._write() as connection:
            failures = connection.execute(sa.select(SOURCE.c.failures).where(SOURCE.c.id == source_id)).scalar()
            if failures is None:
                return None
            failures = failures + 1 if failed else 0
            until = now + backoff_after(failures) if failed else None
            connection.execute(SOURCE.update().where(SOURCE.c.id == source_id)
                               .values(failures=failures, backoff_until=until))
        return until

    def backoff_until(self, source_id: str) -> dt.datetime | None:
        """Return when the source's backoff ends, or None when it may run now."""
        with self._read() as connection:
            until = connection.execute(sa.select(SOURCE.c.backoff_until).where(SOURCE.c.id == source_id)).scalar()
        until = as_utc(until)
        return until if until is not None and until > self._now() else None

    def purge_jobs(self, before: dt.datetime) -> int:
        """Delete finished jobs (and their errors) started before `before`, keeping each source's latest job."""
        before = as_utc(before)  # type: ignore[assignment]
        latest = sa.select(sa.func.max(JOB.c.id)).group_by(JOB.c.source_id)
        old = sa.select(JOB.c.id).where(JOB.c.started_at < before, JOB.c.state != "running", JOB.c.id.not_in(latest))
        with self._write() as connection:
            ids = list(connection.execute(old).scalars())
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                connection.execute(JOB_ERROR.delete().where(JOB_ERROR.c.job_id.in_(chunk)))
                connection.execute(JOB.delete().where(JOB.c.id.in_(chunk)))
        return len(ids)
