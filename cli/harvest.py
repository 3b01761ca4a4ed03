"""`himpun harvest`, `himpun serve` and `himpun run`."""

from __future__ import annotations

import logging
import signal
import threading

import typer
import uvicorn

from cli.output import console, describe_counts, harvest_progress, summary_table
from cli.services import exit_invalid_config, open_services_or_exit
from harvester.errors import ConfigError
from harvester.jobs import JobCounts, JobState
from harvester.pipeline import RoundReport, dedupe_and_index, harvest_round, make_indexer
from harvester.services import Services
from harvester.settings import Settings, load_settings
from harvester.sources import SourceConfig, problem_line

logger = logging.getLogger(__name__)

FAILED_STATES = {JobState.FAILED, JobState.INTERRUPTED}


def select_sources(services: Services, source_ids: list[str] | None) -> list[SourceConfig]:
    """Return the named sources, or every enabled source when none is named."""
    if not source_ids:
        return [source for source in services.sources if source.enabled]
    try:
        return [services.source(source_id) for source_id in source_ids]
    except KeyError as error:
        console.print(f"[red]Sumber tidak dikenal / unknown source:[/red] {error.args[0]}")
        raise typer.Exit(code=2) from error


def run_round_with_progress(services: Services, sources: list[SourceConfig], *, dry_run: bool = False,
                            max_records: int | None = None, full: bool = False) -> RoundReport:
    """Harvest with one progress line per source, then print the summary table."""
    with harvest_progress() as progress:
        def progress_for(source: SourceConfig):  # noqa: ANN202 - returns the job runner's Progress callback
            task = progress.add_task(source.id, counts="")

            def update(counts: JobCounts) -> None:
                progress.update(task, counts=describe_counts(counts))

            return update

        report = harvest_round(services, sources, dry_run=dry_run, max_records=max_records, full=full,
                               progress_for=progress_for)

    console.print(summary_table(report.jobs))
    for job in report.jobs:
        for error in job.errors[:5]:
            remote = f" [{error.remote_id}]" if error.remote_id else ""
            console.print(f"  {job.source_id}{remote}: {error.code}: {error.message}")
        if len(job.errors) > 5:
            console.print(f"  {job.source_id}: ... {len(job.errors) - 5} galat lain / more errors")
    if report.dedupe is not None:
        dedupe = report.dedupe
        console.print(f"Dedupe: {dedupe.records} salinan/copies -> {dedupe.datasets} dataset "
                      f"({dedupe.merged_datasets} gabungan/merged, {dedupe.series} seri/series)")
    return report


def harvest(
    sources: list[str] = typer.Argument(None, help="Id sumber yang dipanen / source ids to harvest; every enabled source when omitted."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Petakan dan selaraskan saja / map and harmonize only; store nothing."),
    max_records: int = typer.Option(None, "--max-records", help="Berhenti setelah sekian rekaman per sumber / stop each source after this many records."),
    full: bool = typer.Option(False, "--full", help="Panen penuh / list every record instead of only changes."),
) -> None:
    """Panen sumber / harvest sources now and print a summary per source."""
    services = open_services_or_exit(load_settings())
    try:
        report = run_round_with_progress(services, select_sources(services, sources), dry_run=dry_run,
                                         max_records=max_records, full=full)
    finally:
        services.close()
    if any(job.state in FAILED_STATES for job in report.jobs):
        raise typer.Exit(code=1)


def serve(
    host: str = typer.Option(None, help="Alamat / address to bind; HIMPUN_HOST or 127.0.0.1 when omitted."),
    port: int = typer.Option(None, help="Port / port to bind; HIMPUN_PORT or 8000 when omitted."),
) -> None:
    """Jalankan situs dan API / serve the search pages, the feed and the APIs."""
    settings = load_settings()
    services = open_services_or_exit(settings)
    try:
        serve_app(settings, host or settings.host, port or settings.port, services=services)
    finally:
        services.close()


def serve_app(settings: Settings, host: str, port: int, services: Services | None = None) -> None:
    """Serve the ASGI app with uvicorn until interrupted."""
    from server.app import create_app

    app = create_app(services=services, settings=settings)
    console.print(f"Pencarian / search:  http://{host}:{port}/")
    console.print(f"Umpan DCAT / feed:   http://{host}:{port}/catalog.ttl")
    console.print(f"API CKAN:            http://{host}:{port}/api/3/action/package_search")
    uvicorn.run(app, host=host, port=port, log_level=settings.log_level.lower())


def run(
    serve_pages: bool = typer.Option(True, "--serve/--no-serve", help="Sajikan juga halaman dan API / also serve the pages and APIs."),
) -> None:
    """Jalankan penjadwal (dan server) / run the scheduler, and the server unless --no-serve."""
    from scheduler import start_scheduler

    settings = load_settings()
    services = open_services_or_exit(settings)
    _check_schedules_or_exit(services)
    handle = start_scheduler(services, indexer=make_indexer(services),
                             after_job=lambda: dedupe_and_index(services))
    try:
        if serve_pages:
            serve_app(settings, settings.host, settings.port, services=services)
        else:
            _wait_for_signal()
    finally:
        handle.stop()
        services.close()


def _check_schedules_or_exit(services: Services) -> None:
    """Build the trigger of every scheduled source before the scheduler starts, naming the source that fails.

    Loading checks the sources file, but sources created through the admin
    API are read from the store without that check.
    """
    from scheduler import trigger_for

    for source in services.sources:
        if not source.enabled or source.schedule is None:
            continue
        try:
            trigger_for(source.schedule)
        except (ConfigError, ValueError) as error:
            services.close()
            line = problem_line(source.id, ("schedule",), str(error), source.schedule.model_dump(exclude_none=True))
            exit_invalid_config(ConfigError(line))


def _wait_for_signal() -> None:
    stop = threading.Event()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number, lambda *_: stop.set())
    console.print("Penjadwal berjalan; Ctrl+C untuk berhenti / scheduler running; Ctrl+C to stop.")
    stop.wait()
