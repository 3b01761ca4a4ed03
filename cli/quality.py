"""`himpun quality`: check distribution links so the quality score can judge accessibility."""

from __future__ import annotations

import itertools

import typer

from cli.output import console
from cli.services import open_services_or_exit
from harvester.http import HttpClient
from harvester.quality.linkcheck import LINK_CHECK_FILE, LinkCheckStore, check_dataset_links
from harvester.settings import load_settings

app = typer.Typer(help="Kualitas metadata / metadata quality.", no_args_is_help=True)


@app.command("check-links")
def check_links(
    limit: int = typer.Option(1000, help="Jumlah dataset publik paling banyak / maximum public datasets whose distribution URLs are checked."),
    source: str = typer.Option(None, help="Hanya dataset dari sumber ini / check only datasets with a copy from this source id."),
) -> None:
    """Periksa tautan distribusi / check distribution URLs through the harvest HTTP client."""
    settings = load_settings()
    services = open_services_or_exit(settings)
    try:
        datasets = (dataset for dataset in services.store.iter_datasets(public_only=True)
                    if source is None or any(copy.source_id == source for copy in dataset.sources))
        with HttpClient(settings) as client:
            results = check_dataset_links(client, itertools.islice(datasets, limit))
    finally:
        services.close()

    LinkCheckStore(settings.data_dir / LINK_CHECK_FILE).save(results)
    reachable = sum(1 for result in results if result.ok)
    console.print(f"{len(results)} tautan diperiksa, {reachable} dapat dijangkau / "
                  f"{len(results)} links checked, {reachable} reachable")
