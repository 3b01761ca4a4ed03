"""sitemap.xml listing the page of every public dataset, and robots.txt pointing crawlers at it."""

from __future__ import annotations

import math
from xml.sax.saxutils import escape

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import PlainTextResponse, Response

from web.deps import get_services

router = APIRouter()

# The sitemap protocol allows at most 50,000 URLs per file; a larger catalogue
# gets a sitemap index of numbered files.
MAX_SITEMAP_URLS = 50_000
PAGE_SIZE = 1_000


@router.get("/sitemap.xml", name="web_sitemap")
def sitemap(request: Request) -> Response:
    """List every public dataset page, or, past MAX_SITEMAP_URLS datasets, the numbered sitemap files."""
    services = get_services(request)
    total = services.store.count_datasets(public_only=True)
    if total <= MAX_SITEMAP_URLS:
        return _urlset(request, after_id=None)

    base = services.settings.base_url.rstrip("/")
    files = math.ceil(total / MAX_SITEMAP_URLS)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines += [f"<sitemap><loc>{escape(f'{base}/sitemap-{number}.xml')}</loc></sitemap>"
              for number in range(1, files + 1)]
    lines.append("</sitemapindex>")
    return Response("\n".join(lines) + "\n", media_type="application/xml")


@router.get("/sitemap-{number}.xml", name="web_sitemap_file")
def sitemap_file(request: Request, number: int) -> Response:
    """List the public dataset pages of one sitemap file, MAX_SITEMAP_URLS of them in id order."""
    if number < 1:
        raise HTTPException(status_code=404)
    store = get_services(request).store
    first = (number - 1) * MAX_SITEMAP_URLS
    if store.dataset_id_at(first) is None:
        raise HTTPException(status_code=404)
    after_id = store.dataset_id_at(first - 1) if number > 1 else None
    return _urlset(request, after_id=after_id)


def _urlset(request: Request, after_id: str | None) -> Response:
    """Return up to MAX_SITEMAP_URLS dataset pages after `after_id` as one sitemap file."""
    services = get_services(request)
    base = services.settings.base_url.rstrip("/")
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']

    read = 0
    while read < MAX_SITEMAP_URLS:
        batch = list(services.store.iter_datasets(public_only=True, modified_since=None, after_id=after_id,
                                                  limit=min(PAGE_SIZE, MAX_SITEMAP_URLS - read)))
        if not batch:
            break
        for dataset in batch:
            if not dataset.is_public:
                continue
            lastmod = (dataset.record.modified or dataset.updated_at).date().isoformat()
            lines.append(f"<url><loc>{escape(f'{base}/dataset/{dataset.id}')}</loc><lastmod>{lastmod}</lastmod></url>")
        read += len(batch)
        after_id = batch[-1].id

    lines.append("</urlset>")
    return Response("\n".join(lines) + "\n", media_type="application/xml")


@router.get("/robots.txt", name="web_robots")
def robots(request: Request) -> PlainTextResponse:
    """Send crawlers to the sitemap, and keep them out of operator pages and endless search-filter URLs."""
    base = get_services(request).settings.base_url.rstrip("/")
    return PlainTextResponse("User-agent: *\nDisallow: /admin/\nDisallow: /*?\n\n"
                             f"Sitemap: {base}/sitemap.xml\n")
