"""`himpun demo`: harvest the bundled real snapshots and serve the result.

The portal simulators in `demo/` serve the snapshots on 127.0.0.1 so the
harvest goes through the real connectors and the real HTTP client. The
egress guard allows exactly the simulators' address and port.
"""

from __future__ import annotations

import os
from pathlib import Path

import typer

from cli.harvest import run_round_with_progress, serve_app
from cli.output import console
from cli.services import open_services_or_exit
from demo.__main__ import demo_config
from demo.portals import serve_portals
from harvester.settings import DEFAULT_CONFIG_DIR, load_settings

DEMO_SOURCES = DEFAULT_CONFIG_DIR / "demo" / "sources.yaml"


def demo(
    data_dir: Path = typer.Option(Path("var/demo"), help="Folder basis data dan indeks demo / folder for the demo database and index."),
    host: str = typer.Option("127.0.0.1", help="Alamat server web / address the web server binds."),
    port: int = typer.Option(8000, help="Port server web / port the web server binds."),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Sajikan hasil setelah panen / serve the result after harvesting."),
    portal_port: int = typer.Option(
        8900, help="Port simulator portal / port of the portal simulators; records keep their URLs when it stays the same (0 picks a free one)."),
) -> None:
    """Demo: panen data contoh lalu sajikan / harvest the bundled real data, then serve it."""
    with serve_portals(demo_config(), port=portal_port) as portal_url:
        os.environ["HIMPUN_DEMO_URL"] = portal_url
        os.environ.setdefault("HIMPUN_DEMO_BPS_KEY", "demo-key-any-value-works")
        portal_address = portal_url.removeprefix("http://")
        settings = load_settings(
            data_dir=data_dir,
            sources_file=DEMO_SOURCES,
            egress_allowlist=[portal_address],
            base_url=f"http://{host}:{port}",
        )
        services = open_services_or_exit(settings)
        try:
            console.print(f"Simulator portal / portal simulators: {portal_url}")
            sources = [source for source in services.sources if source.enabled]
            run_round_with_progress(services, sources)
            public = services.store.count_datasets(public_only=True)
            console.print(f"{public} dataset publik siap / public datasets ready")
            console.print("Perintah lain pada data demo / other commands on the demo data: "
                          f"HIMPUN_DATA_DIR={data_dir} HIMPUN_SOURCES_FILE={DEMO_SOURCES} himpun ...")
            if serve:
                serve_app(settings, host, port, services=services)
        finally:
            services.close()
