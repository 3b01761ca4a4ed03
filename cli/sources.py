"""`himpun sources`: list and validate the configured sources."""

from __future__ import annotations

import typer
from pydantic import ValidationError

from cli.services import exit_invalid_config, load_sources_or_exit
from connectors import connector_class
from harvester.errors import ConfigError
from harvester.settings import load_settings
from harvester.sources import SourceConfig, check_sources_file, problem_line, validation_problems

app = typer.Typer(help="Sumber panen / harvest sources.", no_args_is_help=True)


@app.command("list")
def list_sources() -> None:
    """Daftar sumber / list the configured sources."""
    settings = load_settings()
    for source in load_sources_or_exit(settings):
        state = "aktif/enabled" if source.enabled else "nonaktif/disabled"
        typer.echo(f"{source.id:30} {source.family:12} {state:18} {source.url}")


@app.command("validate")
def validate_sources() -> None:
    """Periksa konfigurasi sumber / validate the sources file and each connector's options."""
    settings = load_settings()
    try:
        result = check_sources_file(settings.resolved_sources_file)
        for source in result.sources:
            result.problems += _option_problems(source)
        result.raise_for_problems()
    except ConfigError as error:
        exit_invalid_config(error)
    count = len(result.sources)
    typer.echo(f"{count} sumber valid / {count} sources are valid ({settings.resolved_sources_file})")


def _option_problems(source: SourceConfig) -> list[str]:
    """Validate a source's options against its connector's options model."""
    try:
        connector_class(source.family).parse_options(source)
    except ConfigError as error:
        if isinstance(error.__cause__, ValidationError):
            return validation_problems(error.__cause__, source.id, prefix=("options",))
        return [problem_line(source.id, ("options",), str(error), show_value=False)]
    return []


@app.command("probe")
def probe_source(url: str = typer.Argument(..., help="URL dasar portal / portal base URL to probe, e.g. https://data.example.go.id")) -> None:
    """Kenali keluarga portal / detect a portal's family and print a ready source block."""
    from cli.probe import probe_command

    probe_command(url)
