"""The DCAT-AP feed over HTTP: formats, negotiation, hydra paging, modified_since, tombstones, SHACL."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS

from publish.dcat.profile import DcatApProfile, SeriesInfo
from tests.publish.conftest import BASE_URL, SECOND_LOAD, Catalog
from tests.publish.rdf_reference import PARSER_FORMATS, reference_graph
from tests.publish.samples import aceh_datasets, edge_case_dataset
from tests.publish.shacl import violations

DCAT = Namespace("http://www.w3.org/ns/dcat#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
AS = Namespace("https://www.w3.org/ns/activitystreams#")
EXTENSIONS = {"ttl": "turtle", "nt": "ntriples", "rdf": "rdfxml", "jsonld": "jsonld"}


def _graph(response, format_name: str) -> Graph:
    assert response.status_code == 200, response.text
    graph = Graph()
    graph.parse(data=response.text, format=PARSER_FORMATS[format_name])
    return graph


def _dataset_ids(graph: Graph) -> set[str]:
    return {str(s).rsplit("/", 1)[-1] for s in graph.subjects(RDF.type, DCAT.Dataset)}


def _paging(graph: Graph) -> URIRef:
    views = list(graph.subjects(RDF.type, HYDRA.PartialCollectionView))
    assert len(views) == 1
    return views[0]


@pytest.mark.parametrize("extension", sorted(EXTENSIONS))
def test_catalog_extension_serves_format(catalog: Catalog, extension: str) -> None:
    response = catalog.client.get(f"/catalog.{extension}?page_size=10")
    graph = _graph(response, EXTENSIONS[extension])

    assert len(_dataset_ids(graph)) == 10
    assert (URIRef(f"{BASE_URL}/catalog"), RDF.type, DCAT.Catalog) in graph


@pytest.mark.parametrize(("accept", "format_name"), [
    ("text/turtle", "turtle"),
    ("application/rdf+xml", "rdfxml"),
    ("application/ld+json", "jsonld"),
    ("application/n-triples", "ntriples"),
    ("application/rdf+xml;q=0.5, text/turtle;q=0.9", "turtle"),
    ("*/*", "turtle"),
    ("", "turtle"),
])
def test_catalog_negotiates_accept(catalog: Catalog, accept: str, format_name: str) -> None:
    response = catalog.client.get("/catalog?page_size=5", headers={"Accept": accept})

    assert response.headers["content-type"].split(";")[0] == {
        "turtle": "text/turtle", "rdfxml": "application/rdf+xml",
        "jsonld": "application/ld+json", "ntriples": "application/n-triples"}[format_name]
    assert "Accept" in response.headers["vary"]
    assert len(_dataset_ids(_graph(response, format_name))) == 5


def test_catalog_rejects_unacceptable_type(catalog: Catalog) -> None:
    response = catalog.client.get("/catalog", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "message_en" in response.json()["error"]


def test_hydra_walk_visits_every_public_dataset(catalog: Catalog) -> None:
    seen: list[str] = []
    url = "/catalog.ttl?page_size=30"
    pages = 0
    while url:
        graph = _graph(catalog.client.get(url), "turtle")
        view = _paging(graph)
        assert int(graph.value(view, HYDRA.totalItems)) == len(catalog.public_ids)
        assert int(graph.value(view, HYDRA.itemsPerPage)) == 30
        assert graph.value(view, HYDRA.first) == graph.value(view, HYDRA.firstPage)
        seen += sorted(_dataset_ids(graph))
        next_url = graph.value(view, HYDRA.next)
        assert next_url == graph.value(view, HYDRA.nextPage)
        url = str(next_url).removeprefix(BASE_URL) if next_url else ""
        pages += 1

    assert pages == -(-len(catalog.public_ids) // 30)
    assert len(seen) == len(set(seen))
    assert set(seen) == set(catalog.public_ids)


def test_hydra_page_number_without_cursor(catalog: Catalog) -> None:
    second = _graph(catalog.client.get("/catalog.ttl?page=2&page_size=30"), "turtle")
    view = _paging(second)

    assert _dataset_ids(second) == set(catalog.public_ids[30:60])
    assert parse_qs(urlsplit(str(second.value(view, HYDRA.previous))).query)["page"] == ["1"]
    last = parse_qs(urlsplit(str(second.value(view, HYDRA.last))).query)
    assert last["page"] == [str(-(-len(catalog.public_ids) // 30))]


def test_page_past_last_is_404(catalog: Catalog) -> None:
    response = catalog.client.get("/catalog.ttl?page=999")
    assert response.status_code == 404


def test_page_size_above_max_rejected(catalog: Catalog) -> None:
    response = catalog.client.get("/catalog.ttl?page_size=1001")
    assert response.status_code == 422


def test_modified_since_filters_on_update_time(catalog: Catalog) -> None:
    since = (SECOND_LOAD.replace(hour=0)).date().isoformat()
    graph = _graph(catalog.client.get(f"/catalog.ttl?modified_since={since}&page_size=1000"), "turtle")

    assert _dataset_ids(graph) == set(catalog.second_load_ids)
    assert int(graph.value(_paging(graph), HYDRA.totalItems)) == len(catalog.second_load_ids)


def test_modified_since_kept_in_links(catalog: Catalog) -> None:
    graph = _graph(catalog.client.get("/catalog.ttl?modified_since=2025-05-01T00:00:00Z&page_size=10"), "turtle")
    next_link = str(graph.value(_paging(graph), HYDRA.next))
    assert parse_qs(urlsplit(next_link).query)["modified_since"] == ["2025-05-01T00:00:00Z"]


def test_modified_since_invalid_rejected(catalog: Catalog) -> None:
    response = catalog.client.get("/catalog.ttl?modified_since=kemarin")
    assert response.status_code == 400
    assert "modified_since" in response.json()["error"]["message"]


def test_catalog_never_lists_hidden(catalog: Catalog) -> None:
    for extension, format_name in EXTENSIONS.items():
        text = catalog.client.get(f"/catalog.{extension}?page_size=1000").text
        for kind, dataset_id in catalog.hidden_ids.items():
            assert dataset_id not in text, f"{kind} dataset leaked into /catalog.{extension}"
        assert "Rahasia" not in text


def test_deleted_lists_withdrawn_tombstone(catalog: Catalog) -> None:
    graph = _graph(catalog.client.get("/catalog/deleted.ttl"), "turtle")
    subject = URIRef(f"{BASE_URL}/dataset/{catalog.withdrawn_id}")

    assert (subject, RDF.type, AS.Tombstone) in graph
    assert (subject, AS.formerType, DCAT.Dataset) in graph
    assert graph.value(subject, AS.deleted) is not None
    assert len(set(graph.subjects(RDF.type, AS.Tombstone))) == 1
    assert "Rahasia" not in catalog.client.get("/catalog/deleted.ttl").text


@pytest.mark.parametrize("extension", sorted(EXTENSIONS))
def test_dataset_dereferences(catalog: Catalog, extension: str) -> None:
    dataset_id = catalog.public_ids[0]
    graph = _graph(catalog.client.get(f"/dataset/{dataset_id}.{extension}"), EXTENSIONS[extension])
    assert (URIRef(f"{BASE_URL}/dataset/{dataset_id}"), RDF.type, DCAT.Dataset) in graph


def test_dataset_negotiates_rdf_and_html(catalog: Catalog) -> None:
    dataset_id = catalog.public_ids[0]
    rdf = catalog.client.get(f"/dataset/{dataset_id}", headers={"Accept": "application/ld+json"})
    page = catalog.client.get(f"/dataset/{dataset_id}", headers={"Accept": "text/html,*/*;q=0.8"})

    assert rdf.headers["content-type"].startswith("application/ld+json")
    assert page.headers["content-type"].startswith("text/html")
    assert f"{dataset_id}.ttl" in page.text


def test_dataset_hidden_or_missing_is_404_withdrawn_410(catalog: Catalog) -> None:
    for kind, dataset_id in catalog.hidden_ids.items():
        expected = 410 if kind == "withdrawn" else 404
        assert catalog.client.get(f"/dataset/{dataset_id}.ttl").status_code == expected, kind
    assert catalog.client.get("/dataset/tidak-ada.ttl").status_code == 404


def test_feed_page_passes_dcat_ap_shapes(catalog: Catalog) -> None:
    graph = _graph(catalog.client.get("/catalog.ttl?page_size=1000"), "turtle")
    conforms, report = violations(graph)
    assert conforms, report


def test_profile_with_series_passes_dcat_ap_shapes() -> None:
    profile = DcatApProfile(BASE_URL, series_lookup=lambda series_id: SeriesInfo(
        series_id, "Kualitas air laut", "Parameter kualitas air laut per tahun",
        frequency_uri="http://publications.europa.eu/resource/authority/frequency/ANNUAL"))
    members = [d.model_copy(update={"series_id": "air-laut"}) for d in aceh_datasets()[:3]]
    members.append(edge_case_dataset())
    graph = reference_graph([profile.catalog([d.id for d in members])] + [profile.dataset(d) for d in members])

    conforms, report = violations(graph)

    assert conforms, report
    assert len(set(graph.subjects(DCAT.inSeries, None))) == 4
    assert (URIRef(f"{BASE_URL}/series/air-laut"), DCTERMS.title, None) in graph
