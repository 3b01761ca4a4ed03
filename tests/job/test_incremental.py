"""A second harvest of an unchanged source asks only for changes and writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from demo.portals import CkanPortal, PortalConfig, load_packages, serve_portals
from harvester.job import run_harvest
from harvester.sources import SourceConfig
from tests.job.conftest import RunnerServices

DEMO_DATA = Path(__file__).resolve().parents[2] / "demo" / "data"
ETAG = '"aceh-v1"'


def _loopback(settings, address: str):  # noqa: ANN001, ANN202 - Settings in, Settings out
    return settings.model_copy(update={"egress_allowlist": [address]})


def test_unchanged_data_json_answered_304(services: RunnerServices, httpserver: HTTPServer) -> None:
    body = (DEMO_DATA / "satudata_acehprov_data_json_dcat_us_SAMPLED.json").read_bytes()
    conditional: list[str | None] = []

    def data_json(request: Request) -> Response:
        conditional.append(request.headers.get("If-None-Match"))
        if request.headers.get("If-None-Match") == ETAG:
            return Response(status=304, headers={"ETag": ETAG})
        return Response(body, content_type="application/json", headers={"ETag": ETAG})

    httpserver.expect_request("/data.json").respond_with_handler(data_json)
    services.settings = _loopback(services.settings, f"127.0.0.1:{httpserver.port}")
    source = SourceConfig(id="aceh", name="Satu Data Aceh", family="dcat-us", url=httpserver.url_for("/data.json"),
                          access_default="terbuka", options={"http": {"min_delay_seconds": 0}})

    first = run_harvest(services, source)
    before = {dataset.id: dataset.updated_at for dataset in services.store.iter_datasets()}
    second = run_harvest(services, source)

    assert first.counts.added == 113
    assert conditional == [None, ETAG]
    assert second.counts.writes == 0
    assert second.counts.unchanged == 113
    assert {dataset.id: dataset.updated_at for dataset in services.store.iter_datasets()} == before


def test_unchanged_ckan_asked_for_changes_only(services: RunnerServices) -> None:
    portal = CkanPortal(load_packages(DEMO_DATA / "ckan_satudata_muaraenim_package_search_example.json"))
    with serve_portals(PortalConfig(portals={"/ckan": portal})) as base_url:
        services.settings = _loopback(services.settings, base_url.removeprefix("http://"))
        source = SourceConfig(id="muaraenim", name="Satu Data Muara Enim", family="ckan", url=f"{base_url}/ckan",
                              access_default="terbuka", options={"http": {"min_delay_seconds": 0}})
        first = run_harvest(services, source)
        before = {dataset.id: dataset.updated_at for dataset in services.store.iter_datasets()}
        portal.queries.clear()
        second = run_harvest(services, source)

    assert first.counts.added == 1
    searches = [query for query in portal.queries if "rows" in query]
    assert searches
    assert all("metadata_modified:[" in query.get("q", "") for query in searches), json.dumps(searches)
    assert second.counts.writes == 0
    assert {dataset.id: dataset.updated_at for dataset in services.store.iter_datasets()} == before
