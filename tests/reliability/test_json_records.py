"""Bad JSON values reject only the record that contains them, alike on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa
from pytest_httpserver import HTTPServer

from harvester.harmonize import Harmonizer
from harvester.job import run_harvest
from harvester.jobs import JobState
from harvester.jsonsafe import parse_page, record_flaw
from harvester.services import Services
from harvester.settings import Settings
from harvester.store import Store
from index.embedded import EmbeddedIndex
from tests.reliability.conftest import OPEN_RATE_LIMIT, ckan_source, client_for, package

GOOD = [package(number) for number in range(1, 5)]
DEEP = "[" * 100_000 + "]" * 100_000

# Remote id -> (package JSON written by hand, expected job error code).
BAD = {
    "nan": ('{"id": "nan", "title": "Judul", "num_resources": NaN}', "invalid-number"),
    "infinity": ('{"id": "infinity", "title": "Judul", "num_resources": -Infinity}', "invalid-number"),
    "huge-int": ('{"id": "huge-int", "title": "Judul", "num_resources": ' + "7" * 5000 + "}", "invalid-number"),
    "huge-float": ('{"id": "huge-float", "title": "Judul", "num_resources": 1e999}', "invalid-number"),
    "deep": ('{"id": "deep", "title": "Judul", "extras": ' + DEEP + "}", "too-deep"),
    "surrogate": ('{"id": "surrogate", "title": "Judul \\ud800 rusak"}', "invalid-text"),
    "nul": ('{"id": "nul", "title": "Judul", "notes": "a\\u0000b"}', "invalid-text"),
    "duplicate": ('{"id": "duplicate", "title": "Judul asli", "title": "<script>alert(1)</script>"}',
                  "duplicate-key"),
}


def ckan_page() -> bytes:
    """One package_search page: the good packages around the bad ones, written by hand."""
    good = [orjson.dumps(item).decode() for item in GOOD]
    results = [good[0], good[1], *(text for text, _ in BAD.values()), good[2], good[3]]
    count = len(results)
    return ('{"success": true, "result": {"count": %d, "results": [%s]}}' % (count, ", ".join(results))).encode()


@pytest.fixture
def services(tmp_path: Path, database_url: str) -> Iterator[Services]:
    """Services over a fresh SQLite or PostgreSQL store."""
    settings = Settings(data_dir=tmp_path, database_url=database_url, contact_url="https://example.invalid/kontak",
                        **OPEN_RATE_LIMIT)
    store = Store(settings.resolved_database_url)
    store.migrate()
    built = Services(settings=settings, store=store, index=EmbeddedIndex(settings.index_dir),
                     harmonizer=Harmonizer(), sources=[])
    yield built
    built.close()


def test_bad_values_reject_only_their_records(services: Services, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/api/3/action/package_search").respond_with_data(
        ckan_page(), content_type="application/json")
    source = ckan_source(httpserver.url_for("/").rstrip("/"), options={"rows": 100})

    with client_for(services, source) as http:
        report = run_harvest(services, source, http=http, full=True)

    assert report.state is JobState.SUCCEEDED_WITH_ERRORS
    assert report.counts.added == len(GOOD)
    assert report.counts.rejected == len(BAD)
    codes = {error.remote_id: error.code for error in report.errors}
    assert codes == {remote_id: code for remote_id, (_, code) in BAD.items()}
    assert services.store.count_datasets() == len(GOOD)


def test_second_value_of_repeated_key_never_stored(services: Services, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/api/3/action/package_search").respond_with_data(
        ckan_page(), content_type="application/json")
    source = ckan_source(httpserver.url_for("/").rstrip("/"), options={"rows": 100})

    with client_for(services, source) as http:
        run_harvest(services, source, http=http, full=True)

    engine = sa.create_engine(services.settings.resolved_database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT record, raw FROM record")).all()
    finally:
        engine.dispose()
    assert rows
    assert not any("alert(1)" in (record or "") + (raw or "") for record, raw in rows)


@pytest.mark.parametrize(("text", "code"), [
    ('{"a": NaN}', "invalid-number"),
    ('{"a": 99999999999999999999}', "invalid-number"),
    ('{"a": 1, "a": 2}', "duplicate-key"),
    ('{"a\\u0000": 1}', "invalid-text"),
    ('{"a": "\xff"}', "invalid-text"),
    ('{"a": ' + "[" * 300 + "]" * 300 + "}", "too-deep"),
])
def test_record_flaw_codes(text: str, code: str) -> None:
    flaw = record_flaw(parse_page(text.encode("latin-1")))

    assert flaw is not None
    assert flaw.code == code


def test_record_nested_200_levels_accepted() -> None:
    value = parse_page(('{"a": ' + "[" * 200 + "]" * 200 + "}").encode())

    assert record_flaw(value) is None


def test_escaped_backslash_before_u0000_is_text() -> None:
    value = parse_page(b'{"a": "x\\\\u0000"}')

    assert value == {"a": "x\\u0000"}
    assert record_flaw(value) is None


def test_clean_page_equals_orjson() -> None:
    body = orjson.dumps({"result": GOOD, "emoji": "\U0001F600", "number": 2.5, "big": 2**63})

    assert parse_page(body) == orjson.loads(body)
