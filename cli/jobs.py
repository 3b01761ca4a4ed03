"""`himpun jobs`: list and show harvest jobs, and decide on the ones that need review."""

from __future__ import annotations

import typer

from cli.services import open_services_or_exit
from harvester.errors import ConflictError
from harvester.jobs import JobReport, JobState
from harvester.services import Services
from harvester.settings import load_settings
from harvester.store.review import approve_job, reject_job
from index.sync import sync_datasets

app = typer.Typer(help="Job panen / harvest jobs.", no_args_is_help=True)


def _services() -> Services:
    return open_services_or_exit(load_settings())


def _line(job: JobReport) -> str:
    finished = job.finished_at.isoformat(timespec="seconds") if job.finished_at else "-"
    counts = job.counts
    return (f"{job.job_id:6} {job.source_id:28} {job.state.value:22} {finished:25} "
            f"+{counts.added} ~{counts.updated} -{counts.withdrawn} !{counts.rejected}")


@app.command("list")
def list_command(
    source: str | None = typer.Option(None, help="Hanya job sumber ini / only jobs of this source id."),
    state: JobState | None = typer.Option(None, help="Hanya job dengan status ini / only jobs in this state, e.g. needs-review."),
    limit: int = typer.Option(20, min=1, max=500, help="Jumlah job paling banyak / jobs shown at most, newest first."),
) -> None:
    """Daftar job / list jobs, newest first."""
    services = _services()
    for job in services.store.list_jobs(source, state=state, limit=limit):
        typer.echo(_line(job))
    services.close()


@app.command("show")
def show(job_id: int = typer.Argument(..., help="Id job / job id.")) -> None:
    """Rincian job / show one job with its errors and held withdrawals."""
    services = _services()
    job = services.store.get_job(job_id)
    if job is None:
        services.close()
        typer.echo(f"Job {job_id} tidak ditemukan / not found", err=True)
        raise typer.Exit(code=1)

    typer.echo(_line(job))
    for error in job.errors:
        typer.echo(f"  {error.code:24} {error.remote_id or '-':24} {error.message}")
    if job.state is JobState.NEEDS_REVIEW:
        held = services.store.pending_withdrawals(job_id)
        typer.echo(f"  {len(held)} penarikan ditahan / withdrawals held: {', '.join(held[:20])}")
    services.close()


@app.command("approve")
def approve(job_id: int = typer.Argument(..., help="Id job needs-review / id of a needs-review job.")) -> None:
    """Setujui / apply the withdrawals a needs-review job held back."""
    services = _services()
    try:
        job = approve_job(services.store, job_id,
                          indexer=lambda ids: sync_datasets(services.index, services.store, ids))
    except ConflictError as error:
        typer.echo(f"Tidak dapat disetujui / cannot approve: {error}", err=True)
        raise typer.Exit(code=1) from error
    finally:
        services.close()
    typer.echo(_line(job))


@app.command("reject")
def reject(job_id: int = typer.Argument(..., help="Id job needs-review / id of a needs-review job.")) -> None:
    """Tolak / drop the withdrawals a needs-review job held back; the records stay published."""
    services = _services()
    try:
        job = reject_job(services.store, job_id)
    except ConflictError as error:
        typer.echo(f"Tidak dapat ditolak / cannot reject: {error}", err=True)
        raise typer.Exit(code=1) from error
    finally:
        services.close()
    typer.echo(_line(job))
