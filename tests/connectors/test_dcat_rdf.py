"""DCAT RDF connector against loopback catalogs in Turtle, RDF/XML and JSON-LD."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from connectors import connector_class
from connectors.dcat_rdf import DcatRdfConnector
from harvester.errors import FetchError, PaginationError, SourceError
from tests.conftest import FIXTURES, REPOSITORY_ROOT
from tests.connectors.family_support import make_source, run_connector, server_http

DCAT_FIXTURES = FIXTURES / "dcat_rdf"
TURTLE = "text/turtle"


def _serve(server: HTTPServer, path: str, fixture: str, content_type: str = TURTLE, **query: str) -> None:
    body = (DCAT_FIXTURES / fixture).read_bytes()
    server.expect_request(path, query_string=query).respond_with_data(body, content_type=content_type)


def _connector(server: HTTPServer, path: str, *, since: dt.datetime | None = None, **options: object) -> DcatRdfConnector:
    source = make_source("dcat-rdf", server.url_for(path), **options)
    return DcatRdfConnector(source, server_http(server), since=since)


def _serve_three_pages(server: HTTPServer) -> None:
    _serve(server, "/catalog.ttl", "page1.ttl")
    _serve(server, "/catalog.ttl", "page2.ttl", page="2")
    _serve(server, "/catalog.ttl", "page3.ttl", page="3")


def test_registered_family() -> None:
    assert connector_class("dcat-rdf") is DcatRdfConnector


def test_turtle_three_pages(httpserver: HTTPServer) -> None:
    # The fixtures name http://portal.test/ as their own address; hydra:next is relative.
    _serve_three_pages(httpserver)
    connector = _connector(httpserver, "/catalog.ttl")

    outcome = run_connector(connector)

    assert outcome.titles() == [
        "Daftar Puskesmas di Kabupaten Pesawaran",
        "Jumlah Penduduk Menurut Kecamatan di Kabupaten Pesawaran Tahun 2023",
        "Jumlah Sekolah Dasar",
        "Luas Panen Padi Tahun 2022",
    ]
    assert [error.remote_id for error in outcome.errors] == ["tanpa-judul"]
    assert connector.state.complete is True
    assert connector.state.pages == 3


def test_turtle_record_fields(httpserver: HTTPServer) -> None:
    _serve_three_pages(httpserver)

    records = {record.provenance.remote_id: record for record in run_connector(_connector(httpserver, "/catalog.ttl")).records}
    penduduk = records["jumlah-penduduk-2023"]

    assert penduduk.publisher is not None
    assert penduduk.publisher.original == "Dinas Komunikasi dan Informatika Kabupaten Pesawaran"
    assert penduduk.creator is not None and penduduk.creator.original == "Disdukcapil"
    assert penduduk.contact_point is not None
    assert penduduk.contact_point.email == "diskominfo@pesawarankab.go.id"
    assert penduduk.keywords == ["kependudukan", "penduduk"]
    assert penduduk.extras["keyword_translations"] == {"en": ["population"]}
    assert penduduk.extras["title_translations"] == {"en": "Population by District in Pesawaran Regency 2023"}
    assert penduduk.temporal is not None and penduduk.temporal.start == dt.date(2023, 1, 1)
    assert penduduk.frequency is not None
    assert penduduk.frequency.uri == "http://publications.europa.eu/resource/authority/frequency/ANNUAL"
    assert penduduk.licence is not None and penduduk.licence.uri == "https://creativecommons.org/licenses/by/4.0/"
    assert penduduk.modified == dt.datetime(2024, 3, 5, 3, 15, tzinfo=dt.timezone.utc)
    assert penduduk.distributions[0].download_url == "http://portal.test/files/penduduk-2023.csv"
    assert penduduk.distributions[0].format is not None
    assert penduduk.distributions[0].format.media_type == "text/csv"
    assert penduduk.distributions[0].byte_size == 2048
    assert penduduk.provenance.raw_format == "text"

    padi = records["luas-panen-padi-2022"]
    assert padi.modified is None
    assert padi.extras["modified_original"] == "-"
    assert padi.distributions[0].format is not None and padi.distributions[0].format.original == "xlxs"

    puskesmas = records["puskesmas"]
    assert puskesmas.title == "Daftar Puskesmas di Kabupaten Pesawaran"
    assert puskesmas.extras["title_translations"] == {"en": "Daftar Puskesmas", "fr": "Liste"}


def test_blank_node_hash_is_stable(httpserver: HTTPServer) -> None:
    _serve_three_pages(httpserver)

    first = {remote.remote_id: remote.content_hash() for remote in _connector(httpserver, "/catalog.ttl").list_records()}
    second = {remote.remote_id: remote.content_hash() for remote in _connector(httpserver, "/catalog.ttl").list_records()}

    assert first == second
    assert len(first) == 5


def test_rdf_xml_paged_collection(httpserver: HTTPServer) -> None:
    _serve(httpserver, "/catalog.xml", "catalog.rdf", content_type="application/rdf+xml")

    outcome = run_connector(_connector(httpserver, "/catalog.xml"))

    assert outcome.titles() == ["Realisasi APBD 2024"]
    record = outcome.records[0]
    assert record.publisher is not None and record.publisher.original == "BPKAD"
    assert record.distributions[0].format is not None and record.distributions[0].format.original == "PDF"


def test_jsonld_bundled_context(httpserver: HTTPServer) -> None:
    _serve(httpserver, "/catalog.jsonld", "catalog.jsonld", content_type="application/ld+json")

    outcome = run_connector(_connector(httpserver, "/catalog.jsonld"))

    assert outcome.titles() == ["Curah Hujan Bulanan"]
    assert outcome.records[0].keywords == ["cuaca", "iklim"]


def test_empty_catalog_completes(httpserver: HTTPServer) -> None:
    _serve(httpserver, "/catalog.ttl", "empty.ttl")
    connector = _connector(httpserver, "/catalog.ttl")

    outcome = run_connector(connector)

    assert outcome.records == []
    assert outcome.errors == []
    assert connector.state.complete is True


def test_http_error_fails_listing(httpserver: HTTPServer) -> None:
    _serve(httpserver, "/catalog.ttl", "page1.ttl")
    httpserver.expect_request("/catalog.ttl", query_string={"page": "2"}).respond_with_data("boom", status=500)
    connector = _connector(httpserver, "/catalog.ttl")

    with pytest.raises(FetchError):
        run_connector(connector)

    assert connector.state.complete is False


def test_next_link_cycle_detected(httpserver: HTTPServer) -> None:
    loop = (
        b"@prefix hydra: <http://www.w3.org/ns/hydra/core#> .\n"
        b"<http://portal.test/catalog.ttl> hydra:next <catalog.ttl?page=2> .\n"
    )
    back = (
        b"@prefix hydra: <http://www.w3.org/ns/hydra/core#> .\n"
        b"<http://portal.test/catalog.ttl?page=2> hydra:next <catalog.ttl> .\n"
    )
    httpserver.expect_request("/catalog.ttl", query_string={"page": "2"}).respond_with_data(back, content_type=TURTLE)
    httpserver.expect_request("/catalog.ttl", query_string={}).respond_with_data(loop, content_type=TURTLE)
    connector = _connector(httpserver, "/catalog.ttl")

    with pytest.raises(PaginationError) as caught:
        run_connector(connector)

    assert caught.value.code == "pagination-loop"
    assert connector.state.complete is False


def test_page_cap_stops_run(httpserver: HTTPServer) -> None:
    _serve_three_pages(httpserver)
    connector = _connector(httpserver, "/catalog.ttl", max_pages=2)

    with pytest.raises(PaginationError) as caught:
        run_connector(connector)

    assert caught.value.code == "max-pages"


def test_next_link_to_other_port_blocked(httpserver: HTTPServer) -> None:
    internal = HTTPServer(host="127.0.0.1", port=0)
    internal.start()
    try:
        internal.expect_request("/secret").respond_with_data("internal", content_type=TURTLE)
        page = (
            "@prefix hydra: <http://www.w3.org/ns/hydra/core#> .\n"
            f"<http://portal.test/catalog.ttl> hydra:next <{internal.url_for('/secret')}> .\n"
        ).encode()
        httpserver.expect_request("/catalog.ttl").respond_with_data(page, content_type=TURTLE)
        connector = _connector(httpserver, "/catalog.ttl")

        with pytest.raises(FetchError) as caught:
            run_connector(connector)

        assert caught.value.code == "blocked-address"
        assert len(internal.log) == 0
        assert connector.state.complete is False
    finally:
        internal.stop()


def test_modified_since_parameter(httpserver: HTTPServer) -> None:
    since = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    _serve(httpserver, "/catalog.ttl", "empty.ttl", modified_since=since.isoformat())
    connector = _connector(httpserver, "/catalog.ttl", since=since)

    run_connector(connector)

    assert connector.state.incremental is True
    assert connector.state.complete is True


def billion_laughs() -> bytes:
    """Return an RDF/XML document under 1 KiB whose title expands to 10^8 copies of "ha"."""
    levels = "".join(
        f'<!ENTITY l{level} "{f"&l{level - 1};" * 10}">' for level in range(1, 9)
    )
    return (
        '<?xml version="1.0"?><!DOCTYPE rdf:RDF [<!ENTITY l0 "ha">' + levels + "]>"
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:dct="http://purl.org/dc/terms/"><rdf:Description rdf:about="http://x.test/d">'
        "<dct:title>&l8;</dct:title></rdf:Description></rdf:RDF>"
    ).encode()


def test_billion_laughs_rejected_fast(httpserver: HTTPServer) -> None:
    bomb = billion_laughs()
    assert len(bomb) < 1024
    httpserver.expect_request("/catalog.xml").respond_with_data(bomb, content_type="application/rdf+xml")

    started = time.monotonic()
    with pytest.raises(SourceError) as caught:
        run_connector(_connector(httpserver, "/catalog.xml"))

    assert caught.value.code == "dtd-forbidden"
    assert time.monotonic() - started < 1.0


# Harvests the bomb in a fresh interpreter, so its peak RSS (VmHWM) is not the test process's.
BOMB_CHILD = textwrap.dedent("""
    import sys
    from connectors.dcat_rdf import DcatRdfConnector
    from harvester.errors import SourceError
    from harvester.http import HttpClient, HttpPolicy
    from harvester.settings import Settings
    from tests.connectors.family_support import make_source, run_connector
    from tests.reliability.harness import memory_kib

    policy = HttpPolicy(allowlist=("127.0.0.1/32",), min_delay_per_host=0.0, max_retries=0)
    with HttpClient(Settings(), policy=policy) as http:
        before = memory_kib("VmRSS")
        try:
            run_connector(DcatRdfConnector(make_source("dcat-rdf", sys.argv[1]), http))
            print("parsed")
        except SourceError as error:
            print(error.code)
    print(before, memory_kib("VmHWM"))
