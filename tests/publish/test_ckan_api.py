"""The CKAN-compatible Action API: response shapes, search, paging as ckanext-harvest does it, errors."""

from __future__ import annotations

import re

import pytest

from tests.publish.conftest import Catalog

PACKAGE_KEYS = {"id", "name", "title", "notes", "tags", "organization", "resources", "extras", "license_id",
                "license_title", "license_url", "metadata_created", "metadata_modified", "url", "state"}


def _result(response) -> dict:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    assert body["help"].endswith("/api/3/action/help_show?name=" + response.url.path.rsplit("/", 1)[-1])
    return body["result"]


def test_package_search_text_in_ckan_shape(catalog: Catalog) -> None:
    result = _result(catalog.client.get("/api/3/action/package_search", params={"q": "air", "rows": 5}))

    assert result["count"] > 0
    assert 0 < len(result["results"]) <= 5
    for package in result["results"]:
        assert PACKAGE_KEYS <= package.keys()
        assert package["id"] in catalog.public_ids
        assert all(set(resource) >= {"id", "url", "format", "mimetype", "name", "size"}
                   for resource in package["resources"])


def test_package_search_unversioned_path(catalog: Catalog) -> None:
    result = _result(catalog.client.get("/api/action/package_search", params={"rows": 1}))
    assert result["count"] == len(catalog.public_ids)


def test_package_search_facets_in_ckan_shape(catalog: Catalog) -> None:
    result = _result(catalog.client.get("/api/3/action/package_search", params={
        "facet.field": '["organization","res_format"]', "rows": 0}))

    assert set(result["facets"]) == {"organization", "res_format"}
    items = result["search_facets"]["organization"]["items"]
    assert items and {"name", "display_name", "count"} <= items[0].keys()
    assert sum(result["facets"]["organization"].values()) == len(catalog.public_ids)


def test_package_search_fq_quoted_organization(catalog: Catalog) -> None:
    result = _result(catalog.client.get("/api/3/action/package_search", params={
        "fq": 'organization:"kabupaten-kampar"', "rows": 10}))

    assert result["count"] == 1
    assert result["results"][0]["organization"]["name"] == "kabupaten-kampar"


def test_package_search_sort_modified_desc(catalog: Catalog) -> None:
    """The index sorts on the record's own dct:modified, which the `modified` extra carries."""
    result = _result(catalog.client.get("/api/3/action/package_search", params={
        "sort": "metadata_modified desc", "rows": 20, "q": "data"}))
    modified = [next(e["value"] for e in p["extras"] if e["key"] == "modified") for p in result["results"]]

    assert len(modified) == 20
    assert modified == sorted(modified, reverse=True)


def test_harvester_crawl_by_id_with_modified_range(catalog: Catalog) -> None:
    """The CKAN harvester pages with rows=100, start+=100, sort=id asc and an fq time range."""
    seen: list[str] = []
    start = 0
    while True:
        result = _result(catalog.client.get("/api/3/action/package_search", params={
            "fq": "metadata_modified:[2025-05-01T00:00:00Z TO *]", "sort": "id asc",
            "rows": 7, "start": start}))
        if not result["results"]:
            break
        seen += [package["id"] for package in result["results"]]
        start += 7

    assert seen == sorted(catalog.second_load_ids)
    assert result["count"] == len(catalog.second_load_ids)


def test_package_search_rows_1000_full_listing(catalog: Catalog) -> None:
    result = _result(catalog.client.get("/api/3/action/package_search", params={"rows": 1000, "sort": "id asc"}))
    assert [p["id"] for p in result["results"]] == catalog.public_ids


def test_package_show_by_id_and_name(catalog: Catalog) -> None:
    dataset_id = catalog.public_ids[0]
    by_id = _result(catalog.client.get("/api/3/action/package_show", params={"id": dataset_id}))
    by_name = _result(catalog.client.get("/api/3/action/package_show", params={"name": by_id["name"]}))

    assert by_id == by_name
    extras = {extra["key"]: extra["value"] for extra in by_id["extras"]}
    assert extras["access_level"] == "terbuka"
    assert extras["harvest_source_id"]
    assert extras["dcat_uri"].endswith(f"/dataset/{dataset_id}")


