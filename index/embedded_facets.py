"""Facet counts for the embedded index, from terms aggregations over the facet fast fields.

A single-valued facet needs one terms aggregation. A multi-valued facet needs
one per slot field, whose counts are summed per key, plus a second aggregation
over the overflow fields restricted to documents that overflowed (see
`index.embedded_schema`). Slot aggregations ask for every bucket, so the sum
is exact for facets with up to `SLOT_BUCKETS` distinct values.
"""

from __future__ import annotations

from collections import Counter

import tantivy

from index import embedded_schema as fields
from index.base import FacetCount, SearchQuery
from index.embedded_query import check_facet

SLOT_BUCKETS = 1_000
_SLOT_SEPARATOR = "#"


def facet_counts(searcher: tantivy.Searcher, schema: tantivy.Schema, compiled: tantivy.Query,
                 query: SearchQuery) -> dict[str, list[FacetCount]]:
    """Return labelled counts for every facet in `query.facets`, most frequent first, ties by key."""
    for facet in query.facets:
        check_facet(facet)
    if not query.facets:
        return {}

    totals: dict[str, Counter[str]] = {facet: Counter() for facet in query.facets}
    _add_buckets(totals, searcher.aggregate(compiled, _main_request(query)))

    multi = [facet for facet in query.facets if facet in fields.FACET_SLOTS]
    if multi:
        overflowed = tantivy.Query.boolean_query([
            (tantivy.Occur.Must, compiled),
            (tantivy.Occur.Must, tantivy.Query.term_set_query(schema, fields.OVERFLOW, multi)),
        ])
        _add_buckets(totals, searcher.aggregate(overflowed, _overflow_request(multi)))

    return {facet: _ranked(counter, query.facet_limit) for facet, counter in totals.items()}


def _main_request(query: SearchQuery) -> dict[str, dict]:
    request: dict[str, dict] = {}
    for facet in query.facets:
        slots = fields.FACET_SLOTS.get(facet)
        if slots is None:
            request[facet] = _terms(fields.facet_value_field(facet), query.facet_limit)
            continue
        for slot in range(slots):
            request[f"{facet}{_SLOT_SEPARATOR}{slot}"] = _terms(fields.slot_field(facet, slot), SLOT_BUCKETS)
    return request


def _overflow_request(facets: list[str]) -> dict[str, dict]:
    return {f"{facet}{_SLOT_SEPARATOR}more": _terms(fields.overflow_field(facet), SLOT_BUCKETS) for facet in facets}


def _terms(field: str, size: int) -> dict:
    return {"terms": {"field": field, "size": size}}


def _add_buckets(totals: dict[str, Counter[str]], response: dict) -> None:
    for name, result in response.items():
        facet = name.split(_SLOT_SEPARATOR, 1)[0]
        counter = totals.get(facet)
        if counter is None:
            continue
        for bucket in result.get("buckets", []):
            counter[str(bucket["key"])] += int(bucket["doc_count"])


def _ranked(counter: Counter[str], limit: int) -> list[FacetCount]:
    entries: list[FacetCount] = []
    for encoded, count in counter.items():
        key, _, label = encoded.partition(fields.LABEL_SEPARATOR)
        entries.append(FacetCount(key=key, label=label or key, count=count))
    entries.sort(key=lambda entry: (-entry.count, entry.key))
    return entries[:limit]
