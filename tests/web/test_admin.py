"""Operator pages: login, sources, job detail, review, quality dashboard and reports."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from harvester.jobs import JobState
from tests.web.catalog import Catalog, needs_review_job


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match is not None
    return match.group(1)


def test_admin_requires_login(client: TestClient) -> None:
    response = client.get("/admin/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/login?next=/admin/"


def test_wrong_password_rejected(client: TestClient) -> None:
    response = client.post("/admin/login", data={"password": "salah", "next": "/admin/"})
    assert response.status_code == 401
    assert "Kata sandi salah" in response.text
    assert client.get("/admin/", follow_redirects=False).status_code == 303


def test_forged_session_cookie_rejected(client: TestClient) -> None:
    client.cookies.set("himpun_admin", "eyJjc3JmIjoieCJ9.forged.signature", path="/admin")
    assert client.get("/admin/", follow_redirects=False).status_code == 303


def test_login_redirect_stays_inside_admin(client: TestClient) -> None:
    from tests.web.catalog import ADMIN_PASSWORD

    response = client.post("/admin/login", data={"password": ADMIN_PASSWORD, "next": "//evil.example/"},
                           follow_redirects=False)
    assert response.headers["location"] == "/admin/"


def test_sources_page_lists_source(operator: TestClient) -> None:
    response = operator.get("/admin/")
    assert response.status_code == 200
    assert "Satu Data Aceh" in response.text
    assert "satudata-aceh" in response.text


def test_review_needs_csrf_token(operator: TestClient, catalog: Catalog) -> None:
    job_id = needs_review_job(catalog.services.store, catalog.source.id, ["tidak-ada"])
    response = operator.post(f"/admin/jobs/{job_id}/review", data={"decision": "approve", "csrf": "x"})
    assert response.status_code == 403
    assert catalog.services.store.get_job(job_id).state is JobState.NEEDS_REVIEW


def test_job_page_approves_review(operator: TestClient, catalog: Catalog) -> None:
    store = catalog.services.store
    held = next(dataset for dataset in store.iter_datasets(public_only=True)
                if dataset.id != catalog.provenance_dataset_id)
    job_id = needs_review_job(store, catalog.source.id, [held.sources[0].remote_id])

    page = operator.get(f"/admin/jobs/{job_id}")
    assert page.status_code == 200
    assert "perlu ditinjau" in page.text
    assert "dataset x-1 has no title" in page.text

    response = operator.post(f"/admin/jobs/{job_id}/review",
                             data={"decision": "approve", "csrf": _csrf(page.text)}, follow_redirects=False)
    assert response.status_code == 303
    assert store.get_job(job_id).state is JobState.SUCCEEDED_WITH_ERRORS
    assert not store.get_dataset(held.id).is_public
    assert operator.get(f"/dataset/{held.id}", headers={"Accept": "text/html"}).status_code in (404, 410)


def test_job_page_rejects_review(operator: TestClient, catalog: Catalog) -> None:
    store = catalog.services.store
    kept = next(dataset for dataset in store.iter_datasets(public_only=True))
    job_id = needs_review_job(store, catalog.source.id, [kept.sources[0].remote_id])
    page = operator.get(f"/admin/jobs/{job_id}")

    operator.post(f"/admin/jobs/{job_id}/review", data={"decision": "reject", "csrf": _csrf(page.text)})
    assert store.get_job(job_id).state is JobState.SUCCEEDED_WITH_ERRORS
    assert store.get_dataset(kept.id).is_public


def test_quality_dashboard_draws_charts(operator: TestClient) -> None:
    response = operator.get("/admin/quality")
    assert response.status_code == 200
    assert response.text.count("<svg") == 3
    assert "Provinsi Aceh" in response.text


def test_reports_pages_render(operator: TestClient) -> None:
    assert operator.get("/admin/sources/satudata-aceh/harmonization").status_code == 200
    assert operator.get("/admin/sources/tidak-ada/harmonization").status_code == 404
    duplicates = operator.get("/admin/duplicates")
    assert duplicates.status_code == 200
    assert "Duplikat" in duplicates.text


def test_logout_ends_session(operator: TestClient) -> None:
    page = operator.get("/admin/")
    assert page.status_code == 200
    operator.post("/admin/logout")
    assert operator.get("/admin/", follow_redirects=False).status_code == 303

