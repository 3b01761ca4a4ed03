"""CSW connector against a loopback catalogue serving ISO 19139 GetRecords pages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from connectors import connector_class
from connectors.csw import CswConnector
from harvester.errors import FetchError, PaginationError, RemoteError, SourceError
from tests.conftest import FIXTURES
from tests.connectors.family_support import make_source, run_connector, server_http

CSW_FIXTURES = FIXTURES / "csw"


def _serve_pages(server: HTTPServer, pages: dict[str, str]) -> list[str]:
    """Serve one fixture per startPosition; return the startPositions requested."""
    requested: list[str] = []

    def respond(request: Request) -> Response:
        start = request.args.get("startPosition", "")
        requested.append(start)
        assert request.args.get("outputSchema") == "http://www.isotc211.org/2005/gmd"
        if start not in pages:
            return Response("not found", status=404)
        body = pages[start]
        if body.startswith("status:"):
            return Response("server error", status=int(body.split(":")[1]))
        return Response((CSW_FIXTURES / body).read_bytes(), content_type="application/xml")

    server.expect_request("/csw").respond_with_handler(respond)
    return requested


def _connector(server: HTTPServer, **options: object) -> CswConnector:
    return CswConnector(make_source("csw", server.url_for("/csw"), page_size=2, **options), server_http(server))


def test_registered_family() -> None:
    assert connector_class("csw") is CswConnector


def test_three_pages(httpserver: HTTPServer) -> None:
    requested = _serve_pages(httpserver, {"1": "page1.xml", "3": "page2.xml", "5": "page3.xml"})
    connector = _connector(httpserver)

    outcome = run_connector(connector)

    assert requested == ["1", "3", "5"]
    assert outcome.titles() == [
        "Batas Desa Provinsi Lampung",
        "Jaringan Jalan Kabupaten Pesawaran",
        "Kawasan Hutan Provinsi Lampung 2022",
        "Tutupan Lahan 2021",
    ]
    assert [error.remote_id for error in outcome.errors] == ["tanpa_judul"]
    assert connector.state.complete is True
    assert connector.state.reported_total == 5


def test_iso_record_fields(httpserver: HTTPServer) -> None:
    _serve_pages(httpserver, {"1": "page1.xml", "3": "page2.xml", "5": "page3.xml"})

    records = {record.provenance.remote_id: record for record in run_connector(_connector(httpserver)).records}
    hutan = records["kawasan_hutan_lampung_2022"]

    assert hutan.description == "Batas kawasan hutan Provinsi Lampung skala 1:250.000."
    assert hutan.keywords == ["kehutanan", "kawasan hutan", "Lingkungan Hidup"]
    assert hutan.publisher is not None
    assert hutan.publisher.original == "Badan Perencanaan Pembangunan Daerah Provinsi Lampung"
    assert hutan.creator is not None and hutan.creator.original == "Dinas Kehutanan Provinsi Lampung"
    assert hutan.contact_point is not None and hutan.contact_point.email == "geoportal@lampungprov.go.id"
    assert hutan.issued == dt.datetime(2023, 6, 1, tzinfo=dt.timezone.utc)
    assert hutan.modified == dt.datetime(2025, 3, 10, 9, 30, tzinfo=dt.timezone.utc)
    assert hutan.frequency is not None and hutan.frequency.original == "annually"
    assert hutan.licence is not None and hutan.licence.original == "Creative Commons Attribution 4.0 (CC BY 4.0)"
    assert hutan.access.original == "otherRestrictions"
    assert hutan.temporal is not None and hutan.temporal.start == dt.date(2022, 1, 1)
    assert hutan.extras["bounding_box"]["westBoundLongitude"] == pytest.approx(103.5958)
    assert hutan.extras["metadata_language"] == "ind"
    assert hutan.landing_page == "http://geoportal.test/layers/geonode:kawasan_hutan_lampung_2022"
    assert hutan.provenance.raw_format == "xml"


def test_online_resources_become_distributions(httpserver: HTTPServer) -> None:
    _serve_pages(httpserver, {"1": "page1.xml", "3": "page2.xml", "5": "page3.xml"})

    records = {record.provenance.remote_id: record for record in run_connector(_connector(httpserver)).records}
    distributions = records["kawasan_hutan_lampung_2022"].distributions
    formats = [dist.format.original for dist in distributions if dist.format is not None]

    assert formats == ["WMS", "WFS", "ESRI Shapefile"]
    assert distributions[2].download_url == "http://geoportal.test/download/kawasan_hutan_lampung_2022.zip"


def test_personal_names_not_copied(httpserver: HTTPServer) -> None:
    _serve_pages(httpserver, {"1": "page1.xml", "3": "page2.xml", "5": "page3.xml"})

    records = run_connector(_connector(httpserver)).records

    for record in records:
        assert "Budi Santoso" not in record.model_dump_json(exclude={"provenance"})


def test_empty_catalogue(httpserver: HTTPServer) -> None:
    _serve_pages(httpserver, {"1": "empty.xml"})
    connector = _connector(httpserver)

    outcome = run_connector(connector)

    assert outcome.records == []
    assert connector.state.complete is True
    assert connector.state.reported_total == 0


def test_http_error_on_page_two(httpserver: HTTPServer) -> None:
    _serve_pages(httpserver, {"1": "page1.xml", "3": "status:503"})
    connector = _connector(httpserver)

    with pytest.raises(FetchError):
        run_connector(connector)

    assert connector.state.complete is False


def test_exception_report_is_remote_error(httpserver: HTTPServer) -> None:
    _serve_pages(httpserver, {"1": "exception.xml"})

    with pytest.raises(RemoteError) as caught:
        run_connector(_connector(httpserver))

    assert "Invalid outputschema parameter" in str(caught.value)


def test_next_record_not_advancing(httpserver: HTTPServer) -> None:
    _serve_pages(httpserver, {"1": "stuck.xml"})
    connector = _connector(httpserver)

    with pytest.raises(PaginationError) as caught:
        run_connector(connector)

    assert caught.value.code == "pagination-loop"
    assert connector.state.complete is False


def test_next_record_past_total(httpserver: HTTPServer) -> None:
    _serve_pages(httpserver, {"1": "past_total.xml"})
    connector = _connector(httpserver)

    with pytest.raises(PaginationError):
        run_connector(connector)

    assert connector.state.complete is False


@pytest.mark.parametrize("declaration", [
    '<!DOCTYPE r [<!ENTITY leak SYSTEM "file://{canary}">]>',
    '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    '<!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd">',
])
def test_xxe_rejected_at_gate(httpserver: HTTPServer, tmp_path: Path, declaration: str) -> None:
    canary = tmp_path / "canary.txt"
    canary.write_text("CANARY-CSW-5521")
    page = (CSW_FIXTURES / "page3.xml").read_text()
    hostile = page.replace("?>", "?>" + declaration.format(canary=canary), 1).replace(
        "Batas Desa Provinsi Lampung", "&leak;", 1)
    httpserver.expect_request("/csw").respond_with_data(hostile.encode(), content_type="application/xml")

    with pytest.raises(SourceError) as caught:
        run_connector(_connector(httpserver))

    assert caught.value.code == "dtd-forbidden"
    assert "CANARY" not in str(caught.value)


def test_incremental_asks_for_modified_only(httpserver: HTTPServer) -> None:
    constraints: list[str | None] = []

    def respond(request: Request) -> Response:
        constraints.append(request.args.get("constraint"))
        assert request.args.get("constraintLanguage") == "CQL_TEXT"
        return Response((CSW_FIXTURES / "empty.xml").read_bytes(), content_type="application/xml")

    httpserver.expect_request("/csw").respond_with_handler(respond)
    since = dt.datetime(2026, 11, 30, 6, 0, tzinfo=dt.UTC)
    connector = CswConnector(make_source("csw", httpserver.url_for("/csw"), page_size=2), server_http(httpserver),
                             since=since)

    run_connector(connector)

    assert constraints == ["Modified >= '2026-11-30T06:00:00Z'"]
    assert connector.state.incremental is True
