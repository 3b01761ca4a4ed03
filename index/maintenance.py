"""Rebuild a search index from the store, and find and repair drift between the two.

The store is the source of truth. The index should hold exactly the public
datasets (active and terbuka), each with the content hash of the document the
store produces now. Drift comes from a crash between the store commit and the
index write, from index writes that failed, or from writes that reached the
old index during a rebuild. Both backends are handled through `SearchIndex`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from harvester.model import PublishedDataset
from index.base import IndexDocument, SearchIndex
from index.documents import build_document

logger = logging.getLogger(__name__)

REPAIR_BATCH_SIZE = 500

DocumentBuilder = Callable[[PublishedDataset], IndexDocument]


class DatasetSource(Protocol):
    """The part of `harvester.store.Store` that maintenance reads."""

    def iter_datasets(self, public_only: bool = False) -> Iterator[PublishedDataset]: ...

    def get_dataset(self, dataset_id: str) -> PublishedDataset | None: ...


@dataclass
class DriftReport:
    """Differences between the store and the index, by dataset id.

    `missing`: public in the store, absent from the index.
    `stale`: in both, but the index holds an older document or a non-active status.
    `extra_or_withdrawn`: in the index, but not public in the store (withdrawn,
    reclassified, quarantined or deleted).
    """

    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    extra_or_withdrawn: list[str] = field(default_factory=list)
    repaired: bool = False
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        return not (self.missing or self.stale or self.extra_or_withdrawn)

    @property
    def total(self) -> int:
        return len(self.missing) + len(self.stale) + len(self.extra_or_withdrawn)


def rebuild_index(index: SearchIndex, store: DatasetSource, *, to_document: DocumentBuilder = build_document,
                  verify: bool = True) -> int:
    """Rebuild `index` from every public dataset of `store`; return the number of documents.

    With `verify`, a drift check with repair follows, because datasets written
    while the rebuild ran may have reached only the old index.
    """
    documents = (to_document(dataset) for dataset in store.iter_datasets(public_only=True))
    count = index.rebuild(documents)
    logger.info("index rebuilt from the store: %d documents", count)

    if verify:
        report = check_index(index, store, repair=True, to_document=to_document)
        if not report.clean:
            logger.warning("after the rebuild, repaired %d missing, %d stale and %d extra documents",
                           len(report.missing), len(report.stale), len(report.extra_or_withdrawn))
    return count


def check_index(index: SearchIndex, store: DatasetSource, repair: bool = True, *,
                to_document: DocumentBuilder = build_document) -> DriftReport:
    """Compare the index with the public datasets of the store and, with `repair`, fix every difference."""
    expected = {dataset.id: to_document(dataset).content_hash for dataset in store.iter_datasets(public_only=True)}
    report = DriftReport()
    seen: set[str] = set()

    for document_id, content_hash, status in index.iter_hashes():
        seen.add(document_id)
        if document_id not in expected:
            report.extra_or_withdrawn.append(document_id)
        elif content_hash != expected[document_id] or status != "active":
            report.stale.append(document_id)

    report.missing = sorted(set(expected) - seen)
    report.stale.sort()
    report.extra_or_withdrawn.sort()
    logger.info("index check: %d expected, %d indexed, %d missing, %d stale, %d extra or withdrawn",
                len(expected), len(seen), len(report.missing), len(report.stale), len(report.extra_or_withdrawn))

    if repair and not report.clean:
        _repair(index, store, report, to_document)
    return report


def _repair(index: SearchIndex, store: DatasetSource, report: DriftReport, to_document: DocumentBuilder) -> None:
    if report.extra_or_withdrawn:
        index.delete(report.extra_or_withdrawn)

    for batch in _batches(report.missing + report.stale, REPAIR_BATCH_SIZE):
        documents, gone = _current_documents(store, batch, to_document)
        if gone:
            index.delete(gone)
        outcome = index.index(documents)
        report.errors.update(outcome.errors)

    index.commit()
    report.repaired = True
    if report.errors:
        logger.warning("index repair left %d documents rejected by the index", len(report.errors))


def _current_documents(store: DatasetSource, ids: list[str],
                       to_document: DocumentBuilder) -> tuple[list[IndexDocument], list[str]]:
    """Read `ids` again from the store: documents of those still public, and the ids that no longer are."""
    documents: list[IndexDocument] = []
    gone: list[str] = []
    for dataset_id in ids:
        dataset = store.get_dataset(dataset_id)
        if dataset is not None and dataset.is_public:
            documents.append(to_document(dataset))
        else:
            gone.append(dataset_id)
    return documents, gone


def _batches(items: Iterable[str], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
