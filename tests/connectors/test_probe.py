"""Probing names the right family for each loopback portal shape."""

from __future__ import annotations

import json

import pytest
import yaml
from pytest_httpserver import HTTPServer

from connectors.probe import probe
from harvester.sources import parse_sources
from tests.conftest import FIXTURES
from tests.connectors.family_support import server_http


def _json_file(folder: str, name: str) -> object:
    return json.loads((FIXTURES / folder / name).read_text())


def _ckan(server: HTTPServer) -> None:
    server.expect_request("/api/3/action/status_show").respond_with_json(
        {"success": True, "result": {"ckan_version": "2.9.11", "site_title": "Satu Data"}})


def _datagoid(server: HTTPServer) -> None:
    server.expect_request("/api/proxy", method="POST").respond_with_json(
        {"status": "200 OK", "message": "Sucess", "result": {"count": 0, "results": []}})


def _data_json(server: HTTPServer) -> None:
    server.expect_request("/data.json").respond_with_json({"conformsTo": "https://project-open-data.cio.gov/v1.1/schema", "dataset": []})


def _dcat_rdf(server: HTTPServer) -> None:
    server.expect_request("/catalog.ttl").respond_with_data(
        (FIXTURES / "dcat_rdf" / "page3.ttl").read_bytes(), content_type="text/turtle")


def _csw(server: HTTPServer) -> None:
    capabilities = ('<?xml version="1.0"?><csw:Capabilities xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" '
                    'version="2.0.2"/>')
    server.expect_request("/csw").respond_with_data(capabilities, content_type="application/xml")


def _jabar(server: HTTPServer) -> None:
    server.expect_request("/dataset/list").respond_with_json(_json_file("declarative", "jabar_list_skip0.json"))


def _garut(server: HTTPServer) -> None:
    server.expect_request("/api/datasets").respond_with_json(_json_file("declarative", "garut_page1.json"))


def _trenggalek(server: HTTPServer) -> None:
    server.expect_request("/json/1").respond_with_json(
        _json_file("declarative", "satudata_trenggalekkab_json_vertikal_kecamatan_response.json"))


def _html(server: HTTPServer) -> None:
    server.expect_request("/").respond_with_data("<!doctype html><html><body>Portal</body></html>",
                                                 content_type="text/html")


@pytest.mark.parametrize(("serve", "family", "preset"), [
    (_ckan, "ckan", None),
    (_datagoid, "datagoid", None),
    (_data_json, "dcat-us", None),
    (_dcat_rdf, "dcat-rdf", None),
    (_csw, "csw", None),
    (_jabar, "json-api", "opendatajabar-dataset-list"),
    (_garut, "json-api", "garut-laravel"),
    (_trenggalek, "json-api", "trenggalek"),
    (_html, "html", None),
])
def test_probe_names_family(httpserver: HTTPServer, serve, family: str, preset: str | None) -> None:
    serve(httpserver)

    result = probe(httpserver.url_for("/"), server_http(httpserver))

    assert result.family == family
    sources = parse_sources(result.suggested_source_yaml)
    assert sources[0].family == family
    assert sources[0].options.get("preset") == preset


def test_probe_unknown_portal(httpserver: HTTPServer) -> None:
    result = probe(httpserver.url_for("/"), server_http(httpserver))

    assert result.family is None
    assert result.confidence == 0.0
    assert result.evidence
    assert yaml.safe_load(result.suggested_source_yaml or "{}") in ({}, None)
