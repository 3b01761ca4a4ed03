"""`himpun index`: rebuild the search index from the store, and check it for drift."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from harvester.errors import HimpunError
from harvester.settings import load_settings
from harvester.store import Store
from index import SearchIndex, open_index
from index.maintenance import DriftReport, check_index, rebuild_index

app = typer.Typer(help="Indeks pencarian / search index.", no_args_is_help=True)

# Exit code of `check` when drift was found and left unrepaired.
EXIT_DRIFT = 1
EXIT_FAILED = 2


@contextmanager
def _open() -> Iterator[tuple[Store, SearchIndex]]:
    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store.from_settings(settings)
    store.migrate()
    index = open_index(settings)
    try:
        yield store, index
    finally:
        index.close()
        store.close()


@app.command("rebuild")
def rebuild() -> None:
    """Bangun ulang indeks dari basis data / rebuild the index from the store, then repair drift."""
    try:
        with _open() as (store, index):
            count = rebuild_index(index, store)
    except HimpunError as error:
        typer.echo(f"Gagal membangun ulang indeks / index rebuild failed: {error}", err=True)
        raise typer.Exit(code=EXIT_FAILED) from error
    typer.echo(f"Indeks dibangun ulang: {count} dataset / index rebuilt: {count} datasets")


@app.command("check")
def check(
    repair: bool = typer.Option(True, "--repair/--no-repair",
                                help="Perbaiki selisih / repair the drift found (default: repair)."),
) -> None:
    """Bandingkan indeks dengan basis data / compare the index with the store and repair drift."""
    try:
        with _open() as (store, index):
            report = check_index(index, store, repair=repair)
    except HimpunError as error:
        typer.echo(f"Pemeriksaan indeks gagal / index check failed: {error}", err=True)
        raise typer.Exit(code=EXIT_FAILED) from error

    _print_report(report)
    if report.errors:
        raise typer.Exit(code=EXIT_FAILED)
    if not report.clean and not report.repaired:
        raise typer.Exit(code=EXIT_DRIFT)


def _print_report(report: DriftReport) -> None:
    typer.echo(f"Hilang dari indeks / missing from the index: {len(report.missing)}")
    typer.echo(f"Usang / stale: {len(report.stale)}")
    typer.echo(f"Berlebih atau ditarik / extra or withdrawn: {len(report.extra_or_withdrawn)}")

    if report.clean:
        typer.echo("Indeks sesuai dengan basis data / the index matches the store.")
    elif report.repaired:
        typer.echo("Selisih sudah diperbaiki / the drift was repaired.")
    else:
        typer.echo("Selisih belum diperbaiki; jalankan tanpa --no-repair / "
                   "drift left unrepaired; run again without --no-repair.")

    for document_id, message in sorted(report.errors.items()):
        typer.echo(f"Ditolak indeks / rejected by the index: {document_id}: {message}", err=True)
