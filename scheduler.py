"""Scheduled harvests under a database lease.

Every process that serves Himpun may start the scheduler, but only the
holder of the `scheduler` lease row schedules harvests. The holder renews
the lease every third of `settings.scheduler_lease_seconds`. When it stops
renewing because it died or lost the database, another process takes the
lease once it expires and schedules the harvests from then on. The job runner's
one-running-job-per-source guard stays the last line of defence.

Each enabled source with a `schedule` gets one APScheduler job, with a cron
or an interval trigger and the source's jitter. Jobs coalesce missed runs
into one, never run two instances at once, and still run when they start up
to an hour late. Every `schedule.full_every`-th run of a source is a full
run; the others are incremental where the connector supports it.

Harvests run in two thread pools. A source whose latest job ended `failed`
or `interrupted` (a hung or broken source, most often) runs in the small
`retry` pool of `settings.scheduler_retry_workers` threads. Every other
source runs in the `default` pool of `settings.scheduler_workers` threads.
A source moves between the pools after each run. So sources that keep
timing out wait for each other and never hold a worker that a healthy
source needs, and each source holds at most one worker (`max_instances=1`).

A source with no finished job counts as healthy, so on the first round after
start-up a hung source can land in the default pool. There a run that lists
no record for `settings.scheduler_stall_seconds` gives its worker to the next
queued run and waits on outside the pool (`harvester.harvest_pool`).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from apscheduler.executors.pool import BasePoolExecutor, ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from harvester.errors import AlreadyRunningError, ConfigError, HimpunError
from harvester.harmonize import Harmonizer
from harvester.harvest_pool import StallAwarePool
from harvester.job import mark_stale_jobs_interrupted, purge_withdrawn, run_harvest
from harvester.jobs import JobState
from harvester.settings import Settings
from harvester.sources import Schedule, SourceConfig
from harvester.store import Store

__all__ = ["LEASE_NAME", "SchedulerHandle", "start_scheduler", "trigger_for"]

logger = logging.getLogger(__name__)

LEASE_NAME = "scheduler"

# A run that starts this late (an executor that was busy, a paused process)
# still runs once instead of being skipped.
MISFIRE_GRACE_SECONDS = 3600

PURGE_INTERVAL_HOURS = 6

DEFAULT_POOL = "default"
RETRY_POOL = "retry"
_RETRY_STATES = frozenset({JobState.FAILED, JobState.INTERRUPTED})

Indexer = Callable[[list[str]], None]
TriggerFactory = Callable[[Schedule], BaseTrigger]


class SchedulerServices(Protocol):
    """The part of `harvester.services.Services` that the scheduler uses."""

    settings: Settings
    store: Store
    harmonizer: Harmonizer
    sources: list[SourceConfig]


def trigger_for(schedule: Schedule) -> BaseTrigger:
    """Build the APScheduler trigger of a source schedule (cron wins over interval)."""
    jitter = schedule.jitter_seconds or None
    if schedule.cron:
        fields = schedule.cron.split()
        if len(fields) != 5:
            raise ConfigError(f"cron expression {schedule.cron!r} is invalid: expected 5 fields "
                              "(minute hour day month day-of-week)")
        minute, hour, day, month, day_of_week = fields
        return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=day_of_week,
                           timezone=dt.UTC, jitter=jitter)
    return IntervalTrigger(minutes=schedule.interval_minutes or 60, timezone=dt.UTC, jitter=jitter)


@dataclass
class SchedulerHandle:
    """A started scheduler: whether it holds the lease, and `stop()`."""

    scheduler: BackgroundScheduler
    holder: str
    leader: threading.Event = field(default_factory=threading.Event)
    _stop: Callable[[], None] | None = None

    @property
    def is_leader(self) -> bool:
        return self.leader.is_set()

    def stop(self) -> None:
        """Stop scheduling, wait for running harvests, and release the lease."""
        if self._stop is not None:
            self._stop()
            self._stop = None


def start_scheduler(
    services: SchedulerServices,
    *,
    indexer: Indexer | None = None,
    trigger_factory: TriggerFactory = trigger_for,
    after_job: Callable[[], object] | None = None,
) -> SchedulerHandle:
    """Start the background scheduler; it schedules harvests while it holds the lease.

    `trigger_factory` turns a source schedule into a trigger; tests pass one
    with intervals in seconds. `after_job` runs after every scheduled
    harvest that wrote something (the CLI passes the dedupe stage).
    """
    scheduler = BackgroundScheduler(
        timezone=dt.UTC,
        # The lease has its own thread, so busy harvest workers never delay a renewal.
        # A run due while every worker is busy waits in the pool's queue; it
        # is skipped only when it starts more than MISFIRE_GRACE_SECONDS late.
        executors={DEFAULT_POOL: _StallAwareExecutor(services.settings),
                   RETRY_POOL: ThreadPoolExecutor(services.settings.scheduler_retry_workers),
                   "lease": ThreadPoolExecutor(1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_SECONDS},
    )
    holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    handle = SchedulerHandle(scheduler=scheduler, holder=holder)
    lease = _Lease(services, handle, indexer, trigger_factory)
    lease.after_job = after_job

    lease_seconds = services.settings.scheduler_lease_seconds
    scheduler.add_job(lease.renew, IntervalTrigger(seconds=lease_seconds / 3, timezone=dt.UTC),
                      id="scheduler-lease", executor="lease", misfire_grace_time=None)
    scheduler.start()
    lease.renew()
    handle._stop = lease.stop
    logger.info("scheduler started as %s", holder)
    return handle


class _StallAwareExecutor(BasePoolExecutor):
    """APScheduler's pool executor over a `StallAwarePool`."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(StallAwarePool(settings.scheduler_workers, stall_seconds=settings.scheduler_stall_seconds,
                                        max_stalled=settings.scheduler_stalled_runs))


