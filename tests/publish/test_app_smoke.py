"""The app serves health and reads the real store."""

from __future__ import annotations

from tests.publish.conftest import Catalog


def test_health_ok(catalog: Catalog) -> None:
    response = catalog.client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_public_count_matches_store(catalog: Catalog) -> None:
    assert catalog.store.count_datasets(public_only=True) == len(catalog.public_ids)
