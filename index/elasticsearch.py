"""The Elasticsearch index backend, for deployments with several web replicas.

Every read and write goes through an alias (`Settings.elasticsearch_index`)
that points at one versioned index. `rebuild()` fills a new versioned index,
swaps the alias in one `_aliases` request and only then deletes the old
index, so searches keep working during a full reindex.

Writes use the `_bulk` API. Items rejected with HTTP 429 (queue full) are
retried with exponential backoff. Any other item error, such as a
`mapper_parsing_exception`, is recorded once in `IndexReport.errors` and is
not retried.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError, helpers

from harvester.errors import SearchIndexError
from harvester.settings import Settings
from index.base import (
    MAX_OFFSET,
    MAX_ROWS,
    IndexDocument,
    IndexReport,
    SearchIndex,
    SearchQuery,
    SearchResult,
    Suggestion,
)
from index.es_mapping import MAPPING_VERSION, from_source, index_body, load_protected_words, to_source
from index.es_query import parse_result, search_body, suggest_body, validate_query

logger = logging.getLogger(__name__)

HASH_PAGE_SIZE = 1000
SUGGEST_OVERFETCH = 3


class IndexUnavailableError(SearchIndexError):
    """The search server could not be reached or rejected a request."""

    code = "index-unavailable"


class ElasticsearchIndex(SearchIndex):
    """A `SearchIndex` on Elasticsearch 9, addressed through one alias."""

    def __init__(
        self,
        client: Elasticsearch,
        alias: str = "himpun-datasets",
        *,
        protected_words: Iterable[str] | None = None,
        chunk_size: int = 500,
        max_retries: int = 5,
        initial_backoff: float = 2.0,
        max_backoff: float = 60.0,
    ) -> None:
        self._client = client
        self.alias = alias
        self._protected_words = list(protected_words) if protected_words is not None else load_protected_words()
        self._chunk_size = chunk_size
        self._max_retries = max_retries
        self._initial_backoff = initial_backoff
        self._max_backoff = max_backoff
        self._alias_ready = False
        self.last_rebuild_report = IndexReport()

    @classmethod
    def from_settings(cls, settings: Settings, **client_options: Any) -> ElasticsearchIndex:
        """Connect to `settings.elasticsearch_url`; `client_options` go to the `Elasticsearch` client."""
        if not settings.elasticsearch_url:
            raise IndexUnavailableError(
                "HIMPUN_INDEX_BACKEND is elasticsearch but HIMPUN_ELASTICSEARCH_URL is not set; "
                "set it to the server URL, e.g. http://elasticsearch:9200",
                code="invalid-config",
            )

        if settings.elasticsearch_username:
            client_options.setdefault(
                "basic_auth", (settings.elasticsearch_username, settings.elasticsearch_password or "")
            )
        client = Elasticsearch(settings.elasticsearch_url, **client_options)
        protected_words = load_protected_words(Path(settings.config_dir))
        return cls(client, settings.elasticsearch_index, protected_words=protected_words)

    # Writes

    def index(self, documents: Iterable[IndexDocument]) -> IndexReport:
        self._ensure_alias()
        return self._bulk(self._index_actions(documents, self.alias))

    def delete(self, ids: Iterable[str]) -> None:
        self._ensure_alias()
        actions = ({"_op_type": "delete", "_index": self.alias, "_id": document_id} for document_id in ids)
        report = self._bulk(actions)
        if report.errors:
            raise IndexUnavailableError(f"deleting {len(report.errors)} documents from {self.alias} failed: "
                                        f"{_first_error(report)}")

    def commit(self) -> None:
        self._ensure_alias()
        self._call("refresh", lambda: self._client.indices.refresh(index=self.alias))

    def rebuild(self, documents: Iterable[IndexDocument]) -> int:
        """Fill a new versioned index, swap the alias to it, then delete the old index."""
        new_index = self._create_versioned_index()
        try:
            report = self._bulk(self._index_actions(documents, new_index))
            self._client.indices.put_settings(index=new_index, settings={"refresh_interval": None})
            self._client.indices.refresh(index=new_index)
        except BaseException:
            self._client.options(ignore_status=404).indices.delete(index=new_index)
            raise

        old_indices = self._indices_behind_alias()
        self._swap_alias(old_indices, new_index)
        for old_index in old_indices:
            self._client.options(ignore_status=404).indices.delete(index=old_index)

        self.last_rebuild_report = report
        logger.info("rebuilt %s as %s: %d documents, %d rejected, deleted %s",
                    self.alias, new_index, report.indexed, len(report.errors), ", ".join(old_indices) or "nothing")
        return report.indexed

    # Reads

    def search(self, query: SearchQuery) -> SearchResult:
        validate_query(query)
        self._ensure_alias()
        reply = self._call("search", lambda: self._client.search(index=self.alias, **search_body(query)))
        return parse_result(query, reply.body)

    def suggest(self, prefix: str, limit: int = 10) -> list[Suggestion]:
        prefix = prefix.strip()
        if not prefix or limit <= 0:
            return []

        self._ensure_alias()
        body = suggest_body(prefix, limit * SUGGEST_OVERFETCH)
        reply = self._call("suggest", lambda: self._client.search(index=self.alias, **body))

        suggestions: list[Suggestion] = []
        seen: set[str] = set()
        for hit in reply.body["hits"]["hits"]:
            title = hit["_source"]["title"]
            if title.casefold() in seen:
                continue
            seen.add(title.casefold())
            suggestions.append(Suggestion(text=title, id=hit["_source"]["id"]))
        return suggestions[:limit]

    def get(self, document_id: str) -> IndexDocument | None:
        self._ensure_alias()
        try:
            reply = self._client.get(index=self.alias, id=document_id)
        except NotFoundError:
            return None
        except TransportError as error:
            raise IndexUnavailableError(f"reading {document_id} from {self.alias} failed: {error}") from error
        return from_source(reply.body["_source"])

    def iter_hashes(self) -> Iterator[tuple[str, str, str]]:
        """Yield (id, content_hash, status) of every document, paging by id with `search_after`."""
        self._ensure_alias()
        search_after: list[Any] | None = None
        while True:
            page = self._client.search(
                index=self.alias,
                size=HASH_PAGE_SIZE,
                sort=[{"id": "asc"}],
                source_includes=["id", "content_hash", "status"],
                search_after=search_after,
            ).body["hits"]["hits"]
            for hit in page:
                source = hit["_source"]
                yield source["id"], source.get("content_hash", ""), source.get("status", "active")
            if len(page) < HASH_PAGE_SIZE:
                return
            search_after = page[-1]["sort"]

    def count(self) -> int:
        self._ensure_alias()
        return int(self._call("count", lambda: self._client.count(index=self.alias)).body["count"])

    def mapping_version(self) -> int | None:
        """Return the mapping version of the index behind the alias, or None when it has none."""
        self._ensure_alias()
        reply = self._client.indices.get_mapping(index=self.alias).body
        for mapping in reply.values():
            meta = mapping.get("mappings", {}).get("_meta", {})
            if "himpun_mapping_version" in meta:
                return int(meta["himpun_mapping_version"])
        return None

    def mapping_outdated(self) -> bool:
        """Return True when the live index was built with another mapping version."""
        return self.mapping_version() != MAPPING_VERSION

    def close(self) -> None:
        self._client.close()

    # Alias and index management

    def _ensure_alias(self) -> None:
        """Create the first versioned index and point the alias at it, once per process."""
        if self._alias_ready:
            return
        if not self._client.indices.exists_alias(name=self.alias):
            first_index = f"{self.alias}-v1"
            # Several replicas may start together: all of them create the same
            # first index name, so the losers only see "already exists".
            self._client.options(ignore_status=400).indices.create(index=first_index, **self._index_body())
            self._client.indices.update_aliases(actions=[{"add": {"index": first_index, "alias": self.alias}}])
            logger.info("created index %s behind alias %s", first_index, self.alias)
        self._alias_ready = True

    def _index_body(self) -> dict[str, Any]:
        return index_body(self._protected_words, max_result_window=MAX_OFFSET + MAX_ROWS)

    def _create_versioned_index(self) -> str:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S%f")
        name = f"{self.alias}-v{stamp}"
        body = self._index_body()
        body["settings"]["refresh_interval"] = "-1"
        self._client.indices.create(index=name, **body)
        return name

    def _indices_behind_alias(self) -> list[str]:
        try:
            return sorted(self._client.indices.get_alias(name=self.alias).body)
        except NotFoundError:
            return []

    def _swap_alias(self, old_indices: list[str], new_index: str) -> None:
        actions: list[dict[str, Any]] = [{"remove": {"index": old, "alias": self.alias}} for old in old_indices]
        actions.append({"add": {"index": new_index, "alias": self.alias}})
        self._client.indices.update_aliases(actions=actions)
        self._alias_ready = True

    # Bulk

    def _index_actions(self, documents: Iterable[IndexDocument], index_name: str) -> Iterator[dict[str, Any]]:
        for document in documents:
            yield {"_op_type": "index", "_index": index_name, "_id": document.id, "_source": to_source(document)}

    def _bulk(self, actions: Iterable[dict[str, Any]]) -> IndexReport:
        """Send `actions` through `_bulk`, retrying 429 items; record every other item error once."""
        report = IndexReport()
        results = helpers.streaming_bulk(
            self._client,
            actions,
            chunk_size=self._chunk_size,
            max_retries=self._max_retries,
            initial_backoff=self._initial_backoff,
            max_backoff=self._max_backoff,
            raise_on_error=False,
            raise_on_exception=True,
        )
        for ok, item in results:
            operation, outcome = next(iter(item.items()))
            if ok or (operation == "delete" and outcome.get("status") == 404):
                report.indexed += operation != "delete"
                continue
            report.errors[str(outcome.get("_id"))] = _item_error(outcome, self._max_retries)

        if report.errors:
            logger.warning("%d of %d documents were rejected by %s, first: %s",
                           len(report.errors), report.indexed + len(report.errors), self.alias, _first_error(report))
        return report

    def _call(self, operation: str, request: Any) -> Any:
        try:
            return request()
        except (ApiError, TransportError) as error:
            raise IndexUnavailableError(f"{operation} on {self.alias} failed: {error}") from error


def _item_error(outcome: dict[str, Any], max_retries: int) -> str:
    status = outcome.get("status")
    error = outcome.get("error") or {}
    if status == 429:
        return f"rejected with HTTP 429 after {max_retries} retries"
    if isinstance(error, dict):
        return f"{error.get('type', 'error')}: {error.get('reason', '')}".strip()
    return str(error)


def _first_error(report: IndexReport) -> str:
    document_id, message = next(iter(report.errors.items()))
    return f"{document_id}: {message}"
