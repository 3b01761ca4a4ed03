"""The public search page: query box, facets, active filters, sort, paging and snippets."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from index.base import FacetCount, SearchResult
from index.documents import region_labels
from web.deps import get_services
from web.labels import VocabularyLabels, vocabulary_labels
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


def opd_region(key: str) -> str:
    """Return the region name of an OPD facet key (`32.05/dinas-pendidikan` -> Kabupaten Garut), else the key."""
    code, separator, _ = key.partition("/")
    return region_labels().get(code, key) if separator else key


def disambiguate_opds(counts: list[FacetCount]) -> list[FacetCount]:
    """Add the region to the label of every OPD whose name another shown OPD shares.

    Many regions have an OPD of the same name ("Dinas Pendidikan"), so a
    name alone does not say which one a facet entry filters on.
    """
    names = Counter(count.label for count in counts)
    return [
        count.model_copy(update={"label": f"{count.label} ({opd_region(count.key)})"})
        if names[count.label] > 1 else count
        for count in counts
    ]


def localize_themes(counts: list[FacetCount], labels: VocabularyLabels) -> list[FacetCount]:
    """Replace the indexed Indonesian topic labels by those of the page language."""
    return [count.model_copy(update={"label": labels.theme_key(count.key, count.label)}) for count in counts]


def labelled_facets(result: SearchResult, labels: VocabularyLabels) -> SearchResult:
    """Return `result` with topic labels in the page language and same-named OPDs distinguished by region."""
    facets = dict(result.facets)
    if "theme" in facets:
        facets["theme"] = localize_themes(facets["theme"], labels)
    if "creator" in facets:
        facets["creator"] = disambiguate_opds(facets["creator"])
    return result.model_copy(update={"facets": facets})


def last_page_number(total: int) -> int:
    return max(1, -(-total // ROWS_PER_PAGE))


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
    last = last_page_number(total)
    shown = {1, last, *range(max(1, page - 2), min(last, page + 2) + 1)}
    return sorted(shown)


@router.get("/", response_class=HTMLResponse, name="web_search")
def search_page(request: Request) -> HTMLResponse:
    params = SearchParams.from_query(request.query_params)
    result = get_services(request).index.search(params.to_query())
    result = labelled_facets(result, vocabulary_labels(request))
    last_page = last_page_number(result.total)

    context = {
        "params": params,
        "result": result,
        "flat_facets": FLAT_FACETS,
        "regions": region_tree(result),
        "active": active_filters(params, result),
        "pages": page_numbers(params.page, result.total),
        "last_page": last_page,
        # A page number past the end keeps the total but lists nothing, so the page shows a notice instead.
        "past_end": result.total > 0 and params.page > last_page,
    }
    return render(request, "search.html", context)
