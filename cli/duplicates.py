"""`himpun duplicates`: run the dedupe stage, list clusters, confirm or split pairs."""

from __future__ import annotations

import typer
from rich.table import Table

from cli.output import console
from cli.services import open_services_or_exit
from harvester.dedupe.decisions import parse_record_reference
from harvester.dedupe.overlaps import collection_overlaps
from harvester.dedupe.store_ops import list_matches, list_series, save_decision
from harvester.errors import ConfigError
from harvester.pipeline import dedupe_and_index
from harvester.settings import load_settings

app = typer.Typer(help="Duplikat dan seri / duplicates and series.", no_args_is_help=True)


@app.command("run")
def run_command() -> None:
    """Gabungkan duplikat sekarang / merge duplicates and group series now."""
    services = open_services_or_exit(load_settings())
    try:
        report = dedupe_and_index(services)
    finally:
        services.close()
    console.print(f"{report.records} salinan/copies -> {report.datasets} dataset "
                  f"({report.merged_datasets} gabungan/merged, {report.series} seri/series, "
                  f"{len(report.changed)} berubah/changed)")


@app.command("report")
def report_command(
    limit: int = typer.Option(50, help="Jumlah klaster paling banyak / maximum clusters to list."),
    series: bool = typer.Option(False, "--series", help="Tampilkan seri dataset / list dataset series instead of clusters."),
) -> None:
    """Laporan duplikat / list merged clusters with their scores and reasons."""
    services = open_services_or_exit(load_settings())
    try:
        console.print(_series_table(services.store) if series else _cluster_table(services.store, limit))
    finally:
        services.close()


@app.command("overlaps")
def overlaps_command() -> None:
    """Data sama dari beberapa OPD / the same data collected by several OPD, per region."""
    services = open_services_or_exit(load_settings())
    try:
        overlaps = collection_overlaps(services.store)
    finally:
        services.close()

    table = Table(title="Pengumpulan ganda per wilayah / duplicated collection per region")
    for heading in ("wilayah/region", "judul/title", "OPD", "dataset"):
        table.add_column(heading)
    for overlap in overlaps:
        table.add_row(overlap.region, overlap.title, ", ".join(overlap.creators), str(len(overlap.dataset_ids)))
    console.print(table)


@app.command("confirm")
def confirm_command(
    left: str = typer.Argument(..., help="Rekaman pertama / first record as <source id>/<remote id>."),
    right: str = typer.Argument(..., help="Rekaman kedua / second record as <source id>/<remote id>."),
) -> None:
    """Tandai sebagai satu dataset / mark two records as one dataset."""
    _decide(left, right, "confirm")


@app.command("split")
def split_command(
    left: str = typer.Argument(..., help="Rekaman pertama / first record as <source id>/<remote id>."),
    right: str = typer.Argument(..., help="Rekaman kedua / second record as <source id>/<remote id>."),
) -> None:
    """Pisahkan dua rekaman / keep two records apart as different datasets."""
    _decide(left, right, "split")


def _decide(left: str, right: str, decision: str) -> None:
    try:
        left_key, right_key = parse_record_reference(left), parse_record_reference(right)
    except ConfigError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(code=2) from error

    services = open_services_or_exit(load_settings())
    try:
        save_decision(services.store, left_key, right_key, decision, actor="cli")
        report = dedupe_and_index(services)
    finally:
        services.close()
    console.print(f"Keputusan disimpan / decision saved: {decision} {left} {right}; "
                  f"{len(report.changed)} dataset berubah/changed")


def _cluster_table(store, limit: int) -> Table:  # noqa: ANN001 - harvester.store.Store
    table = Table(title="Klaster duplikat / duplicate clusters")
    for heading in ("dataset", "rekaman/records", "skor/score", "alasan/reasons"):
        # Ids wrap instead of being cut, so they can be copied into `himpun duplicates split`.
        table.add_column(heading, overflow="fold")
    matches = list_matches(store)
    shown: set[str] = set()
    for match in matches:
        if match["dataset_id"] not in shown and len(shown) >= limit:
            break
        shown.add(match["dataset_id"])
        pair = f"{match['left_source']}/{match['left_remote']} = {match['right_source']}/{match['right_remote']}"
        table.add_row(match["dataset_id"], pair, f"{match['score']:.2f}", "; ".join(match["reasons"]))
    return table


def _series_table(store) -> Table:  # noqa: ANN001 - harvester.store.Store
    table = Table(title="Seri dataset / dataset series")
    for heading in ("seri/series", "judul/title", "anggota/members"):
        table.add_column(heading, overflow="fold")
    for series in list_series(store):
        table.add_row(series["id"], series["title"], str(len(series["members"])))
    return table
