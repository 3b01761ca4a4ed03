"""Run now, dry-run preview, cancel, and needs-review decisions through the admin API."""

from __future__ import annotations

import threading

from harvester.job import run_harvest
from harvester.jobs import JobState
from server.admin.audit import list_audit
from server.admin.source_store import get_source
from tests.admin.conftest import WALIDATA_A, AdminEnv, wait_for_job


def create_portal_source(env: AdminEnv, source_id: str = "portal-uji") -> None:
    body = {"id": source_id, "name": "Portal uji", "family": "dcat-us", "url": f"{env.portal.url}/data.json",
            "walidata": WALIDATA_A}
    response = env.client().post("/admin/api/sources", headers=env.headers("operator"), json=body)
    assert response.status_code == 201, response.text


def test_run_now_twice_gives_409(env: AdminEnv) -> None:
    create_portal_source(env)
    env.portal.delay = 1.5
    client = env.client()

    first = client.post("/admin/api/sources/portal-uji/run", headers=env.headers("operator"))
    second = client.post("/admin/api/sources/portal-uji/run", headers=env.headers("operator"))

    assert first.status_code == 202
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "already-running"
    job = wait_for_job(env.services.store, first.json()["job_id"])
    assert job.state is JobState.SUCCEEDED
    assert job.counts.added == 5
    assert len(env.services.store.list_jobs("portal-uji")) == 1
    assert len(env.portal.hits) == 1


def test_concurrent_run_now_starts_one_job(env: AdminEnv) -> None:
    create_portal_source(env)
    env.portal.delay = 1.0
    statuses: list[int] = []

    def run() -> None:
        statuses.append(env.client().post("/admin/api/sources/portal-uji/run",
                                          headers=env.headers("admin")).status_code)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [202, 409, 409, 409]
    jobs = env.services.store.list_jobs("portal-uji")
    assert len(jobs) == 1
    wait_for_job(env.services.store, jobs[0].job_id)


def test_preview_maps_without_storing(env: AdminEnv) -> None:
    create_portal_source(env)

    response = env.client().post("/admin/api/sources/portal-uji/preview?limit=3", headers=env.headers("operator"))

    assert response.status_code == 200
    body = response.json()
    assert body["job"]["dry_run"] is True
    assert len(body["records"]) == 3
    assert body["records"][0]["title"].startswith("Jumlah Penduduk")
    assert "raw" not in body["records"][0]["provenance"]
    assert env.services.store.count_datasets() == 0


def test_job_detail_lists_record_errors(env: AdminEnv) -> None:
    source = get_source(env.services, "sumber-a")
    source = source.model_copy(update={"options": {"count": 4, "malformed": ["rec-000001"]}})
    report = run_harvest(env.services, source)

    response = env.client().get(f"/admin/api/jobs/{report.job_id}", headers=env.headers("viewer"))

    assert response.status_code == 200
    assert response.json()["state"] == "succeeded-with-errors"
    assert [(error["code"], error["remote_id"]) for error in response.json()["errors"]] == [
        ("missing-title", "rec-000001")]


def test_jobs_list_scoped_to_walidata(env: AdminEnv) -> None:
    for source_id in ("sumber-a", "sumber-b"):
        run_harvest(env.services, get_source(env.services, source_id))

    own = env.client().get("/admin/api/jobs", headers=env.headers("operator")).json()
    every = env.client().get("/admin/api/jobs", headers=env.headers("admin")).json()

    assert {job["source_id"] for job in own} == {"sumber-a"}
    assert {job["source_id"] for job in every} == {"sumber-a", "sumber-b"}


def needs_review(env: AdminEnv) -> int:
    source = get_source(env.services, "sumber-a")
    run_harvest(env.services, source)
    report = run_harvest(env.services, source.model_copy(update={"options": {"count": 0}}))
    assert report.state is JobState.NEEDS_REVIEW
    return report.job_id  # type: ignore[return-value]


def test_approve_review_withdraws(env: AdminEnv) -> None:
    job_id = needs_review(env)
    client = env.client()

    detail = client.get(f"/admin/api/jobs/{job_id}", headers=env.headers("operator")).json()
    assert len(detail["pending_withdrawals"]) == 5

    response = client.post(f"/admin/api/jobs/{job_id}/approve", headers=env.headers("operator"))

    assert response.status_code == 200
    assert response.json()["state"] == "succeeded"
    assert response.json()["counts"]["withdrawn"] == 5
    assert env.services.store.count_datasets(public_only=True) == 0
    assert client.post(f"/admin/api/jobs/{job_id}/approve", headers=env.headers("operator")).status_code == 409
    actions = [(entry.action, entry.target, entry.outcome) for entry in list_audit(env.services.store)]
    assert ("job.approve", f"job:{job_id}", "ok") in actions
    assert ("job.approve", f"job:{job_id}", "failed") in actions


def test_reject_review_keeps_records(env: AdminEnv) -> None:
    job_id = needs_review(env)

    response = env.client().post(f"/admin/api/jobs/{job_id}/reject", headers=env.headers("operator"))

    assert response.status_code == 200
    assert response.json()["state"] == "succeeded"
    assert env.services.store.count_datasets(public_only=True) == 5


def test_other_walidata_cannot_review(env: AdminEnv) -> None:
    job_id = needs_review(env)

    response = env.client().post(f"/admin/api/jobs/{job_id}/approve", headers=env.headers("operator_b"))

    assert response.status_code == 404
    assert env.services.store.get_job(job_id).state is JobState.NEEDS_REVIEW


def test_cancel_running_job(env: AdminEnv) -> None:
    source = get_source(env.services, "sumber-a").model_copy(update={"options": {"count": 3, "delay_seconds": 2}})
    env.client().put("/admin/api/sources/sumber-a", headers=env.headers("admin"),
                     json=source.model_dump(mode="json") | {"url": env.portal.url + "/"})
    client = env.client()

    started = client.post("/admin/api/sources/sumber-a/run", headers=env.headers("operator"))
    job_id = started.json()["job_id"]
    cancelled = client.post(f"/admin/api/jobs/{job_id}/cancel", headers=env.headers("operator"))

    assert cancelled.status_code == 202
    job = wait_for_job(env.services.store, job_id)
    assert job.state is JobState.FAILED
    assert "job-cancelled" in [error.code for error in job.errors]
