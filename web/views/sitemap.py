"""sitemap.xml listing the page of every public dataset, and robots.txt pointing crawlers at it."""

from __future__ import annotations

from xml.sax.saxutils import escape

from fastapi import APIRouter, Request
from starlette.responses import PlainTextResponse, Response

from web.deps import get_services

router = APIRouter()

# The sitemap protocol allows at most 50,000 URLs per file.
MAX_SITEMAP_URLS = 50_000
PAGE_SIZE = 1_000


@router.get("/sitemap.xml", name="web_sitemap")
def sitemap(request: Request) -> Response:
    services = get_services(request)
    base = services.settings.base_url.rstrip("/")
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']

    # TODO: split into a sitemap index once a catalogue has more than 50,000 public datasets.
    count, after_id = 0, None
    while count < MAX_SITEMAP_URLS:
        batch = list(services.store.iter_datasets(public_only=True, modified_since=None, after_id=after_id,
                                                  limit=min(PAGE_SIZE, MAX_SITEMAP_URLS - count)))
        if not batch:
            break
        for dataset in batch:
            if not dataset.is_public:
                continue
            lastmod = (dataset.record.modified or dataset.updated_at).date().isoformat()
            lines.append(f"<url><loc>{escape(f'{base}/dataset/{dataset.id}')}</loc><lastmod>{lastmod}</lastmod></url>")
            count += 1
        after_id = batch[-1].id

    lines.append("</urlset>")
    return Response("\n".join(lines) + "\n", media_type="application/xml")


@router.get("/robots.txt", name="web_robots")
def robots(request: Request) -> PlainTextResponse:
    """Send crawlers to the sitemap, and keep them out of operator pages and endless search-filter URLs."""
    base = get_services(request).settings.base_url.rstrip("/")
    return PlainTextResponse("User-agent: *\nDisallow: /admin/\nDisallow: /*?\n\n"
                             f"Sitemap: {base}/sitemap.xml\n")
