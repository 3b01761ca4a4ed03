"""Serve the bundled real snapshots on loopback: `python -m demo [--port 8900]`."""

from __future__ import annotations

import argparse
import json
import threading
from pathlib import Path

from demo.portals import CkanPortal, DataGoIdPortal, PortalConfig, StaticPortal, load_packages, serve_portals

DATA = Path(__file__).resolve().parent / "data"


def demo_config() -> PortalConfig:
    """Map each snapshot in demo/data to the endpoint that serves it."""
    datagoid_packages = load_packages(DATA / "datagoid_proxy_package_search_rows2.json")
    known = {package["id"] for package in datagoid_packages}
    for package in load_packages(DATA / "datagoid_proxy_package_show_kampar.json"):
        if package["id"] not in known:
            datagoid_packages.append(package)
    package_list = json.loads((DATA / "datagoid_proxy_package_list_5.json").read_text(encoding="utf-8"))["result"]

    return PortalConfig(portals={
        "/muaraenim": CkanPortal(load_packages(DATA / "ckan_satudata_muaraenim_package_search_example.json"),
                                 site_title="Satu Data Muara Enim (snapshot)"),
        "/datagoid": DataGoIdPortal(datagoid_packages, package_list=package_list),
        "/aceh": StaticPortal({"/data.json": DATA / "satudata_acehprov_data_json_dcat_us_SAMPLED.json"}),
    })


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the demo portal simulators on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8900, help="TCP port to bind (0 picks a free one).")
    arguments = parser.parse_args()

    with serve_portals(demo_config(), port=arguments.port) as base_url:
        print(f"CKAN (Muara Enim):  {base_url}/muaraenim/api/3/action/package_search")
        print(f"data.go.id proxy:   POST {base_url}/datagoid/api/proxy")
        print(f"DCAT-US (Aceh):     {base_url}/aceh/data.json")
        print("Press Ctrl+C to stop.")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
