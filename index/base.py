"""The search index interface shared by the embedded and the Elasticsearch backends.

The store is the source of truth; an index holds one `IndexDocument` per
published dataset and can always be rebuilt from the store. Both backends
implement `SearchIndex` with the same query parameters, facets, sort, paging,
highlighting and suggestions, and one contract test suite runs on both.

Public searches (`SearchQuery.public_only`, the default) filter at query time
on `access_level == "terbuka"` and `status == "active"`, in addition to the
indexing stage leaving such documents out, so a record that was reclassified
or withdrawn never leaks from a stale index.
"""

from __future__ import annotations

import abc
import contextlib
import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# Facet names, in the order pages show them. The value of each facet is a
# stable key (an organization id, a region code, a theme URI, a year), and
# `FacetCount.label` is what people read.
FACETS: tuple[str, ...] = ("publisher", "creator", "province", "regency", "theme", "format", "licence", "year")

SortOrder = Literal["relevance", "modified_desc", "modified_asc", "title_asc"]

MAX_ROWS = 100
MAX_OFFSET = 10_000
MAX_QUERY_LENGTH = 200


class Labelled(BaseModel):
    """A facet key with its human-readable label."""

    model_config = ConfigDict(extra="forbid")

    key: str
    label: str


class IndexDocument(BaseModel):
    """What the index stores for one published dataset.

    Facet fields hold `Labelled` pairs so facet counts come back with labels.
    `province` and `regency` hold Kemendagri codes (`18`, `18.09`) so the
    region facet forms a hierarchy. `years` are the years the data covers.
    """

    model_config = ConfigDict(extra="forbid")

    id: str
    title: str
    description: str = ""
    keywords: list[str] = Field(default_factory=list)
    publisher: Labelled | None = None
    creator: Labelled | None = None
    province: list[Labelled] = Field(default_factory=list)
    regency: list[Labelled] = Field(default_factory=list)
    theme: list[Labelled] = Field(default_factory=list)
    format: list[Labelled] = Field(default_factory=list)
    licence: Labelled | None = None
    year: list[int] = Field(default_factory=list)
    issued: dt.datetime | None = None
    modified: dt.datetime | None = None
    access_level: str | None = None
    status: str = "active"
    series_id: str | None = None
    content_hash: str = ""


class SearchQuery(BaseModel):
    """One search request. `filters` maps a facet name to accepted keys (OR within, AND across)."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(default="", max_length=MAX_QUERY_LENGTH)
    filters: dict[str, list[str]] = Field(default_factory=dict)
    sort: SortOrder = "relevance"
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)
    rows: int = Field(default=20, ge=0, le=MAX_ROWS)
    facets: list[str] = Field(default_factory=lambda: list(FACETS))
    facet_limit: int = Field(default=20, ge=1, le=200)
    highlight: bool = True
    public_only: bool = True


class FacetCount(BaseModel):
    key: str
    label: str
    count: int


class SearchHit(BaseModel):
    """One result. `highlights` maps a field name to an HTML-escaped snippet with <mark> tags."""

    id: str
    score: float
    document: IndexDocument
    highlights: dict[str, str] = Field(default_factory=dict)


class SearchResult(BaseModel):
    total: int
    hits: list[SearchHit]
    facets: dict[str, list[FacetCount]] = Field(default_factory=dict)


class Suggestion(BaseModel):
    """An autocomplete entry: the completed text and the dataset it comes from."""

    text: str
    id: str


class IndexReport(BaseModel):
    """Outcome of one `index()` call: documents written and documents rejected with reasons."""

    indexed: int = 0
    errors: dict[str, str] = Field(default_factory=dict)


class SearchIndex(abc.ABC):
    """A search index backend."""

    @abc.abstractmethod
    def index(self, documents: Iterable[IndexDocument]) -> IndexReport:
        """Add or replace documents by id. Visible after `commit()`."""

    def prepare(self, document: IndexDocument) -> Any:
        """Return `document` in the form `index_prepared` takes; picklable, so worker processes can call it.

        This default does no work. A backend that analyzes text itself does it here.
        """
        return document

    def index_prepared(self, prepared: Iterable[Any]) -> IndexReport:
        """Add or replace documents returned by `prepare`, as `index` does."""
        return self.index(prepared)

    @abc.abstractmethod
    def delete(self, ids: Iterable[str]) -> None:
        """Remove documents by id. Visible after `commit()`."""

    def fork_guard(self) -> contextlib.AbstractContextManager[None]:
        """Return a context inside which this process may fork without a child inheriting a write lock.

        This default has nothing to guard, because a backend behind a
        network connection holds no lock in this process.
        """
        return contextlib.nullcontext()

    @abc.abstractmethod
    def commit(self) -> None:
        """Make every earlier `index()` and `delete()` visible to searches."""

    @abc.abstractmethod
    def search(self, query: SearchQuery) -> SearchResult:
        """Run a search with facet counts, sort, paging and highlighting."""

    @abc.abstractmethod
    def suggest(self, prefix: str, limit: int = 10) -> list[Suggestion]:
        """Complete a title prefix; public documents only."""

    @abc.abstractmethod
    def get(self, document_id: str) -> IndexDocument | None:
        """Return one document by id, whatever its access level."""

    @abc.abstractmethod
    def iter_hashes(self) -> Iterator[tuple[str, str, str]]:
        """Yield (id, content_hash, status) of every document, for drift checks."""

    @abc.abstractmethod
    def count(self) -> int:
        """Return the number of documents, public or not."""

    @abc.abstractmethod
    def rebuild(self, documents: Iterable[IndexDocument]) -> int:
        """Build a fresh index from `documents` and swap it in atomically; return the count."""

    def close(self) -> None:
        """Release files or connections."""
