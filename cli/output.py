"""Shared CLI output: the per-source summary table and the progress display."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from harvester.jobs import JobCounts, JobReport

console = Console()


def summary_table(reports: Sequence[JobReport]) -> Table:
    """Build the per-source summary: state and counts of each job."""
    table = Table(title="Ringkasan panen / harvest summary")
    for heading in ("sumber\nsource", "status\nstate", "baru\nadded", "berubah\nupdated", "tetap\nunchanged",
                    "ditarik\nwithdrawn", "ditolak\nrejected", "galat\nerrors"):
        table.add_column(heading, justify="left" if heading.startswith(("sumber", "status")) else "right",
                         overflow="fold")

    for report in reports:
        counts = report.counts
        table.add_row(report.source_id, report.state.value, str(counts.added), str(counts.updated),
                      str(counts.unchanged), str(counts.withdrawn), str(counts.rejected), str(len(report.errors)))
    return table


@contextmanager
def harvest_progress() -> Iterator[Progress]:
    """Show one progress line per source with the records processed so far."""
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.fields[counts]}"),
                        TimeElapsedColumn(), console=console, transient=False)
    with progress:
        yield progress


def describe_counts(counts: JobCounts) -> str:
    processed = counts.added + counts.updated + counts.unchanged + counts.rejected
    return f"{processed} rekaman/records (+{counts.added} ~{counts.updated} ={counts.unchanged} !{counts.rejected})"
