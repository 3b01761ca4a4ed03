"""The embedded search index: tantivy in a local folder, with Indonesian analysis done in Python.

Processes share the folder. At most one process writes at a time, because a
tantivy writer locks its generation folder. This class takes the writer at
the first `index()` or `delete()` and releases it after `commit()`, so a
harvester and a command-line rebuild take turns. Every process reads:
before each search the class checks (with two `stat` calls) whether the
current generation or its last commit changed, and reloads only then.
`rebuild()` writes a new generation and switches to it atomically (see
`index.embedded_generations`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import tantivy

from harvester.errors import SearchIndexError
from harvester.settings import DEFAULT_CONFIG_DIR, Settings
from index import embedded_query as queries
from index import embedded_schema as fields
from index.analysis import Analyzer, default_analyzer
from index.analysis_highlight import highlight_fragment, highlight_text
from index.base import (
    IndexDocument,
    IndexReport,
    SearchHit,
    SearchIndex,
    SearchQuery,
    SearchResult,
    Suggestion,
)
from index.embedded_facets import FACET_CACHE_ENTRIES, FacetCache, facet_counts
from index.embedded_generations import Generations

logger = logging.getLogger(__name__)

META_FILE = "meta.json"
WRITER_HEAP_BYTES = 128_000_000
REBUILD_HEAP_BYTES = 256_000_000
WRITER_LOCK_TIMEOUT_SECONDS = 30.0
SUGGEST_CANDIDATES = 50
FACET_THREADS = min(4, os.cpu_count() or 1)


class EmbeddedIndex(SearchIndex):
    """A `SearchIndex` stored in `path`, one tantivy index per generation."""

    def __init__(
        self,
        path: Path,
        *,
        analyzer: Analyzer | None = None,
        writer_lock_timeout: float = WRITER_LOCK_TIMEOUT_SECONDS,
        facet_cache_entries: int = FACET_CACHE_ENTRIES,
    ) -> None:
        self.path = Path(path)
        self.analyzer = analyzer or default_analyzer()
        self.writer_lock_timeout = writer_lock_timeout
        self._schema = fields.build_schema()
        self._generations = Generations(self.path)
        # `_lock` guards the reader state and is held only for a reload, so a
        # search never waits for a whole write or rebuild. `_write_lock`
        # serializes the writes of this instance.
        self._lock = threading.RLock()
        self._write_lock = threading.RLock()
        self._writer: tantivy.IndexWriter | None = None
        self._writer_generation: Path | None = None
        self._index: tantivy.Index
        self._generation: Path
        self._commit_stamp: tuple[int, int, int] | None = None
        self._reader_state = 0
        self._schema_problem: str | None = None
        self._facet_cache = FacetCache(facet_cache_entries)
        self._facet_threads: ThreadPoolExecutor | None = None
        self._open_current()

    @classmethod
    def from_settings(cls, settings: Settings) -> EmbeddedIndex:
        """Open the index in `settings.index_dir`, analyzing with the word lists of `settings.config_dir`."""
        if settings.config_dir.resolve() == DEFAULT_CONFIG_DIR.resolve():
            analyzer = default_analyzer()
        else:
            analyzer = Analyzer.from_config(settings.config_dir)
        return cls(settings.index_dir, analyzer=analyzer)

    # Writing

    def index(self, documents: Iterable[IndexDocument]) -> IndexReport:
        """Add or replace documents by id; they become visible after `commit()`."""
        report = IndexReport()
        with self._write_lock:
            writer = self._acquire_writer()
            for document in documents:
                try:
                    converted = fields.to_tantivy(document, self.analyzer)
                except (ValueError, TypeError) as error:
                    report.errors[document.id] = f"document cannot be indexed: {error}"
                    continue
                writer.delete_documents_by_term(fields.ID, document.id)
                writer.add_document(converted)
                report.indexed += 1
        return report

    def prepare(self, document: IndexDocument) -> fields.FieldValues:
        """Return the analyzed field values of `document`; `index_prepared` adds them without analysis."""
        return fields.tantivy_fields(document, self.analyzer)

    def index_prepared(self, prepared: Iterable[fields.FieldValues]) -> IndexReport:
        """Add or replace documents by id from `prepare` output; they become visible after `commit()`."""
        report = IndexReport()
        with self._write_lock:
            writer = self._acquire_writer()
            for values in prepared:
                document_id = values[0][1]
                try:
                    converted = fields.document_from_fields(values)
                except (ValueError, TypeError) as error:
                    report.errors[str(document_id)] = f"document cannot be indexed: {error}"
                    continue
                writer.delete_documents_by_term(fields.ID, document_id)
                writer.add_document(converted)
                report.indexed += 1
        return report

    def delete(self, ids: Iterable[str]) -> None:
        """Remove documents by id; the removal becomes visible after `commit()`."""
        with self._write_lock:
            writer = self._acquire_writer()
            for document_id in ids:
                writer.delete_documents_by_term(fields.ID, document_id)

    @contextlib.contextmanager
    def fork_guard(self) -> Iterator[None]:
        """Commit pending changes and keep every writer of this instance closed until the context exits.

        tantivy's writer lock is an flock on a file in the index folder. A
        process forked while a writer is open inherits that descriptor and
        keeps the lock until it exits, so every later write here would wait
        for the forked process.
        """
        with self._write_lock:
            self.commit()
            yield

    def commit(self) -> None:
        """Commit pending changes, wait for merges and release the writer lock."""
        with self._write_lock:
            writer, self._writer = self._writer, None
            generation = self._writer_generation
            if writer is None:
                return
            try:
                writer.commit()
                writer.wait_merging_threads()
            except ValueError as error:
                raise SearchIndexError(f"commit to the search index at {generation} failed: {error}") from error

        with self._lock:
            self._refresh()
            if generation != self._generation:
                # NOTE: a rebuild in another process replaced the generation while
                # this writer was open; the committed changes are not searchable.
                logger.warning("committed to replaced search index generation %s; run `himpun index check` "
                               "to repair the current one", generation)

    def rebuild(self, documents: Iterable[IndexDocument]) -> int:
        """Build a new generation from `documents`, switch to it atomically and return its size.

        Uncommitted changes of this instance are dropped. Searches keep using the
        old generation until the switch.
        """
        with self._write_lock:
            self._drop_writer()
            generation = self._generations.create()
            try:
                count = self._fill_generation(generation, documents)
            except BaseException:
                self._generations.discard(generation)
                raise
            with self._generations.switch_lock():
                self._generations.activate(generation)
            with self._lock:
                self._open_generation(generation)
        logger.info("search index rebuilt: %d documents in %s", count, generation.name)
        return count

    # Reading

    def search(self, query: SearchQuery) -> SearchResult:
        """Run a search with facet counts, sort, paging and highlighting."""
        units = self.analyzer.query_units(query.text)
        searcher, reader_state = self._searcher_with_state()
        compiled = queries.build_query(self._schema, searcher, units, query)
        plan = queries.sort_plan(query, has_text=bool(units))

        # tantivy releases the GIL while it searches and aggregates, so facet
        # counting runs on a second core while this thread collects the hits.
        cache_key = FacetCache.key(reader_state, units, query)
        facets = self._facet_cache.get(cache_key)
        counting = None
        if facets is None and query.facets:
            counting = self._facet_pool().submit(facet_counts, searcher, compiled, query)

        found = self._run(searcher, compiled, plan, query.offset, query.rows)
        if counting is not None:
            facets = counting.result()
            self._facet_cache.put(cache_key, facets)

        terms = {term for unit in units for alternative in unit for term in alternative}
        hits: list[SearchHit] = []
        for order_key, address in found.hits[:query.rows]:
            document = self._load(searcher, address)
            score = float(order_key) if plan.field is None else 0.0
            highlights = self._highlights(document, terms) if query.highlight and terms else {}
            hits.append(SearchHit(id=document.id, score=score, document=document, highlights=highlights))
        return SearchResult(total=found.count, hits=hits, facets=facets or {})

    def suggest(self, prefix: str, limit: int = 10) -> list[Suggestion]:
        """Complete a title prefix from public documents; titles that start with it come first."""
        words = self.analyzer.words(prefix)
        if not words or limit <= 0:
            return []

        prefix_query = tantivy.Query.phrase_prefix_query(self._schema, fields.TITLE_WORDS, words)
        clauses = [(tantivy.Occur.Must, prefix_query), queries.public_filter(self._schema)]
        searcher = self._searcher()
        found = searcher.search(tantivy.Query.boolean_query(clauses), max(SUGGEST_CANDIDATES, limit))

        typed = " ".join(words)
        candidates = [self._load(searcher, address) for _, address in found.hits]
        candidates.sort(key=lambda document: (not _starts_with(self.analyzer, document.title, typed),
                                              len(document.title)))
        suggestions: list[Suggestion] = []
        seen: set[str] = set()
        for document in candidates:
            folded = " ".join(self.analyzer.words(document.title))
            if folded not in seen:
                seen.add(folded)
                suggestions.append(Suggestion(text=document.title, id=document.id))
        return suggestions[:limit]

    def get(self, document_id: str) -> IndexDocument | None:
        """Return one document by id, whatever its access level."""
        searcher = self._searcher()
        found = searcher.search(tantivy.Query.term_query(self._schema, fields.ID, document_id), 1)
        if not found.hits:
            return None
        return self._load(searcher, found.hits[0][1])

    def iter_hashes(self) -> Iterator[tuple[str, str, str]]:
        """Yield (id, content_hash, status) of every document from one consistent snapshot."""
        searcher = self._searcher()
        total = searcher.num_docs
        if total == 0:
            return
        found = searcher.search(tantivy.Query.all_query(), total, count=False)
        for _, address in found.hits:
            stored = searcher.doc(address)
            yield (stored.get_first(fields.ID), stored.get_first(fields.CONTENT_HASH) or "",
                   stored.get_first(fields.STATUS) or "")

    def count(self) -> int:
        """Return the number of committed documents, public or not."""
        return self._searcher().num_docs

    def close(self) -> None:
        """Drop uncommitted changes, release the writer lock and stop the facet threads."""
        with self._write_lock:
            self._drop_writer()
        with self._lock:
            pool, self._facet_threads = self._facet_threads, None
        if pool is not None:
            pool.shutdown(wait=True)

    # Internals

    def _run(self, searcher: tantivy.Searcher, compiled: tantivy.Query, plan: queries.SortPlan,
             offset: int, rows: int) -> tantivy.SearchResult:
        # tantivy rejects a limit of 0, so a rows=0 request fetches one hit and drops it.
        limit = max(rows, 1)
        if plan.field is None:
            return searcher.search(compiled, limit, offset=offset)
        return searcher.search(compiled, limit, offset=offset, order_by_field=plan.field, order=plan.order)

    def _highlights(self, document: IndexDocument, terms: set[str]) -> dict[str, str]:
        highlights: dict[str, str] = {}
        title = highlight_text(self.analyzer, document.title, terms)
        if title is not None:
            highlights["title"] = title
        description = highlight_fragment(self.analyzer, document.description, terms) if document.description else None
        if description is not None:
            highlights["description"] = description
        return highlights

    def _load(self, searcher: tantivy.Searcher, address: tantivy.DocAddress) -> IndexDocument:
        source = searcher.doc(address).get_first(fields.SOURCE)
        return IndexDocument.model_validate_json(source)

    def _facet_pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._facet_threads is None:
                self._facet_threads = ThreadPoolExecutor(FACET_THREADS, thread_name_prefix="himpun-facets")
            return self._facet_threads

    def _searcher(self) -> tantivy.Searcher:
        return self._searcher_with_state()[0]

    def _searcher_with_state(self) -> tuple[tantivy.Searcher, int]:
        with self._lock:
            self._refresh()
            self._check_schema()
            return self._index.searcher(), self._reader_state

    def _check_schema(self) -> None:
        if self._schema_problem is not None:
            raise SearchIndexError(self._schema_problem, code="index-rebuild-needed")

    def _refresh(self) -> None:
        current = self._generations.current()
        if current is not None and current != self._generation:
            self._open_generation(current)
            return
        if self._schema_problem is not None:
            return
        stamp = self._stat_commit()
        if stamp != self._commit_stamp:
            self._index.reload()
            self._commit_stamp = stamp
            self._reader_changed()

    def _reader_changed(self) -> None:
        self._reader_state += 1
        self._facet_cache.clear()

    def _stat_commit(self) -> tuple[int, int, int] | None:
        try:
            status = (self._generation / META_FILE).stat()
        except FileNotFoundError:
            return None
        return (status.st_ino, status.st_mtime_ns, status.st_size)

    def _open_current(self) -> None:
        with self._generations.switch_lock():
            current = self._generations.current()
            if current is None:
                current = self._generations.create()
                tantivy.Index(self._schema, path=str(current), reuse=False)
                fields.write_marker(current)
                self._generations.activate(current)
        self._open_generation(current)

    def _open_generation(self, generation: Path) -> None:
        self._schema_problem = fields.marker_problem(generation)
        if self._schema_problem is not None:
            logger.error("%s", self._schema_problem)
            self._generation = generation
            self._reader_changed()
            return
        try:
            index = tantivy.Index(self._schema, path=str(generation), reuse=True)
            index.config_reader(reload_policy="manual")
        except (OSError, ValueError) as error:
            raise SearchIndexError(f"cannot open the search index at {generation}: {error}") from error
        self._index = index
        self._generation = generation
        self._commit_stamp = self._stat_commit()
        self._reader_changed()

    def _acquire_writer(self) -> tantivy.IndexWriter:
        # Called with `_write_lock` held. The retry loop sleeps without `_lock`.
        with self._lock:
            self._refresh()
            self._check_schema()
            index, generation = self._index, self._generation
        if self._writer is not None:
            if self._writer_generation == generation:
                return self._writer
            logger.warning("search index generation %s was replaced while changes to it were pending; "
                           "they are dropped", self._writer_generation)
            self._drop_writer()

        deadline = time.monotonic() + self.writer_lock_timeout
        while True:
            try:
                self._writer = index.writer(WRITER_HEAP_BYTES)
                self._writer_generation = generation
                return self._writer
            except ValueError as error:
                if "LockBusy" not in str(error) or time.monotonic() >= deadline:
                    raise SearchIndexError(
                        f"cannot write to the search index at {generation}: {error}",
                        code="index-locked" if "LockBusy" in str(error) else None,
                    ) from error
            time.sleep(0.1)

    def _drop_writer(self) -> None:
        writer, self._writer = self._writer, None
        self._writer_generation = None
        if writer is not None:
            writer.rollback()
            writer.wait_merging_threads()

    def _fill_generation(self, generation: Path, documents: Iterable[IndexDocument]) -> int:
        index = tantivy.Index(self._schema, path=str(generation), reuse=False)
        writer = index.writer(REBUILD_HEAP_BYTES)
        seen: set[str] = set()
        try:
            for document in documents:
                if document.id in seen:
                    writer.delete_documents_by_term(fields.ID, document.id)
                seen.add(document.id)
                writer.add_document(fields.to_tantivy(document, self.analyzer))
        except BaseException:
            # Stop the writer's threads before the caller deletes the folder.
            writer.rollback()
            writer.wait_merging_threads()
            raise
        writer.commit()
        writer.wait_merging_threads()
        fields.write_marker(generation)
        return len(seen)


def _starts_with(analyzer: Analyzer, title: str, typed: str) -> bool:
    return " ".join(analyzer.words(title)).startswith(typed)

