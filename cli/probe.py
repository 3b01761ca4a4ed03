"""`himpun sources probe URL`: guess a portal's family and print a source block."""

from __future__ import annotations

import typer

from connectors.probe import probe
from harvester.http import HttpClient
from harvester.settings import load_settings

__all__ = ["probe_command"]


def probe_command(url: str) -> None:
    """Probe URL for a known portal family and print a ready YAML source block."""
    with HttpClient(load_settings()) as http:
        result = probe(url, http)

    for line in result.evidence:
        typer.echo(f"  - {line}")
    if result.family is None:
        typer.echo("Keluarga portal tidak dikenali / Portal family not recognised.", err=True)
        raise typer.Exit(code=1)

    typer.echo(f"Keluarga / Family: {result.family} (keyakinan / confidence {result.confidence:.2f})")
    typer.echo(result.suggested_source_yaml)
