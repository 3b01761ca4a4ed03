"""Reading published datasets: one by id, keyset pages, counts, tombstones and raw copies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa

from harvester.model import AccessLevel, DatasetRecord, DatasetStatus, Provenance, PublishedDataset, SourceCopy
from harvester.store.base import StoreBase, as_utc, load_json
from harvester.store.tables import DatasetRow, RecordRow

DATASET = DatasetRow.__table__
RECORD = RecordRow.__table__

# Datasets fetched per query while iterating.
PAGE_SIZE = 500


def _filtered(query: sa.Select, public_only: bool, modified_since: dt.datetime | None) -> sa.Select:
    if public_only:
        query = query.where(
            DATASET.c.status == DatasetStatus.ACTIVE.value,
            DATASET.c.access_level == AccessLevel.TERBUKA.value,
        )
    if modified_since is not None:
        query = query.where(DATASET.c.updated_at >= as_utc(modified_since))
    return query


class DatasetsMixin(StoreBase):
    """Dataset reads for publishing and the operator pages."""

    def get_dataset(self, dataset_id: str) -> PublishedDataset | None:
        """Return one dataset, whatever its status, or None."""
        with self._read() as connection:
            row = connection.execute(sa.select(DATASET).where(DATASET.c.id == dataset_id)).mappings().first()
            if row is None:
                return None
            copies = self._source_copies(connection, [dataset_id])
        return _published(row, copies.get(dataset_id, []))

    def iter_datasets(
        self,
        public_only: bool = False,
        modified_since: dt.datetime | None = None,
        after_id: str | None = None,
        limit: int | None = None,
    ) -> Iterator[PublishedDataset]:
        """Yield datasets ordered by id, starting after `after_id`, at most `limit` of them.

        Pages are fetched by keyset (`id > last id`), so a long iteration never
        uses OFFSET and never holds a transaction open between pages.
        """
        remaining = limit
        last_id = after_id
        while remaining is None or remaining > 0:
            page_size = PAGE_SIZE if remaining is None else min(PAGE_SIZE, remaining)
            page = self._dataset_page(public_only, modified_since, last_id, page_size)
            yield from page
            if len(page) < page_size:
                return
            last_id = page[-1].id
            if remaining is not None:
                remaining -= len(page)

    def _dataset_page(self, public_only: bool, modified_since: dt.datetime | None, after_id: str | None,
                      size: int) -> list[PublishedDataset]:
        query = _filtered(sa.select(DATASET), public_only, modified_since)
        if after_id is not None:
            query = query.where(DATASET.c.id > after_id)
        query = query.order_by(DATASET.c.id).limit(size)

        with self._read() as connection:
            rows = list(connection.execute(query).mappings())
            copies = self._source_copies(connection, [row["id"] for row in rows])
        return [_published(row, copies.get(row["id"], [])) for row in rows]

    def public_ids(self, dataset_ids: Sequence[str]) -> set[str]:
        """Return the ids among `dataset_ids` that are public now (active and terbuka)."""
        if not dataset_ids:
            return set()
        query = _filtered(sa.select(DATASET.c.id), True, None).where(DATASET.c.id.in_(list(dataset_ids)))
        with self._read() as connection:
            return set(connection.execute(query).scalars())

    def dataset_id_at(self, position: int, public_only: bool = True) -> str | None:
        """Return the id at `position` (from 0) in id order, or None past the end; pages of a sitemap start there."""
        query = _filtered(sa.select(DATASET.c.id), public_only, None).order_by(DATASET.c.id).offset(position).limit(1)
        with self._read() as connection:
            return connection.execute(query).scalar_one_or_none()

    def count_datasets(self, public_only: bool = False, modified_since: dt.datetime | None = None) -> int:
        """Return how many datasets `iter_datasets` would yield with the same filters."""
        query = _filtered(sa.select(sa.func.count()).select_from(DATASET), public_only, modified_since)
        with self._read() as connection:
            return int(connection.execute(query).scalar_one())

    def tombstones(self, since: dt.datetime) -> list[PublishedDataset]:
        """Return datasets withdrawn at or after `since`, oldest first."""
        query = (
            sa.select(DATASET)
            .where(DATASET.c.status == DatasetStatus.WITHDRAWN.value, DATASET.c.withdrawn_at >= as_utc(since))
            .order_by(DATASET.c.withdrawn_at, DATASET.c.id)
        )
        with self._read() as connection:
            rows = list(connection.execute(query).mappings())
            copies = self._source_copies(connection, [row["id"] for row in rows])
        return [_published(row, copies.get(row["id"], [])) for row in rows]

    def raw_copy(self, source_id: str, remote_id: str) -> Provenance | None:
        """Return the stored copy of one remote record with its raw payload, or None."""
        query = sa.select(RECORD).where(RECORD.c.source_id == source_id, RECORD.c.remote_id == remote_id)
        with self._read() as connection:
            row = connection.execute(query).mappings().first()
        if row is None:
            return None
        raw: Any = row["raw"]
        if row["raw_format"] == "json" and raw is not None:
            raw = load_json(raw)
        return Provenance(
            source_id=row["source_id"], remote_id=row["remote_id"], remote_url=row["remote_url"],
            harvested_at=as_utc(row["harvested_at"]), content_hash=row["content_hash"],
            raw=raw, raw_format=row["raw_format"],
        )

    def _source_copies(self, connection: sa.Connection, dataset_ids: Sequence[str]) -> dict[str, list[SourceCopy]]:
        if not dataset_ids:
            return {}
        query = (
            sa.select(RECORD.c.dataset_id, RECORD.c.source_id, RECORD.c.remote_id, RECORD.c.remote_url,
                      RECORD.c.harvested_at, RECORD.c.content_hash)
            .where(RECORD.c.dataset_id.in_(list(dataset_ids)))
            .order_by(RECORD.c.dataset_id, RECORD.c.id)
        )
        copies: dict[str, list[SourceCopy]] = {}
        for dataset_id, source_id, remote_id, remote_url, harvested_at, content_hash in connection.execute(query):
            copies.setdefault(dataset_id, []).append(SourceCopy(
                source_id=source_id, remote_id=remote_id, remote_url=remote_url,
                harvested_at=as_utc(harvested_at), content_hash=content_hash,
            ))
        return copies


def _published(row: sa.RowMapping, copies: list[SourceCopy]) -> PublishedDataset:
    return PublishedDataset(
        id=row["id"],
        record=DatasetRecord.model_validate_json(row["record"]),
        status=DatasetStatus(row["status"]),
        sources=copies,
        series_id=row["series_id"],
        created_at=as_utc(row["created_at"]),
        updated_at=as_utc(row["updated_at"]),
        withdrawn_at=as_utc(row["withdrawn_at"]),
    )
