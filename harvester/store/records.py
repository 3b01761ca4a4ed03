"""Writing records: the batched upsert, withdrawals, purges and source rows."""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from harvester.credentials import SourceCipher, decode_source, encode_source
from harvester.errors import StoreError
from harvester.harmonize import Finding
from harvester.model import DatasetRecord, DatasetStatus, Provenance, PublishedDataset
from harvester.sources import SourceConfig
from harvester.store.base import StoreBase, as_utc, chunked, dump_json
from harvester.store.datasets import DatasetsMixin, _published
from harvester.store.merge import DatasetCopy, assign_dataset_id, merge_copies
from harvester.store.tables import DatasetRow, RecordRow, SourceRow

logger = logging.getLogger(__name__)

# HIMPUN_CRASH_IN_WITHDRAWAL=1 ends the process with `os._exit(137)` inside
# `withdraw_records`, after the first chunk of records is marked withdrawn
# and before the commit, so crash tests can check that the phase is all or nothing.
WITHDRAWAL_CRASH_VARIABLE = "HIMPUN_CRASH_IN_WITHDRAWAL"
WITHDRAWAL_CRASH_EXIT_STATUS = 137

RECORD = RecordRow.__table__
DATASET = DatasetRow.__table__
SOURCE = SourceRow.__table__

# Finding kinds that hold a record back for an operator instead of publishing it.
QUARANTINE_KINDS = frozenset({"personal-data"})

# The raw payload is stored in its own column, so the record JSON leaves it out.
_WITHOUT_RAW: Any = {"provenance": {"raw"}}


