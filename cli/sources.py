"""`himpun sources`: list and validate the configured sources."""

from __future__ import annotations

import typer

from connectors import connector_class
from harvester.errors import ConfigError
from harvester.settings import load_settings
from harvester.sources import load_sources

app = typer.Typer(help="Sumber panen / harvest sources.", no_args_is_help=True)


@app.command("list")
def list_sources() -> None:
    """Daftar sumber / list the configured sources."""
    settings = load_settings()
    for source in load_sources(settings.resolved_sources_file):
        state = "aktif/enabled" if source.enabled else "nonaktif/disabled"
        typer.echo(f"{source.id:30} {source.family:12} {state:18} {source.url}")


@app.command("validate")
def validate_sources() -> None:
    """Periksa konfigurasi sumber / validate the sources file and each connector's options."""
    settings = load_settings()
    try:
        sources = load_sources(settings.resolved_sources_file)
        for source in sources:
            connector_class(source.family).parse_options(source)
    except ConfigError as error:
        typer.echo(f"Konfigurasi tidak valid / invalid configuration: {error}", err=True)
        raise typer.Exit(code=2) from error
    typer.echo(f"{len(sources)} sumber valid / {len(sources)} sources are valid "
               f"({settings.resolved_sources_file})")


@app.command("probe")
def probe_source(url: str = typer.Argument(..., help="URL dasar portal / portal base URL to probe, e.g. https://data.example.go.id")) -> None:
    """Kenali keluarga portal / detect a portal's family and print a ready source block."""
    from cli.probe import probe_command

    probe_command(url)
