"""Scheduled harvests side by side in one process, each large enough to fork mapping workers."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer

from harvester.job import run_harvest
from harvester.job_workers import available_cpus
from harvester.jobs import JobReport, JobState
from harvester.pipeline import make_indexer
from harvester.services import Services
from tests.reliability.conftest import ckan_source, client_for, package
from tests.reliability.test_job_deadline import ckan_handler

SOURCES = 3
RECORDS = 1_500  # above the 1,000 records after which a job maps in forked workers
JOIN_SECONDS = 90


@pytest.fixture
def portal() -> Iterator[HTTPServer]:
    """A threaded loopback server, so the sources' pages are served side by side."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


def test_parallel_forking_harvests_all_finish(services: Services, portal: HTTPServer) -> None:
    assert available_cpus() >= 2, "mapping workers need two CPUs; this test would not fork"
    indexer = make_indexer(services)
    reports: dict[str, JobReport] = {}

    def harvest(number: int) -> None:
        packages = [package(number * RECORDS + offset) for offset in range(RECORDS)]
        portal.expect_request(f"/s{number}/api/3/action/package_search").respond_with_handler(
            ckan_handler(packages, delay=0))
        source = ckan_source(portal.url_for(f"/s{number}").rstrip("/"), source_id=f"kab-{number}",
                             options={"rows": 100})
        with client_for(services, source, total_deadline=30.0) as http:
            reports[source.id] = run_harvest(services, source, http=http, indexer=indexer, full=True)

    threads = [threading.Thread(target=harvest, args=(number,), daemon=True) for number in range(SOURCES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_SECONDS)

    assert not any(thread.is_alive() for thread in threads), "a harvest still waits for the index writer"
    assert {source_id: report.state for source_id, report in reports.items()} == {
        f"kab-{number}": JobState.SUCCEEDED for number in range(SOURCES)}
    assert services.index.count() == SOURCES * RECORDS
