"""Map, harmonize and serialize records in worker processes while the job runner stores them.

A first harvest spends most of its CPU time in `map_record`, the harmonizer
and the JSON serialization of each record, while the runner's own process
waits on the network and on the store's commits. `MappingPool` forks worker
processes that run `prepare_remote` on chunks of remote records and send back
`PreparedRecord` rows (plain dicts of strings, cheap to pickle) or the
`JobError` of a rejected record, in the order the chunks were submitted.

Workers are forked, so they share the connector, the harmonizer and the
source with the runner without pickling them. A connector opts in with
`Connector.map_in_workers`, because `map_record` must not use the
`HttpClient`: its sockets would be shared with the runner. A worker exits
when the runner closes the pool, and on its own within
`PARENT_CHECK_SECONDS` when the runner's process is gone.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import queue
from collections import deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from connectors.base import RemoteRecord
from harvester.errors import RecordError
from harvester.jobs import JobError
from harvester.store.records import PreparedRecord, prepare_record

if TYPE_CHECKING:
    from connectors import Connector
    from harvester.harmonize import Harmonizer
    from harvester.model import DatasetRecord
    from harvester.sources import SourceConfig

logger = logging.getLogger(__name__)

# Exceptions a connector or the harmonizer may raise on one odd record that
# are not `RecordError`: the record is rejected and the job goes on.
RECORD_FAILURES = (RecordError, ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError)

# Seconds a worker waits for a chunk before it checks that the runner is alive,
# and that the runner waits for a result before it checks the worker.
PARENT_CHECK_SECONDS = 1.0
# Seconds `close()` waits for a worker to exit before it terminates it.
JOIN_TIMEOUT_SECONDS = 5.0

Outcome = PreparedRecord | JobError
# Returns the index entry of a dataset from its id, mapped record and status,
# or None when the dataset must be indexed from the store.
DocumentPreparer = Callable[[str, "DatasetRecord", str], Any]


def rejection(error: BaseException, remote_id: str | None) -> JobError:
    """Return the job error that reports a record rejected with `error`."""
    code = getattr(error, "code", "map-failed")
    value = getattr(error, "value", None)
    message = str(error) if isinstance(error, RecordError) else f"{type(error).__name__}: {error}"
    return JobError(code=code, message=message, remote_id=remote_id or getattr(error, "remote_id", None),
                    value=None if value is None else str(value)[:500])


def prepare_remote(connector: Connector, harmonizer: Harmonizer, source: SourceConfig,
                   remote: RemoteRecord, prepare_document: DocumentPreparer | None = None) -> Outcome:
    """Map, harmonize and serialize one remote record; return its row or the error that rejects it.

    With `prepare_document`, the row also carries the dataset's index entry.
    """
    try:
        record = connector.map_record(remote)
        findings = harmonizer.harmonize(record, source)
    except RECORD_FAILURES as error:
        return rejection(error, remote.remote_id)
    prepared = prepare_record(source.id, record, findings)
    if prepare_document is not None:
        dataset_id = prepared.row["dataset_id"]
        try:
            entry = prepare_document(dataset_id, record, prepared.row["status"])
        except RECORD_FAILURES:
            # The indexer reads this dataset from the store instead and reports the error there.
            entry = None
        if entry is not None:
            prepared.index_entry = (dataset_id, entry)
    return prepared


class MappingWorkerError(RuntimeError):
    """Failure of a mapping worker: an error that is not about one bad record, or the worker's death."""


