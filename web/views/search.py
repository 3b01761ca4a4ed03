"""The public search page: query box, facets, active filters, sort, paging and snippets."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from index.base import FacetCount, SearchResult
from web.deps import get_services
from web.templating import render
from web.views.search_params import ROWS_PER_PAGE, SearchParams

router = APIRouter()

# Facets shown as flat lists, in page order; the region facet is drawn as a tree.
FLAT_FACETS: tuple[str, ...] = ("publisher", "creator", "theme", "format", "licence", "year")


@dataclass
class RegionNode:
    province: FacetCount
    regencies: list[FacetCount]


def region_tree(result: SearchResult) -> list[RegionNode]:
    """Group regency counts under their province; a regency code starts with its province code and a dot."""
    provinces = result.facets.get("province", [])
    regencies = result.facets.get("regency", [])
    return [
        RegionNode(province, [regency for regency in regencies if regency.key.startswith(province.key + ".")])
        for province in provinces
    ]


def active_filters(params: SearchParams, result: SearchResult) -> list[tuple[str, str, str]]:
    """Return (facet, label, removal link) for every active filter."""
    labels = {(name, count.key): count.label for name, counts in result.facets.items() for count in counts}
    return [
        (name, labels.get((name, key), key), params.without_filter(name, key))
        for name, keys in params.filters.items()
        for key in keys
    ]


def page_numbers(page: int, total: int) -> list[int]:
    """Return the page numbers to link: the first, the last and two either side of `page`."""
    last = max(1, -(-total // ROWS_PER_PAGE))
    shown = {1, last, *range(max(1, page - 2), min(last, page + 2) + 1)}
    return sorted(shown)


@router.get("/", response_class=HTMLResponse, name="web_search")
def search_page(request: Request) -> HTMLResponse:
    params = SearchParams.from_query(request.query_params)
    result = get_services(request).index.search(params.to_query())

    context = {
        "params": params,
        "result": result,
        "flat_facets": FLAT_FACETS,
        "regions": region_tree(result),
        "active": active_filters(params, result),
        "pages": page_numbers(params.page, result.total),
        "last_page": max(1, -(-result.total // ROWS_PER_PAGE)),
    }
    return render(request, "search.html", context)
