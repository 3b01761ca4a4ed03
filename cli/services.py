"""Open the services or the sources a command needs, or exit with a clean message.

Every command that reads the sources file goes through these helpers, so an
invalid file ends the command with the problems listed and exit code 2
instead of a traceback.
"""

from __future__ import annotations

from typing import NoReturn

import typer

from harvester.errors import ConfigError, HimpunError
from harvester.services import Services, open_services
from harvester.settings import Settings
from harvester.sources import SourceConfig, load_sources

__all__ = ["EXIT_INVALID_CONFIG", "EXIT_OPEN_FAILED", "exit_invalid_config", "load_sources_or_exit",
           "open_services_or_exit"]

EXIT_INVALID_CONFIG = 2
EXIT_OPEN_FAILED = 2


def exit_invalid_config(error: HimpunError) -> NoReturn:
    """Print a configuration error to stderr and exit with `EXIT_INVALID_CONFIG`."""
    typer.echo(f"Konfigurasi tidak valid / invalid configuration: {error}", err=True)
    raise typer.Exit(code=EXIT_INVALID_CONFIG) from error


def open_services_or_exit(settings: Settings) -> Services:
    """Open the services, exiting with a message when the configuration is invalid or opening fails."""
    try:
        return open_services(settings)
    except HimpunError as error:
        if isinstance(error, ConfigError) or isinstance(error.__cause__, ConfigError):
            exit_invalid_config(error)
        typer.echo(f"Gagal membuka layanan / failed to open services: {error}", err=True)
        raise typer.Exit(code=EXIT_OPEN_FAILED) from error


def load_sources_or_exit(settings: Settings) -> list[SourceConfig]:
    """Load the sources file of `settings`, exiting with the listed problems when it is invalid."""
    try:
        return load_sources(settings.resolved_sources_file)
    except ConfigError as error:
        exit_invalid_config(error)
