"""Public pages rendered from the harvested Aceh catalogue."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from tests.web.catalog import RESTRICTED_CANARY, Catalog
from web.views import sitemap as sitemap_view

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


class _ScriptCounter(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts.append(dict(attrs))
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.hrefs.append(value)


def parse(html: str) -> _ScriptCounter:
    parser = _ScriptCounter()
    parser.feed(html)
    return parser


def test_search_page_lists_datasets_in_indonesian(client: TestClient) -> None:
    response = client.get("/", headers=HTML)
    assert response.status_code == 200
    assert '<html lang="id">' in response.text
    assert "Cari dataset" in response.text
    assert "dataset ditemukan" in response.text
    assert '<label for="q">' in response.text
    assert "Langsung ke konten utama" in response.text


def test_search_highlights_matches(client: TestClient) -> None:
    response = client.get("/", params={"q": "kualitas air"})
    assert "<mark>" in response.text.lower()


def test_facet_link_filters_results(client: TestClient) -> None:
    page = client.get("/").text
    link = re.search(r'href="(/\?creator=[^"]+)"', page)
    assert link is not None
    filtered = client.get(link.group(1).replace("&amp;", "&"))
    assert filtered.status_code == 200
    assert "Filter aktif" in filtered.text
    assert "(hapus filter)" in filtered.text


def test_paging_links_next_page(client: TestClient) -> None:
    first = client.get("/").text
    assert 'rel="next"' in first
    second = client.get("/", params={"page": "2"})
    assert second.status_code == 200
    assert 'aria-current="page">2<' in second.text


def test_language_switch_sets_cookie(client: TestClient) -> None:
    response = client.get("/", params={"lang": "en"})
    assert '<html lang="en">' in response.text
    assert "Search datasets" in response.text
    assert response.cookies.get("himpun_lang") == "en"
    follow = client.get("/")
    assert '<html lang="en">' in follow.text


def test_pages_carry_content_security_policy(client: TestClient) -> None:
    policy = client.get("/").headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_dataset_page_shows_metadata(client: TestClient, catalog: Catalog) -> None:
    response = client.get(f"/dataset/{catalog.provenance_dataset_id}", headers=HTML)
    assert response.status_code == 200
    assert "Asal-usul" in response.text
    assert catalog.original_url in response.text
    assert "Kualitas metadata" in response.text
    assert f"/api/3/action/package_show?id={catalog.provenance_dataset_id}" in response.text
    assert f"/dataset/{catalog.provenance_dataset_id}.ttl" in response.text


def test_dataset_turtle_still_served(client: TestClient, catalog: Catalog) -> None:
    response = client.get(f"/dataset/{catalog.provenance_dataset_id}", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")


def test_restricted_dataset_is_not_found(client: TestClient, catalog: Catalog) -> None:
    restricted = [dataset for dataset in catalog.services.store.iter_datasets()
                  if RESTRICTED_CANARY in dataset.record.title]
    assert restricted
    response = client.get(f"/dataset/{restricted[0].id}", headers=HTML)
    assert response.status_code == 404
    assert RESTRICTED_CANARY not in response.text


def test_restricted_record_absent_everywhere(client: TestClient) -> None:
    for path in ("/", "/?q=KANARI", "/sitemap.xml", "/?lang=en"):
        assert RESTRICTED_CANARY not in client.get(path).text, path


def test_robots_points_to_sitemap(client: TestClient) -> None:
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "Disallow: /admin/" in response.text
    assert response.text.rstrip().endswith("/sitemap.xml")


def test_sitemap_lists_public_pages(client: TestClient, catalog: Catalog) -> None:
    response = client.get("/sitemap.xml")
    assert response.headers["content-type"].startswith("application/xml")
    public = catalog.services.store.count_datasets(public_only=True)
    assert response.text.count("<loc>") == public


def test_large_catalogue_gets_sitemap_index(client: TestClient, catalog: Catalog,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sitemap_view, "MAX_SITEMAP_URLS", 3)
    public = catalog.services.store.count_datasets(public_only=True)
    files = -(-public // 3)

    index = client.get("/sitemap.xml").text
    pages = [client.get(f"/sitemap-{number}.xml") for number in range(1, files + 1)]

    assert "<sitemapindex" in index
    assert index.count("<sitemap>") == files
    assert [page.status_code for page in pages] == [200] * files
    locations = [location for page in pages for location in re.findall(r"<loc>([^<]+)</loc>", page.text)]
    assert len(locations) == len(set(locations)) == public
    assert client.get("/sitemap-0.xml").status_code == 404
    assert client.get(f"/sitemap-{files + 1}.xml").status_code == 404


def test_hostile_titles_render_inert(client: TestClient, catalog: Catalog) -> None:
    hostile = [dataset for dataset in catalog.services.store.iter_datasets()
               if dataset.sources[0].remote_id.startswith("xss-")]
    assert len(hostile) == 2
    for dataset in hostile:
        page = client.get(f"/dataset/{dataset.id}", headers=HTML).text
        parsed = parse(page)
        assert [script.get("type") for script in parsed.scripts] == ["application/ld+json"]
        assert all(not href.lower().startswith(("javascript:", "data:")) for href in parsed.hrefs)
        assert "<img" not in page
        assert "<svg" not in page
        assert "</script><script>" not in page


def test_search_page_escapes_hostile_titles(client: TestClient) -> None:
    page = client.get("/", params={"q": "banjir"}).text
    assert "<script>window.__xss" not in page
    assert "<svg onload" not in page


def test_organization_page_lists_datasets(client: TestClient) -> None:
    response = client.get("/organization/kemendagri:11")
    assert response.status_code == 200
    assert "Provinsi Aceh" in response.text


def test_opd_page_accepts_scoped_key(client: TestClient) -> None:
    response = client.get("/opd/11/dinas-lingkungan-hidup")
    assert response.status_code == 200
    assert "Dinas Lingkungan Hidup" in response.text


def test_unknown_organization_is_not_found(client: TestClient) -> None:
    assert client.get("/organization/tidak-ada").status_code == 404


def test_static_file_rejects_unknown_names(client: TestClient) -> None:
    assert client.get("/static/himpun.css").status_code == 200
    assert client.get("/static/..%2Fsanitize.py").status_code == 404
