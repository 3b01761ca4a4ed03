"""Bad input and unknown paths get bilingual 4xx answers, never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from harvester.services import open_services
from harvester.settings import load_settings
from server.app import create_app

HTML = {"accept": "text/html,application/xhtml+xml"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data_dir: Path = tmp_path_factory.mktemp("errors")
    services = open_services(load_settings(data_dir=data_dir), load_source_file=False)
    yield TestClient(create_app(services), base_url="http://127.0.0.1:8000", raise_server_exceptions=False)
    services.close()


def test_ckan_long_query_is_409(client: TestClient) -> None:
    response = client.get("/api/3/action/package_search", params={"q": "a" * 250})
    assert response.status_code == 409
    assert response.json()["success"] is False


def test_search_api_bad_year_is_422(client: TestClient) -> None:
    response = client.get("/api/search", params={"year": "abcd"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid-query"
    assert response.json()["error"]["message"].startswith("Pencarian tidak valid")


def test_search_page_bad_year_is_html_422(client: TestClient) -> None:
    response = client.get("/", params={"year": "abcd"}, headers=HTML)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "Pencarian tidak valid" in response.text


def test_unknown_path_is_bilingual_404(client: TestClient) -> None:
    api = client.get("/tidak-ada")
    page = client.get("/tidak-ada", headers=HTML)
    assert api.status_code == 404
    assert api.json()["error"]["message"] == "Halaman tidak ditemukan"
    assert api.json()["error"]["message_en"] == "page not found"
    assert page.status_code == 404
    assert "<h1>Halaman tidak ditemukan</h1>" in page.text


def test_unknown_dataset_page_is_html_404(client: TestClient) -> None:
    response = client.get("/dataset/tidak-ada", headers=HTML)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")


def test_ckan_help_link_resolves(client: TestClient) -> None:
    search = client.get("/api/3/action/status_show").json()
    help_url = search["help"].replace("http://127.0.0.1:8000", "")
    described = client.get(help_url)
    assert described.status_code == 200
    assert described.json()["result"].startswith("Describe this site")
