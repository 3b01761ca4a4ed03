"""Harvests started from the admin API: run now in a background thread, cancel, and dry-run previews.

A run started here wraps the source's connector, so the run can be
cancelled between two records: the listing then raises a `SourceError`
with code `job-cancelled`, and the job ends failed, keeping what it stored
and withdrawing nothing. Only runs started by this process can be
cancelled.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar

from connectors import Connector, RemoteRecord, connector_class
from harvester.errors import AlreadyRunningError, SourceError
from harvester.http import HttpClient
from harvester.job import run_harvest
from harvester.jobs import JobReport
from harvester.model import DatasetRecord
from harvester.services import Services
from harvester.sources import SourceConfig
from index.sync import sync_datasets

__all__ = ["BackgroundRuns", "Preview", "preview_source"]

logger = logging.getLogger(__name__)

# Seconds a run-now request waits for the job row of its thread.
START_TIMEOUT_SECONDS = 10.0


class _ControlledConnector(Connector):
    """Delegates to a real connector; records mapped records and stops the listing when cancelled."""

    family: ClassVar[str] = "controlled"

    def __init__(self, inner: Connector, cancel: threading.Event | None = None,
                 started: threading.Event | None = None) -> None:
        self.inner = inner
        self.source = inner.source
        self.http = inner.http
        self.options = inner.options
        self.since = inner.since
        self.state = inner.state
        self.cancel = cancel or threading.Event()
        self.started = started or threading.Event()
        self.mapped: list[DatasetRecord] = []

    def list_records(self) -> Iterator[RemoteRecord]:
        self.started.set()
        for remote in self.inner.list_records():
            self._stop_if_cancelled()
            yield remote
        # A cancel during the last page still stops the run before it withdraws anything.
        self._stop_if_cancelled()

    def _stop_if_cancelled(self) -> None:
        if self.cancel.is_set():
            raise SourceError(f"source {self.source.id}: the job was cancelled by an operator", code="job-cancelled")

    def map_record(self, remote: RemoteRecord) -> DatasetRecord:
        record = self.inner.map_record(remote)
        self.mapped.append(record)
        return record


@dataclass
class Preview:
    """A dry run's report and the first records as mapped and harmonized."""

    report: JobReport
    records: list[DatasetRecord]


def preview_source(services: Services, source: SourceConfig, limit: int) -> Preview:
    """Dry-run `source` over its first `limit` records; nothing is stored but the job row."""
    with HttpClient(services.settings, source=source) as http:
        connector = _ControlledConnector(connector_class(source.family)(source, http))
        report = run_harvest(services, source, connector=connector, dry_run=True, max_records=limit)
    return Preview(report=report, records=connector.mapped[:limit])


@dataclass
class _Run:
    source_id: str
    cancel: threading.Event = field(default_factory=threading.Event)
    started: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    job_id: int | None = None
    error: BaseException | None = None


class BackgroundRuns:
    """The harvests this process started from the admin API, by source id."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._runs: dict[str, _Run] = {}
        self._lock = threading.Lock()

    def start(self, source: SourceConfig) -> int:
        """Start a full harvest of `source` in a thread and return its job id.

        Raises `AlreadyRunningError` when a job of the source is running,
        here or in another process.
        """
        run = _Run(source_id=source.id)
        with self._lock:
            current = self._runs.get(source.id)
            if current is not None and not current.done.is_set():
                raise AlreadyRunningError(f"source {source.id}: a harvest job is already running")
            self._runs[source.id] = run

        thread = threading.Thread(target=self._harvest, args=(source, run), name=f"harvest-{source.id}", daemon=True)
        thread.start()
        return self._wait_for_job(source, run)

    def cancel(self, job_id: int) -> bool:
        """Ask the run of job `job_id` to stop; return False when this process does not run it."""
        with self._lock:
            for run in self._runs.values():
                if run.job_id == job_id and not run.done.is_set():
                    run.cancel.set()
                    logger.info("job %d: cancel requested", job_id)
                    return True
        return False

    def _wait_for_job(self, source: SourceConfig, run: _Run) -> int:
        """Wait until the thread's job row exists (its listing started) or the thread ended."""
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not run.started.wait(0.02) and not run.done.is_set() and time.monotonic() < deadline:
            pass
        if not run.started.is_set() and run.error is not None:
            raise run.error

        latest = self.services.store.list_jobs(source.id, limit=1)
        if not latest:
            raise SourceError(f"source {source.id}: the harvest did not start within {START_TIMEOUT_SECONDS:g} s",
                              code="job-not-started")
        run.job_id = latest[0].job_id
        return run.job_id  # type: ignore[return-value]

    def _harvest(self, source: SourceConfig, run: _Run) -> None:
        services = self.services
        try:
            with HttpClient(services.settings, source=source) as http:
                inner = connector_class(source.family)(source, http)
                connector = _ControlledConnector(inner, cancel=run.cancel, started=run.started)
                report = run_harvest(services, source, connector=connector, indexer=self._indexer)
            run.job_id = report.job_id
        except AlreadyRunningError as error:
            run.error = error
        except Exception as error:  # noqa: BLE001 - the job row is already failed; the thread must end quietly
            run.error = error
            logger.exception("harvest of %s started from the admin API failed", source.id)
        finally:
            run.done.set()

    def _indexer(self, dataset_ids: list[str]) -> None:
        sync_datasets(self.services.index, self.services.store, dataset_ids)