class _Lease:
    """Renews the lease and adds or removes the harvest jobs as leadership changes."""

    def __init__(self, services: SchedulerServices, handle: SchedulerHandle, indexer: Indexer | None,
                 trigger_factory: TriggerFactory) -> None:
        self.services = services
        self.handle = handle
        self.indexer = indexer
        self.trigger_factory = trigger_factory
        self.ttl = dt.timedelta(seconds=services.settings.scheduler_lease_seconds)
        self.runs: dict[str, int] = {}
        self.lock = threading.Lock()
        self.after_job: Callable[[], object] | None = None
        self.stopping = False

    def renew(self) -> None:
        with self.lock:
            holds_lease = self._acquire()
            if holds_lease and not self.handle.is_leader:
                self._lead()
            elif not holds_lease and self.handle.is_leader:
                self._follow("the lease went to another process")

    def _acquire(self) -> bool:
        try:
            return self.services.store.acquire_lease(LEASE_NAME, self.handle.holder, self.ttl)
        except Exception as error:  # noqa: BLE001 - any database failure means the lease is not held
            logger.warning("scheduler lease could not be renewed: %s", error)
            return False

    def _lead(self) -> None:
        self.handle.leader.set()
        mark_stale_jobs_interrupted(self.services.store, self.services.settings)
        scheduler = self.handle.scheduler
        for source in self.services.sources:
            if source.enabled and source.schedule is not None:
                latest = self.services.store.list_jobs(source.id, limit=1)
                pool = _pool_after(latest[0].state if latest else None)
                scheduler.add_job(self.run_source, self.trigger_factory(source.schedule), args=[source],
                                  id=_job_id(source), executor=pool, replace_existing=True)
        scheduler.add_job(self.purge, IntervalTrigger(hours=PURGE_INTERVAL_HOURS, timezone=dt.UTC),
                          id="purge-withdrawn", replace_existing=True)
        logger.info("scheduler %s holds the lease and schedules %d sources", self.handle.holder,
                    len(self.handle.scheduler.get_jobs()) - 2)

    def _follow(self, reason: str) -> None:
        self.handle.leader.clear()
        for job in self.handle.scheduler.get_jobs():
            if job.id != "scheduler-lease":
                job.remove()
        logger.warning("scheduler %s stopped scheduling harvests: %s", self.handle.holder, reason)

    def run_source(self, source: SourceConfig) -> None:
        """Run one scheduled harvest, after checking the lease is still held."""
        self.renew()
        if not self.handle.is_leader:
            return

        backoff = self.services.store.backoff_until(source.id)
        if backoff is not None:
            logger.warning("scheduled harvest of %s skipped: earlier runs failed, backing off until %s",
                           source.id, backoff.isoformat())
            return

        number = self.runs.get(source.id, 0)
        self.runs[source.id] = number + 1
        full = number % (source.schedule.full_every if source.schedule else 1) == 0
        state: JobState | None = JobState.FAILED
        try:
            report = run_harvest(self.services, source, full=full, indexer=self.indexer)
            state = report.state
            if self.after_job is not None and report.counts.writes:
                self.after_job()
        except AlreadyRunningError:
            state = None
            logger.info("scheduled harvest of %s skipped: a job of it is already running", source.id)
        except Exception:  # noqa: BLE001 - the job row is already failed; keep the scheduler alive
            logger.exception("scheduled harvest of %s failed", source.id)
        if state is not None:
            self._move_to_pool(source, _pool_after(state))
            self.services.store.record_run_outcome(source.id, failed=state in (JobState.FAILED,
                                                                               JobState.INTERRUPTED))

    def _move_to_pool(self, source: SourceConfig, pool: str) -> None:
        """Run the next harvests of `source` in `pool` when it is not there already."""
        # `shutdown(wait=True)` holds APScheduler's job store lock while it waits for this
        # thread, so `modify_job` must not start once `stop` has begun. Both sides take self.lock.
        with self.lock:
            if self.stopping:
                return
            job = self.handle.scheduler.get_job(_job_id(source))
            if job is None or job.executor == pool:
                return
            try:
                self.handle.scheduler.modify_job(job.id, executor=pool)
            except JobLookupError:
                return  # the lease went elsewhere and the job was removed meanwhile
        logger.info("source %s moves to the %s harvest pool", source.id, pool)

    def purge(self) -> None:
        try:
            purge_withdrawn(self.services, indexer=self.indexer)
            retention = dt.timedelta(days=self.services.settings.job_retention_days)
            removed = self.services.store.purge_jobs(dt.datetime.now(dt.UTC) - retention)
            if removed:
                logger.info("deleted %d job rows older than %s", removed, retention)
        except HimpunError as error:
            logger.error("purging withdrawn datasets or old jobs failed: %s", error)

    def stop(self) -> None:
        with self.lock:
            self.stopping = True
        self.handle.scheduler.shutdown(wait=True)
        if self.handle.is_leader:
            self.handle.leader.clear()
            self.services.store.release_lease(LEASE_NAME, self.handle.holder)
        logger.info("scheduler %s stopped", self.handle.holder)


def _job_id(source: SourceConfig) -> str:
    return f"harvest:{source.id}"


def _pool_after(state: JobState | None) -> str:
    """Return the pool for a source whose latest job ended in `state` (None: no job yet)."""
    return RETRY_POOL if state in _RETRY_STATES else DEFAULT_POOL