@dataclass(slots=True)
class UpsertOutcome:
    """Outcome of one `upsert_records` call: dataset ids added and updated, rows skipped."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    quarantined: int = 0
    # Added datasets whose row was written from this one record and has no
    # series, so the published dataset is the mapped record itself.
    single_copy: set[str] = field(default_factory=set)

    @property
    def changed(self) -> list[str]:
        return self.added + self.updated


@dataclass(slots=True)
class PreparedRecord:
    """One record serialized for the `record` table, with the access level its dataset row needs.

    Its values are strings, None and one datetime, so a worker process can
    build it and send it to the job runner far more cheaply than the pickled
    `DatasetRecord`.
    """

    row: dict[str, Any]
    access_level: str | None
    # (dataset id, output of `SearchIndex.prepare`) when the mapping step
    # prepared the dataset's index document, else None. The store ignores it.
    index_entry: tuple[str, Any] | None = None


def prepare_record(source_id: str, record: DatasetRecord, findings: Sequence[Finding]) -> PreparedRecord:
    """Serialize `record` and its harmonize findings for `RecordsMixin.upsert_prepared`."""
    provenance = record.provenance
    row = {
        "source_id": source_id,
        "remote_id": provenance.remote_id,
        "dataset_id": assign_dataset_id(source_id, provenance.remote_id),
        "content_hash": provenance.content_hash,
        "remote_url": provenance.remote_url,
        "record": record.model_dump_json(exclude=_WITHOUT_RAW),
        "raw": serialize_raw(provenance),
        "raw_format": provenance.raw_format,
        "findings": _findings_json(findings),
        "status": record_status(findings),
        "harvested_at": as_utc(provenance.harvested_at),
        "withdrawn_at": None,
    }
    return PreparedRecord(row=row, access_level=_access_level(record))


def record_status(findings: Sequence[Finding]) -> str:
    """Return the status a record gets from its harmonize findings."""
    if any(finding.kind in QUARANTINE_KINDS for finding in findings):
        return DatasetStatus.QUARANTINED.value
    return DatasetStatus.ACTIVE.value


def serialize_raw(provenance: Provenance) -> str | None:
    """Serialize the raw payload: JSON for parsed objects, the text itself otherwise."""
    raw = provenance.raw
    if raw is None:
        return None
    if isinstance(raw, str):
        return raw
    if isinstance(raw, (bytes, bytearray)):
        return bytes(raw).decode("utf-8", errors="replace")
    return orjson.dumps(raw, option=orjson.OPT_NON_STR_KEYS).decode("utf-8")


def _access_level(record: DatasetRecord) -> str | None:
    level = record.access.level
    return None if level is None else level.value


def _findings_json(findings: Sequence[Finding]) -> str:
    if not findings:
        return "[]"
    return dump_json([
        {"field": finding.field, "value": finding.value, "kind": finding.kind, "detail": finding.detail}
        for finding in findings
    ])


def _insert_for(dialect: str) -> Any:
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


class RecordsMixin(StoreBase):
    """Record and source writes."""

    def sync_sources(self, sources: Iterable[SourceConfig], cipher: SourceCipher | None = None) -> None:
        """Record the sources of the sources file, with credential options encrypted by `cipher`.

        Without a cipher, a source with a credential option raises ConfigError.

        A source that left the file is marked disabled; sources created
        through the admin API (origin "api") are not in the file and stay as
        they are. A file entry with the id of an API source takes it over.
        """
        now = self._now()
        rows = [
            {"id": source.id, "config": encode_source(source, cipher), "enabled": source.enabled,
             "failures": 0, "updated_at": now, "origin": "config"}
            for source in sources
        ]

        with self._write() as connection:
            if rows:
                insert = _insert_for(connection.dialect.name)(SOURCE)
                statement = insert.on_conflict_do_update(
                    index_elements=[SOURCE.c.id],
                    set_={"config": insert.excluded.config, "enabled": insert.excluded.enabled,
                          "updated_at": insert.excluded.updated_at, "origin": insert.excluded.origin},
                )
                connection.execute(statement, rows)
            configured = [row["id"] for row in rows]
            connection.execute(
                SOURCE.update().where(SOURCE.c.id.not_in(configured), SOURCE.c.origin == "config")
                .values(enabled=False, updated_at=now)
            )

    def api_sources(self, cipher: SourceCipher | None) -> list[SourceConfig]:
        """Return the enabled sources created through the admin API, with credentials decrypted."""
        query = sa.select(SOURCE.c.config).where(SOURCE.c.origin == "api", SOURCE.c.enabled.is_(True))
        with self._read() as connection:
            configs = list(connection.execute(query).scalars())
        return [decode_source(config, cipher) for config in configs]

    def known_hashes(self, source_id: str) -> dict[str, str]:
        """Return remote id -> content hash of every stored, not purged record of a source."""
        with self._read() as connection:
            rows = connection.execute(
                sa.select(RECORD.c.remote_id, RECORD.c.content_hash).where(RECORD.c.source_id == source_id)
            )
            return {remote_id: content_hash for remote_id, content_hash in rows}

    def known_states(self, source_id: str) -> dict[str, tuple[str, str]]:
        """Return remote id -> (content hash, status) of every stored record of a source."""
        with self._read() as connection:
            rows = connection.execute(
                sa.select(RECORD.c.remote_id, RECORD.c.content_hash, RECORD.c.status)
                .where(RECORD.c.source_id == source_id)
            )
            return {remote_id: (content_hash, status) for remote_id, content_hash, status in rows}

    def get_datasets(self, dataset_ids: Iterable[str]) -> dict[str, PublishedDataset]:
        """Return the datasets among `dataset_ids` that exist, whatever their status, keyed by id.

        The read takes one transaction with two queries per 500 ids, because
        the indexer reads every dataset that a harvest batch changed and
        `get_dataset` opens a transaction per id.
        """
        found: dict[str, PublishedDataset] = {}
        query = sa.select(DATASET).where(DATASET.c.id.in_(sa.bindparam("ids", expanding=True)))
        with self._read() as connection:
            for chunk in chunked(sorted(set(dataset_ids))):
                rows = connection.execute(query, {"ids": list(chunk)}).mappings().all()
                # NOTE: this read belongs beside get_dataset in DatasetsMixin, whose helper it calls.
                copies = DatasetsMixin._source_copies(self, connection, [row["id"] for row in rows])  # type: ignore[arg-type]
                for row in rows:
                    found[row["id"]] = _published(row, copies.get(row["id"], []))
        return found

    def upsert_records(
        self,
        source_id: str,
        records: Sequence[DatasetRecord],
        findings: Mapping[str, Sequence[Finding]] | None = None,
        *,
        priority: int = 50,
        force: bool = False,
    ) -> UpsertOutcome:
        """Insert or update `records` of `source_id` and their datasets in one transaction.

        `findings` maps a remote id to its harmonize findings. A record whose
        content hash and status are unchanged is not written at all, and the
        SQL repeats that guard, so its dataset keeps its `updated_at`. With
        `force`, a record whose mapped form changed is written even though its
        raw payload (and so its hash) did not: `himpun harmonize apply` needs
        that after a reference table changed.
        """
        findings = findings or {}
        prepared = [prepare_record(source_id, record, findings.get(record.provenance.remote_id, ()))
                    for record in records]
        return self.upsert_prepared(source_id, prepared, priority=priority, force=force)

    def upsert_prepared(
        self,
        source_id: str,
        prepared: Sequence[PreparedRecord],
        *,
        priority: int = 50,
        force: bool = False,
    ) -> UpsertOutcome:
        """Write records serialized by `prepare_record`, exactly as `upsert_records` writes them."""
        now = self._now()
        rows = [item.row for item in prepared]
        access_levels = {item.row["remote_id"]: item.access_level for item in prepared}
        outcome = UpsertOutcome()
        if not rows:
            return outcome

        try:
            with self._write() as connection:
                changed = self._changed_rows(connection, source_id, rows, outcome, force)
                if changed:
                    self._write_records(connection, changed, force)
                    self._write_datasets(connection, changed, access_levels, now, priority, force, outcome)
        except sa.exc.SQLAlchemyError as error:
            raise StoreError(f"store: writing {len(rows)} records of source {source_id} failed: {error}") from error
        return outcome

    def _record_row(self, source_id: str, record: DatasetRecord, findings: Sequence[Finding]) -> dict[str, Any]:
        return prepare_record(source_id, record, findings).row

    def _changed_rows(self, connection: sa.Connection, source_id: str, rows: list[dict[str, Any]],
                      outcome: UpsertOutcome, force: bool = False) -> list[dict[str, Any]]:
        """Drop rows whose stored hash and status match, sorting the rest into added and updated.

        With `force`, the stored mapped record is compared instead of the hash.
        """
        stored: dict[str, tuple[str, str]] = {}
        assigned: dict[str, str] = {}
        mapped: dict[str, str] = {}
        columns = [RECORD.c.remote_id, RECORD.c.content_hash, RECORD.c.status, RECORD.c.dataset_id]
        if force:
            columns.append(RECORD.c.record)
        query = (
            sa.select(*columns)
            .where(RECORD.c.source_id == source_id, RECORD.c.remote_id.in_(sa.bindparam("ids", expanding=True)))
        )
        for chunk in chunked([row["remote_id"] for row in rows]):
            for found in connection.execute(query, {"ids": list(chunk)}):
                stored[found[0]] = (found[1], found[2])
                assigned[found[0]] = found[3]
                if force:
                    mapped[found[0]] = found[4]

        changed: list[dict[str, Any]] = []
        for row in rows:
            previous = stored.get(row["remote_id"])
            same_state = previous == (row["content_hash"], row["status"])
            if same_state and (not force or mapped.get(row["remote_id"]) == row["record"]):
                outcome.unchanged += 1
                continue
            # The dedupe stage may have moved this record into another dataset.
            row["dataset_id"] = assigned.get(row["remote_id"], row["dataset_id"])
            changed.append(row)
            (outcome.added if previous is None else outcome.updated).append(row["dataset_id"])
            if row["status"] == DatasetStatus.QUARANTINED.value:
                outcome.quarantined += 1
        return changed

    def _write_records(self, connection: sa.Connection, rows: list[dict[str, Any]], force: bool = False) -> None:
        insert = _insert_for(connection.dialect.name)(RECORD)
        excluded = insert.excluded
        guard = [RECORD.c.content_hash != excluded.content_hash, RECORD.c.status != excluded.status]
        if force:
            guard.append(RECORD.c.record != excluded.record)
        statement = insert.on_conflict_do_update(
            index_elements=[RECORD.c.source_id, RECORD.c.remote_id],
            set_={name: excluded[name] for name in (
                "content_hash", "remote_url", "record", "raw", "raw_format", "findings", "status",
                "harvested_at", "withdrawn_at",
            )},
            where=sa.or_(*guard),
        )
        connection.execute(statement, rows)

    def _write_datasets(self, connection: sa.Connection, rows: list[dict[str, Any]],
                        access_levels: Mapping[str, str | None], now: dt.datetime, priority: int,
                        force: bool = False, outcome: UpsertOutcome | None = None) -> None:
        # A dataset merged from several copies is rebuilt by the dedupe stage,
        # which runs after the job; writing one copy here would overwrite the merge.
        shared = self._shared_datasets(connection, [row["dataset_id"] for row in rows])
        values = []
        for row in rows:
            if row["dataset_id"] in shared:
                continue
            copy = DatasetCopy(
                source_id=row["source_id"], remote_id=row["remote_id"], record_json=row["record"],
                content_hash=row["content_hash"], status=row["status"], access_level=access_levels[row["remote_id"]],
                priority=priority,
            )
            merged = merge_copies([copy])
            values.append({
                "id": row["dataset_id"], "record": merged.record_json, "content_hash": merged.content_hash,
                "status": merged.status, "access_level": merged.access_level,
                "created_at": now, "updated_at": now, "withdrawn_at": None,
            })

        if not values:
            return
        if outcome is not None:
            outcome.single_copy = self._without_series(connection, set(outcome.added) & {value["id"] for value in values})
        insert = _insert_for(connection.dialect.name)(DATASET)
        excluded = insert.excluded
        guard = [DATASET.c.content_hash != excluded.content_hash, DATASET.c.status != excluded.status]
        if force:
            guard += [DATASET.c.record != excluded.record, DATASET.c.access_level != excluded.access_level]
        statement = insert.on_conflict_do_update(
            index_elements=[DATASET.c.id],
            set_={name: excluded[name] for name in (
                "record", "content_hash", "status", "access_level", "updated_at", "withdrawn_at",
            )},
            where=sa.or_(*guard),
        )
        connection.execute(statement, values)

    def _without_series(self, connection: sa.Connection, dataset_ids: set[str]) -> set[str]:
        """Return `dataset_ids` minus the ids of existing dataset rows that belong to a series."""
        query = (
            sa.select(DATASET.c.id)
            .where(DATASET.c.id.in_(sa.bindparam("ids", expanding=True)), DATASET.c.series_id.is_not(None))
        )
        in_series: set[str] = set()
        for chunk in chunked(sorted(dataset_ids)):
            in_series.update(connection.execute(query, {"ids": list(chunk)}).scalars())
        return dataset_ids - in_series

    def _shared_datasets(self, connection: sa.Connection, dataset_ids: list[str]) -> set[str]:
        """Return the ids among `dataset_ids` that more than one record belongs to."""
        shared: set[str] = set()
        query = (
            sa.select(RECORD.c.dataset_id)
            .where(RECORD.c.dataset_id.in_(sa.bindparam("ids", expanding=True)))
            .group_by(RECORD.c.dataset_id)
            .having(sa.func.count() > 1)
        )
        for chunk in chunked(sorted(set(dataset_ids))):
            shared.update(connection.execute(query, {"ids": list(chunk)}).scalars())
        return shared

    def withdraw_records(self, source_id: str, remote_ids: Sequence[str], at: dt.datetime) -> list[str]:
        """Mark records withdrawn in one transaction; return the datasets that became withdrawn.

        A dataset is withdrawn when none of its copies is still active or quarantined.
        """
        at = as_utc(at)  # type: ignore[assignment]
        affected: list[str] = []
        select_ids = sa.select(RECORD.c.dataset_id).where(
            RECORD.c.source_id == source_id,
            RECORD.c.remote_id.in_(sa.bindparam("ids", expanding=True)),
            RECORD.c.status != DatasetStatus.WITHDRAWN.value,
        )
        update_records = RECORD.update().where(
            RECORD.c.source_id == source_id,
            RECORD.c.remote_id.in_(sa.bindparam("ids", expanding=True)),
            RECORD.c.status != DatasetStatus.WITHDRAWN.value,
        ).values(status=DatasetStatus.WITHDRAWN.value, withdrawn_at=at)

        crash = os.environ.get(WITHDRAWAL_CRASH_VARIABLE) == "1"
        with self._write() as connection:
            for chunk in chunked(list(remote_ids)):
                affected.extend(connection.execute(select_ids, {"ids": list(chunk)}).scalars())
                connection.execute(update_records, {"ids": list(chunk)})
                if crash:
                    os._exit(WITHDRAWAL_CRASH_EXIT_STATUS)
            withdrawn = self._withdraw_datasets(connection, affected, at)
        logger.info("withdrew %d records of source %s (%d datasets)", len(affected), source_id, len(withdrawn))
        return withdrawn

    def _withdraw_datasets(self, connection: sa.Connection, dataset_ids: list[str], at: dt.datetime) -> list[str]:
        still_held = (
            sa.select(RECORD.c.id)
            .where(RECORD.c.dataset_id == DATASET.c.id, RECORD.c.status != DatasetStatus.WITHDRAWN.value)
            .exists()
        )
        withdrawn: list[str] = []
        for chunk in chunked(sorted(set(dataset_ids))):
            candidates = list(connection.execute(
                sa.select(DATASET.c.id).where(DATASET.c.id.in_(list(chunk)), ~still_held)
            ).scalars())
            if not candidates:
                continue
            connection.execute(
                DATASET.update().where(DATASET.c.id.in_(candidates))
                .values(status=DatasetStatus.WITHDRAWN.value, withdrawn_at=at, updated_at=at)
            )
            withdrawn.extend(candidates)
        return withdrawn

    def purge_withdrawn(self, before: dt.datetime) -> list[str]:
        """Delete datasets withdrawn before `before`, with their records; return their ids."""
        before = as_utc(before)  # type: ignore[assignment]
        with self._write() as connection:
            dataset_ids = list(connection.execute(
                sa.select(DATASET.c.id).where(
                    DATASET.c.status == DatasetStatus.WITHDRAWN.value, DATASET.c.withdrawn_at < before
                )
            ).scalars())
            for chunk in chunked(dataset_ids):
                connection.execute(RECORD.delete().where(RECORD.c.dataset_id.in_(list(chunk))))
                connection.execute(DATASET.delete().where(DATASET.c.id.in_(list(chunk))))
        if dataset_ids:
            logger.info("purged %d datasets withdrawn before %s", len(dataset_ids), before.isoformat())
        return dataset_ids
