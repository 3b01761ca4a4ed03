"""The metadata quality score in the DCAT feed (DQV measurements) and in /api/datasets/{id}."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import RDF, XSD, Graph, Namespace, URIRef

from harvester.quality import (
    METRIC_BASE,
    LinkCheckResult,
    LinkCheckStore,
    load_link_results,
    quality_measurements,
    score,
)
from harvester.quality.checks import CHECKS
from harvester.quality.linkcheck import LINK_CHECK_FILE, distribution_urls
from publish.dcat.profile import DcatApProfile
from publish.dcat.quality import decimal_lexical
from tests.publish.conftest import BASE_URL, Catalog
from tests.publish.rdf_reference import reference_graph
from tests.publish.samples import aceh_datasets, ckan_datasets, edge_case_dataset
from tests.publish.shacl import violations

DQV = Namespace("http://www.w3.org/ns/dqv#")
DIMENSIONS = ("findability", "accessibility", "interoperability", "reusability", "contextuality", "satu-data")
CHECKED_AT = dt.datetime(2026, 9, 11, 3, 0, tzinfo=dt.timezone.utc)
# The xsd:decimal lexical space: an optional sign, digits, an optional fraction, no exponent.
DECIMAL_LEXICAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def _measurements(graph: Graph, dataset_uri: str) -> dict[str, Decimal]:
    """Return the measured values of one dataset by metric IRI."""
    values: dict[str, Decimal] = {}
    for measurement in graph.objects(URIRef(dataset_uri), DQV.hasQualityMeasurement):
        assert (measurement, RDF.type, DQV.QualityMeasurement) in graph
        metric = str(graph.value(measurement, DQV.isMeasurementOf))
        value = graph.value(measurement, DQV.value)
        assert value.datatype == XSD.decimal, metric
        assert DECIMAL_LEXICAL.match(str(value)), str(value)
        assert metric not in values, f"{metric} measured twice"
        values[metric] = Decimal(str(value))
    return values


def _expected(dataset, link_results=None, with_checks: bool = False) -> dict[str, Decimal]:
    report = score(dataset, link_results)
    check_metrics = {METRIC_BASE + check.id for check in report.checks}
    return {metric: Decimal(repr(float(value))) for metric, value in quality_measurements(report)
            if with_checks or metric not in check_metrics}


def _turtle(catalog: Catalog, path: str) -> Graph:
    response = catalog.client.get(path)
    assert response.status_code == 200, response.text
    graph = Graph()
    graph.parse(data=response.text, format="turtle")
    return graph


# --- profile ------------------------------------------------------------------------

def test_profile_measures_score_and_dimensions() -> None:
    profile = DcatApProfile(BASE_URL)
    for dataset in aceh_datasets()[:5] + ckan_datasets() + [edge_case_dataset()]:
        graph = reference_graph([profile.dataset(dataset)])

        measured = _measurements(graph, str(profile.dataset_uri(dataset.id)))

        assert measured == _expected(dataset), dataset.id
        assert set(measured) == {METRIC_BASE + "score"} | {METRIC_BASE + name for name in DIMENSIONS}


def test_profile_check_measurements_on_request() -> None:
    profile = DcatApProfile(BASE_URL, check_measurements=True)
    dataset = aceh_datasets()[0]
    graph = reference_graph([profile.dataset(dataset)])

    measured = _measurements(graph, str(profile.dataset_uri(dataset.id)))

    assert measured == _expected(dataset, with_checks=True)
    assert len(measured) == 1 + len(DIMENSIONS) + len(CHECKS)


def test_profile_uses_link_results() -> None:
    dataset = next(d for d in aceh_datasets() if distribution_urls(d))
    reachable = {url: LinkCheckResult(url=url, ok=True, status=200, checked_at=CHECKED_AT)
                 for url in distribution_urls(dataset)}
    profile = DcatApProfile(BASE_URL, link_results=reachable, check_measurements=True)

    measured = _measurements(reference_graph([profile.dataset(dataset)]), str(profile.dataset_uri(dataset.id)))

    assert measured == _expected(dataset, reachable, with_checks=True)
    assert measured[METRIC_BASE + "access-url-reachable"] == 50
    assert measured[METRIC_BASE + "score"] > _expected(dataset)[METRIC_BASE + "score"]


def test_profile_with_checks_passes_dcat_ap_shapes() -> None:
    profile = DcatApProfile(BASE_URL, check_measurements=True)
    datasets = aceh_datasets()[:3] + [edge_case_dataset()]
    graph = reference_graph([profile.catalog([d.id for d in datasets])] + [profile.dataset(d) for d in datasets])

    conforms, report = violations(graph)

    assert conforms, report
    assert len(set(graph.subjects(RDF.type, DQV.QualityMeasurement))) == 4 * (1 + len(DIMENSIONS) + len(CHECKS))


@pytest.mark.parametrize(("value", "lexical"), [
    (75, "75.0"),
    (12.35, "12.35"),
    (0.0, "0.0"),
    (1e-05, "0.000010"),
    (1e16, "10000000000000000.000000"),
])
def test_decimal_lexical_has_no_exponent(value: float, lexical: str) -> None:
    assert decimal_lexical(value) == lexical
    assert DECIMAL_LEXICAL.match(decimal_lexical(value))


# --- link-check results cache ----------------------------------------------------------

def _save(folder: Path, *urls: str, ok: bool = True) -> None:
    LinkCheckStore(folder / LINK_CHECK_FILE).save(
        LinkCheckResult(url=url, ok=ok, status=200 if ok else 404, checked_at=CHECKED_AT) for url in urls)


def test_link_results_missing_file_is_empty(tmp_path: Path) -> None:
    assert dict(load_link_results(tmp_path)) == {}


def test_link_results_reload_after_change(tmp_path: Path) -> None:
    _save(tmp_path, "http://127.0.0.1:9/a.csv")
    first = load_link_results(tmp_path)
    assert load_link_results(tmp_path) is first

    _save(tmp_path, "http://127.0.0.1:9/b.csv", ok=False)
    second = load_link_results(tmp_path)

    assert second is not first
    assert second["http://127.0.0.1:9/a.csv"].ok
    assert not second["http://127.0.0.1:9/b.csv"].ok


def test_link_results_read_only(tmp_path: Path) -> None:
    _save(tmp_path, "http://127.0.0.1:9/a.csv")
    with pytest.raises(TypeError):
        load_link_results(tmp_path)["http://127.0.0.1:9/c.csv"] = None  # type: ignore[index]


# --- over HTTP ----------------------------------------------------------------------------

def test_catalog_page_measures_every_dataset(catalog: Catalog) -> None:
    graph = _turtle(catalog, "/catalog.ttl?page_size=1000")

    datasets = set(graph.subjects(RDF.type, URIRef("http://www.w3.org/ns/dcat#Dataset")))

    assert len(datasets) == len(catalog.public_ids)
    for dataset_uri in datasets:
        measured = _measurements(graph, str(dataset_uri))
        assert len(measured) == 1 + len(DIMENSIONS), dataset_uri
        assert 0 <= measured[METRIC_BASE + "score"] <= 100


def test_dataset_document_measures_checks(catalog: Catalog) -> None:
    dataset_id = catalog.public_ids[0]
    dataset = catalog.store.get_dataset(dataset_id)
    graph = _turtle(catalog, f"/dataset/{dataset_id}.ttl")

    measured = _measurements(graph, f"{BASE_URL}/dataset/{dataset_id}")

    assert measured == _expected(dataset, with_checks=True)
    conforms, report = violations(graph)
    assert conforms, report


def test_dataset_json_quality_object(catalog: Catalog) -> None:
    dataset_id = catalog.public_ids[0]
    report = score(catalog.store.get_dataset(dataset_id))

    quality = catalog.client.get(f"/api/datasets/{dataset_id}").json()["quality"]

    assert quality["percent"] == report.percent
    assert quality["points"] == report.points
    assert quality["max_points"] == report.max_points
    assert quality["rating"] == report.rating
    assert [d["dimension"] for d in quality["dimensions"]] == list(DIMENSIONS)
    assert [c["id"] for c in quality["checks"]] == [c.id for c in report.checks]
    for check in quality["checks"]:
        assert set(check) == {"id", "dimension", "label", "label_en", "status", "points", "max_points", "fix",
                              "fix_en"}
        assert check["status"] in {"passed", "partial", "failed", "unknown"}
        if check["status"] == "passed":
            assert check["fix"] == check["fix_en"] == ""
        else:
            assert check["fix"] and check["fix_en"], check["id"]


def test_dataset_json_quality_bilingual(catalog: Catalog) -> None:
    checks = catalog.client.get(f"/api/datasets/{catalog.public_ids[0]}").json()["quality"]["checks"]
    by_id = {check["id"]: check for check in checks}

    assert by_id["keywords"]["label"] == "Kata kunci"
    assert by_id["keywords"]["label_en"] == "Keywords"
    unknown = by_id["access-url-reachable"]
    assert unknown["status"] == "unknown"
    assert unknown["fix"].startswith("Belum diperiksa")
    assert unknown["fix_en"].startswith("Not checked yet")


def test_dataset_json_quality_matches_feed(catalog: Catalog) -> None:
    for dataset_id in catalog.public_ids[:10]:
        quality = catalog.client.get(f"/api/datasets/{dataset_id}").json()["quality"]
        measured = _measurements(_turtle(catalog, f"/dataset/{dataset_id}.ttl"), f"{BASE_URL}/dataset/{dataset_id}")

        assert measured[METRIC_BASE + "score"] == quality["percent"]
        for dimension in quality["dimensions"]:
            assert measured[METRIC_BASE + dimension["dimension"]] == Decimal(str(dimension["percent"]))
        for check in quality["checks"]:
            assert measured[METRIC_BASE + check["id"]] == Decimal(str(check["points"]))


@pytest.fixture
def reachable_links(catalog: Catalog) -> Iterator[str]:
    """Write link-check results marking every URL of one dataset reachable; yield that dataset's id."""
    data_dir: Path = catalog.client.app.state.settings.data_dir  # type: ignore[attr-defined]
    dataset_id = next(dataset_id for dataset_id in catalog.public_ids
                      if distribution_urls(catalog.store.get_dataset(dataset_id)))
    _save(data_dir, *distribution_urls(catalog.store.get_dataset(dataset_id)))
    yield dataset_id
    (data_dir / LINK_CHECK_FILE).unlink()


def test_link_results_reach_api_and_feed(catalog: Catalog, reachable_links: str) -> None:
    dataset_id = reachable_links

    checks = catalog.client.get(f"/api/datasets/{dataset_id}").json()["quality"]["checks"]
    measured = _measurements(_turtle(catalog, f"/dataset/{dataset_id}.ttl"), f"{BASE_URL}/dataset/{dataset_id}")

    reachable = next(check for check in checks if check["id"] == "access-url-reachable")
    assert reachable["status"] == "passed"
    assert reachable["points"] == 50
    assert measured[METRIC_BASE + "access-url-reachable"] == 50
