"""Translate a `SearchQuery` into an Elasticsearch search request and the reply into a `SearchResult`.

Facet filters combine with OR within one facet and AND across facets. Facet
counts are disjunctive: the counts of one facet apply every filter except that
facet's own, so a page can offer the other values of a facet already chosen.
Hits apply every filter (through `post_filter`).
"""

from __future__ import annotations

from typing import Any

from harvester.errors import InvalidQueryError
from index.base import FACETS, FacetCount, SearchHit, SearchQuery, SearchResult
from index.es_mapping import fold_title, from_source, split_facet_pair

PUBLIC_FILTERS: tuple[dict[str, Any], ...] = (
    {"term": {"access_level": "terbuka"}},
    {"term": {"status": "active"}},
)

TEXT_FIELDS = ["title^4", "keywords^2", "labels^1.5", "description"]
HIGHLIGHT_FIELDS = ("title", "description")
DESCRIPTION_FRAGMENT_CHARS = 200

SORTS: dict[str, list[Any]] = {
    "relevance": [{"_score": "desc"}, {"modified": {"order": "desc", "missing": "_last"}}, {"id": "asc"}],
    "modified_desc": [{"modified": {"order": "desc", "missing": "_last"}}, {"id": "asc"}],
    "modified_asc": [{"modified": {"order": "asc", "missing": "_last"}}, {"id": "asc"}],
    "title_asc": [{"title_sort": "asc"}, {"id": "asc"}],
}


def base_filters(public_only: bool) -> list[dict[str, Any]]:
    """Return the filters every search applies: the public filter, or none."""
    return list(PUBLIC_FILTERS) if public_only else []


def search_body(query: SearchQuery) -> dict[str, Any]:
    """Return the body of the search request for `query`."""
    facet_filters = {
        facet: {"terms": {f"facet_keys.{facet}": keys}}
        for facet, keys in query.filters.items()
        if keys
    }
    body: dict[str, Any] = {
        "query": {"bool": {"must": [_text_query(query.text)], "filter": base_filters(query.public_only)}},
        "from": query.offset,
        "size": query.rows,
        "sort": SORTS[query.sort],
        "track_total_hits": True,
    }

    if facet_filters:
        body["post_filter"] = {"bool": {"filter": list(facet_filters.values())}}
    if query.facets:
        body["aggs"] = _facet_aggregations(query, facet_filters)
    if query.highlight and query.text.strip():
        body["highlight"] = _highlight()
    return body


def suggest_body(prefix: str, size: int) -> dict[str, Any]:
    """Return the search request for public titles that start with `prefix`, ignoring case and accents."""
    return {
        "query": {"bool": {"filter": [{"prefix": {"title_sort": fold_title(prefix)}}, *base_filters(True)]}},
        "size": size,
        "_source": ["id", "title"],
        "sort": [{"title_sort": "asc"}, {"id": "asc"}],
    }


def validate_query(query: SearchQuery) -> None:
    """Raise `InvalidQueryError` for an unknown facet or a year filter that is not a number."""
    for facet in [*query.filters, *query.facets]:
        if facet not in FACETS:
            raise InvalidQueryError(f"unknown facet {facet!r}; known facets: {', '.join(FACETS)}")

    for key in query.filters.get("year", []):
        if not (key.strip().isdigit() and len(key.strip()) <= 4):
            raise InvalidQueryError(f"year filter {key!r} is not a year; use four digits such as 2024")


def parse_result(query: SearchQuery, reply: dict[str, Any]) -> SearchResult:
    """Build a `SearchResult` from an Elasticsearch search reply."""
    hits = [_parse_hit(hit) for hit in reply["hits"]["hits"]]
    facets: dict[str, list[FacetCount]] = {}
    aggregations = reply.get("aggregations", {})

    for facet in query.facets:
        if facet not in aggregations:
            continue
        buckets = aggregations[facet]["values"]["buckets"]
        facets[facet] = [_facet_count(bucket) for bucket in buckets]

    return SearchResult(total=reply["hits"]["total"]["value"], hits=hits, facets=facets)


def _text_query(text: str) -> dict[str, Any]:
    if not text.strip():
        return {"match_all": {}}
    return {"multi_match": {"query": text, "fields": TEXT_FIELDS, "type": "cross_fields", "operator": "and"}}


def _facet_aggregations(query: SearchQuery, facet_filters: dict[str, dict[str, Any]]) -> dict[str, Any]:
    aggregations: dict[str, Any] = {}
    for facet in query.facets:
        others = [clause for name, clause in facet_filters.items() if name != facet]
        aggregations[facet] = {
            "filter": {"bool": {"filter": others}},
            "aggs": {
                "values": {
                    "terms": {
                        "field": f"facet_pairs.{facet}",
                        "size": query.facet_limit,
                        "order": [{"_count": "desc"}, {"_key": "asc"}],
                    }
                }
            },
        }
    return aggregations


def _highlight() -> dict[str, Any]:
    return {
        "pre_tags": ["<mark>"],
        "post_tags": ["</mark>"],
        "encoder": "html",
        "fields": {
            "title": {"number_of_fragments": 0},
            "description": {"fragment_size": DESCRIPTION_FRAGMENT_CHARS, "number_of_fragments": 1},
        },
    }


def _parse_hit(hit: dict[str, Any]) -> SearchHit:
    document = from_source(hit["_source"])
    highlights = {
        field: fragments[0]
        for field, fragments in hit.get("highlight", {}).items()
        if field in HIGHLIGHT_FIELDS and fragments
    }
    return SearchHit(id=document.id, score=hit.get("_score") or 0.0, document=document, highlights=highlights)


def _facet_count(bucket: dict[str, Any]) -> FacetCount:
    key, label = split_facet_pair(bucket["key"])
    return FacetCount(key=key, label=label, count=bucket["doc_count"])
