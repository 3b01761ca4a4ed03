"""A read-only CKAN-compatible Action API under /api/3/action/ (and /api/action/).

Searches with text or filters go through the search index, and full
package dicts come from the store. A crawl sorted by `id asc`, or filtered
only by `metadata_modified:[X TO *]` (what ckanext-harvest's CKAN harvester
sends), reads the store by keyset, so rows up to 1000 and any `start` work.
Only public datasets appear anywhere.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from harvester.model import PublishedDataset
from index.base import MAX_OFFSET, MAX_ROWS, SearchQuery
from publish.ckan_package import organization_from_facet, organization_name, package_dict
from publish.ckan_query import SearchPlan, parse_facet_fields, parse_fq, parse_q, parse_sort
from publish.errors import PublicApiError

logger = logging.getLogger(__name__)

__all__ = ["PREFIXES", "error_response", "router"]

PREFIXES = ("/api/3/action/", "/api/action/")
MAX_CKAN_ROWS = 1000
DEFAULT_CKAN_ROWS = 10
# Organizations one facet query returns; SearchQuery caps facet_limit at 200.
MAX_ORGANIZATIONS = 200

router = APIRouter(tags=["CKAN Action API"])


def _help(request: Request, action: str) -> str:
    return f"{request.app.state.settings.base_url.rstrip('/')}/api/3/action/help_show?name={action}"


def _success(request: Request, action: str, result: Any) -> JSONResponse:
    return JSONResponse({"help": _help(request, action), "success": True, "result": result})


def error_response(error: PublicApiError) -> JSONResponse:
    """Return the CKAN error shape: 404 Not Found Error, 409 Validation Error, 400 Bad Request."""
    kind = {404: "Not Found Error", 409: "Validation Error"}.get(error.status, "Bad Request")
    payload: dict[str, Any] = {"__type": kind, "message": error.message_id, "message_en": error.message_en}
    if error.status == 409:
        payload[error.field or "request"] = [error.message]
    body = {"help": "", "success": False, "error": payload}
    return JSONResponse(body, status_code=error.status)


def _integer(request: Request, name: str, default: int, maximum: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise PublicApiError(409, f"{name} harus bilangan bulat, bukan {raw!r}", f"{name} must be an integer, not {raw!r}",
                             code="validation-error", field=name) from None
    if value < 0 or (maximum is not None and value > maximum):
        limit = f"0..{maximum}" if maximum is not None else ">= 0"
        raise PublicApiError(409, f"{name} harus {limit}, bukan {value}", f"{name} must be {limit}, not {value}",
                             code="validation-error", field=name)
    return value


def _base_url(request: Request) -> str:
    return request.app.state.settings.base_url.rstrip("/")


def _store(request: Request) -> Any:
    return request.app.state.services.store


def _index(request: Request) -> Any:
    return request.app.state.services.index


# --- keyset cursors for crawls sorted by id ---------------------------------------

class _CursorCache:
    """Remembers the last id of recent store pages, so `start=N` after `start=N-rows` costs no rescan."""

    def __init__(self, size: int = 1024) -> None:
        self._entries: OrderedDict[tuple[Any, ...], str] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> str | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: tuple[Any, ...], value: str) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


_cursors = _CursorCache()


def _store_page(request: Request, plan: SearchPlan, start: int, rows: int) -> tuple[int, list[PublishedDataset]]:
    """Return (count, datasets) of one id-ordered page read from the store."""
    store = _store(request)
    count = store.count_datasets(public_only=True, modified_since=plan.modified_since)
    if rows == 0 or start >= count:
        return count, []

    key = (id(store), plan.modified_since, start)
    after = _cursors.get(key) if start else None
    if start and after is None:
        # NOTE: without a cached cursor, `start` costs a scan of the datasets before it.
        for dataset in store.iter_datasets(public_only=True, modified_since=plan.modified_since, limit=start):
            after = dataset.id
    datasets = [d for d in store.iter_datasets(public_only=True, modified_since=plan.modified_since,
                                               after_id=after, limit=rows) if d.is_public]
    if datasets:
        _cursors.put((id(store), plan.modified_since, start + rows), datasets[-1].id)
    return count, datasets


def _use_store(plan: SearchPlan, sort: str, facets: dict[str, str], rows: int, start: int) -> bool:
    """Decide whether a search reads the store (id order) or the index, or reject it."""
    plain = not plan.text and not plan.filters and not facets
    if sort == "id_asc" or plan.modified_since is not None:
        if not plain or sort not in ("id_asc", "relevance"):
            raise PublicApiError(
                409,
                "sort=id asc dan metadata_modified:[X TO *] hanya didukung tanpa q, fq lain, facet, atau urutan lain",
                "sort=id asc and metadata_modified:[X TO *] work only without q, other fq clauses, facets "
                "or another sort",
                code="validation-error", field="fq",
            )
        return True
    if rows > MAX_ROWS or start + rows > MAX_OFFSET:
        if plain and sort == "relevance":
            return True
        raise PublicApiError(
            409,
            f"Dengan q, fq, facet atau sort, rows maksimal {MAX_ROWS} dan start+rows maksimal {MAX_OFFSET}",
            f"with q, fq, facets or sort, rows is at most {MAX_ROWS} and start+rows at most {MAX_OFFSET}",
            code="validation-error", field="rows",
        )
    return False


def _search_facets(result_facets: dict[str, Any], facets: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    flat: dict[str, Any] = {}
    detailed: dict[str, Any] = {}
    for name, facet in facets.items():
        counts = result_facets.get(facet, [])
        # CKAN reports organizations by name; owner_org and the other fields by their value.
        key = organization_name if name == "organization" else str
        flat[name] = {key(item.key): item.count for item in counts}
        detailed[name] = {
            "title": name,
            "items": [{"name": key(item.key), "display_name": item.label, "count": item.count} for item in counts],
        }
    return flat, detailed


def _index_page(request: Request, plan: SearchPlan, sort: str, facets: dict[str, str], start: int,
                rows: int, facet_limit: int) -> tuple[int, list[PublishedDataset], dict[str, Any], dict[str, Any]]:
    query = SearchQuery(text=plan.text, filters=plan.filters, sort=sort, offset=start, rows=rows,
                        facets=sorted(set(facets.values())), facet_limit=facet_limit, highlight=False,
                        public_only=True)
    result = _index(request).search(query)
    store = _store(request)
    datasets: list[PublishedDataset] = []
    for hit in result.hits:
        dataset = store.get_dataset(hit.id)
        if dataset is None or not dataset.is_public:
            logger.warning("index hit %s is missing or not public in the store; the index needs a rebuild", hit.id)
            continue
        datasets.append(dataset)
    flat, detailed = _search_facets(result.facets, facets)
    return result.total, datasets, flat, detailed


# --- actions ---------------------------------------------------------------------------

def package_search(request: Request) -> JSONResponse:
    """Search public datasets: q, fq, rows (at most 1000), start, sort, facet.field."""
    params = request.query_params
    plan = SearchPlan()
    parse_q(params.get("q"), plan)
    parse_fq(params.get("fq"), plan)
    _resolve_organizations(request, plan)
    sort = parse_sort(params.get("sort"))
    facets = parse_facet_fields(params.get("facet.field"))
    rows = _integer(request, "rows", DEFAULT_CKAN_ROWS, MAX_CKAN_ROWS)
    start = _integer(request, "start", 0)
    facet_limit = min(_integer(request, "facet.limit", 50), 200) or 1

    flat: dict[str, Any] = {name: {} for name in facets}
    detailed: dict[str, Any] = {name: {"title": name, "items": []} for name in facets}
    if _use_store(plan, sort, facets, rows, start):
        count, datasets = _store_page(request, plan, start, rows)
    else:
        count, datasets, flat, detailed = _index_page(request, plan, sort, facets, start, rows, facet_limit)

    base_url = _base_url(request)
    result = {
        "count": count,
        "sort": params.get("sort") or "score desc, metadata_modified desc",
        "facets": flat,
        "search_facets": detailed,
        "results": [package_dict(dataset, base_url) for dataset in datasets],
    }
    return _success(request, "package_search", result)


def package_show(request: Request) -> JSONResponse:
    """Return one public dataset by id or name."""
    name = request.query_params.get("id") or request.query_params.get("name")
    if not name:
        raise PublicApiError(409, "Parameter id wajib diisi", "parameter id is required", code="validation-error",
                             field="id")
    dataset = _store(request).get_dataset(name)
    if dataset is None or not dataset.is_public:
        raise PublicApiError(404, f"Dataset {name!r} tidak ditemukan", f"dataset {name!r} not found",
                             code="not-found")
    return _success(request, "package_show", package_dict(dataset, _base_url(request)))


def package_list(request: Request) -> JSONResponse:
    """List the names of public datasets: limit, offset."""
    limit = _integer(request, "limit", MAX_CKAN_ROWS, MAX_CKAN_ROWS)
    offset = _integer(request, "offset", 0)
    plan = SearchPlan()
    _, datasets = _store_page(request, plan, offset, limit)
    return _success(request, "package_list", [dataset.id for dataset in datasets])


def _organizations(request: Request) -> list[Any]:
    query = SearchQuery(rows=0, facets=["publisher"], facet_limit=MAX_ORGANIZATIONS, highlight=False,
                        public_only=True)
    counts = _index(request).search(query).facets.get("publisher", [])
    if len(counts) >= MAX_ORGANIZATIONS:
        # TODO: page organizations past the facet limit of 200 once the index offers facet paging.
        logger.warning("organization_list stops at %d organizations", MAX_ORGANIZATIONS)
    return counts


def _resolve_organizations(request: Request, plan: SearchPlan) -> None:
    """Replace organization names in the publisher filter by the publisher keys the index filters on."""
    values = plan.filters.get("publisher")
    if not values:
        return
    keys = {organization_name(facet.key): facet.key for facet in _organizations(request)}
    plan.filters["publisher"] = [keys.get(value, value) for value in values]


def organization_list(request: Request) -> JSONResponse:
    """List the Walidata that publish public datasets; all_fields=true for details."""
    all_fields = request.query_params.get("all_fields", "false").lower() in ("true", "1", "yes")
    counts = sorted(_organizations(request), key=lambda facet: facet.key)
    if all_fields:
        result: list[Any] = [organization_from_facet(facet, with_count=True) for facet in counts]
    else:
        result = [organization_name(facet.key) for facet in counts]
    return _success(request, "organization_list", result)


def organization_show(request: Request) -> JSONResponse:
    """Return one Walidata by id or name."""
    name = request.query_params.get("id") or ""
    for facet in _organizations(request):
        if name in (facet.key, organization_name(facet.key)):
            return _success(request, "organization_show", organization_from_facet(facet, with_count=True))
    raise PublicApiError(404, f"Organisasi {name!r} tidak ditemukan", f"organization {name!r} not found",
                         code="not-found")


def status_show(request: Request) -> JSONResponse:
    """Describe this site and the CKAN release whose API shapes it follows."""
    settings = request.app.state.settings
    result = {
        "site_title": "Himpun",
        "site_url": settings.base_url,
        "site_description": "Katalog metadata Satu Data Indonesia / Satu Data Indonesia metadata catalog",
        # The CKAN release whose Action API shapes this API follows; clients read it for feature checks.
        "ckan_version": "2.9.0",
        "locale_default": "id",
        "extensions": ["dcat"],
    }
    return _success(request, "status_show", result)


def help_show(request: Request) -> JSONResponse:
    """Describe one action, as CKAN's help_show does: the text of its docstring."""
    name = request.query_params.get("name", "")
    handler = ACTIONS.get(name)
    if handler is None:
        raise PublicApiError(404, f"Aksi {name!r} tidak ditemukan", f"action {name!r} not found", code="not-found")
    text = (handler.__doc__ or name).strip()
    return _success(request, "help_show", text)


ACTIONS = {
    "help_show": help_show,
    "package_search": package_search,
    "package_show": package_show,
    "package_list": package_list,
    "organization_list": organization_list,
    "organization_show": organization_show,
    "status_show": status_show,
}


def _dispatch(request: Request, action: str) -> JSONResponse:
    handler = ACTIONS.get(action)
    if handler is None:
        known = ", ".join(sorted(ACTIONS))
        raise PublicApiError(400, f"Aksi {action!r} tidak tersedia; tersedia: {known}",
                             f"action {action!r} is not available; available: {known}", code="bad-request")
    return handler(request)


@router.get("/api/3/action/{action}", summary="CKAN Action API (read-only)")
def action_v3(request: Request, action: str) -> JSONResponse:
    return _dispatch(request, action)


@router.get("/api/action/{action}", summary="CKAN Action API without the version segment", include_in_schema=False)
def action_unversioned(request: Request, action: str) -> JSONResponse:
    return _dispatch(request, action)
