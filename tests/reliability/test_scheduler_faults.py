"""Scheduler faults: missed runs coalesce, and one source never runs twice at once.

The lease takeover after a kill and the single active scheduler are
asserted in tests/scheduler/test_scheduler_lease.py. A manual run during a
scheduled one is asserted in tests/admin/test_jobs.py.
"""

from __future__ import annotations

import datetime as dt
import time

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

import scheduler
from harvester.errors import AlreadyRunningError
from harvester.job import run_harvest
from harvester.services import Services
from tests.job.conftest import fake_source
from tests.job.fake_connector import register_fake


def test_missed_hourly_runs_coalesce_to_one() -> None:
    runs: list[dt.datetime] = []
    background = BackgroundScheduler(timezone=dt.UTC, job_defaults={
        "coalesce": True, "max_instances": 1, "misfire_grace_time": scheduler.MISFIRE_GRACE_SECONDS})
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)
    background.add_job(lambda: runs.append(dt.datetime.now(dt.UTC)), IntervalTrigger(hours=1, start_date=start),
                       next_run_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=50))
    background.start()
    try:
        deadline = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3)
        while not runs and dt.datetime.now(dt.UTC) < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
    finally:
        background.shutdown(wait=True)

    assert len(runs) == 1


def test_misfire_grace_covers_hourly_spacing() -> None:
    assert scheduler.MISFIRE_GRACE_SECONDS >= 3600


def test_second_start_of_running_source_rejected(services: Services) -> None:
    register_fake()
    source = fake_source(count=3)
    services.store.start_job(source.id)

    try:
        run_harvest(services, source)
    except AlreadyRunningError as error:
        assert error.code == "already-running"
    else:
        raise AssertionError("a second job of a running source started")
