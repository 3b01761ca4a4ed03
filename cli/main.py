"""The `himpun` command. Each command group lives in its own module under cli/."""

from __future__ import annotations

import logging

import typer

from cli import index as index_commands
from cli import sources as sources_commands

app = typer.Typer(
    name="himpun",
    help="Himpun: pemanen metadata Satu Data Indonesia / metadata harvester for Satu Data Indonesia.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(sources_commands.app, name="sources")

# Command groups register themselves below, one line each.
app.add_typer(index_commands.app, name="index")


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app()


if __name__ == "__main__":
    main()
