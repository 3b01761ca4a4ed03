"""The operator duplicates page: merged clusters, and confirm or split decisions."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from harvester.pipeline import dedupe_and_index
from server.app import create_app
from tests.web.catalog import ADMIN_PASSWORD, Catalog, build_catalog

# Satu Data Aceh lists this dataset twice for one OPD with the same description.
TWICE_ENTERED = "Peningkataan Kualitas Penyelenggaraan Pembangunan"


@pytest.fixture(scope="module")
def merged_catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Catalog]:
    """A catalogue of its own, because these tests change which datasets are merged."""
    built = build_catalog(tmp_path_factory.mktemp("duplicates-catalog"))
    dedupe_and_index(built.services)
    yield built
    built.close()


@pytest.fixture
def operator(merged_catalog: Catalog) -> TestClient:
    client = TestClient(create_app(merged_catalog.services), base_url="http://127.0.0.1:8000")
    response = client.post("/admin/login", data={"password": ADMIN_PASSWORD, "next": "/admin/"},
                           follow_redirects=False)
    assert response.status_code == 303
    return client


def _public_ids(catalog: Catalog, title: str) -> list[str]:
    return [dataset.id for dataset in catalog.services.store.iter_datasets(public_only=True)
            if " ".join(dataset.record.title.split()) == title]


def test_duplicates_page_splits_and_confirms(operator: TestClient, merged_catalog: Catalog) -> None:
    page = operator.get("/admin/duplicates")
    assert page.status_code == 200
    assert TWICE_ENTERED in " ".join(page.text.split())
    pair = re.search(r'name="left" value="([^"]+)">\s*<input type="hidden" name="right" value="([^"]+)"', page.text)
    assert pair is not None
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    assert len(_public_ids(merged_catalog, TWICE_ENTERED)) == 1

    form = {"csrf": csrf.group(1), "left": pair.group(1), "right": pair.group(2)}
    split = operator.post("/admin/duplicates/decision", data={**form, "decision": "split"}, follow_redirects=False)
    assert split.status_code == 303
    assert len(_public_ids(merged_catalog, TWICE_ENTERED)) == 2

    confirm = operator.post("/admin/duplicates/decision", data={**form, "decision": "confirm"},
                            follow_redirects=False)
    assert confirm.status_code == 303
    assert len(_public_ids(merged_catalog, TWICE_ENTERED)) == 1


def test_duplicates_decision_needs_csrf(operator: TestClient) -> None:
    response = operator.post("/admin/duplicates/decision",
                             data={"csrf": "x", "decision": "split", "left": "a/1", "right": "b/2"})
    assert response.status_code == 403
