"""Keep the search index in step with the store, the source of truth.

`sync_datasets` runs after the store stage of a job for the datasets it added,
updated or withdrew; `reindex_all` rebuilds the whole index from the store.
Only public datasets (active and terbuka) are indexed: every other dataset is
deleted from the index, so a record that was reclassified, quarantined or
withdrawn disappears at the next sync.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from harvester.model import PublishedDataset
from index.base import IndexDocument, IndexReport, SearchIndex
from index.documents import build_document

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


class DatasetSource(Protocol):
    """The part of `harvester.store.Store` that indexing reads."""

    def get_dataset(self, dataset_id: str) -> PublishedDataset | None: ...

    def iter_datasets(self, public_only: bool = False, modified_since=None, after_id: str | None = None,
                      limit: int | None = None) -> Iterator[PublishedDataset]: ...


@dataclass
class SyncReport:
    """The outcome of one sync: documents written, documents deleted, and rejected ids with reasons."""

    indexed: int = 0
    deleted: int = 0
    errors: dict[str, str] = field(default_factory=dict)


def sync_datasets(index: SearchIndex, store: DatasetSource, dataset_ids: Iterable[str],
                  batch_size: int = BATCH_SIZE, *, prepared: Mapping[str, Any] | None = None,
                  commit: bool = True) -> SyncReport:
    """Index the public datasets among `dataset_ids`, delete the others, then commit once.

    `prepared` maps dataset ids to the output of `index.prepare` for public
    datasets whose stored state the caller already holds. Those are indexed
    without reading the store. With `commit=False` the changes stay pending
    until the caller commits the index.
    """
    report = SyncReport()
    to_index: list[IndexDocument] = []
    to_delete: list[str] = []

    unique_ids = list(dict.fromkeys(dataset_ids))
    if prepared:
        ready = [prepared[dataset_id] for dataset_id in unique_ids if dataset_id in prepared]
        for start in range(0, len(ready), batch_size):
            _record(index.index_prepared(ready[start:start + batch_size]), report)
        unique_ids = [dataset_id for dataset_id in unique_ids if dataset_id not in prepared]
    for start in range(0, len(unique_ids), batch_size):
        chunk = unique_ids[start:start + batch_size]
        datasets = _load(store, chunk)
        for dataset_id in chunk:
            dataset = datasets.get(dataset_id)
            if dataset is not None and dataset.is_public:
                to_index.append(build_document(dataset))
            else:
                to_delete.append(dataset_id)
            if len(to_index) >= batch_size:
                _write(index, to_index, report)

    _write(index, to_index, report)
    if to_delete:
        index.delete(to_delete)
        report.deleted = len(to_delete)
    if commit:
        index.commit()
    logger.info("search index synced: %d indexed, %d deleted, %d rejected",
                report.indexed, report.deleted, len(report.errors))
    return report


def reindex_all(index: SearchIndex, store: DatasetSource) -> int:
    """Rebuild the index from every public dataset in the store; return the number indexed."""
    documents = (build_document(dataset) for dataset in store.iter_datasets(public_only=True) if dataset.is_public)
    count = index.rebuild(documents)
    logger.info("search index rebuilt from the store: %d documents", count)
    return count


def _load(store: DatasetSource, dataset_ids: list[str]) -> dict[str, PublishedDataset]:
    """Read the datasets in one go when the store offers `get_datasets`, else one by one."""
    get_datasets = getattr(store, "get_datasets", None)
    if get_datasets is not None:
        return get_datasets(dataset_ids)
    found = {}
    for dataset_id in dataset_ids:
        dataset = store.get_dataset(dataset_id)
        if dataset is not None:
            found[dataset_id] = dataset
    return found


def _write(index: SearchIndex, documents: list[IndexDocument], report: SyncReport) -> None:
    if not documents:
        return
    _record(index.index(documents), report)
    documents.clear()


def _record(outcome: IndexReport, report: SyncReport) -> None:
    report.indexed += outcome.indexed
    report.errors.update(outcome.errors)
