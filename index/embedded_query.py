"""Translation of a `SearchQuery` into tantivy queries and aggregations, and of results back.

Every query unit from `Analyzer.query_units` must match (AND across units). A
unit matches when any of its alternatives matches in any text field (title,
keywords, publisher and region names, description), scored with the field
boosts of `embedded_schema.TEXT_FIELDS`. Facet filters are OR within a facet
and AND across facets, and they do not change scores.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import tantivy

from harvester.errors import InvalidQueryError
from index import embedded_schema as fields
from index.analysis import QueryUnit
from index.base import FACETS, SearchQuery

# Extra weight for documents whose title contains the query words as one phrase.
TITLE_PHRASE_BOOST = 2.0
# The phrase boost needs a word that at most this many titles contain.
PHRASE_BOOST_MAX_TITLES = 20_000


@dataclass(frozen=True)
class SortPlan:
    """How to order hits: by score (`field` None) or by a fast field in one direction."""

    field: str | None
    order: tantivy.Order = tantivy.Order.Desc


def sort_plan(query: SearchQuery, has_text: bool) -> SortPlan:
    """Return the order for `query`; relevance without query text means newest first."""
    if query.sort == "modified_asc":
        return SortPlan(fields.MODIFIED_ASC, tantivy.Order.Asc)
    if query.sort == "title_asc":
        return SortPlan(fields.TITLE_SORT, tantivy.Order.Asc)
    if query.sort == "modified_desc" or not has_text:
        return SortPlan(fields.MODIFIED_DESC, tantivy.Order.Desc)
    return SortPlan(None)


def build_query(schema: tantivy.Schema, searcher: tantivy.Searcher, units: list[QueryUnit],
                query: SearchQuery) -> tantivy.Query:
    """Combine the text units, the facet filters and the public-only filter into one query.

    The public filter is left out when `searcher` holds no hidden document,
    because it would exclude nothing.
    """
    clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
    for unit in units:
        clauses.append((tantivy.Occur.Must, _unit_query(schema, unit)))

    phrase = _title_phrase(schema, searcher, units)
    if phrase is not None:
        clauses.append((tantivy.Occur.Should, phrase))

    for clause in filter_queries(schema, query.filters):
        clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(clause, 0.0)))
    if query.public_only and _has_hidden(searcher):
        clauses.append(public_filter(schema))

    if not units:
        clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
    return tantivy.Query.boolean_query(clauses)


def public_filter(schema: tantivy.Schema) -> tuple[tantivy.Occur, tantivy.Query]:
    """Return the boolean clause that excludes every document that is not terbuka and active."""
    return (tantivy.Occur.MustNot, tantivy.Query.term_query(schema, fields.HIDDEN, fields.HIDDEN_TERM))


def filter_queries(schema: tantivy.Schema, filters: dict[str, list[str]]) -> Iterable[tantivy.Query]:
    """Yield one term-set query per filtered facet; an empty value list filters nothing."""
    for facet, keys in filters.items():
        check_facet(facet)
        if not keys:
            continue
        if facet == fields.YEAR:
            yield tantivy.Query.term_set_query(schema, fields.YEAR, [_parse_year(key) for key in keys])
        else:
            yield tantivy.Query.term_set_query(schema, facet, [str(key) for key in keys])


def check_facet(facet: str) -> None:
    """Raise `InvalidQueryError` unless `facet` is one of `index.base.FACETS`."""
    if facet not in FACETS:
        known = ", ".join(FACETS)
        raise InvalidQueryError(f"unknown facet {facet!r}; known facets: {known}")


def _unit_query(schema: tantivy.Schema, unit: QueryUnit) -> tantivy.Query:
    alternatives: list[tuple[tantivy.Occur, tantivy.Query]] = []
    for terms in unit:
        for field, boost in fields.TEXT_FIELDS:
            alternatives.append((tantivy.Occur.Should, tantivy.Query.boost_query(_match(schema, field, terms), boost)))
    return tantivy.Query.boolean_query(alternatives)


def _match(schema: tantivy.Schema, field: str, terms: tuple[str, ...]) -> tantivy.Query:
    if len(terms) == 1:
        return tantivy.Query.term_query(schema, field, terms[0])
    return tantivy.Query.phrase_query(schema, field, list(terms))


def _title_phrase(schema: tantivy.Schema, searcher: tantivy.Searcher, units: list[QueryUnit]) -> tantivy.Query | None:
    terms = [term for unit in units for term in unit[0]]
    if len(terms) < 2:
        return None
    # Checking positions costs per candidate title, so the boost is skipped
    # when even the rarest word is in very many titles.
    if min(searcher.doc_freq(fields.TITLE, term) for term in terms) > PHRASE_BOOST_MAX_TITLES:
        return None
    phrase = tantivy.Query.phrase_query(schema, fields.TITLE, terms)
    return tantivy.Query.boost_query(phrase, TITLE_PHRASE_BOOST)


def _has_hidden(searcher: tantivy.Searcher) -> bool:
    # The term's document frequency counts deleted documents too, so it errs
    # towards keeping the public filter.
    return searcher.doc_freq(fields.HIDDEN, fields.HIDDEN_TERM) > 0


def _parse_year(key: str) -> int:
    text = key.strip() if isinstance(key, str) else ""
    # Four digits at most: a longer number overflows the index's integer field.
    if not (text.isdigit() and len(text) <= 4):
        raise InvalidQueryError(f"year filter {key!r} is not a year; use four digits such as 2024")
    return int(text)
