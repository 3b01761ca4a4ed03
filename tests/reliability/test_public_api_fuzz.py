"""Hostile query values on every public route: never a 5xx, a stack trace, SQL, a path or a restricted title."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from harvester.model import AccessLevel, AccessRights
from harvester.services import Services, open_services
from harvester.settings import load_settings
from index.sync import sync_datasets
from server.app import create_app
from tests.dedupe.helpers import make_record

RESTRICTED_CANARY = "KANARI-FUZZ-TERTUTUP-5521"

HOSTILE_VALUES = [
    "", "-1", "0", "999999999999999999999999", "1e309", "NaN", "abc", "' OR 1=1 --", "1; DROP TABLE dataset",
    "<script>alert(1)</script>", "\x00", "%00", "ä" * 300, "a" * 5000, "[", '{"a":', "*:*",
    "metadata_modified:[* TO *]", "id:*", "../../etc/passwd", "2024-13-45", "9999-12-31T25:61:00",
    # Words of the restricted record's title, without the canary itself (a value sent is often echoed back).
    "gaji pegawai", "gaji*", "title:gaji",
]

# Route -> the query parameters it reads.
ROUTES = {
    "/api/search": ["q", "rows", "page", "sort", "publisher", "creator", "province", "regency", "theme", "format",
                    "licence", "year", "lang"],
    "/api/suggest": ["q"],
    "/api/export.csv": ["q", "year"],
    "/api/3/action/package_search": ["q", "fq", "rows", "start", "sort", "facet.field", "facet.limit"],
    "/api/3/action/package_show": ["id"],
    "/api/3/action/package_list": ["limit", "offset"],
    "/api/3/action/organization_show": ["id"],
    "/api/3/action/help_show": ["name"],
    "/catalog.ttl": ["page", "page_size", "modified_since", "after"],
    "/catalog/deleted.jsonld": ["modified_since"],
    "/": ["q", "page", "sort", "year", "publisher", "lang"],
}
LEAK_MARKERS = ("Traceback", "sqlalchemy", "psycopg", "SELECT ", 'File "', "/work/", "site-packages", RESTRICTED_CANARY)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data_dir: Path = tmp_path_factory.mktemp("fuzz")
    services: Services = open_services(load_settings(data_dir=data_dir, public_rate_limit_burst=100_000,
                                                     public_rate_limit_per_minute=1_000_000),
                                       load_source_file=False)
    public = make_record("kampar", "1", "Jumlah Puskesmas Kabupaten Kampar")
    public.access = AccessRights(level=AccessLevel.TERBUKA)
    closed = make_record("kampar", "2", f"Data Gaji Pegawai {RESTRICTED_CANARY}")
    closed.access = AccessRights(level=AccessLevel.TERTUTUP)
    outcome = services.store.upsert_records("kampar", [public, closed])
    sync_datasets(services.index, services.store, outcome.changed)
    yield TestClient(create_app(services), base_url="http://127.0.0.1:8000", raise_server_exceptions=False)
    services.close()


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_hostile_values_answered_safely(client: TestClient, route: str) -> None:
    failures = []
    for parameter in ROUTES[route]:
        for value in HOSTILE_VALUES:
            response = client.get(route, params={parameter: value}, headers={"accept": "text/html,*/*"})
            body = response.text
            if response.status_code >= 500:
                failures.append(f"{parameter}={value[:20]!r}: HTTP {response.status_code}")
            leaked = [marker for marker in LEAK_MARKERS if marker in body]
            if leaked:
                failures.append(f"{parameter}={value[:20]!r}: body contains {leaked}")
    assert failures == []


@pytest.mark.parametrize("path", ["/dataset/{}", "/api/datasets/{}", "/dataset/{}.ttl"])
def test_hostile_path_segments(client: TestClient, path: str) -> None:
    for value in ("..", "%2e%2e%2f", "a" * 2000, "' OR 1=1 --", "<svg onload=alert(1)>", "%00"):
        response = client.get(path.format(value))
        assert response.status_code < 500, (value, response.status_code)
        assert not any(marker in response.text for marker in LEAK_MARKERS), value


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_invalid_utf8_in_query(client: TestClient, route: str) -> None:
    # Bytes that are not UTF-8 (a lone surrogate and 0xFF), percent-encoded as a hostile client would send them.
    for parameter in ROUTES[route]:
        response = client.get(f"{route}?{parameter}=%ED%A0%80%FF%FE")
        assert response.status_code < 500, (parameter, response.status_code)
        assert not any(marker in response.text for marker in LEAK_MARKERS), parameter
