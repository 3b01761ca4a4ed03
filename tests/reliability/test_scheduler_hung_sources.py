"""Twenty hung sources beside five healthy ones: stalled runs give their worker back, failed ones move to the retry pool."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from apscheduler.triggers.interval import IntervalTrigger
from pytest_httpserver import HTTPServer

import scheduler
from harvester.jobs import JobState
from harvester.services import Services
from harvester.sources import Schedule
from tests.reliability.conftest import ckan_source, package
from tests.reliability.harness import FaultServer
from tests.reliability.test_job_deadline import ckan_handler

HEALTHY = tuple(f"sehat-{number}" for number in range(5))
HUNG = tuple(f"macet-{number:02d}" for number in range(20))
PAGE_DELAY = 0.4
HUNG_DEADLINE = 3.0  # total deadline of each request to a hung source, in seconds
STALL_SECONDS = 0.1  # a run that lists nothing for this long gives its worker back


class SilentPeers:
    """Counts connections that are open at once across all hung servers."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.open = 0
        self.max_open = 0
        self.stopped = threading.Event()

    def reset(self) -> None:
        with self.lock:
            self.max_open = self.open

    def handle(self, connection: socket.socket) -> None:
        """Keep the connection open without sending a response until the client closes it."""
        with self.lock:
            self.open += 1
            self.max_open = max(self.max_open, self.open)
        try:
            connection.settimeout(0.05)
            while not self.stopped.is_set():
                try:
                    if connection.recv(1024) == b"":
                        return
                except TimeoutError:
                    continue
        finally:
            with self.lock:
                self.open -= 1


@pytest.fixture
def silent_peers() -> Iterator[tuple[SilentPeers, list[FaultServer]]]:
    peers = SilentPeers()
    # One loopback address each, because politeness allows one request in flight per host name.
    servers = [FaultServer(peers.handle, host=f"127.0.0.{10 + number}") for number in range(len(HUNG))]
    yield peers, servers
    peers.stopped.set()
    for server in servers:
        server.close()


@pytest.fixture
def portal() -> Iterator[HTTPServer]:
    """A threaded loopback server, so the healthy sources' slow pages are served side by side."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


def run_round(services: Services, due: dt.datetime, wait_for: tuple[str, ...]) -> scheduler.SchedulerHandle:
    """Start a scheduler whose sources are all due at `due`; return it once `wait_for` sources finished there."""
    handle = scheduler.start_scheduler(
        services, trigger_factory=lambda schedule: IntervalTrigger(hours=1, start_date=due, timezone=dt.UTC))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        latest = [services.store.list_jobs(source_id, limit=1) for source_id in wait_for]
        if all(jobs and jobs[0].started_at >= due - dt.timedelta(seconds=1) and jobs[0].finished_at
               for jobs in latest):
            return handle
        time.sleep(0.05)
    handle.stop()
    raise AssertionError(f"the sources {wait_for} did not all finish within 30 s")


def test_hung_sources_never_delay_healthy(services: Services, portal: HTTPServer,
                                          silent_peers: tuple[SilentPeers, list[FaultServer]]) -> None:
    peers, servers = silent_peers
    settings = services.settings
    settings.scheduler_workers, settings.scheduler_retry_workers = len(HEALTHY), 1
    settings.scheduler_stall_seconds = STALL_SECONDS
    settings.egress_allowlist = ["127.0.0.0/8"]
    settings.conditional_requests = False
    schedule = Schedule(interval_minutes=60, jitter_seconds=0)
    for number, source_id in enumerate(HEALTHY):
        portal.expect_request(f"/{source_id}/api/3/action/package_search").respond_with_handler(
            ckan_handler([package(number * 10 + offset) for offset in range(3)], delay=PAGE_DELAY))
    healthy = [ckan_source(portal.url_for(f"/{source_id}").rstrip("/"), source_id=source_id, schedule=schedule,
                           options={"rows": 10, "http": {"min_delay_seconds": 0}}) for source_id in HEALTHY]
    hung = [ckan_source(server.url.rstrip("/"), source_id=source_id, schedule=schedule,
                        options={"rows": 10, "http": {"min_delay_seconds": 0, "max_retries": 0,
                                                      "total_deadline_seconds": HUNG_DEADLINE}})
            for source_id, server in zip(HUNG, servers, strict=True)]
    # Normal duration: the five healthy sources due together, with no hung source configured.
    services.sources = list(healthy)
    due = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=0.5)
    run_round(services, due, HEALTHY).stop()
    normal = max((services.store.list_jobs(source_id, limit=1)[0].finished_at - due).total_seconds()
                 for source_id in HEALTHY)
    # Hung sources first: APScheduler submits jobs due together in the order they were added,
    # so with one shared pool every healthy run would queue behind hung ones.
    services.sources = [*hung, *healthy]

    # First round: no history, so all 25 start in the default pool. Each hung run gives its
    # worker back after STALL_SECONDS, so the healthy runs start long before the hung ones fail.
    due = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=0.5)
    first = run_round(services, due, HEALTHY + HUNG)
    pools = {source.id: first.scheduler.get_job(f"harvest:{source.id}").executor for source in services.sources}
    first.stop()
    for source_id in HEALTHY:
        job = services.store.list_jobs(source_id, limit=1)[0]
        assert job.state is JobState.SUCCEEDED, source_id
        assert (job.finished_at - due).total_seconds() <= 2 * normal, (source_id, normal, job.finished_at - due)
    assert peers.max_open <= len(HUNG)  # one connection, so one worker, per hung source
    assert {pools[source_id] for source_id in HUNG} == {scheduler.RETRY_POOL}
    assert {pools[source_id] for source_id in HEALTHY} == {scheduler.DEFAULT_POOL}
    assert {services.store.list_jobs(source_id, limit=1)[0].state for source_id in HUNG} == {JobState.FAILED}

    # Second round in a new scheduler: the pools come from the stored latest job of each source.
    peers.reset()
    due = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=0.5)
    second = run_round(services, due, HEALTHY)
    finished = {source_id: services.store.list_jobs(source_id, limit=1)[0] for source_id in HEALTHY}
    hung_open_while_healthy_ran = peers.max_open
    peers.stopped.set()  # the queued hung runs now fail at once, so the shutdown does not wait 20 s
    second.stop()

    for source_id, job in finished.items():
        assert job.state is JobState.SUCCEEDED, source_id
        assert (job.finished_at - due).total_seconds() <= 2 * normal, (source_id, normal, job.finished_at - due)
    assert hung_open_while_healthy_ran <= settings.scheduler_retry_workers
    assert peers.max_open <= settings.scheduler_retry_workers
