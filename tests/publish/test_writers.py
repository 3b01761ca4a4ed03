"""Every writer's output parses with rdflib into the same graph as the reference."""

from __future__ import annotations

import json

import pytest
from rdflib import RDF, Namespace
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from harvester.quality.checks import CHECKS
from publish.dcat.profile import DcatApProfile, SeriesInfo
from publish.dcat.terms import NAMESPACES, Resource
from publish.dcat.writers import FORMATS, jsonld_context, writer_for
from tests.publish.rdf_reference import parse, reference_graph
from tests.publish.samples import aceh_datasets, ckan_datasets, edge_case_dataset

BASE = "http://127.0.0.1:8000"
DQV = Namespace("http://www.w3.org/ns/dqv#")


def _document(format_name: str, resources: list[Resource]) -> str:
    writer = writer_for(format_name)
    return writer.start() + "".join(writer.resource(r) for r in resources) + writer.end()


def _describe_difference(expected, actual) -> str:
    _, only_expected, only_actual = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
    missing = sorted(str(t) for t in only_expected)[:5]
    extra = sorted(str(t) for t in only_actual)[:5]
    return f"missing {missing} extra {extra}"


def _sample_resources() -> list[Resource]:
    profile = DcatApProfile(BASE, series_lookup=lambda series_id: SeriesInfo(series_id, "Seri \"uji\"", "Satu seri"))
    datasets = aceh_datasets()[:20] + ckan_datasets() + [edge_case_dataset()]
    resources: list[Resource] = [profile.catalog([d.id for d in datasets])]
    resources += [profile.dataset(d) for d in datasets]
    return resources


@pytest.mark.parametrize("format_name", sorted(FORMATS))
def test_writer_round_trip_matches_reference(format_name: str) -> None:
    resources = _sample_resources()
    expected = reference_graph(resources)

    actual = parse(_document(format_name, resources), format_name)

    assert len(actual) == len(expected)
    assert isomorphic(actual, expected), _describe_difference(expected, actual)


@pytest.mark.parametrize("format_name", sorted(FORMATS))
def test_writer_round_trip_edge_case_alone(format_name: str) -> None:
    resource = DcatApProfile(BASE).dataset(edge_case_dataset())
    expected = reference_graph([resource])

    actual = parse(_document(format_name, [resource]), format_name)

    assert isomorphic(actual, expected), _describe_difference(expected, actual)


@pytest.mark.parametrize("format_name", sorted(FORMATS))
def test_writer_round_trip_quality_measurements(format_name: str) -> None:
    profile = DcatApProfile(BASE, check_measurements=True)
    datasets = aceh_datasets()[:5] + [edge_case_dataset()]
    resources = [profile.dataset(d) for d in datasets]
    expected = reference_graph(resources)

    actual = parse(_document(format_name, resources), format_name)

    measurements = set(actual.subjects(RDF.type, DQV.QualityMeasurement))
    # The score, six dimensions and one measurement per check, for every dataset.
    assert len(measurements) == len(datasets) * (1 + 6 + len(CHECKS))
    assert len(set(actual.subject_objects(DQV.hasQualityMeasurement))) == len(measurements)
    assert isomorphic(actual, expected), _describe_difference(expected, actual)


def test_writers_empty_document_parses() -> None:
    for format_name in FORMATS:
        assert len(parse(_document(format_name, []), format_name)) == 0


def test_ntriples_blank_labels_unique_across_resources() -> None:
    profile = DcatApProfile(BASE)
    resources = [profile.dataset(d) for d in aceh_datasets()[:3]]
    text = _document("ntriples", resources)

    graph = parse(text, "ntriples")

    assert isomorphic(graph, reference_graph(resources))


def test_jsonld_context_matches_namespaces() -> None:
    assert jsonld_context() == NAMESPACES


def test_jsonld_output_is_valid_json() -> None:
    resources = _sample_resources()
    document = json.loads(_document("jsonld", resources))
    assert document["@context"] == NAMESPACES
    assert len(document["@graph"]) == len(resources)
