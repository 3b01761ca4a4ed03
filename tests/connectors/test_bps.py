"""BPS WebAPI connector against a loopback server replaying recorded and written replies."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from connectors import connector_class
from connectors.bps import BpsConnector, code_to_year, parse_list_reply, year_to_code
from harvester.errors import ConfigError, FetchError, RemoteError
from tests.conftest import FIXTURES
from tests.connectors.family_support import make_source, run_connector, server_http

BPS_FIXTURES = FIXTURES / "bps"
SECRET_KEY = "bps-secret-key-0f9c2e"


def _load(name: str) -> Any:
    return json.loads((BPS_FIXTURES / name).read_text())


def _recorded_error(name: str) -> dict[str, Any]:
    return next(entry["body"] for entry in _load("bps_webapi_error_fixtures.json") if entry["name"] == name)


def _serve(server: HTTPServer, replies: dict[tuple[str, str], Any]) -> list[dict[str, str]]:
    """Serve list replies keyed by (model, page); return every request's query."""
    seen: list[dict[str, str]] = []

    def respond(request: Request) -> Response:
        query = dict(request.args)
        seen.append(query)
        reply = replies.get((query.get("model", ""), query.get("page", "")))
        if reply is None:
            return Response("not found", status=404)
        if isinstance(reply, int):
            return Response(f"error {reply} for key {query.get('key')}", status=reply)
        return Response(json.dumps(reply), content_type="application/json")

    server.expect_request("/v1/api/list").respond_with_handler(respond)
    return seen


def _connector(server: HTTPServer, **options: Any) -> BpsConnector:
    options = {"domain": "0000", "key_env": "HIMPUN_TEST_BPS_KEY", **options}
    return BpsConnector(make_source("bps", server.url_for("/v1/api"), **options), server_http(server))


@pytest.fixture(autouse=True)
def _bps_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIMPUN_TEST_BPS_KEY", SECRET_KEY)


def test_registered_family() -> None:
    assert connector_class("bps") is BpsConnector


def test_year_codes() -> None:
    assert year_to_code(2017) == 117
    assert code_to_year(117) == 2017
    recorded = _load("bps_webapi_data_0000_var1804_fixture.json")["body"]["tahun"]
    assert [code_to_year(entry["val"]) for entry in recorded] == [int(entry["label"]) for entry in recorded]


def test_recorded_domain_list_parsed() -> None:
    paging, items = parse_list_reply(_load("bps_webapi_domain_all_fixture_TRIMMED.json")["body"], where="domain")

    assert paging["pages"] == 1
    assert items[0]["domain_id"] == "0000"
    assert len(items) == 124


def test_variables_three_pages(httpserver: HTTPServer) -> None:
    seen = _serve(httpserver, {("var", str(page)): _load(f"var_page{page}.json") for page in (1, 2, 3)})
    connector = _connector(httpserver, models=["var"])

    outcome = run_connector(connector)

    assert [query["page"] for query in seen] == ["1", "2", "3"]
    assert all(query["key"] == SECRET_KEY and query["domain"] == "0000" for query in seen)
    assert outcome.titles() == [
        "Indeks Pembangunan Manusia",
        "Jumlah Kejadian Bencana Alam",
        "Jumlah Korban Meninggal, Hilang, dan Terluka Terkena Dampak Bencana",
    ]
    assert len(outcome.errors) == 2
    assert connector.state.complete is True


def test_variable_fields(httpserver: HTTPServer) -> None:
    _serve(httpserver, {("var", str(page)): _load(f"var_page{page}.json") for page in (1, 2, 3)})

    records = {record.provenance.remote_id: record for record in run_connector(_connector(httpserver, models=["var"])).records}
    korban = records["var-1804"]

    assert korban.extras["unit"] == "Orang"
    assert korban.description == "- Sumber : BNPB (Data Hasil Kunjungan)"
    assert korban.themes[0].original == "Lingkungan"
    assert korban.publisher is not None and korban.publisher.original == "BPS domain 0000"


def test_subjects_and_tables(httpserver: HTTPServer) -> None:
    _serve(httpserver, {("subject", "1"): _load("subject_page1.json"),
                        ("statictable", "1"): _load("statictable_page1.json")})

    outcome = run_connector(_connector(httpserver, models=["subject", "statictable"]))
    records = {record.provenance.remote_id: record for record in outcome.records}

    assert sorted(records) == ["statictable-1234", "subject-539"]
    table = records["statictable-1234"]
    assert table.distributions[0].format is not None and table.distributions[0].format.original == "xls"
    assert table.modified is not None and table.modified.year == 2024


def test_empty_domain(httpserver: HTTPServer) -> None:
    _serve(httpserver, {("var", "1"): _load("empty_page.json")})
    connector = _connector(httpserver, models=["var"])

    outcome = run_connector(connector)

    assert outcome.records == []
    assert connector.state.complete is True


@pytest.mark.parametrize("name", ["error_bad_key", "data_list_not_available"])
def test_http_200_error_bodies(httpserver: HTTPServer, name: str) -> None:
    _serve(httpserver, {("var", "1"): _recorded_error(name)})
    connector = _connector(httpserver, models=["var"])

    with pytest.raises(RemoteError):
        run_connector(connector)

    assert connector.state.complete is False


def test_http_error_hides_key(httpserver: HTTPServer, caplog: pytest.LogCaptureFixture) -> None:
    _serve(httpserver, {("var", "1"): _load("var_page1.json"), ("var", "2"): 500})
    connector = _connector(httpserver, models=["var"])

    with caplog.at_level(logging.DEBUG), pytest.raises(FetchError) as caught:
        run_connector(connector)

    product_lines = [record.getMessage() for record in caplog.records
                     if record.name.startswith(("harvester", "connectors"))]
    assert SECRET_KEY not in str(caught.value)
    assert SECRET_KEY not in (caught.value.url or "")
    assert product_lines
    assert not any(SECRET_KEY in line for line in product_lines)


def test_httpx_log_hides_key(httpserver: HTTPServer, caplog: pytest.LogCaptureFixture) -> None:
    _serve(httpserver, {("var", "1"): _load("empty_page.json")})

    with caplog.at_level(logging.INFO, logger="httpx"):
        run_connector(_connector(httpserver, models=["var"]))

    # The loopback test server (werkzeug) logs its own request lines; only Himpun's and httpx's count.
    himpun_lines = [record.getMessage() for record in caplog.records if record.name != "werkzeug"]
    assert not any(SECRET_KEY in line for line in himpun_lines)


def test_missing_key_is_config_error(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HIMPUN_TEST_BPS_KEY")

    with pytest.raises(ConfigError):
        run_connector(_connector(httpserver, models=["var"]))


def test_invalid_domain_rejected(httpserver: HTTPServer) -> None:
    with pytest.raises(ConfigError):
        _connector(httpserver, domain="18.09")