def available_cpus() -> int:
    """Return the CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


class MappingPool:
    """Forked workers that prepare chunks of remote records, returning results in submission order."""

    def __init__(self, connector: Connector, harmonizer: Harmonizer, source: SourceConfig, *,
                 workers: int, max_in_flight: int, prepare_document: DocumentPreparer | None = None) -> None:
        context = multiprocessing.get_context("fork")
        self.max_in_flight = max_in_flight
        self._in_flight: deque[int] = deque()
        self._next = 0
        self._tasks: list[Any] = []
        self._results: list[Any] = []
        self._processes: list[Any] = []
        parent = os.getpid()
        for number in range(workers):
            tasks, results = context.Queue(), context.Queue()
            arguments = (connector, harmonizer, source, tasks, results, parent, prepare_document)
            process = context.Process(target=_work, args=arguments,
                                      name=f"himpun-map-{source.id}-{number}", daemon=True)
            process.start()
            self._tasks.append(tasks)
            self._results.append(results)
            self._processes.append(process)
        logger.info("source %s: mapping in %d worker processes", source.id, workers)

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    def submit(self, chunk: Sequence[RemoteRecord]) -> None:
        """Send a chunk to the next worker, round robin."""
        worker = self._next
        self._next = (self._next + 1) % len(self._processes)
        # Tuples pickle faster than RemoteRecord, and the content hash goes along when the runner computed it.
        self._tasks[worker].put([(remote.remote_id, remote.raw, remote.raw_format, remote.remote_url,
                                  remote._content_hash) for remote in chunk])
        self._in_flight.append(worker)

    def receive(self) -> list[Outcome]:
        """Return the results of the oldest chunk in flight, waiting for them."""
        worker = self._in_flight.popleft()
        while True:
            try:
                reply = self._results[worker].get(timeout=PARENT_CHECK_SECONDS)
            except queue.Empty:
                if not self._processes[worker].is_alive():
                    raise MappingWorkerError(f"mapping worker {self._processes[worker].name} exited with status "
                                             f"{self._processes[worker].exitcode}") from None
                continue
            if isinstance(reply, str):
                raise MappingWorkerError(reply)
            return [PreparedRecord(*outcome) if isinstance(outcome, tuple) else outcome for outcome in reply]

    def close(self) -> None:
        """Stop the workers; results still in flight are dropped."""
        for tasks in self._tasks:
            tasks.put(None)
        for process in self._processes:
            process.join(JOIN_TIMEOUT_SECONDS)
            if process.is_alive():
                logger.warning("mapping worker %s did not stop; terminating it", process.name)
                process.terminate()
                process.join(JOIN_TIMEOUT_SECONDS)
        for channel in (*self._tasks, *self._results):
            channel.close()
            channel.cancel_join_thread()
        self._in_flight.clear()


def _work(connector: Connector, harmonizer: Harmonizer, source: SourceConfig, tasks: Any, results: Any,
          parent: int, prepare_document: DocumentPreparer | None) -> None:
    """Prepare chunks until the runner sends None or its process is gone."""
    # Objects inherited from the runner stay out of this process's collector: it
    # never touches most of them, and collecting them would copy their pages.
    gc.freeze()
    # A runner that died cannot read the results; do not wait for them at exit.
    results.cancel_join_thread()
    while True:
        try:
            chunk = tasks.get(timeout=PARENT_CHECK_SECONDS)
        except queue.Empty:
            if os.getppid() != parent:
                return
            continue
        if chunk is None:
            return
        try:
            results.put([_as_tuple(prepare_remote(connector, harmonizer, source, _remote(*fields), prepare_document))
                         for fields in chunk])
        except Exception as error:  # noqa: BLE001 - reported to the runner, which fails the job
            logger.exception("mapping worker of source %s failed", source.id)
            results.put(f"mapping worker of source {source.id} failed: {type(error).__name__}: {error}")


def _remote(remote_id: str, raw: Any, raw_format: str, remote_url: str | None,
            content_hash: str | None) -> RemoteRecord:
    remote = RemoteRecord(remote_id=remote_id, raw=raw, raw_format=raw_format, remote_url=remote_url)
    remote._content_hash = content_hash
    return remote


def _as_tuple(outcome: Outcome) -> tuple[dict[str, Any], str | None, tuple[str, Any] | None] | JobError:
    if isinstance(outcome, PreparedRecord):
        return (outcome.row, outcome.access_level, outcome.index_entry)
    return outcome
