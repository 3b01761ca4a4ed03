"""Parse search page parameters and build links that change one of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from index.base import FACETS, MAX_OFFSET, MAX_QUERY_LENGTH, SearchQuery

ROWS_PER_PAGE = 20
MAX_VALUES_PER_FACET = 20
MAX_FILTER_LENGTH = 200
SORTS = {"relevance": "relevance", "newest": "modified_desc"}


@dataclass
class SearchParams:
    """The search page state that links carry: text, filters, sort and page."""

    text: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1

    @classmethod
    def from_query(cls, params: QueryParams) -> SearchParams:
        """Read parameters, dropping unknown facets and cutting over-long values to the limits."""
        filters: dict[str, list[str]] = {}
        for name in FACETS:
            values = [value[:MAX_FILTER_LENGTH] for value in params.getlist(name) if value.strip()]
            if values:
                filters[name] = list(dict.fromkeys(values))[:MAX_VALUES_PER_FACET]

        sort = params.get("sort", "relevance")
        return cls(
            text=params.get("q", "").strip()[:MAX_QUERY_LENGTH],
            filters=filters,
            sort=sort if sort in SORTS else "relevance",
            page=_page_number(params.get("page")),
        )

    def to_query(self, *, rows: int = ROWS_PER_PAGE) -> SearchQuery:
        offset = min((self.page - 1) * rows, MAX_OFFSET)
        return SearchQuery(text=self.text, filters=self.filters, sort=SORTS[self.sort],  # type: ignore[arg-type]
                           offset=offset, rows=rows, public_only=True)

    def url(self, base: str = "/", **changes: object) -> str:
        """Return a link to this search with `changes` (text, filters, sort, page) applied."""
        state = SearchParams(
            text=changes.get("text", self.text),  # type: ignore[arg-type]
            filters=changes.get("filters", self.filters),  # type: ignore[arg-type]
            sort=changes.get("sort", self.sort),  # type: ignore[arg-type]
            page=changes.get("page", 1 if changes else self.page),  # type: ignore[arg-type]
        )
        pairs: list[tuple[str, str]] = []
        if state.text:
            pairs.append(("q", state.text))
        for name in FACETS:
            pairs.extend((name, value) for value in state.filters.get(name, []))
        if state.sort != "relevance":
            pairs.append(("sort", state.sort))
        if state.page > 1:
            pairs.append(("page", str(state.page)))
        return f"{base}?{urlencode(pairs)}" if pairs else base

    def with_filter(self, name: str, key: str, base: str = "/") -> str:
        filters = {facet: list(values) for facet, values in self.filters.items()}
        filters.setdefault(name, [])
        if key not in filters[name]:
            filters[name].append(key)
        return self.url(base, filters=filters)

    def without_filter(self, name: str, key: str, base: str = "/") -> str:
        filters = {facet: [value for value in values if not (facet == name and value == key)]
                   for facet, values in self.filters.items()}
        return self.url(base, filters={facet: values for facet, values in filters.items() if values})

    def is_active(self, name: str, key: str) -> bool:
        return key in self.filters.get(name, [])


def _page_number(value: str | None) -> int:
    try:
        page = int(value or "1")
    except ValueError:
        return 1
    return max(1, min(page, MAX_OFFSET // ROWS_PER_PAGE + 1))
