"""One harvest round as the CLI and the scheduler run it: harvest, dedupe, index.

Each source's job indexes its changed datasets after every committed batch.
After the jobs, the dedupe stage merges copies across sources and groups
series, and the datasets it changed are indexed again.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from harvester.dedupe.stage import DedupeReport, run_dedupe
from harvester.errors import AlreadyRunningError
from harvester.job import Progress, run_harvest
from harvester.jobs import JobReport
from harvester.model import DatasetRecord, DatasetStatus, PublishedDataset
from harvester.services import Services
from harvester.sources import SourceConfig
from index.documents import build_document
from index.sync import sync_datasets

logger = logging.getLogger(__name__)

ProgressFactory = Callable[[SourceConfig], Progress | None]

# Scheduled jobs finish on several worker threads; one dedupe pass at a time.
# NOTE: passes in different processes may still overlap. Each writes its plan
# in one transaction, so the last one wins and the next pass repairs a stale plan.
_DEDUPE_LOCK = threading.Lock()

# Seconds a job's index changes may stay uncommitted, so stored records become
# searchable at most this long after their batch. Keeping the writer open
# across batches nearly doubled a first harvest with indexing on two cores
# (bench/harvest_throughput.py). Mapping workers fork inside the index's fork
# guard, which commits and keeps writers closed meanwhile, so a forked worker
# never inherits the writer lock. Other processes that write the index (the
# admin API, `himpun index check --repair`) wait for the next commit.
COMMIT_INTERVAL_SECONDS = 2.0


@dataclass(slots=True)
class RoundReport:
    """The jobs of one harvest round and the dedupe pass after them."""

    jobs: list[JobReport] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    dedupe: DedupeReport | None = None


class HarvestIndexer:
    """Indexes the datasets of each committed batch of a job, committing the index at most every few seconds.

    A call with dataset ids syncs and commits at once, as approvals and purges
    expect. During a job the runner calls `index_prepared` instead, which
    leaves the changes pending until `commit_interval` seconds have passed,
    and `commit` before the job's final state is stored. Committing the
    embedded index after every batch of 500 records took about 60 ms per
    commit, a fifth of the indexing time (bench/harvest_throughput.py,
    20,000 records under cProfile on 2 cores).
    """

    def __init__(self, services: Services, commit_interval: float = COMMIT_INTERVAL_SECONDS) -> None:
        self.index = services.index
        self.store = services.store
        self.commit_interval = commit_interval
        self._last_commit = time.monotonic()

    def __call__(self, dataset_ids: list[str]) -> None:
        if dataset_ids:
            sync_datasets(self.index, self.store, dataset_ids)

    def prepare_document(self, dataset_id: str, record: DatasetRecord, status: str) -> Any:
        """Return the index entry of a dataset stored from `record` alone, or None when it is not public."""
        # The timestamps stand in for the store's, because build_document does not read them.
        # The constructor takes 2 us here where model_construct took 85 us.
        harvested_at = record.provenance.harvested_at
        dataset = PublishedDataset(id=dataset_id, record=record, status=DatasetStatus(status),
                                   created_at=harvested_at, updated_at=harvested_at)
        if not dataset.is_public:
            return None
        return self.index.prepare(build_document(dataset))

    def index_prepared(self, dataset_ids: list[str], prepared: dict[str, Any]) -> None:
        """Index `dataset_ids`, taking the entries in `prepared` as they are, and commit when one is due."""
        if dataset_ids:
            sync_datasets(self.index, self.store, dataset_ids, prepared=prepared, commit=False)
        if time.monotonic() - self._last_commit >= self.commit_interval:
            self.commit()

    def commit(self) -> None:
        self.index.commit()
        self._last_commit = time.monotonic()

    def fork_guard(self) -> contextlib.AbstractContextManager[None]:
        """Return the index's guard: pending changes committed and no writer open while it is held."""
        return self.index.fork_guard()


def make_indexer(services: Services) -> HarvestIndexer:
    """Return the indexer that indexes datasets after each committed batch."""
    return HarvestIndexer(services)


def dedupe_and_index(services: Services) -> DedupeReport:
    """Run the dedupe stage and index the datasets it changed."""
    decisions_file = services.settings.config_dir / "dedupe" / "decisions.yaml"
    with _DEDUPE_LOCK:
        report = run_dedupe(services.store, services.sources, decisions_file)
    if report.changed:
        sync_datasets(services.index, services.store, report.changed)
    return report


def harvest_round(
    services: Services,
    sources: Sequence[SourceConfig],
    *,
    dry_run: bool = False,
    max_records: int | None = None,
    full: bool = False,
    progress_for: ProgressFactory | None = None,
) -> RoundReport:
    """Harvest `sources` one after another, then dedupe and index (skipped for dry runs)."""
    round_report = RoundReport()
    indexer = None if dry_run else make_indexer(services)

    for source in sources:
        progress = progress_for(source) if progress_for else None
        try:
            report = run_harvest(services, source, dry_run=dry_run, max_records=max_records, full=full,
                                 progress=progress, indexer=indexer)
        except AlreadyRunningError as error:
            logger.warning("harvest of %s skipped: %s", source.id, error)
            round_report.skipped.append(source.id)
            continue
        round_report.jobs.append(report)

    if not dry_run:
        round_report.dedupe = dedupe_and_index(services)
    return round_report
