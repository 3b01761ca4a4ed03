"""/metrics after a real harvest, /health and /health/ready, and JSON log lines of a job."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from harvester.job import run_harvest
from server.admin.source_store import get_source
from server.logging import JobContextFilter, JsonFormatter
from tests.admin.conftest import WALIDATA_A, AdminEnv, wait_for_job


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_metrics_after_harvest(env: AdminEnv) -> None:
    client = env.client()
    body = {"id": "portal-metrik", "name": "Portal", "family": "dcat-us", "url": f"{env.portal.url}/data.json",
            "walidata": WALIDATA_A}
    assert client.post("/admin/api/sources", headers=env.headers("admin"), json=body).status_code == 201
    before = samples(client.get("/metrics").text)
    job_id = client.post("/admin/api/sources/portal-metrik/run", headers=env.headers("admin")).json()["job_id"]
    wait_for_job(env.services.store, job_id)
    client.get("/api/search?q=penduduk")

    after = samples(client.get("/metrics").text)

    def grew(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    assert after[("himpun_jobs", (("state", "succeeded"),))] == 1
    assert grew("himpun_jobs_finished_total", state="succeeded") == 1
    assert grew("himpun_records_total", outcome="added") == 5
    assert grew("himpun_harvest_duration_seconds_count", source="portal-metrik") == 1
    assert grew("himpun_search_latency_seconds_count", endpoint="search") == 1


def test_http_errors_counted_by_source(env: AdminEnv) -> None:
    source = get_source(env.services, "sumber-a").model_copy(update={"id": "rusak", "family": "dcat-us",
                                                                     "url": "http://10.0.0.1/data.json",
                                                                     "options": {}})
    before = samples(env.client().get("/metrics").text)

    run_harvest(env.services, source)

    after = samples(env.client().get("/metrics").text)
    key = ("himpun_http_errors_total", (("code", "blocked-address"), ("source", "rusak")))
    assert after.get(key, 0) - before.get(key, 0) == 1


def test_health_and_ready(env: AdminEnv) -> None:
    client = env.client()

    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"store": "ok", "index": "ok"}


def test_ready_fails_when_store_unreachable(env: AdminEnv, tmp_path: Path) -> None:
    from harvester.store import Store

    env.services.store = Store(f"sqlite:///{tmp_path}/missing-dir/none.sqlite3")

    response = env.client().get("/health/ready")

    assert response.status_code == 503
    assert response.json()["checks"]["store"] == "failed"
    assert "missing-dir" not in response.text


def test_job_log_lines_as_json(env: AdminEnv, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    context = JobContextFilter()
    formatter = JsonFormatter()
    source = get_source(env.services, "sumber-a")

    report = run_harvest(env.services, source)

    lines = []
    for record in caplog.records:
        context.filter(record)
        lines.append(json.loads(formatter.format(record)))
    events = {line.get("event"): line for line in lines if line.get("event")}
    assert events["job-started"]["job_id"] == report.job_id
    assert events["job-started"]["source_id"] == "sumber-a"
    assert events["job-finished"]["state"] == "succeeded"
    assert events["job-finished"]["counts"]["added"] == 5
    assert events["job-finished"]["duration_seconds"] >= 0
    for line in lines:
        assert {"time", "level", "logger", "message"} <= line.keys()
