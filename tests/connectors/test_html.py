"""HTML connector against a loopback portal with list pages, detail pages and robots.txt."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from connectors import connector_class
from connectors.html import HtmlConnector
from harvester.errors import FetchError, PaginationError, SourceError
from tests.connectors.family_support import make_source, run_connector, server_http

# Pages written for Himpun in the style of a small regional portal's server-rendered HTML.
OPTIONS = {
    "item": "div.dataset-item",
    "detail_link": "a.judul::attr(href)",
    "next_page": "a.next::attr(href)",
    "content": "main",
    "fields": {
        "title": "h1::text",
        "description": "div.deskripsi ::text",
        "creator": "td.opd::text",
        "frequency": "td.frekuensi::text",
        "keywords": "td.tag::text",
    },
}


def _list_page(slugs: list[str], next_link: str | None) -> str:
    items = "".join(f'<div class="dataset-item"><a class="judul" href="/dataset/{slug}">{slug}</a></div>'
                    for slug in slugs)
    paging = f'<a class="next" href="{next_link}">Berikutnya</a>' if next_link else ""
    return f"<html><body><h2>Daftar Dataset</h2>{items}{paging}</body></html>"


def _detail_page(title: str) -> str:
    heading = f"<h1>{title}</h1>" if title else ""
    return (f"<html><body><nav>menu</nav><main>{heading}<div class='deskripsi'><p>Data <b>{title}</b> per kecamatan.</p></div>"
            "<table><tr><td class='opd'>Dinas Kesehatan</td><td class='frekuensi'>Tahunan</td>"
            "<td class='tag'>kesehatan, puskesmas</td></tr></table></main></body></html>")


def _serve_portal(server: HTTPServer, robots: str = "User-agent: *\nAllow: /\n") -> None:
    server.expect_request("/robots.txt").respond_with_data(robots, content_type="text/plain")
    server.expect_request("/dataset", query_string={"page": "2"}).respond_with_data(
        _list_page(["sekolah", "tanpa-judul"], "/dataset?page=3"), content_type="text/html")
    server.expect_request("/dataset", query_string={"page": "3"}).respond_with_data(
        _list_page(["rahasia"], None), content_type="text/html")
    server.expect_request("/dataset", query_string={}).respond_with_data(
        _list_page(["puskesmas", "penduduk"], "/dataset?page=2"), content_type="text/html")
    for slug, title in (("puskesmas", "Jumlah Puskesmas"), ("penduduk", "Jumlah Penduduk"),
                        ("sekolah", "Jumlah Sekolah"), ("tanpa-judul", ""), ("rahasia", "Data Rahasia")):
        server.expect_request(f"/dataset/{slug}").respond_with_data(_detail_page(title), content_type="text/html")


def _connector(server: HTTPServer, **overrides: object) -> HtmlConnector:
    return HtmlConnector(make_source("html", server.url_for("/dataset"), **{**OPTIONS, **overrides}), server_http(server))


def _paths(server: HTTPServer) -> list[str]:
    return [request.path for request, _ in server.log]


def test_registered_family() -> None:
    assert connector_class("html") is HtmlConnector


def test_three_list_pages(httpserver: HTTPServer) -> None:
    _serve_portal(httpserver)
    connector = _connector(httpserver)

    outcome = run_connector(connector)

    assert outcome.titles() == ["Data Rahasia", "Jumlah Penduduk", "Jumlah Puskesmas", "Jumlah Sekolah"]
    assert [error.remote_id for error in outcome.errors] == [httpserver.url_for("/dataset/tanpa-judul")]
    assert connector.state.complete is True
    assert connector.state.pages == 3


def test_detail_fields(httpserver: HTTPServer) -> None:
    _serve_portal(httpserver)

    record = next(record for record in run_connector(_connector(httpserver)).records if record.title == "Jumlah Puskesmas")

    assert record.description == "Data Jumlah Puskesmas per kecamatan."
    assert record.creator is not None and record.creator.original == "Dinas Kesehatan"
    assert record.frequency is not None and record.frequency.original == "Tahunan"
    assert record.keywords == ["kesehatan", "puskesmas"]
    assert record.landing_page == httpserver.url_for("/dataset/puskesmas")
    assert "menu" not in record.provenance.raw


def test_robots_disallow_honoured(httpserver: HTTPServer) -> None:
    _serve_portal(httpserver, robots="User-agent: *\nDisallow: /dataset/rahasia\n")

    outcome = run_connector(_connector(httpserver))

    assert "/dataset/rahasia" not in _paths(httpserver)
    assert "Data Rahasia" not in outcome.titles()
    assert any(error.code == "robots-disallowed" for error in outcome.errors)


def test_robots_disallowed_list_page(httpserver: HTTPServer) -> None:
    _serve_portal(httpserver, robots="User-agent: Himpun\nDisallow: /\n")
    connector = _connector(httpserver)

    with pytest.raises(SourceError) as caught:
        run_connector(connector)

    assert caught.value.code == "robots-disallowed"
    assert _paths(httpserver) == ["/robots.txt"]


def test_robots_5xx_fails_job(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("down", status=503)
    connector = _connector(httpserver)

    with pytest.raises(SourceError) as caught:
        run_connector(connector)

    assert caught.value.code == "robots-unreachable"
    assert _paths(httpserver) == ["/robots.txt"]
    assert connector.state.complete is False


def test_robots_4xx_allows(httpserver: HTTPServer) -> None:
    _serve_portal(httpserver)
    httpserver.clear()
    httpserver.expect_request("/robots.txt").respond_with_data("none", status=404)
    httpserver.expect_request("/dataset").respond_with_data(_list_page(["puskesmas"], None), content_type="text/html")
    httpserver.expect_request("/dataset/puskesmas").respond_with_data(_detail_page("Jumlah Puskesmas"),
                                                                      content_type="text/html")

    assert run_connector(_connector(httpserver)).titles() == ["Jumlah Puskesmas"]


def test_large_robots_parsed(httpserver: HTTPServer) -> None:
    filler = "".join(f"Disallow: /arsip/{number}/\n" for number in range(30_000))
    robots = "User-agent: *\n" + filler + "Disallow: /dataset/rahasia\n"
    assert len(robots) > 500 * 1024
    _serve_portal(httpserver, robots=robots)

    run_connector(_connector(httpserver))

    assert "/dataset/rahasia" not in _paths(httpserver)


def test_empty_list(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", content_type="text/plain")
    httpserver.expect_request("/dataset").respond_with_data(_list_page([], None), content_type="text/html")
    connector = _connector(httpserver)

    outcome = run_connector(connector)

    assert outcome.records == []
    assert connector.state.complete is True


def test_http_error_on_list(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", content_type="text/plain")
    httpserver.expect_request("/dataset").respond_with_data("error", status=500)

    with pytest.raises(FetchError):
        run_connector(_connector(httpserver))


def test_next_link_cycle(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", content_type="text/plain")
    httpserver.expect_request("/dataset").respond_with_data(_list_page([], "/dataset"), content_type="text/html")

    with pytest.raises(PaginationError):
        run_connector(_connector(httpserver, detail_link=None))
