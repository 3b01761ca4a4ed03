"""Prometheus metrics at /metrics.

Job and HTTP metrics are fed by the log events of the job runner
(`harvester.job`, records with an `event` attribute) and of the shared HTTP
client (`harvester.http`), so the harvester itself does not depend on
prometheus-client. Jobs by state are counted in the store at each scrape,
so they include jobs of every process sharing the database.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from harvester.jobs import JobState

__all__ = ["SearchLatencyMiddleware", "install_log_metrics", "router"]

logger = logging.getLogger(__name__)

JOBS_FINISHED = Counter("himpun_jobs_finished_total", "Harvest jobs finished, by terminal state.", ["state"])
RECORDS = Counter("himpun_records_total", "Records handled by harvest jobs, by outcome.", ["outcome"])
HARVEST_DURATION = Histogram("himpun_harvest_duration_seconds", "Wall time of harvest jobs.", ["source"],
                             buckets=(1, 5, 15, 60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600))
HTTP_ERRORS = Counter("himpun_http_errors_total", "Failed or retried harvest requests, by source and error code.",
                      ["source", "code"])
SEARCH_LATENCY = Histogram("himpun_search_latency_seconds", "Latency of public search requests.", ["endpoint"],
                           buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))

# Log lines of harvester.http that count as HTTP errors; the first argument is the source id.
HTTP_FAILURE_MESSAGE = "source %s: request to %s failed: %s (%s)"
HTTP_RETRY_MESSAGE = "source %s: retry %d of %d for %s in %.1f s after %s"

SEARCH_PATHS = {"/api/search": "search", "/api/suggest": "suggest",
                "/api/3/action/package_search": "package_search", "/api/action/package_search": "package_search"}

router = APIRouter(include_in_schema=False)


class _LogMetricsHandler(logging.Handler):
    """Turns job and HTTP log records into metric updates."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if getattr(record, "event", None) == "job-finished":
                _count_job(record)
            elif record.name == "harvester.http":
                _count_http(record)
        except Exception:  # noqa: BLE001 - a metrics failure must never break logging or a harvest
            self.handleError(record)


def _count_job(record: logging.LogRecord) -> None:
    JOBS_FINISHED.labels(state=record.state).inc()  # type: ignore[attr-defined]
    counts = {} if getattr(record, "dry_run", False) else (getattr(record, "counts", None) or {})
    for outcome, number in counts.items():
        if number:
            RECORDS.labels(outcome=outcome).inc(number)
    duration = getattr(record, "duration_seconds", None)
    if duration is not None:
        HARVEST_DURATION.labels(source=record.source_id).observe(duration)  # type: ignore[attr-defined]


def _count_http(record: logging.LogRecord) -> None:
    if record.msg == HTTP_FAILURE_MESSAGE:
        source, code = record.args[0], record.args[2]  # type: ignore[index]
    elif record.msg == HTTP_RETRY_MESSAGE:
        source, reason = record.args[0], str(record.args[5])  # type: ignore[index]
        code = reason.lower().replace(" ", "-")
    else:
        return
    HTTP_ERRORS.labels(source=str(source), code=str(code)).inc()


_HANDLER = _LogMetricsHandler()


def install_log_metrics() -> None:
    """Attach the metrics handler to the harvester loggers once per process.

    The job runner logs its start and finish at INFO, so `harvester.job`
    is set to INFO when nothing configured its level. What gets printed
    still depends on the levels of the handlers.
    """
    for name in ("harvester.job", "harvester.http"):
        target = logging.getLogger(name)
        if _HANDLER not in target.handlers:
            target.addHandler(_HANDLER)
        if target.level == logging.NOTSET:
            target.setLevel(logging.INFO)


class _JobStateCollector(Collector):
    """Counts stored jobs by state at scrape time."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def collect(self) -> Iterator[GaugeMetricFamily]:
        import sqlalchemy as sa

        from harvester.store.tables import HarvestJobRow

        table = HarvestJobRow.__table__
        with self.store._read() as connection:
            counts = dict(connection.execute(sa.select(table.c.state, sa.func.count()).group_by(table.c.state)).all())
        family = GaugeMetricFamily("himpun_jobs", "Stored harvest jobs, by state.", labels=["state"])
        for state in JobState:
            family.add_metric([state.value], counts.get(state.value, 0))
        yield family


@router.get("/metrics")
def metrics(request: Request) -> Response:
    """Expose the process metrics and the stored jobs by state in the Prometheus text format."""
    local = CollectorRegistry(auto_describe=False)
    local.register(_JobStateCollector(request.app.state.services.store))
    body = generate_latest(REGISTRY) + generate_latest(local)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


class SearchLatencyMiddleware:
    """ASGI middleware timing the public search endpoints until their response starts."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = SEARCH_PATHS.get(scope["path"]) if scope["type"] == "http" else None
        if endpoint is None:
            await self.app(scope, receive, send)
            return

        started = time.perf_counter()

        async def timed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                SEARCH_LATENCY.labels(endpoint=endpoint).observe(time.perf_counter() - started)
            await send(message)

        await self.app(scope, receive, timed_send)
