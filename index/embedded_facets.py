"""Facet counts for the embedded index, from terms aggregations over the facet fast fields.

Every facet has one single-valued fast field holding each document's encoded
value set (see `index.embedded_schema`). One terms aggregation per facet
returns the distinct sets with their document counts, and this module sums
them per value. A value set never repeats a value, so the sums count
documents. When a multi-valued facet has more distinct sets in the result
than `SET_BUCKETS`, its counts come from the slower multi-valued field.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Hashable

import tantivy

from index import embedded_schema as fields
from index.base import FacetCount, SearchQuery
from index.embedded_query import check_facet

SET_BUCKETS = 5_000
FACET_CACHE_ENTRIES = 256


def facet_counts(searcher: tantivy.Searcher, compiled: tantivy.Query,
                 query: SearchQuery) -> dict[str, list[FacetCount]]:
    """Return labelled counts for every facet in `query.facets`, most frequent first, ties by key."""
    for facet in query.facets:
        check_facet(facet)
    if not query.facets:
        return {}

    response = searcher.aggregate(compiled, {facet: _set_request(facet, query) for facet in query.facets})
    counts: dict[str, list[FacetCount]] = {}
    truncated: list[str] = []
    for facet in query.facets:
        result = response.get(facet, {})
        if facet in fields.MULTI_VALUED_FACETS and result.get("sum_other_doc_count", 0) > 0:
            truncated.append(facet)
            continue
        counts[facet] = _ranked(_sum_sets(result.get("buckets", [])), query.facet_limit)

    if truncated:
        request = {facet: _terms(fields.facet_all_field(facet), query.facet_limit) for facet in truncated}
        fallback = searcher.aggregate(compiled, request)
        for facet in truncated:
            buckets = fallback.get(facet, {}).get("buckets", [])
            counts[facet] = _ranked(Counter({str(b["key"]): int(b["doc_count"]) for b in buckets}), query.facet_limit)

    return {facet: counts[facet] for facet in query.facets}


def _set_request(facet: str, query: SearchQuery) -> dict:
    if facet in fields.MULTI_VALUED_FACETS:
        return _terms(fields.facet_value_field(facet), SET_BUCKETS)
    # One more bucket than needed, because documents without a value form the "" bucket.
    return _terms(fields.facet_value_field(facet), query.facet_limit + 1)


def _terms(field: str, size: int) -> dict:
    return {"terms": {"field": field, "size": size}}


def _sum_sets(buckets: list[dict]) -> Counter[str]:
    counter: Counter[str] = Counter()
    for bucket in buckets:
        encoded = str(bucket["key"])
        if not encoded:
            continue
        for value in encoded.split(fields.VALUE_SEPARATOR):
            counter[value] += int(bucket["doc_count"])
    return counter


def _ranked(counter: Counter[str], limit: int) -> list[FacetCount]:
    entries: list[FacetCount] = []
    for encoded, count in counter.items():
        key, _, label = encoded.partition(fields.LABEL_SEPARATOR)
        entries.append(FacetCount(key=key, label=label or key, count=count))
    entries.sort(key=lambda entry: (-entry.count, entry.key))
    return entries[:limit]


class FacetCache:
    """Facet counts of recent searches, valid for one reader state.

    Paging through a result and the unfiltered listing repeat the same facet
    aggregation. The key contains the reader's reload count, so counts computed
    before a commit are never returned after it.
    """

    def __init__(self, entries: int = FACET_CACHE_ENTRIES) -> None:
        self.entries = entries
        self._lock = threading.Lock()
        self._counts: OrderedDict[Hashable, dict[str, list[FacetCount]]] = OrderedDict()

    @staticmethod
    def key(reader_state: int, units: list, query: SearchQuery) -> Hashable:
        """Return the cache key of a search: everything that changes facet counts."""
        filters = tuple(sorted((facet, tuple(keys)) for facet, keys in query.filters.items()))
        return (reader_state, tuple(units), filters, tuple(query.facets), query.facet_limit, query.public_only)

    def get(self, key: Hashable) -> dict[str, list[FacetCount]] | None:
        with self._lock:
            counts = self._counts.get(key)
            if counts is None:
                return None
            self._counts.move_to_end(key)
        return {facet: list(entries) for facet, entries in counts.items()}

    def put(self, key: Hashable, counts: dict[str, list[FacetCount]]) -> None:
        if self.entries <= 0:
            return
        with self._lock:
            self._counts[key] = {facet: list(entries) for facet, entries in counts.items()}
            self._counts.move_to_end(key)
            while len(self._counts) > self.entries:
                self._counts.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()