""")


def test_billion_laughs_memory_bounded(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/catalog.xml").respond_with_data(billion_laughs(), content_type="application/rdf+xml")

    child = subprocess.run([sys.executable, "-c", BOMB_CHILD, httpserver.url_for("/catalog.xml")],
                           cwd=REPOSITORY_ROOT, capture_output=True, text=True, timeout=60)

    assert child.returncode == 0, child.stderr
    code, figures = child.stdout.split("\n")[:2]
    before, peak = (int(value) for value in figures.split())
    assert code == "dtd-forbidden"
    assert peak - before < 50 * 1024, f"peak memory grew by {(peak - before) // 1024} MiB"


def test_external_entity_rejected(httpserver: HTTPServer, tmp_path: Path) -> None:
    canary = tmp_path / "canary.txt"
    canary.write_text("CANARY-DCAT-7731")
    document = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY leak SYSTEM "file://{canary}">]>'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dct="http://purl.org/dc/terms/">'
        '<dcat:Dataset rdf:about="http://x.test/d"><dct:title>&leak;</dct:title></dcat:Dataset></rdf:RDF>'
    ).encode()
    httpserver.expect_request("/catalog.xml").respond_with_data(document, content_type="application/rdf+xml")

    with pytest.raises(SourceError) as caught:
        run_connector(_connector(httpserver, "/catalog.xml"))

    assert caught.value.code == "dtd-forbidden"
    assert "CANARY" not in str(caught.value)


def test_remote_jsonld_context_never_fetched(httpserver: HTTPServer) -> None:
    canary = HTTPServer(host="127.0.0.1", port=0)
    canary.start()
    hits: list[str] = []

    def count(request: Request) -> Response:
        hits.append(request.path)
        return Response('{"@context": {"title": "http://purl.org/dc/terms/title"}}',
                        content_type="application/ld+json")

    try:
        canary.expect_request("/ctx").respond_with_handler(count)
        document = (
            '{"@context": "' + canary.url_for("/ctx") + '", '
            '"@id": "http://portal.test/d", "@type": "http://www.w3.org/ns/dcat#Dataset", "title": "x"}'
        ).encode()
        httpserver.expect_request("/catalog.jsonld").respond_with_data(document, content_type="application/ld+json")

        with pytest.raises(SourceError) as caught:
            run_connector(_connector(httpserver, "/catalog.jsonld"))

        assert caught.value.code == "remote-context-blocked"
        assert hits == []
    finally:
        canary.stop()
