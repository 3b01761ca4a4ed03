"""Copies from two sources publish once, with both copies as provenance, in every public output."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Namespace, URIRef

from harvester.model import AccessLevel, AccessRights
from harvester.pipeline import dedupe_and_index, make_indexer
from harvester.services import Services, open_services
from harvester.settings import load_settings
from harvester.sources import SourceConfig
from server.app import create_app
from tests.dedupe.helpers import make_record
from tests.publish.shacl import violations

DCAT = Namespace("http://www.w3.org/ns/dcat#")
PROV = Namespace("http://www.w3.org/ns/prov#")
COUNT = 100

SOURCES = [
    SourceConfig(id="provinsi", name="Satu Data Provinsi", family="ckan", url="https://prov.example.invalid",
                 priority=80, access_default="terbuka"),
    SourceConfig(id="datagoid", name="data.go.id", family="datagoid", url="https://datagoid.example.invalid",
                 priority=20, access_default="terbuka"),
]


def _uuid(number: int) -> str:
    return f"00000000-0000-4000-8000-{number:012d}"


def _public(record):
    record.access = AccessRights(level=AccessLevel.TERBUKA)
    return record


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    data_dir: Path = tmp_path_factory.mktemp("published-once")
    opened = open_services(load_settings(data_dir=data_dir, base_url="http://127.0.0.1:8000"),
                           load_source_file=False)
    opened.sources = SOURCES
    indexer = make_indexer(opened)

    province = [_public(make_record("provinsi", _uuid(n), f"Data Statistik Sektoral {n}",
                                    urls=(f"https://prov.example.invalid/dl/{n}.csv",), identifiers=(_uuid(n),)))
                for n in range(COUNT)]
    portal = [_public(make_record("datagoid", f"dg-{n}", f"DATA STATISTIK SEKTORAL {n}",
                                  urls=(f"http://prov.example.invalid/dl/{n}.csv?utm_source=datagoid",)))
              for n in range(COUNT)]
    yearly = [_public(make_record("provinsi", f"penduduk-{year}", f"Jumlah Penduduk Tahun {year}"))
              for year in (2022, 2020, 2021)]
    for source_id, records in (("provinsi", province + yearly), ("datagoid", portal)):
        outcome = opened.store.upsert_records(source_id, records)
        indexer(outcome.changed)
    dedupe_and_index(opened)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def client(services: Services) -> TestClient:
    return TestClient(create_app(services), base_url="http://127.0.0.1:8000")


def test_search_api_lists_each_dataset_once(client: TestClient) -> None:
    response = client.get("/api/search", params={"q": "statistik sektoral", "rows": 100})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == COUNT
    assert len({hit["id"] for hit in body["hits"]}) == COUNT


def test_dataset_api_lists_both_copies(client: TestClient, services: Services) -> None:
    dataset = next(d for d in services.store.iter_datasets(public_only=True) if d.record.title.endswith(" 7"))
    body = client.get(f"/api/datasets/{dataset.id}").json()
    sources = sorted(copy["source_id"] for copy in body["sources"])
    assert sources == ["datagoid", "provinsi"]


def test_feed_has_each_dataset_once_with_provenance(client: TestClient) -> None:
    graph = Graph().parse(data=client.get("/catalog.ttl?page_size=1000").text, format="turtle")
    datasets = set(graph.subjects(predicate=None, object=DCAT.Dataset))
    statistics = [d for d in datasets if "Sektoral" in str(graph.value(d, URIRef("http://purl.org/dc/terms/title")))]
    assert len(statistics) == COUNT
    derived = [len(set(graph.objects(d, PROV.wasDerivedFrom))) for d in statistics]
    assert set(derived) == {2}


def test_feed_with_series_passes_shapes(client: TestClient) -> None:
    graph = Graph().parse(data=client.get("/catalog.ttl?page_size=1000").text, format="turtle")
    series = set(graph.subjects(predicate=None, object=DCAT.DatasetSeries))
    assert len(series) == 1
    (series_uri,) = series
    assert str(graph.value(series_uri, URIRef("http://purl.org/dc/terms/title"))) == "Jumlah Penduduk"
    assert len(set(graph.subjects(DCAT.inSeries, series_uri))) == 3
    conforms, report = violations(graph)
    assert conforms, report


def test_ckan_api_counts_each_dataset_once(client: TestClient) -> None:
    body = client.get("/api/3/action/package_search", params={"q": "sektoral", "rows": 100}).json()
    assert body["success"] is True
    assert body["result"]["count"] == COUNT
    package = body["result"]["results"][0]
    extras = {extra["key"]: extra["value"] for extra in package["extras"]}
    assert "datagoid" in str(extras) and "provinsi" in str(extras)
