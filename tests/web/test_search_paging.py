"""Search paging past the last page, and the OPD facet labels of same-named OPDs."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from index.base import FacetCount
from tests.web.catalog import Catalog
from web.views.search import disambiguate_opds
from web.views.search_params import ROWS_PER_PAGE

HTML = {"Accept": "text/html"}


def public_last_page(catalog: Catalog) -> int:
    public = catalog.services.store.count_datasets(public_only=True)
    return -(-public // ROWS_PER_PAGE)


def test_page_past_end_shows_notice(client: TestClient, catalog: Catalog) -> None:
    last = public_last_page(catalog)
    page = client.get("/?page=999&lang=id", headers=HTML).text
    assert f"Halaman 501 melewati halaman terakhir hasil ini, yaitu halaman {last}." in page
    assert "Tidak ada dataset yang cocok" not in page
    assert f'href="/?page={last}">Ke halaman terakhir</a>' in page


def test_page_past_end_in_english(client: TestClient, catalog: Catalog) -> None:
    last = public_last_page(catalog)
    page = client.get("/?page=40&lang=en", headers=HTML).text
    assert f"Page 40 is past the last page of these results, page {last}." in page
    assert "No dataset matches" not in page


def test_previous_link_goes_to_last_page(client: TestClient, catalog: Catalog) -> None:
    last = public_last_page(catalog)
    assert last > 1
    page = client.get("/?page=999", headers=HTML).text
    previous = re.search(r'<a href="([^"]+)" rel="prev">', page)
    assert previous is not None
    assert previous.group(1) == f"/?page={last}"


def test_page_inside_range_lists_results(client: TestClient) -> None:
    page = client.get("/?page=2&lang=en", headers=HTML).text
    assert "is past the last page" not in page
    assert '<ol class="results">' in page


def test_opd_page_past_end(client: TestClient) -> None:
    search = client.get("/", headers=HTML).text
    opd = re.search(r'href="/\?creator=([^"]+)"', search)
    assert opd is not None
    key = opd.group(1).replace("%2F", "/")
    page = client.get(f"/opd/{key}?page=400&lang=en", headers=HTML)
    assert page.status_code == 200
    assert "Page 400 is past the last page of these results, page 1." in page.text
    assert 'href="?page=1">Go to the last page</a>' in page.text


def test_same_named_opds_get_region() -> None:
    counts = [
        FacetCount(key="32.05/dinas-pendidikan", label="Dinas Pendidikan", count=5),
        FacetCount(key="11/dinas-pendidikan", label="Dinas Pendidikan", count=3),
        FacetCount(key="11/dinas-kesehatan", label="Dinas Kesehatan", count=2),
        FacetCount(key="dinas-sosial", label="Dinas Sosial", count=1),
    ]
    labels = [count.label for count in disambiguate_opds(counts)]
    assert labels == ["Dinas Pendidikan (Kabupaten Garut)", "Dinas Pendidikan (Aceh)",
                      "Dinas Kesehatan", "Dinas Sosial"]


def test_same_named_opds_without_region_code() -> None:
    counts = [FacetCount(key="dinas-pendidikan", label="Dinas Pendidikan", count=2),
              FacetCount(key="99.99/dinas-pendidikan", label="Dinas Pendidikan", count=1)]
    labels = [count.label for count in disambiguate_opds(counts)]
    assert labels == ["Dinas Pendidikan (dinas-pendidikan)", "Dinas Pendidikan (99.99/dinas-pendidikan)"]
