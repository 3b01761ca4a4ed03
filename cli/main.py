"""The `himpun` command. Each command group lives in its own module under cli/."""

from __future__ import annotations

import logging
import os

import typer

from cli import demo as demo_commands
from cli import duplicates as duplicates_commands
from cli import harmonize as harmonize_commands
from cli import harvest as harvest_commands
from cli import index as index_commands
from cli import quality as quality_commands
from cli import jobs as jobs_commands
from cli import sources as sources_commands
from cli import tokens as tokens_commands
from server.logging import apply_log_format

app = typer.Typer(
    name="himpun",
    help="Himpun: pemanen metadata Satu Data Indonesia / metadata harvester for Satu Data Indonesia.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(sources_commands.app, name="sources")
app.command("harvest")(harvest_commands.harvest)
app.command("serve")(harvest_commands.serve)
app.command("run")(harvest_commands.run)
app.command("demo")(demo_commands.demo)
app.add_typer(duplicates_commands.app, name="duplicates")

# Command groups register themselves below, one line each.
app.add_typer(index_commands.app, name="index")
app.add_typer(harmonize_commands.app, name="harmonize")
app.add_typer(jobs_commands.app, name="jobs")
app.add_typer(tokens_commands.app, name="tokens")
app.add_typer(quality_commands.app, name="quality")


def main() -> None:
    # Progress lines and tables are the CLI's output; logs stay quiet unless asked for.
    level = os.environ.get("HIMPUN_LOG_LEVEL", "WARNING").upper()
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    apply_log_format(os.environ.get("HIMPUN_LOG_FORMAT", "text").lower())
    app()


if __name__ == "__main__":
    main()
