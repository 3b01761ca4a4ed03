"""The JSON search API: /api/search, /api/suggest and /api/datasets/{id}.

/api/datasets/{id} carries the metadata quality score the dataset page shows,
with check labels and fixes in Indonesian and English. Search hits carry no
score, because scoring needs the stored dataset and not only the index document.

Limits follow the index contract: rows up to 100, queries up to 200
characters, and an offset (page × rows) up to 10,000. A request past a limit
gets 422 with the limit in Indonesian and English, never a shortened result.
"""

from __future__ import annotations

import html
import logging
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from harvester.quality import QualityReport, load_link_results, score
from index.base import FACETS, MAX_OFFSET, MAX_QUERY_LENGTH, MAX_ROWS, SearchHit, SearchQuery
from publish.errors import PublicApiError
from web.i18n import get_translations

logger = logging.getLogger(__name__)

__all__ = ["router"]

router = APIRouter(tags=["search"])

SORTS = ("relevance", "modified_desc", "modified_asc", "title_asc")
DEFAULT_ROWS = 20
SNIPPET_LENGTH = 240
MAX_SUGGESTIONS = 20


def _invalid(field: str, message_id: str, message_en: str) -> PublicApiError:
    return PublicApiError(422, message_id, message_en, code="invalid-parameter", field=field)


def _integer(request: Request, name: str, default: int, minimum: int, maximum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _invalid(name, f"{name} harus bilangan bulat, bukan {raw!r}", f"{name} must be an integer, not {raw!r}") from None
    if not minimum <= value <= maximum:
        raise _invalid(name, f"{name} harus antara {minimum} dan {maximum}, bukan {value}",
                       f"{name} must be between {minimum} and {maximum}, not {value}")
    return value


def _text(request: Request, name: str) -> str:
    text = request.query_params.get(name, "").strip()
    if len(text) > MAX_QUERY_LENGTH:
        raise _invalid(name, f"Kata kunci paling panjang {MAX_QUERY_LENGTH} karakter ({len(text)} diberikan)",
                       f"the query is at most {MAX_QUERY_LENGTH} characters ({len(text)} given)")
    return text


def _snippet(hit: SearchHit) -> str:
    """Return an HTML-escaped snippet; highlights from the index already are escaped and carry <mark>."""
    for field in ("description", "title", "keywords"):
        if hit.highlights.get(field):
            return hit.highlights[field]
    description = hit.document.description
    if len(description) > SNIPPET_LENGTH:
        description = description[:SNIPPET_LENGTH].rsplit(" ", 1)[0] + " …"
    return html.escape(description)


def _links(base_url: str, dataset_id: str) -> dict[str, str]:
    uri = f"{base_url}/dataset/{quote(dataset_id, safe='')}"
    return {
        "self": f"{base_url}/api/datasets/{quote(dataset_id, safe='')}",
        "dcat": uri,
        "turtle": uri + ".ttl",
        "jsonld": uri + ".jsonld",
        "rdfxml": uri + ".rdf",
        "ckan": f"{base_url}/api/3/action/package_show?id={quote(dataset_id, safe='')}",
    }


def _hit(base_url: str, hit: SearchHit) -> dict[str, Any]:
    document = hit.document
    return {
        "id": hit.id,
        "title": document.title,
        "title_highlighted": hit.highlights.get("title") or html.escape(document.title),
        "snippet": _snippet(hit),
        "publisher": document.publisher.model_dump() if document.publisher else None,
        "creator": document.creator.model_dump() if document.creator else None,
        "modified": document.modified.isoformat() if document.modified else None,
        "score": hit.score,
        "links": _links(base_url, hit.id),
    }


@router.get("/api/search", summary="Full-text search with facets; facet filters as ?<facet>=<key>")
def search(request: Request) -> JSONResponse:
    text = _text(request, "q")
    rows = _integer(request, "rows", DEFAULT_ROWS, 0, MAX_ROWS)
    page = _integer(request, "page", 1, 1, MAX_OFFSET + 1)
    offset = (page - 1) * rows
    if offset > MAX_OFFSET:
        raise _invalid("page", f"Halaman terlalu jauh: offset paling besar {MAX_OFFSET} (halaman {page} × {rows} baris)",
                       f"page too deep: the offset is at most {MAX_OFFSET} (page {page} × {rows} rows)")
    sort = request.query_params.get("sort") or "relevance"
    if sort not in SORTS:
        raise _invalid("sort", f"sort harus salah satu dari {', '.join(SORTS)}", f"sort must be one of {', '.join(SORTS)}")
    filters = {facet: request.query_params.getlist(facet) for facet in FACETS if request.query_params.getlist(facet)}

    query = SearchQuery(text=text, filters=filters, sort=sort, offset=offset, rows=rows, public_only=True)
    result = request.app.state.services.index.search(query)
    base_url = request.app.state.settings.base_url.rstrip("/")
    body = {
        "total": result.total,
        "page": page,
        "rows": rows,
        "hits": [_hit(base_url, hit) for hit in result.hits],
        "facets": {name: [count.model_dump() for count in counts] for name, counts in result.facets.items()},
    }
    return JSONResponse(body)


@router.get("/api/suggest", summary="Title completions for a prefix")
def suggest(request: Request) -> JSONResponse:
    text = _text(request, "q")
    limit = _integer(request, "limit", 10, 1, MAX_SUGGESTIONS)
    if not text:
        return JSONResponse({"suggestions": []})
    suggestions = request.app.state.services.index.suggest(text, limit)
    return JSONResponse({"suggestions": [suggestion.model_dump() for suggestion in suggestions]})


def _quality(report: QualityReport) -> dict[str, Any]:
    """Return the JSON form of a quality report, with labels and fixes from the web page catalogs."""
    indonesian = get_translations("id")
    english = get_translations("en")

    def translated(message: str) -> tuple[str, str]:
        if not message:
            return "", ""
        return indonesian.gettext(message), english.gettext(message)

    checks = []
    for check in report.checks:
        label, label_en = translated(check.label)
        fix, fix_en = translated(check.fix)
        checks.append({
            "id": check.id,
            "dimension": check.dimension.value,
            "label": label,
            "label_en": label_en,
            "status": check.status.value,
            "points": check.points,
            "max_points": check.max_points,
            "fix": fix,
            "fix_en": fix_en,
        })

    # Dimension percentages round as the DCAT feed's dqv:value does (one decimal).
    dimensions = [
        {
            "dimension": dimension.dimension.value,
            "percent": round(100 * dimension.points / dimension.max_points, 1) if dimension.max_points else 0.0,
            "points": round(dimension.points, 2),
            "max_points": dimension.max_points,
        }
        for dimension in report.dimensions
    ]
    return {
        "percent": report.percent,
        "points": report.points,
        "max_points": report.max_points,
        "rating": report.rating,
        "dimensions": dimensions,
        "checks": checks,
    }


@router.get("/api/datasets/{dataset_id}",
            summary="One public dataset as JSON, with its source copies and metadata quality score")
def dataset(request: Request, dataset_id: str) -> JSONResponse:
    found = request.app.state.services.store.get_dataset(dataset_id)
    if found is None or not found.is_public:
        raise PublicApiError(404, f"Dataset {dataset_id!r} tidak ditemukan", f"dataset {dataset_id!r} not found",
                             code="not-found")
    settings = request.app.state.settings
    body = found.model_dump(mode="json", exclude={"record": {"provenance": {"raw"}}})
    body["links"] = _links(settings.base_url.rstrip("/"), found.id)
    body["quality"] = _quality(score(found, load_link_results(settings.data_dir)))
    return JSONResponse(body)
