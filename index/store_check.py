"""A search index wrapper that checks public hits against the store before returning them.

The index filters on access level and status at query time, but it can only
filter on the status it was given. After a crash between the store commit and the
index write, or before a reconciliation repaired drift, an index document may
still say "active" for a dataset the store has withdrawn or reclassified. The
store is the source of truth, so every public page of hits and suggestions is
checked against it with one query; a hit that is no longer public is dropped.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from index.base import IndexDocument, IndexReport, SearchIndex, SearchQuery, SearchResult, Suggestion

logger = logging.getLogger(__name__)


class PublicIdSource(Protocol):
    def public_ids(self, dataset_ids: list[str]) -> set[str]: ...


class StoreCheckedIndex(SearchIndex):
    """Delegates to `inner`; public searches and suggestions keep only hits the store calls public."""

    def __init__(self, inner: SearchIndex, store: PublicIdSource) -> None:
        self.inner = inner
        self.store = store

    def search(self, query: SearchQuery) -> SearchResult:
        result = self.inner.search(query)
        if not query.public_only or not result.hits:
            return result

        public = self.store.public_ids([hit.id for hit in result.hits])
        stale = [hit.id for hit in result.hits if hit.id not in public]
        if stale:
            logger.warning("search index returned %d datasets the store does not publish; dropped: %s",
                           len(stale), ", ".join(stale[:10]))
            result.hits = [hit for hit in result.hits if hit.id in public]
            result.total = max(result.total - len(stale), len(result.hits))
        return result

    def suggest(self, prefix: str, limit: int = 10) -> list[Suggestion]:
        suggestions = self.inner.suggest(prefix, limit)
        public = self.store.public_ids([suggestion.id for suggestion in suggestions])
        return [suggestion for suggestion in suggestions if suggestion.id in public]

    def index(self, documents: Iterable[IndexDocument]) -> IndexReport:
        return self.inner.index(documents)

    def prepare(self, document: IndexDocument) -> Any:
        return self.inner.prepare(document)

    def index_prepared(self, prepared: Iterable[Any]) -> IndexReport:
        return self.inner.index_prepared(prepared)

    def fork_guard(self) -> contextlib.AbstractContextManager[None]:
        return self.inner.fork_guard()

    def delete(self, ids: Iterable[str]) -> None:
        self.inner.delete(ids)

    def commit(self) -> None:
        self.inner.commit()

    def get(self, document_id: str) -> IndexDocument | None:
        return self.inner.get(document_id)

    def iter_hashes(self) -> Iterator[tuple[str, str, str]]:
        return self.inner.iter_hashes()

    def count(self) -> int:
        return self.inner.count()

    def rebuild(self, documents: Iterable[IndexDocument]) -> int:
        return self.inner.rebuild(documents)

    def close(self) -> None:
        self.inner.close()

    def __getattr__(self, name: str) -> Any:
        # Backend-specific helpers (an Elasticsearch client, a generation path) stay reachable.
        return getattr(self.inner, name)
