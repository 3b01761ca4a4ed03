"""The job runner: one harvest of one source, from listing to withdrawals.

`run_harvest(services, source)` lists the source through its connector,
skips records whose content hash is unchanged, maps and harmonizes the
others, stores them in batches of `settings.harvest_batch_size` (one
transaction each), hands the changed dataset ids of every committed batch to
the indexer, and withdraws the records the source no longer lists. Every job
ends in exactly one terminal state of `JobState`.

Withdrawals happen only after a complete run: the connector reached the end
of the listing, no source error occurred, the item cap was not hit and the
run was not incremental. Even then the withdrawal guard in
`harvester.store.withdrawal` holds them for review when the source looks
empty or shrank by more than `settings.withdraw_max_share`.

A run that maps more than `POOL_AFTER_RECORDS` records, of a connector that
sets `map_in_workers`, maps, harmonizes and serializes the rest in forked
worker processes (`harvester.job_workers`) while this process lists and
stores. Batches, errors and counts come out in listing order either way.

The environment variable HIMPUN_CRASH_AFTER_RECORDS=<n> ends the process
with `os._exit(137)` once n records are stored, for crash-recovery tests.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from connectors import Connector, RemoteRecord, connector_class
from harvester.errors import ConfigError, HimpunError, JobDeadlineError, RecordError, SourceError, StoreError
from harvester.harmonize import Harmonizer
from harvester.harvest_pool import progress
from harvester.job_workers import MappingPool, Outcome, available_cpus, can_fork, prepare_remote, rejection
from harvester.jobs import JobCounts, JobError, JobReport, JobState
from harvester.model import DatasetRecord, DatasetStatus
from harvester.settings import Settings
from harvester.sources import SourceConfig
from harvester.store import Store
from harvester.store.records import PreparedRecord, UpsertOutcome
from harvester.store.review import approve_job, reject_job
from harvester.store.withdrawal import WithdrawalPlan, plan_withdrawals

if TYPE_CHECKING:
    from harvester.http import HttpClient

__all__ = [
    "HarvestServices",
    "approve_job",
    "mark_stale_jobs_interrupted",
    "purge_withdrawn",
    "reject_job",
    "run_harvest",
]

logger = logging.getLogger(__name__)

Indexer = Callable[[list[str]], None]
Progress = Callable[[JobCounts], None]


@runtime_checkable
class BatchIndexer(Protocol):
    """An indexer that takes index entries prepared while mapping and commits when the job ends.

    The runner calls `prepare_document` in the mapping step (possibly in a
    forked worker), `index_prepared` after each committed batch and
    `commit` once before it stores the job's final state. It forks its
    mapping workers inside `fork_guard()`.
    """

    def __call__(self, dataset_ids: list[str]) -> None: ...

    def prepare_document(self, dataset_id: str, record: DatasetRecord, status: str) -> Any: ...

    def index_prepared(self, dataset_ids: list[str], prepared: dict[str, Any]) -> None: ...

    def commit(self) -> None: ...

    def fork_guard(self) -> contextlib.AbstractContextManager[None]: ...

CRASH_ENVIRONMENT_VARIABLE = "HIMPUN_CRASH_AFTER_RECORDS"
CRASH_EXIT_STATUS = 137

# Errors kept on one job; the counts stay exact beyond it.
MAX_JOB_ERRORS = 10_000

# Seconds between heartbeats while records stream by without a store write.
HEARTBEAT_SECONDS = 30.0

# Records a run maps in its own process before it starts mapping workers, so a
# small job never pays for forking them.
POOL_AFTER_RECORDS = 1_000
# Records per chunk sent to a mapping worker, and chunks in flight per worker.
POOL_CHUNK_RECORDS = 250
POOL_CHUNKS_PER_WORKER = 2
# Upper bound on mapping workers, whatever the number of CPUs.
MAX_MAPPING_WORKERS = 4

WITHDRAWN = "withdrawn"


class HarvestServices(Protocol):
    """The part of `harvester.services.Services` that the runner uses."""

    settings: Settings
    store: Store
    harmonizer: Harmonizer


def run_harvest(
    services: HarvestServices,
    source: SourceConfig,
    *,
    connector: Connector | None = None,
    http: HttpClient | None = None,
    dry_run: bool = False,
    max_records: int | None = None,
    full: bool = False,
    progress: Progress | None = None,
    indexer: Indexer | None = None,
) -> JobReport:
    """Harvest `source` once and return the job report.

    `connector` and `http` replace the ones built from the source's family
    and the settings. `max_records` caps the records listed (default: the
    source's `max_records`); a capped run is incomplete and withdraws
    nothing. `full` disables incremental listing. `progress` receives the
    counts after each batch. `indexer` receives the dataset ids whose stored
    state changed (added, updated or withdrawn) after each commit.

    A dry run maps and harmonizes but writes no record; its job row is kept.
    Raises `AlreadyRunningError` when a job of this source is running.
    """
    settings = services.settings
    store = services.store
    store.interrupt_stale_jobs(stale_after=dt.timedelta(minutes=settings.job_stale_minutes), source_id=source.id)

    since = None
    if connector is None and not full and _supports_incremental(source):
        since = _last_success(store, source.id)
    incremental = since is not None if connector is None else connector.state.incremental
    job = store.start_job(source.id, dry_run=dry_run, incremental=incremental)
    logger.info("job %d started: source %s%s", job.job_id, source.id, " (dry run)" if dry_run else "",
                extra={"event": "job-started", "job_id": job.job_id, "source_id": source.id, "dry_run": dry_run})

    run = _HarvestRun(services, source, job, dry_run=dry_run, progress=progress, indexer=indexer,
                      max_records=max_records if max_records is not None else source.max_records)
    owned_http: HttpClient | None = None
    try:
        if connector is None:
            owned_http = http or _http_client(settings, source)
            run.execute(lambda: connector_class(source.family)(source, owned_http, since=since))
        else:
            run.execute(lambda: connector)
    except BaseException as error:
        run.abort(error)
        raise
    finally:
        if owned_http is not None and http is None:
            owned_http.close()
    return run.report


class _HarvestRun:
    """The state of one running job: counts, errors, the pending batch, the ids seen."""

    def __init__(self, services: HarvestServices, source: SourceConfig, job: JobReport, *, dry_run: bool,
                 progress: Progress | None, indexer: Indexer | None, max_records: int | None) -> None:
        self.store = services.store
        self.harmonizer = services.harmonizer
        self.settings = services.settings
        self.source = source
        self.report = job
        self.counts = job.counts
        self.dry_run = dry_run
        self.progress = progress
        self.indexer = indexer
        self.batch_indexer = indexer if isinstance(indexer, BatchIndexer) else None
        self.prepare_document = self.batch_indexer.prepare_document if self.batch_indexer is not None else None
        self.max_records = max_records

        self.known: dict[str, tuple[str, str]] = {}
        self.seen: set[str] = set()
        self.batch: list[PreparedRecord] = []
        self.pending: list[RemoteRecord] = []
        self.dispatched = 0
        self.pool: MappingPool | None = None
        self.pool_decided = False
        self.stored = 0
        self.cap_hit = False
        self.source_failed = False
        self.held: list[str] = []
        # The first store failure that ended the run, raised again if the job's final state cannot be stored.
        self.store_failure: StoreError | None = None
        self.crash_after = _crash_point()
        self.last_heartbeat = time.monotonic()
        self.deadline = self.last_heartbeat + self.settings.job_deadline_seconds
        self.deadline_passed = False

    # -- the stages, in order -------------------------------------------------

    def execute(self, build_connector: Callable[[], Connector]) -> None:
        """Run every stage and finish the job."""
        try:
            connector = build_connector()
            self.known = self.store.known_states(self.source.id)
            self.harvest(connector)
            self.flush()
            self.report.complete = connector.state.complete and not self.cap_hit
            if self.report.complete and not connector.state.incremental:
                self.withdraw()
        except (SourceError, ConfigError) as error:
            self.fail_source(error)
        except JobDeadlineError as error:
            self.stop_at_deadline(error)
        except StoreError as error:
            self.fail_store(error)
        self.finish()

    def harvest(self, connector: Connector) -> None:
        """List and hash every record, then map, harmonize and store the changed ones in batches."""
        try:
            try:
                self.list_records(connector)
            except (SourceError, ConfigError, JobDeadlineError):
                # Keep the records listed before the failure, as mapping in this process does.
                self.drain(connector)
                raise
            self.drain(connector)
        finally:
            self.close_pool()

    def list_records(self, connector: Connector) -> None:
        """Queue every new or changed record for mapping, up to the item cap."""
        for remote in connector.list_records():
            if self.max_records is not None and len(self.seen) >= self.max_records:
                self.cap_hit = True
                logger.info("job %d: item cap of %d records reached", self.report.job_id, self.max_records)
                return
            if self.accept(remote):
                self.pending.append(remote)
                if self.pool is None or len(self.pending) >= POOL_CHUNK_RECORDS:
                    self.dispatch(connector)
            self.beat()

    def accept(self, remote: RemoteRecord) -> bool:
        """Return True when `remote` is new or changed and must be mapped; count and report the rest."""
        if remote.remote_id in self.seen:
            self.reject(RecordError(f"source {self.source.id}: record {remote.remote_id} is listed twice; "
                                    f"the first copy is kept", code="duplicate-record"), remote.remote_id)
            return False
        if remote.remote_id:
            self.seen.add(remote.remote_id)
        if remote.error is not None:
            self.reject(remote.error, remote.remote_id)
            return False

        stored = self.known.get(remote.remote_id)
        if stored is not None and stored[1] != WITHDRAWN and stored[0] == remote.content_hash():
            self.counts.unchanged += 1
            return False
        return True

    def dispatch(self, connector: Connector) -> None:
        """Map the pending records, here or in the mapping workers once the run is large enough."""
        chunk, self.pending = self.pending, []
        if not self.pool_decided and self.dispatched >= POOL_AFTER_RECORDS:
            self.pool_decided = True
            self.pool = self.start_pool(connector)
        self.dispatched += len(chunk)

        if self.pool is None:
            self.collect([prepare_remote(connector, self.harmonizer, self.source, remote, self.prepare_document)
                          for remote in chunk])
            return
        self.pool.submit(chunk)
        while self.pool.in_flight >= self.pool.max_in_flight:
            self.collect(self.pool.receive())

    def drain(self, connector: Connector) -> None:
        """Map the records still pending and collect every chunk in flight."""
        if self.pending:
            self.dispatch(connector)
        while self.pool is not None and self.pool.in_flight:
            self.collect(self.pool.receive())

    def collect(self, outcomes: list[Outcome]) -> None:
        """Add prepared records to the batch, storing each full batch, and report rejected ones."""
        for outcome in outcomes:
            if isinstance(outcome, JobError):
                self.counts.rejected += 1
                self.add_error(outcome)
                continue
            self.batch.append(outcome)
            if len(self.batch) >= self.settings.harvest_batch_size:
                self.flush()

    def start_pool(self, connector: Connector) -> MappingPool | None:
        """Start the mapping workers when the connector allows it and a second CPU is there to run them."""
        workers = min(available_cpus(), MAX_MAPPING_WORKERS)
        if not connector.map_in_workers or workers < 2 or not can_fork():
            return None
        # A worker forked while any job of this process has the index writer open would keep its lock.
        guard = self.batch_indexer.fork_guard() if self.batch_indexer is not None else contextlib.nullcontext()
        with guard:
            return MappingPool(connector, self.harmonizer, self.source, workers=workers,
                               max_in_flight=workers * POOL_CHUNKS_PER_WORKER, prepare_document=self.prepare_document)

    def close_pool(self) -> None:
        pool, self.pool = self.pool, None
        if pool is not None:
            pool.close()

    def flush(self) -> None:
        """Store the pending batch in one transaction and index what changed."""
        if not self.batch:
            return
        batch, self.batch = self.batch, []

        if self.dry_run:
            self.count_dry_run(batch)
        else:
            outcome = self.store.upsert_prepared(self.source.id, batch, priority=self.source.priority)
            self.counts.added += len(outcome.added)
            self.counts.updated += len(outcome.updated)
            self.counts.unchanged += outcome.unchanged
            self.counts.quarantined += outcome.quarantined
            self.stored += len(batch)
            self.index(outcome.changed, self.index_entries(batch, outcome))
            self.store.heartbeat_job(self.report.job_id)  # type: ignore[arg-type]
            self.last_heartbeat = time.monotonic()
            self.crash_if_requested()

        if self.progress is not None:
            self.progress(self.counts)

    def withdraw(self) -> None:
        """Withdraw records the complete run no longer saw, unless the guard holds them."""
        known_active = {remote_id for remote_id, (_, status) in self.known.items() if status != WITHDRAWN}
        plan: WithdrawalPlan = plan_withdrawals(known_active, self.seen, self.settings.withdraw_max_share)

        if plan.held:
            self.held = plan.held
            self.add_error(JobError(code="withdrawals-held", message=f"source {self.source.id}: {plan.reason}",
                                    value=str(len(plan.held))))
            logger.warning("job %d: %s", self.report.job_id, plan.reason)
            return
        if not plan.withdraw:
            return

        self.counts.withdrawn += len(plan.withdraw)
        if not self.dry_run:
            dataset_ids = self.store.withdraw_records(self.source.id, plan.withdraw, at=self.store._now())
            self.index(dataset_ids)

    def finish(self) -> None:
        """Commit the search index, then store the terminal state of the job.

        Raises `StoreError` when the final state cannot be stored; see `store_failed_state`.
        """
        self.commit_index()
        self.report.state = self.final_state()
        self.report.finished_at = self.store._now()
        try:
            self.store.finish_job(self.report, pending_withdrawals=self.held or None)
        except StoreError as error:
            self.store_failed_state(error)
        logger.info("job %d finished %s: source %s, %s", self.report.job_id, self.report.state.value,
                    self.source.id, self.counts.model_dump(), extra=self.finished_event())

    def final_state(self) -> JobState:
        if self.deadline_passed:
            return JobState.INTERRUPTED
        if self.source_failed:
            return JobState.FAILED
        if self.held:
            return JobState.NEEDS_REVIEW
        if self.report.errors:
            return JobState.SUCCEEDED_WITH_ERRORS
        return JobState.SUCCEEDED

    # -- failures ---------------------------------------------------------------

    def fail_store(self, error: StoreError) -> None:
        """End the run failed because the store failed, such as on a full disk or a lost connection."""
        self.source_failed = True
        if self.store_failure is None:
            self.store_failure = error
        self.add_error(JobError(code=error.code, message=error.message))
        logger.error("job %d: source %s: %s", self.report.job_id, self.source.id, error,
                     extra={"event": "job-error", **self.log_ids(), "code": error.code})

    def store_failed_state(self, error: StoreError) -> None:
        """Retry storing the final state as failed with the code of `error`, or raise.

        `error` is the failure of the first final-state write. The retry runs
        only when it writes something new, so a job that already failed with
        this code is written once. By then a full disk has given up the disk
        reserve, and a lost connection may be back. If the state stays
        unstored, the job row stays `running` until the stale-job check marks
        it interrupted, and this raises the run's first store failure (else
        `error`) in a message that names the source and the job.
        """
        if all(stored.code != error.code for stored in self.report.errors):
            self.fail_store(error)
            self.report.state = self.final_state()
            try:
                self.store.finish_job(self.report)
                return
            except StoreError as retry_error:
                error = retry_error

        logger.error("job %d: source %s: its final state (%s) could not be stored, so the job stays running "
                     "until the stale-job check marks it interrupted: %s", self.report.job_id, self.source.id,
                     self.report.state.value, error,
                     extra={"event": "job-error", **self.log_ids(), "code": error.code})
        cause = self.store_failure or error
        raise type(cause)(f"source {self.source.id}: job {self.report.job_id} failed and its final state could "
                          f"not be stored: {cause}", code=cause.code) from cause

    def fail_source(self, error: SourceError | ConfigError) -> None:
        """End the run failed, keeping the records already mapped."""
        self.source_failed = True
        self.add_error(JobError(code=error.code, message=error.message))
        logger.warning("job %d: source %s failed: %s", self.report.job_id, self.source.id, error,
                       extra={"event": "job-error", **self.log_ids(), "code": error.code})
        try:
            self.flush()
        except StoreError as store_error:
            self.add_error(JobError(code=store_error.code, message=store_error.message))

    def stop_at_deadline(self, error: JobDeadlineError) -> None:
        """End the run interrupted, keeping the records already mapped and withdrawing nothing."""
        self.deadline_passed = True
        self.add_error(JobError(code=error.code, message=error.message))
        logger.warning("job %d: source %s: %s", self.report.job_id, self.source.id, error,
                       extra={"event": "job-error", **self.log_ids(), "code": error.code})
        try:
            self.flush()
        except StoreError as store_error:
            self.add_error(JobError(code=store_error.code, message=store_error.message))

    def abort(self, error: BaseException) -> None:
        """Record a job cut short by an unexpected error or an interrupt, then let it propagate."""
        if self.report.finished_at is not None:
            return
        interrupted = isinstance(error, (KeyboardInterrupt, SystemExit))
        self.commit_index()
        self.report.state = JobState.INTERRUPTED if interrupted else JobState.FAILED
        self.report.finished_at = self.store._now()
        self.add_error(JobError(code="job-interrupted" if interrupted else "internal-error",
                                message=f"job {self.report.job_id} stopped: {type(error).__name__}: {error}"))
        try:
            self.store.finish_job(self.report)
        except HimpunError as finish_error:
            logger.error("job %d: its final state could not be stored: %s", self.report.job_id, finish_error)
        logger.warning("job %d stopped %s: source %s, %s", self.report.job_id, self.report.state.value,
                       self.source.id, type(error).__name__, extra=self.finished_event())

    def reject(self, error: BaseException, remote_id: str | None) -> None:
        self.counts.rejected += 1
        self.add_error(rejection(error, remote_id))

    def add_error(self, error: JobError) -> None:
        errors = self.report.errors
        if len(errors) < MAX_JOB_ERRORS:
            errors.append(error)
        elif len(errors) == MAX_JOB_ERRORS:
            errors.append(JobError(code="errors-truncated",
                                   message=f"more than {MAX_JOB_ERRORS} errors; later ones are counted only"))

    # -- helpers ------------------------------------------------------------------

    def log_ids(self) -> dict[str, object]:
        return {"job_id": self.report.job_id, "source_id": self.source.id}

    def finished_event(self) -> dict[str, object]:
        """Return the structured fields of the job's last log line; server.metrics counts them."""
        finished = self.report.finished_at or self.store._now()
        return {"event": "job-finished", **self.log_ids(), "state": self.report.state.value,
                "dry_run": self.dry_run, "counts": self.counts.model_dump(),
                "duration_seconds": (finished - self.report.started_at).total_seconds()}

    def count_dry_run(self, batch: list[PreparedRecord]) -> None:
        for prepared in batch:
            if prepared.row["remote_id"] in self.known:
                self.counts.updated += 1
            else:
                self.counts.added += 1
            if prepared.row["status"] == DatasetStatus.QUARANTINED.value:
                self.counts.quarantined += 1

    def index(self, dataset_ids: list[str], prepared: dict[str, Any] | None = None) -> None:
        """Hand changed ids to the indexer; an index failure is reported, the reconciler repairs it."""
        if self.indexer is None or not dataset_ids:
            return
        try:
            if self.batch_indexer is not None:
                self.batch_indexer.index_prepared(dataset_ids, prepared or {})
            else:
                self.indexer(dataset_ids)
        except HimpunError as error:
            self.add_error(JobError(code=error.code, message=f"indexing {len(dataset_ids)} datasets failed: {error}"))

    def index_entries(self, batch: list[PreparedRecord], outcome: UpsertOutcome) -> dict[str, Any]:
        """Return dataset id -> prepared index entry for the stored datasets that are the mapped record itself."""
        if self.batch_indexer is None or not outcome.single_copy:
            return {}
        entries: dict[str, Any] = {}
        for prepared in batch:
            entry = prepared.index_entry
            # The store keeps a record in the dataset the dedupe stage moved it to.
            if entry is not None and entry[0] == prepared.row["dataset_id"] and entry[0] in outcome.single_copy:
                entries[entry[0]] = entry[1]
        return entries

    def commit_index(self) -> None:
        """Commit the changes the batch indexer left pending; a failure is reported as a job error."""
        if self.batch_indexer is None or self.dry_run:
            return
        try:
            self.batch_indexer.commit()
        except HimpunError as error:
            self.add_error(JobError(code=error.code, message=f"committing the search index failed: {error}"))

    def beat(self) -> None:
        """Raise `JobDeadlineError` past the job deadline, and renew the heartbeat when it is due."""
        progress()
        now = time.monotonic()
        if now > self.deadline:
            raise JobDeadlineError(f"source {self.source.id}: job {self.report.job_id} passed its deadline of "
                                   f"{self.settings.job_deadline_seconds:g} s and stopped; nothing was withdrawn")
        if self.dry_run or now - self.last_heartbeat < HEARTBEAT_SECONDS:
            return
        self.store.heartbeat_job(self.report.job_id)  # type: ignore[arg-type]
        self.last_heartbeat = time.monotonic()

    def crash_if_requested(self) -> None:
        if self.crash_after is not None and self.stored >= self.crash_after:
            os._exit(CRASH_EXIT_STATUS)


