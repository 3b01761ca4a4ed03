"""Pages listing the public datasets of one Walidata (publisher) or one OPD (creator)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import HTMLResponse

from index.base import SearchQuery
from web.deps import get_services
from web.labels import vocabulary_labels
from web.templating import render
from web.views.search import labelled_facets, last_page_number, page_numbers
from web.views.search_params import ROWS_PER_PAGE, SearchParams

router = APIRouter()


def _organization_page(request: Request, facet: str, key: str, template_kind: str) -> HTMLResponse:
    params = SearchParams.from_query(request.query_params)
    query = SearchQuery(filters={facet: [key]}, sort="modified_desc", offset=(params.page - 1) * ROWS_PER_PAGE,
                        rows=ROWS_PER_PAGE, facets=[facet, "theme", "format"], public_only=True)
    result = labelled_facets(get_services(request).index.search(query), vocabulary_labels(request))
    labels = [count.label for count in result.facets.get(facet, []) if count.key == key]
    if result.total == 0 or not labels:
        raise HTTPException(status_code=404, detail="Not Found")

    context = {
        "kind": template_kind,
        "facet": facet,
        "key": key,
        "name": labels[0],
        "result": result,
        "params": params,
        "pages": page_numbers(params.page, result.total),
        "last_page": last_page_number(result.total),
        "past_end": params.page > last_page_number(result.total),
        "search_url": SearchParams().with_filter(facet, key),
    }
    return render(request, "organization.html", context)


@router.get("/organization/{key:path}", response_class=HTMLResponse, name="web_organization")
def organization_page(request: Request, key: str) -> HTMLResponse:
    return _organization_page(request, "publisher", key, "walidata")


@router.get("/opd/{key:path}", response_class=HTMLResponse, name="web_opd")
def opd_page(request: Request, key: str) -> HTMLResponse:
    return _organization_page(request, "creator", key, "opd")