def test_package_show_carries_region_and_licence(catalog: Catalog) -> None:
    result = _result(catalog.client.get("/api/3/action/package_search", params={
        "fq": 'organization:"kabupaten-kampar"'}))
    package = result["results"][0]
    extras = {extra["key"]: extra["value"] for extra in package["extras"]}

    assert extras["region_code"] == "kemendagri:2025:14.01"
    assert package["resources"][0]["size"] == 80508
    assert package["resources"][0]["format"] == "XLSX"


def test_package_list_paging(catalog: Catalog) -> None:
    first = _result(catalog.client.get("/api/3/action/package_list", params={"limit": 50}))
    second = _result(catalog.client.get("/api/3/action/package_list", params={"limit": 50, "offset": 50}))
    assert first + second == catalog.public_ids[:100]


def test_organization_list_names_and_all_fields(catalog: Catalog) -> None:
    names = _result(catalog.client.get("/api/3/action/organization_list"))
    full = _result(catalog.client.get("/api/3/action/organization_list", params={"all_fields": "true"}))

    assert "kabupaten-kampar" in names
    assert [organization["name"] for organization in full] == names
    assert all(organization["package_count"] > 0 for organization in full)


def test_organization_names_match_ckan_pattern(catalog: Catalog) -> None:
    full = _result(catalog.client.get("/api/3/action/organization_list", params={"all_fields": "true"}))

    names = [organization["name"] for organization in full]
    assert [name for name in names if not re.fullmatch(r"[a-z0-9_-]{2,100}", name)] == []
    assert {"id": "99 99/ä", "name": "99-99"}.items() <= next(
        organization for organization in full if organization["id"] == "99 99/ä").items()


def test_unsafe_organization_found_by_name_and_id(catalog: Catalog) -> None:
    by_name = _result(catalog.client.get("/api/3/action/organization_show", params={"id": "99-99"}))
    by_id = _result(catalog.client.get("/api/3/action/organization_show", params={"id": "99 99/ä"}))
    search = _result(catalog.client.get("/api/3/action/package_search", params={
        "fq": "organization:99-99", "facet.field": '["organization"]', "rows": 10}))

    assert by_name == by_id
    assert search["count"] == 1
    assert search["results"][0]["organization"]["name"] == "99-99"
    assert search["results"][0]["owner_org"] == "99 99/ä"
    assert search["facets"]["organization"] == {"99-99": 1}


def test_status_show(catalog: Catalog) -> None:
    assert _result(catalog.client.get("/api/3/action/status_show"))["site_title"] == "Himpun"


def test_hidden_never_in_ckan_api(catalog: Catalog) -> None:
    client = catalog.client
    for kind, dataset_id in catalog.hidden_ids.items():
        response = client.get("/api/3/action/package_show", params={"id": dataset_id})
        assert response.status_code == 404, kind
    texts = [
        client.get("/api/3/action/package_search", params={"q": "Rahasia", "rows": 100}).text,
        client.get("/api/3/action/package_search", params={"rows": 1000, "sort": "id asc"}).text,
        client.get("/api/3/action/package_list").text,
    ]
    for text in texts:
        assert "Rahasia" not in text
        for dataset_id in catalog.hidden_ids.values():
            assert dataset_id not in text


def test_package_show_missing_is_ckan_404(catalog: Catalog) -> None:
    response = catalog.client.get("/api/3/action/package_show", params={"id": "tidak-ada"})
    body = response.json()

    assert response.status_code == 404
    assert body["success"] is False
    assert body["error"]["__type"] == "Not Found Error"


@pytest.mark.parametrize("params", [
    {"rows": "1001"},
    {"rows": "banyak"},
    {"fq": "tags:air"},
    {"fq": "-organization:kabupaten-kampar"},
    {"sort": "views desc"},
    {"facet.field": '["tags"]'},
    {"q": "air", "sort": "id asc"},
    {"q": "air", "rows": "500"},
])
def test_package_search_invalid_is_409(catalog: Catalog, params: dict[str, str]) -> None:
    response = catalog.client.get("/api/3/action/package_search", params=params)
    body = response.json()

    assert response.status_code == 409, body
    assert body["error"]["__type"] == "Validation Error"
    assert body["error"]["message_en"]


def test_unknown_action_is_400(catalog: Catalog) -> None:
    response = catalog.client.get("/api/3/action/package_create")
    assert response.status_code == 400
    assert response.json()["success"] is False
