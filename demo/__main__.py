"""Serve the bundled real snapshots on loopback: `python -m demo [--port 8900]`."""

from __future__ import annotations

import argparse
import json
import threading
from pathlib import Path

from demo.portals import (
    CkanPortal,
    DataGoIdPortal,
    FilePortal,
    PortalConfig,
    StaticPortal,
    load_packages,
    serve_portals,
)

DATA = Path(__file__).resolve().parent / "data"
DENPASAR_HTML = DATA / "denpasar_html"


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
        **family_portals(),
    })


def family_portals() -> dict[str, FilePortal]:
    """Return the portals of the json-api, spreadsheet, bps, dcat-rdf, csw and html sources."""
    trenggalek_crawl = DATA / "satudata_trenggalekkab_discovered_datasets_645.json"
    trenggalek_ids = [entry["id"] for entry in json.loads(trenggalek_crawl.read_text(encoding="utf-8"))]
    trenggalek_envelope = DATA / "trenggalek_json_envelope_WRITTEN.json"
    denpasar_details = {f"/dataset/{page.stem}": page for page in sorted((DENPASAR_HTML / "dataset").glob("*.html"))}

    return {
        "/jabar": FilePortal({
            "/dataset/list?skip=0": DATA / "opendatajabar_dataset_list_skip0.json",
            "/dataset/list?skip=2": DATA / "opendatajabar_dataset_list_skip2.json",
        }, query_keys=("skip",)),
        "/garut": FilePortal({
            f"/api/datasets?page={page}": DATA / f"garut_api_datasets_page{page}.json" for page in (1, 2, 3)
        }, query_keys=("page",)),
        "/trenggalek": FilePortal({
            "/discovered_datasets.json": trenggalek_crawl,
            **{f"/json/{dataset_id}": trenggalek_envelope for dataset_id in trenggalek_ids},
        }),
        "/keerom": FilePortal({"/daftar_data.xlsx": DATA / "keerom_daftar_data.xlsx"}),
        # The BPS simulator ignores the `key` parameter, so any key works.
        "/bps": FilePortal({
            "/list?model=subject&page=1": DATA / "bps_list_subject_page1.json",
            "/list?model=var&page=1": DATA / "bps_list_var_page1.json",
            "/list?model=var&page=2": DATA / "bps_list_var_page2.json",
            "/list?model=statictable&page=1": DATA / "bps_list_statictable_page1.json",
        }, query_keys=("model", "page")),
        # hydra:next in these pages is relative, so it resolves to this simulator.
        "/pesawaran": FilePortal({
            "/catalog.ttl": DATA / "pesawaran_catalog_page1.ttl",
            "/catalog.ttl?page=2": DATA / "pesawaran_catalog_page2.ttl",
            "/catalog.ttl?page=3": DATA / "pesawaran_catalog_page3.ttl",
        }, query_keys=("page",)),
        "/lampung": FilePortal({
            f"/csw?startPosition={start}": DATA / f"lampung_csw_page{number}.xml"
            for number, start in ((1, 1), (2, 3), (3, 4))
        }, query_keys=("startPosition",)),
        "/denpasar": FilePortal({
            "/dataset": DENPASAR_HTML / "dataset_page1.html",
            "/dataset?page=2": DENPASAR_HTML / "dataset_page2.html",
            **denpasar_details,
        }, query_keys=("page",)),
        # robots.txt belongs at the host root, and the empty prefix matches every other path.
        "": FilePortal({"/robots.txt": DENPASAR_HTML / "robots.txt"}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the demo portal simulators on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8900, help="TCP port to bind (0 picks a free one).")
    arguments = parser.parse_args()

    with serve_portals(demo_config(), port=arguments.port) as base_url:
        print(f"CKAN (Muara Enim):  {base_url}/muaraenim/api/3/action/package_search")
        print(f"data.go.id proxy:   POST {base_url}/datagoid/api/proxy")
        print(f"DCAT-US (Aceh):     {base_url}/aceh/data.json")
        print(f"Open Data Jabar:    {base_url}/jabar/dataset/list?skip=0&limit=2")
        print(f"Satu Data Garut:    {base_url}/garut/api/datasets?page=1")
        print(f"Trenggalek crawl:   {base_url}/trenggalek/discovered_datasets.json")
        print(f"Keerom workbook:    {base_url}/keerom/daftar_data.xlsx")
        print(f"BPS WebAPI:         {base_url}/bps/list?model=var&domain=0000&page=1&key=demo")
        print(f"DCAT RDF:           {base_url}/pesawaran/catalog.ttl")
        print(f"CSW:                {base_url}/lampung/csw?service=CSW&request=GetRecords&startPosition=1")
        print(f"HTML portal:        {base_url}/denpasar/dataset")
        print("Press Ctrl+C to stop.")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
