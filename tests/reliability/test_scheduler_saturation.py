"""More sources due at once than scheduler workers: every run waits its turn, none is skipped."""

from __future__ import annotations

import datetime as dt
import time

from apscheduler.triggers.date import DateTrigger
from pytest_httpserver import HTTPServer

import scheduler
from harvester.jobs import JobState
from harvester.services import Services
from harvester.sources import Schedule
from tests.reliability.conftest import ckan_source, package
from tests.reliability.test_job_deadline import ckan_handler

SOURCES = ("kab-satu", "kab-dua", "kab-tiga")
PAGE_DELAY = 0.5


def test_pool_of_one_runs_every_due_source(services: Services, httpserver: HTTPServer) -> None:
    services.settings.scheduler_workers = 1
    services.settings.egress_allowlist = ["127.0.0.1/32"]
    services.settings.conditional_requests = False
    for number, source_id in enumerate(SOURCES):
        httpserver.expect_request(f"/{source_id}/api/3/action/package_search").respond_with_handler(
            ckan_handler([package(number * 10 + offset) for offset in range(3)], delay=PAGE_DELAY))
    services.sources = [
        ckan_source(httpserver.url_for(f"/{source_id}").rstrip("/"), source_id=source_id,
                    options={"rows": 10, "http": {"min_delay_seconds": 0}},
                    schedule=Schedule(interval_minutes=60, jitter_seconds=0))
        for source_id in SOURCES
    ]
    due = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=0.5)

    handle = scheduler.start_scheduler(services, trigger_factory=lambda schedule: DateTrigger(due))
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            jobs = [services.store.list_jobs(source_id, limit=5) for source_id in SOURCES]
            if all(runs and runs[0].state is not JobState.RUNNING for runs in jobs):
                break
            time.sleep(0.1)
    finally:
        handle.stop()

    for source_id in SOURCES:
        runs = services.store.list_jobs(source_id, limit=5)
        assert [run.state for run in runs] == [JobState.SUCCEEDED], source_id
        assert runs[0].counts.added == 3, source_id
    starts = sorted(services.store.list_jobs(source_id, limit=1)[0].started_at for source_id in SOURCES)
    assert (starts[-1] - starts[0]).total_seconds() >= 2 * PAGE_DELAY
