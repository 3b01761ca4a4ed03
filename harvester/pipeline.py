"""One harvest round as the CLI and the scheduler run it: harvest, dedupe, index.

Each source's job indexes its changed datasets after every committed batch.
After the jobs, the dedupe stage merges copies across sources and groups
series, and the datasets it changed are indexed again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from harvester.dedupe.stage import DedupeReport, run_dedupe
from harvester.errors import AlreadyRunningError
from harvester.job import Progress, run_harvest
from harvester.jobs import JobReport
from harvester.services import Services
from harvester.sources import SourceConfig
from index.sync import sync_datasets

logger = logging.getLogger(__name__)

ProgressFactory = Callable[[SourceConfig], Progress | None]

# Scheduled jobs finish on several worker threads; one dedupe pass at a time.
# NOTE: passes in different processes may still overlap. Each writes its plan
# in one transaction, so the last one wins and the next pass repairs a stale plan.
_DEDUPE_LOCK = threading.Lock()


@dataclass(slots=True)
class RoundReport:
    """The jobs of one harvest round and the dedupe pass after them."""

    jobs: list[JobReport] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    dedupe: DedupeReport | None = None


def make_indexer(services: Services) -> Callable[[list[str]], None]:
    """Return the callback that indexes datasets after each committed batch."""
    def index_datasets(dataset_ids: list[str]) -> None:
        if dataset_ids:
            sync_datasets(services.index, services.store, dataset_ids)

    return index_datasets


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
