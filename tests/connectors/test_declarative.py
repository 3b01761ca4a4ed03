"""Declarative JSON-API connector with the shipped presets against loopback servers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from connectors import connector_class
from connectors.declarative import DeclarativeConnector
from connectors.declarative_config import PRESET_DIR, load_description
from connectors.declarative_fields import apply_transforms
from harvester.errors import ConfigError, FetchError, PaginationError, RemoteError
from tests.conftest import FIXTURES
from tests.connectors.family_support import make_source, run_connector, server_http

DECLARATIVE_FIXTURES = FIXTURES / "declarative"


def _load(name: str) -> Any:
    return json.loads((DECLARATIVE_FIXTURES / name).read_text())


def _connector(server: HTTPServer, **options: Any) -> DeclarativeConnector:
    return DeclarativeConnector(make_source("json-api", server.url_for("/"), **options), server_http(server))


def _serve_by_param(server: HTTPServer, path: str, param: str, bodies: dict[str, Any]) -> list[str]:
    requested: list[str] = []

    def respond(request: Request) -> Response:
        value = request.args.get(param, "")
        requested.append(value)
        body = bodies.get(value)
        if body is None:
            return Response("not found", status=404)
        if isinstance(body, int):
            return Response("error", status=body)
        return Response(json.dumps(body), content_type="application/json")

    server.expect_request(path).respond_with_handler(respond)
    return requested


def test_registered_family() -> None:
    assert connector_class("json-api") is DeclarativeConnector


@pytest.mark.parametrize("preset", sorted(path.stem for path in PRESET_DIR.glob("*.yaml")))
def test_shipped_presets_valid(preset: str) -> None:
    description = load_description(preset, {})

    assert description.fields["remote_id"]
    assert description.fields["title"]


def test_unknown_preset_rejected() -> None:
    with pytest.raises(ConfigError):
        load_description("no-such-portal", {})


def test_garut_three_pages(httpserver: HTTPServer) -> None:
    requested = _serve_by_param(httpserver, "/api/datasets", "page",
                                {str(page): _load(f"garut_page{page}.json") for page in (1, 2, 3)})
    connector = _connector(httpserver, preset="garut-laravel")

    outcome = run_connector(connector)

    assert requested == ["1", "2", "3"]
    assert len(outcome.records) == 10
    assert outcome.errors == []
    assert connector.state.complete is True


def test_garut_record_fields(httpserver: HTTPServer) -> None:
    _serve_by_param(httpserver, "/api/datasets", "page", {str(page): _load(f"garut_page{page}.json") for page in (1, 2, 3)})

    records = {record.provenance.remote_id: record for record in run_connector(_connector(httpserver, preset="garut-laravel")).records}
    record = records["6d965c40-cb90-4f50-8fe1-6c597129c589"]

    assert record.title == "Persentase Sekolah Dasar (SD) Berakreditasi Minimal B"
    assert record.description is not None
    assert record.description.startswith("Dataset ini berisi Data Persentase Sekolah Dasar")
    assert "<" not in record.description
    assert record.creator is not None and record.creator.original == "Dinas Pendidikan"
    assert record.themes[0].original == "Pendidikan"
    assert record.frequency is not None and record.frequency.original == "Tahunan"
    assert record.access.original == "Public"
    assert record.extras["date_upload"] == "4 jam yang lalu"
    assert record.extras["range_years"] == "2024-2024"
    assert record.modified is not None and record.modified.year == 2025


def test_garut_next_url_scheme(httpserver: HTTPServer) -> None:
    _serve_by_param(httpserver, "/api/datasets", "page", {str(page): _load(f"garut_page{page}.json") for page in (1, 2, 3)})
    listing = {"paging": {"scheme": "next_url", "next_url": "datasets.next_page_url"}, "params": {"page": "1"}}

    outcome = run_connector(_connector(httpserver, preset="garut-laravel", listing=listing))

    assert len(outcome.records) == 10


def test_trenggalek_detail_and_titles(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/discovered_datasets.json").respond_with_json(_load("trenggalek_discovered.json"))
    envelope = _load("satudata_trenggalekkab_json_vertikal_kecamatan_response.json")
    for dataset_id in (3, 5, 6, 7, 388):
        httpserver.expect_request(f"/json/{dataset_id}").respond_with_json(envelope)
    httpserver.expect_request("/json/55").respond_with_json({"status": "Error", "pesan": "Data tidak ditemukan"})
    connector = _connector(httpserver, preset="trenggalek")

    outcome = run_connector(connector)
    records = {record.provenance.remote_id: record for record in outcome.records}

    assert records["3"].title == "DATA LUAS BUDIDAYA KOLAM, TAMBAK, DAN LAUT (M2)"
    assert records["388"].title == "10 BESAR PENYAKIT"
    assert records["3"].extras["row_count"] == 14
    assert records["3"].landing_page == httpserver.url_for("/data/3")
    assert records["3"].distributions[0].access_url == httpserver.url_for("/json/3")
    assert [error.remote_id for error in outcome.errors] == ["55"]
    assert connector.state.complete is True


def test_number_prefix_stripped() -> None:
    assert apply_transforms("399. DATA PENDUDUK", ["strip_number_prefix"]) == "DATA PENDUDUK"
    assert apply_transforms("10 BESAR PENYAKIT", ["strip_number_prefix"]) == "10 BESAR PENYAKIT"


def test_jabar_offset_paging(httpserver: HTTPServer) -> None:
    requested = _serve_by_param(httpserver, "/dataset/list", "skip",
                                {str(skip): _load(f"jabar_list_skip{skip}.json") for skip in (0, 2, 4)})
    connector = _connector(httpserver, preset="opendatajabar-dataset-list", listing={"paging": {"limit": 2}})

    outcome = run_connector(connector)
    records = {record.provenance.remote_id: record for record in outcome.records}

    assert requested == ["0", "2", "4"]
    assert sorted(records) == ["15001", "17002", "17003", "20489"]
    assert [error.remote_id for error in outcome.errors] == ["3301"]
    risiko = records["20489"]
    assert risiko.themes[0].original == "LINGKUNGAN HIDUP"
    assert risiko.creator is not None and risiko.creator.original == "INSTANSI VERTIKAL DAN KEMENTERIAN"
    assert risiko.extras["satuan"] == "Poin"
    assert risiko.distributions[0].access_url == httpserver.url_for("/bigdata/bpbd/od_20489_indeks_risiko_bencana_berdasarkan_kabupatenkota")
    assert records["17002"].extras["modified_original"] == "-"


def test_empty_listing(httpserver: HTTPServer) -> None:
    empty = {"message": "Data retrieved successfully", "error": 0, "data": [], "meta": {"skip": 0, "limit": 100, "total_record": 0}}
    _serve_by_param(httpserver, "/dataset/list", "skip", {"0": empty})
    connector = _connector(httpserver, preset="opendatajabar-dataset-list")

    outcome = run_connector(connector)

    assert outcome.records == []
    assert connector.state.complete is True


def test_http_error_fails_listing(httpserver: HTTPServer) -> None:
    _serve_by_param(httpserver, "/api/datasets", "page", {"1": _load("garut_page1.json"), "2": 500})
    connector = _connector(httpserver, preset="garut-laravel")

    with pytest.raises(FetchError):
        run_connector(connector)

    assert connector.state.complete is False


def test_error_envelope_in_http_200(httpserver: HTTPServer) -> None:
    failure = {"message": "Gagal mengambil data", "error": 1, "data": []}
    _serve_by_param(httpserver, "/dataset/list", "skip", {"0": failure})

    with pytest.raises(RemoteError) as caught:
        run_connector(_connector(httpserver, preset="opendatajabar-dataset-list"))

    assert "Gagal mengambil data" in str(caught.value)


def test_repeated_page_detected(httpserver: HTTPServer) -> None:
    page = _load("garut_page1.json")
    page["datasets"]["last_page"] = 50
    _serve_by_param(httpserver, "/api/datasets", "page", {str(number): page for number in range(1, 51)})
    connector = _connector(httpserver, preset="garut-laravel")

    with pytest.raises(PaginationError):
        run_connector(connector)

    assert connector.state.complete is False


def test_recorded_bigdata_page_inline(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/bigdata/bpbd/banjir_kab").respond_with_json(_load("opendatajabar_bigdata_banjir_kab_page_skip_0.json"))
    options = {
        "listing": {"path": "/bigdata/bpbd/banjir_kab", "items": "data"},
        "error": [{"when": "error != `0`", "message": "message"}],
        "fields": {"remote_id": "to_string(id)", "title": "join(' ', [nama_kabupaten_kota, to_string(tahun)])",
                   "region": "to_string(kode_kabupaten_kota)"},
    }

    outcome = run_connector(_connector(httpserver, **options))

    assert len(outcome.records) == 100
    assert outcome.records[0].title == "KABUPATEN BOGOR 2012"
    assert outcome.records[0].spatial_text == "3201"
