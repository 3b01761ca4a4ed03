"""The JSON search API: hits, facets, limits with bilingual 422 messages, suggestions, dataset JSON."""

from __future__ import annotations

import pytest

from tests.publish.conftest import Catalog


def test_search_returns_hits_and_facets(catalog: Catalog) -> None:
    response = catalog.client.get("/api/search", params={"q": "air laut", "rows": 5})
    body = response.json()

    assert response.status_code == 200
    assert body["total"] > 0
    assert len(body["hits"]) <= 5
    hit = body["hits"][0]
    assert {"id", "title", "snippet", "publisher", "modified", "links"} <= hit.keys()
    assert hit["links"]["ckan"].endswith(f"package_show?id={hit['id']}")
    assert hit["links"]["turtle"].endswith(f"/dataset/{hit['id']}.ttl")
    assert "publisher" in body["facets"]
    assert all({"key", "label", "count"} <= item.keys() for item in body["facets"]["publisher"])


def test_search_highlights_marked_and_escaped(catalog: Catalog) -> None:
    body = catalog.client.get("/api/search", params={"q": "laut"}).json()
    snippets = [hit["snippet"] for hit in body["hits"]]
    assert any("<mark>" in snippet for snippet in snippets)
    assert not any("<script>" in snippet for snippet in snippets)


def test_search_facet_filter(catalog: Catalog) -> None:
    body = catalog.client.get("/api/search", params={"publisher": "kabupaten-kampar"}).json()
    assert body["total"] == 1
    assert body["hits"][0]["publisher"]["key"] == "kabupaten-kampar"


def test_search_paging(catalog: Catalog) -> None:
    first = catalog.client.get("/api/search", params={"rows": 10, "page": 1, "sort": "title_asc"}).json()
    second = catalog.client.get("/api/search", params={"rows": 10, "page": 2, "sort": "title_asc"}).json()
    ids = [hit["id"] for hit in first["hits"] + second["hits"]]
    assert len(set(ids)) == 20


@pytest.mark.parametrize(("params", "field"), [
    ({"rows": "101"}, "rows"),
    ({"q": "a" * 201}, "q"),
    ({"rows": "100", "page": "102"}, "page"),
    ({"sort": "acak"}, "sort"),
    ({"page": "satu"}, "page"),
])
def test_search_limits_are_422(catalog: Catalog, params: dict[str, str], field: str) -> None:
    response = catalog.client.get("/api/search", params=params)
    error = response.json()["error"]

    assert response.status_code == 422
    assert error["field"] == field
    assert error["message"] != error["message_en"]


def test_suggest_completes_titles(catalog: Catalog) -> None:
    body = catalog.client.get("/api/suggest", params={"q": "param"}).json()
    assert body["suggestions"]
    assert all(s["id"] in catalog.public_ids for s in body["suggestions"])


def test_dataset_json_with_sources(catalog: Catalog) -> None:
    dataset_id = catalog.public_ids[0]
    body = catalog.client.get(f"/api/datasets/{dataset_id}").json()

    assert body["id"] == dataset_id
    assert body["sources"][0]["remote_id"]
    assert "raw" not in body["record"]["provenance"]


def test_hidden_never_in_search_api(catalog: Catalog) -> None:
    client = catalog.client
    search = client.get("/api/search", params={"q": "Rahasia air bersih", "rows": 100}).text
    suggest = client.get("/api/suggest", params={"q": "Rahasia"}).text
    assert "Rahasia" not in search
    assert "Rahasia" not in suggest
    for kind, dataset_id in catalog.hidden_ids.items():
        assert client.get(f"/api/datasets/{dataset_id}").status_code == 404, kind


def test_security_headers_on_responses(catalog: Catalog) -> None:
    for path in ("/health", "/api/search", "/catalog.ttl?page_size=1"):
        headers = catalog.client.get(path).headers
        assert "default-src 'self'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
    assert catalog.client.get("/api/search").headers["access-control-allow-origin"] == "*"
