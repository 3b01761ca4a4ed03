"""`himpun harmonize`: the harmonization report and re-harmonizing stored records."""

from __future__ import annotations

import json

import typer

from cli.services import open_services_or_exit
from harvester.harmonize.reapply import reapply
from harvester.harmonize.report import HarmonizeReport, harmonize_report
from harvester.settings import load_settings
from index.sync import sync_datasets

app = typer.Typer(help="Harmonisasi kode referensi / harmonization onto reference codes.", no_args_is_help=True)

_LABELS = {
    "region": "wilayah / region",
    "walidata": "Walidata",
    "opd": "OPD",
    "topic": "topik / topic",
    "licence": "lisensi / licence",
    "format": "format",
    "frequency": "frekuensi / frequency",
}


def _print_report(report: HarmonizeReport, limit: int) -> None:
    scope = report.source_id or "semua sumber / all sources"
    typer.echo(f"Laporan harmonisasi / harmonization report: {scope}, {report.records} rekaman / records")
    typer.echo("Cakupan / coverage:")
    for name, coverage in report.coverage.items():
        typer.echo(f"  {_LABELS[name]:24} {coverage.ratio:7.1%}  ({coverage.covered}/{coverage.total})")

    problems = [value for value in report.values if value.kind != "inferred"]
    typer.echo(f"Nilai tak terpetakan / unmapped, ambiguous and conflicting values: {len(problems)}")
    for value in problems[:limit]:
        examples = ", ".join(value.examples)
        typer.echo(f"  {value.count:6}  {value.field:10} {value.kind:10} {value.value[:60]!r}  e.g. {examples}")
        if value.detail:
            typer.echo(f"          {value.detail}")


@app.command("report")
def report_command(
    source: str = typer.Argument(None, help="Id sumber / source id; all sources when omitted."),
    limit: int = typer.Option(30, help="Jumlah nilai yang ditampilkan / number of values to show."),
    as_json: bool = typer.Option(False, "--json", help="Cetak JSON / print the report as JSON."),
) -> None:
    """Cakupan per kolom dan nilai tak terpetakan / coverage per field and unmapped values."""
    services = open_services_or_exit(load_settings())
    try:
        if source is not None:
            services.source(source)
        report = harmonize_report(services.store, source)
    except KeyError as error:
        typer.echo(f"Sumber tidak dikenal / unknown source: {error}", err=True)
        raise typer.Exit(code=2) from error
    finally:
        services.close()

    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        _print_report(report, limit)


@app.command("apply")
def apply_command(
    source: str = typer.Argument(None, help="Id sumber / source id; every configured source when omitted."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Hitung saja / count changes without writing."),
) -> None:
    """Harmonisasi ulang dari salinan mentah / re-harmonize stored records from their raw copies."""
    services = open_services_or_exit(load_settings())
    try:
        sources = [services.source(source)] if source else services.sources
        for config in sources:
            outcome = reapply(services.store, services.harmonizer, config, dry_run=dry_run)
            if outcome.dataset_ids:
                sync_datasets(services.index, services.store, outcome.dataset_ids)
            typer.echo(f"{config.id}: {outcome.read} dibaca / read, {outcome.changed} berubah / changed, "
                       f"{outcome.failed} gagal / failed")
    except KeyError as error:
        typer.echo(f"Sumber tidak dikenal / unknown source: {error}", err=True)
        raise typer.Exit(code=2) from error
    finally:
        services.close()
