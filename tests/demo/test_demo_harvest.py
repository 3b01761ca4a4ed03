"""`himpun demo --no-serve` end to end: every connector family, search, feed, CKAN API, re-harvest.

The module runs the real command twice in a subprocess against one data
folder and one simulator port, then opens the resulting SQLite store and
embedded index in this process and queries them through the real ASGI app.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, Namespace, URIRef

from cli.demo import DEMO_SOURCES
from connectors import families
from harvester.jobs import JobReport, JobState
from harvester.services import Services, open_services
from harvester.settings import load_settings
from server.app import create_app
from tests.conftest import REPOSITORY_ROOT
from tests.publish.shacl import violations

pytestmark = pytest.mark.slow

HIMPUN = Path(sys.executable).with_name("himpun")
BASE_URL = "http://127.0.0.1:8000"
ADMS = Namespace("http://www.w3.org/ns/adms#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
# The demo sources whose payloads are copies of, or derived from, real portal replies.
REAL_SOURCES = {"muaraenim", "datagoid", "aceh", "garut", "trenggalek", "keerom"}

Snapshot = dict[str, dt.datetime]


@dataclass
class DemoRun:
    """Both demo runs: their output, their jobs per source, and the app over the final store."""

    source_families: dict[str, str]
    first_output: str
    second_output: str
    first_jobs: dict[str, JobReport]
    second_jobs: dict[str, JobReport]
    first_snapshot: Snapshot
    second_snapshot: Snapshot
    client: TestClient
    services: Services


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run_demo(data_dir: Path, portal_port: int) -> str:
    """Run `himpun demo --no-serve` and return its output; fail the test on a non-zero exit."""
    environment = {**os.environ, "COLUMNS": "200"}
    completed = subprocess.run(
        [str(HIMPUN), "demo", "--no-serve", "--data-dir", str(data_dir), "--portal-port", str(portal_port)],
        cwd=REPOSITORY_ROOT, env=environment, capture_output=True, text=True, timeout=300, check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    return output


def _open(data_dir: Path) -> Services:
    settings = load_settings(data_dir=data_dir, sources_file=DEMO_SOURCES, base_url=BASE_URL)
    return open_services(settings)


def _latest_jobs(services: Services) -> dict[str, JobReport]:
    jobs: dict[str, JobReport] = {}
    for source in services.sources:
        found = services.store.list_jobs(source.id, limit=1)
        assert found, f"no job recorded for source {source.id}"
        jobs[source.id] = found[0]
    return jobs


def _snapshot(services: Services) -> Snapshot:
    return {dataset.id: dataset.updated_at for dataset in services.store.iter_datasets(public_only=False)}


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRun]:
    data_dir = tmp_path_factory.mktemp("demo")
    portal_port = _free_port()
    source_families = {entry["id"]: entry["family"]
                       for entry in yaml.safe_load(DEMO_SOURCES.read_text(encoding="utf-8"))["sources"]}

    with pytest.MonkeyPatch.context() as patch:
        # The sources file names ${HIMPUN_DEMO_URL}; reading it back needs the same value.
        patch.setenv("HIMPUN_DEMO_URL", f"http://127.0.0.1:{portal_port}")

        first_output = _run_demo(data_dir, portal_port)
        services = _open(data_dir)
        first_jobs, first_snapshot = _latest_jobs(services), _snapshot(services)
        services.close()

        second_output = _run_demo(data_dir, portal_port)
        services = _open(data_dir)
        try:
            with TestClient(create_app(services=services, settings=services.settings)) as client:
                yield DemoRun(source_families, first_output, second_output, first_jobs, _latest_jobs(services),
                              first_snapshot, _snapshot(services), client, services)
        finally:
            services.close()


def _dataset_sources(run: DemoRun, dataset_id: str) -> set[str]:
    response = run.client.get(f"/api/datasets/{dataset_id}")
    assert response.status_code == 200, response.text
    return {copy["source_id"] for copy in response.json()["sources"]}


def _search(run: DemoRun, text: str, rows: int = 100) -> dict:
    response = run.client.get("/api/search", params={"q": text, "rows": rows})
    assert response.status_code == 200, response.text
    return response.json()


def _feed(run: DemoRun) -> Graph:
    response = run.client.get("/catalog.ttl", params={"page_size": 1000})
    assert response.status_code == 200, response.text
    graph = Graph()
    graph.parse(data=response.text, format="turtle")
    return graph


def test_demo_covers_every_family(demo_run: DemoRun) -> None:
    assert set(demo_run.source_families.values()) == set(families(shipped_only=True))


def test_first_run_succeeds_everywhere(demo_run: DemoRun) -> None:
    for source_id, job in demo_run.first_jobs.items():
        assert job.state is JobState.SUCCEEDED, f"{source_id}: {job.state.value}"
        assert job.complete, source_id
        assert job.counts.added > 0, f"{source_id}: no records added"
        assert job.counts.rejected == 0, f"{source_id}: {job.counts.rejected} rejected"


def test_first_run_prints_summary(demo_run: DemoRun) -> None:
    assert "dataset publik siap / public datasets ready" in demo_run.first_output
    for source_id in demo_run.source_families:
        assert source_id in demo_run.first_output


def test_second_run_writes_nothing(demo_run: DemoRun) -> None:
    for source_id, job in demo_run.second_jobs.items():
        assert job.job_id != demo_run.first_jobs[source_id].job_id, f"{source_id}: no second job"
        assert job.state is JobState.SUCCEEDED, f"{source_id}: {job.state.value}"
        assert job.counts.added == 0, source_id
        assert job.counts.updated == 0, source_id
        assert job.counts.withdrawn == 0, source_id
        assert job.counts.rejected == 0, source_id


def test_second_run_keeps_ids_and_times(demo_run: DemoRun) -> None:
    assert demo_run.second_snapshot
    assert demo_run.second_snapshot.keys() == demo_run.first_snapshot.keys()
    changed = [dataset_id for dataset_id, updated in demo_run.second_snapshot.items()
               if demo_run.first_snapshot[dataset_id] != updated]
    assert changed == []


def test_search_penduduk_real_records(demo_run: DemoRun) -> None:
    body = _search(demo_run, "penduduk")

    assert body["total"] > 0
    assert body["facets"]["publisher"]
    assert body["facets"]["province"]
    titles = [hit["title"].lower() for hit in body["hits"]]
    assert any("penduduk" in title for title in titles)
    sources = set().union(*(_dataset_sources(demo_run, hit["id"]) for hit in body["hits"]))
    assert sources & REAL_SOURCES, sources


def test_search_air_laut_real_records(demo_run: DemoRun) -> None:
    body = _search(demo_run, "air laut")

    assert body["total"] > 0
    assert body["facets"]["publisher"]
    laut_hits = [hit for hit in body["hits"] if "air laut" in hit["title"].lower()]
    assert laut_hits
    assert "aceh" in _dataset_sources(demo_run, laut_hits[0]["id"])


def test_every_source_found_in_search(demo_run: DemoRun) -> None:
    for source_id in demo_run.source_families:
        dataset = next((dataset for dataset in demo_run.services.store.iter_datasets(public_only=True)
                        if any(copy.source_id == source_id for copy in dataset.sources)), None)
        assert dataset is not None, f"{source_id}: no public dataset"
        hit_ids = [hit["id"] for hit in _search(demo_run, dataset.record.title)["hits"]]
        assert dataset.id in hit_ids, f"{source_id}: {dataset.record.title!r} not found by its title"


def test_eu_public_access_uri_published(demo_run: DemoRun) -> None:
    # This Turtle record states dct:accessRights as the EU access-right URI PUBLIC.
    datasets = [dataset for dataset in demo_run.services.store.iter_datasets(public_only=True)
                if any(copy.remote_id == "jumlah-penduduk-2023" for copy in dataset.sources)]

    assert len(datasets) == 1
    assert datasets[0].record.access.defaulted is False


def test_feed_names_every_source(demo_run: DemoRun) -> None:
    graph = _feed(demo_run)

    agencies = {str(agency) for agency in graph.objects(None, ADMS.schemaAgency) if isinstance(agency, Literal)}
    assert set(demo_run.source_families) <= agencies
    datasets = set(graph.subjects(RDF_TYPE, DCAT.Dataset))
    assert len(datasets) == demo_run.services.store.count_datasets(public_only=True)


def test_feed_conforms_to_dcat_ap(demo_run: DemoRun) -> None:
    conforms, report = violations(_feed(demo_run))

    assert conforms, report


def test_ckan_package_search_shape(demo_run: DemoRun) -> None:
    response = demo_run.client.get("/api/3/action/package_search", params={"q": "air", "rows": 5})

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    assert body["help"].endswith("/api/3/action/help_show?name=package_search")
    result = body["result"]
    assert result["count"] > 0
    assert 0 < len(result["results"]) <= 5
    for package in result["results"]:
        assert {"id", "name", "title", "notes", "organization", "resources", "extras", "metadata_modified",
                "state"} <= package.keys()
        assert all({"id", "url", "format"} <= resource.keys() for resource in package["resources"])
