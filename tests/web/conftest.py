"""Fixtures of the page tests: one harvested catalogue per session and the ASGI app on top of it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from server.app import create_app
from tests.web.catalog import ADMIN_PASSWORD, Catalog, build_catalog


@pytest.fixture(scope="session")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Catalog]:
    built = build_catalog(tmp_path_factory.mktemp("web-catalog"))
    yield built
    built.close()


@pytest.fixture(scope="session")
def app(catalog: Catalog) -> FastAPI:
    return create_app(catalog.services)


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app, base_url="http://127.0.0.1:8000")


@pytest.fixture
def operator(client: TestClient) -> TestClient:
    """A client logged in to the operator pages."""
    response = client.post("/admin/login", data={"password": ADMIN_PASSWORD, "next": "/admin/"},
                           follow_redirects=False)
    assert response.status_code == 303
    return client
