"""A job past `settings.job_deadline_seconds` ends interrupted, withdraws nothing and frees its source."""

from __future__ import annotations

import time
from typing import Any

import orjson
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from harvester.job import run_harvest
from harvester.jobs import JobState
from harvester.services import Services
from tests.reliability.conftest import ckan_source, client_for, package

PACKAGES = [package(number) for number in range(1, 101)]
ROWS = 10


def ckan_handler(packages: list[dict[str, Any]], delay: float):  # noqa: ANN201 - a werkzeug handler
    """Return a package_search handler that waits `delay` seconds before each page."""

    def handle(request: Request) -> Response:
        time.sleep(delay)
        start = int(request.args.get("start", "0"))
        page = {"count": len(packages), "results": packages[start:start + ROWS]}
        return Response(orjson.dumps({"success": True, "result": page}), content_type="application/json")

    return handle


def harvest(services: Services, httpserver: HTTPServer, packages: list[dict[str, Any]], delay: float):  # noqa: ANN201
    httpserver.clear()
    httpserver.expect_request("/api/3/action/package_search").respond_with_handler(ckan_handler(packages, delay))
    source = ckan_source(httpserver.url_for("/").rstrip("/"), options={"rows": ROWS})
    with client_for(services, source) as http:
        return run_harvest(services, source, http=http, full=True)


def test_deadline_interrupts_without_withdrawals(services: Services, httpserver: HTTPServer) -> None:
    assert harvest(services, httpserver, PACKAGES, delay=0).state is JobState.SUCCEEDED
    services.settings.job_deadline_seconds = 2

    started = time.monotonic()
    report = harvest(services, httpserver, PACKAGES[:95], delay=0.4)
    elapsed = time.monotonic() - started

    assert report.state is JobState.INTERRUPTED
    assert [error.code for error in report.errors] == ["job-deadline"]
    assert report.complete is False
    assert report.counts.withdrawn == 0
    assert elapsed < 2 + 1.5
    assert services.store.count_datasets(public_only=True) == len(PACKAGES)


def test_next_run_allowed_after_deadline(services: Services, httpserver: HTTPServer) -> None:
    services.settings.job_deadline_seconds = 1
    first = harvest(services, httpserver, PACKAGES, delay=0.3)
    assert first.state is JobState.INTERRUPTED

    services.settings.job_deadline_seconds = 60
    second = harvest(services, httpserver, PACKAGES, delay=0)

    assert second.state is JobState.SUCCEEDED
    assert services.store.count_datasets() == len(PACKAGES)
