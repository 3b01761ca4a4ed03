"""Search index backends behind one interface (`index.base.SearchIndex`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from index.base import FACETS, IndexDocument, SearchIndex, SearchQuery, SearchResult

if TYPE_CHECKING:
    from harvester.settings import Settings

__all__ = ["FACETS", "IndexDocument", "SearchIndex", "SearchQuery", "SearchResult", "open_index"]


def open_index(settings: Settings) -> SearchIndex:
    """Open the index backend chosen by `settings.index_backend`."""
    if settings.index_backend == "elasticsearch":
        from index.elasticsearch import ElasticsearchIndex

        return ElasticsearchIndex.from_settings(settings)

    from index.embedded import EmbeddedIndex

    return EmbeddedIndex.from_settings(settings)
