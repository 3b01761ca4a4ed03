"""Operator pages: login, sources, job detail, review, quality dashboard and reports."""

from __future__ import annotations

import re

from babel.numbers import format_decimal
from fastapi.testclient import TestClient
from markupsafe import escape

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



def test_harmonization_page_shows_tables(operator: TestClient, catalog: Catalog) -> None:
    from harvester.harmonize.report import harmonize_report

    report = harmonize_report(catalog.services.store, catalog.source.id)
    page = operator.get("/admin/sources/satudata-aceh/harmonization?lang=id").text
    assert "<dl" not in page
    for raw_key in ("source_id", "covered", "total"):
        assert raw_key not in page
    assert "Cakupan per kolom" in page
    assert page.count('<table class="data-table">') >= 2

    topic = report.coverage["topic"]
    percent = format_decimal(round(topic.ratio * 100, 1), locale="id")
    row = re.search(r'<th scope="row">(?:<a [^>]+>)?Topik(?:</a>)?</th>\s*<td>(\d+)</td><td>(\d+)</td><td>([^<]+)</td>',
                    page)
    assert row is not None
    assert row.groups() == (str(topic.covered), str(topic.total), f"{percent}%")

    assert report.values
    first = report.values[0]
    assert f"<td>{first.count}</td>" in page
    assert f"<td>{escape(first.value)}</td>" in page


def test_harmonization_page_in_english(operator: TestClient) -> None:
    page = operator.get("/admin/sources/satudata-aceh/harmonization?lang=en").text
    assert "Coverage per field" in page
    assert "Values to map" in page
    assert "Cakupan per kolom" not in page


def test_quality_dashboard_counts_public_datasets(operator: TestClient, catalog: Catalog) -> None:
    import datetime as dt

    from harvester.quality.history import QualityHistory, QualitySnapshot
    from web.admin.quality import QUALITY_HISTORY_FILE

    # A snapshot of today in the old format, which also counted withdrawn datasets.
    history = QualityHistory(catalog.services.settings.data_dir / QUALITY_HISTORY_FILE)
    stale = QualitySnapshot(day=dt.datetime.now(dt.UTC).date(), overall=10.0, datasets=9999)
    history.path.write_text(f"[{stale.model_dump_json(exclude={'public_only'})}]", encoding="utf-8")

    public = catalog.services.store.count_datasets(public_only=True)
    page = operator.get("/admin/quality?lang=id").text
    assert f"dari {public} dataset publik" in page
    assert "9999" not in page
    assert history.load()[-1].datasets == public
    assert history.load()[-1].public_only