def mark_stale_jobs_interrupted(store: Store, settings: Settings) -> list[int]:
    """Mark jobs left running by dead processes interrupted; call it at start-up."""
    return store.interrupt_stale_jobs(stale_after=dt.timedelta(minutes=settings.job_stale_minutes))


def purge_withdrawn(services: HarvestServices, *, indexer: Indexer | None = None) -> list[str]:
    """Delete datasets withdrawn longer ago than `settings.withdraw_grace_days`; return their ids."""
    before = services.store._now() - dt.timedelta(days=services.settings.withdraw_grace_days)
    purged = services.store.purge_withdrawn(before)
    if indexer is not None and purged:
        indexer(purged)
    return purged


def _last_success(store: Store, source_id: str) -> dt.datetime | None:
    """Return the start of the last complete, successful, non-dry run of a source."""
    for job in store.list_jobs(source_id, limit=50):
        if job.state in (JobState.SUCCEEDED, JobState.SUCCEEDED_WITH_ERRORS) and job.complete and not job.dry_run:
            return job.started_at
    return None


def _supports_incremental(source: SourceConfig) -> bool:
    try:
        return connector_class(source.family).supports_incremental
    except ConfigError:
        return False


def _http_client(settings: Settings, source: SourceConfig) -> HttpClient:
    from harvester.http import HttpClient

    return HttpClient(settings, source=source)


def _crash_point() -> int | None:
    value = os.environ.get(CRASH_ENVIRONMENT_VARIABLE)
    return int(value) if value else None
