"""Store reads and writes of the dedupe stage."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import orjson
import sqlalchemy as sa

from harvester.dedupe.cluster import Decisions, RecordKey
from harvester.model import DatasetRecord, DatasetStatus
from harvester.store import Store
from harvester.store.dedupe_tables import DatasetMatchRow, DatasetRedirectRow, DatasetSeriesRow, DedupeDecisionRow
from harvester.store.records import _insert_for
from harvester.store.tables import DatasetRow, RecordRow

RECORD = RecordRow.__table__
DATASET = DatasetRow.__table__
DECISION = DedupeDecisionRow.__table__
MATCH = DatasetMatchRow.__table__
SERIES = DatasetSeriesRow.__table__
REDIRECT = DatasetRedirectRow.__table__


@dataclass(slots=True)
class StoredCopy:
    """One stored record that is not withdrawn, with its current dataset assignment."""

    key: RecordKey
    dataset_id: str
    status: str
    content_hash: str
    record: DatasetRecord


@dataclass(slots=True)
class DatasetPlan:
    """The dataset row one cluster should have."""

    id: str
    record_json: str
    content_hash: str
    status: str
    access_level: str | None
    series_id: str | None
    members: list[RecordKey]


@dataclass(slots=True)
class DedupePlan:
    datasets: list[DatasetPlan] = field(default_factory=list)
    matches: list[dict] = field(default_factory=list)
    series: list[dict] = field(default_factory=list)


def load_copies(store: Store) -> list[StoredCopy]:
    """Load every record that is not withdrawn."""
    query = (
        sa.select(RECORD.c.source_id, RECORD.c.remote_id, RECORD.c.dataset_id, RECORD.c.status,
                  RECORD.c.content_hash, RECORD.c.record)
        .where(RECORD.c.status != DatasetStatus.WITHDRAWN.value)
        .order_by(RECORD.c.id)
    )
    with store._read() as connection:
        rows = list(connection.execute(query))
    return [
        StoredCopy((source_id, remote_id), dataset_id, status, content_hash,
                   DatasetRecord.model_validate_json(record))
        for source_id, remote_id, dataset_id, status, content_hash, record in rows
    ]


def dataset_created(store: Store) -> dict[str, dt.datetime]:
    """Return dataset id -> creation time of every dataset row."""
    with store._read() as connection:
        return {dataset_id: created for dataset_id, created in connection.execute(sa.select(DATASET.c.id, DATASET.c.created_at))}


def stored_decisions(store: Store) -> Decisions:
    decisions = Decisions()
    with store._read() as connection:
        rows = connection.execute(sa.select(DECISION.c.left_source, DECISION.c.left_remote, DECISION.c.right_source,
                                            DECISION.c.right_remote, DECISION.c.decision))
        for left_source, left_remote, right_source, right_remote, decision in rows:
            pair = frozenset({(left_source, left_remote), (right_source, right_remote)})
            (decisions.confirmed if decision == "confirm" else decisions.split).add(pair)
    return decisions


def save_decision(store: Store, left: RecordKey, right: RecordKey, decision: str, actor: str | None) -> None:
    """Store an operator decision on a pair; a later decision on the same pair replaces it."""
    first, second = sorted((left, right))
    now = store._now()
    with store._write() as connection:
        insert = _insert_for(connection.dialect.name)(DECISION)
        connection.execute(
            insert.on_conflict_do_update(
                index_elements=[DECISION.c.left_source, DECISION.c.left_remote,
                                DECISION.c.right_source, DECISION.c.right_remote],
                set_={"decision": insert.excluded.decision, "actor": insert.excluded.actor,
                      "created_at": insert.excluded.created_at},
            ),
            {"left_source": first[0], "left_remote": first[1], "right_source": second[0],
             "right_remote": second[1], "decision": decision, "actor": actor, "created_at": now},
        )


def apply_plan(store: Store, copies: Iterable[StoredCopy], plan: DedupePlan) -> list[str]:
    """Write the plan in one transaction; return the dataset ids whose public form changed."""
    now = store._now()
    current = {copy.key: copy.dataset_id for copy in copies}
    planned_ids = {dataset.id for dataset in plan.datasets}

    with store._write() as connection:
        _reassign_records(connection, current, plan)
        changed = _upsert_datasets(connection, plan, now)
        changed += _retire_orphans(connection, current, plan, planned_ids, now)
        _replace_table(connection, MATCH, plan.matches)
        _replace_table(connection, SERIES, [{**series, "updated_at": now} for series in plan.series])
        _drop_revived_redirects(connection, planned_ids)
    return changed


def _drop_revived_redirects(connection: sa.Connection, planned_ids: set[str]) -> None:
    """Remove redirects of ids that are datasets again, after a split or a return."""
    revived = [old_id for old_id in connection.execute(sa.select(REDIRECT.c.old_id)).scalars()
               if old_id in planned_ids]
    if revived:
        connection.execute(REDIRECT.delete().where(REDIRECT.c.old_id.in_(revived)))


def _reassign_records(connection: sa.Connection, current: dict[RecordKey, str], plan: DedupePlan) -> None:
    moves = [
        {"target": dataset.id, "key_source": source_id, "key_remote": remote_id}
        for dataset in plan.datasets
        for source_id, remote_id in dataset.members
        if current.get((source_id, remote_id)) != dataset.id
    ]
    if moves:
        connection.execute(
            RECORD.update()
            .where(RECORD.c.source_id == sa.bindparam("key_source"), RECORD.c.remote_id == sa.bindparam("key_remote"))
            .values(dataset_id=sa.bindparam("target")),
            moves,
        )


def _upsert_datasets(connection: sa.Connection, plan: DedupePlan, now: dt.datetime) -> list[str]:
    existing = {
        row.id: row for row in connection.execute(
            sa.select(DATASET.c.id, DATASET.c.content_hash, DATASET.c.status, DATASET.c.access_level,
                      DATASET.c.series_id)
        )
    }
    rows = []
    for dataset in plan.datasets:
        before = existing.get(dataset.id)
        state = (dataset.content_hash, dataset.status, dataset.access_level, dataset.series_id)
        if before is not None and tuple(before[1:]) == state:
            continue
        rows.append({"id": dataset.id, "record": dataset.record_json, "content_hash": dataset.content_hash,
                     "status": dataset.status, "access_level": dataset.access_level,
                     "series_id": dataset.series_id, "created_at": now, "updated_at": now, "withdrawn_at": None})
    if not rows:
        return []

    insert = _insert_for(connection.dialect.name)(DATASET)
    excluded = insert.excluded
    connection.execute(
        insert.on_conflict_do_update(
            index_elements=[DATASET.c.id],
            set_={name: excluded[name] for name in (
                "record", "content_hash", "status", "access_level", "series_id", "updated_at", "withdrawn_at")},
        ),
        rows,
    )
    return [row["id"] for row in rows]


def _retire_orphans(connection: sa.Connection, current: dict[RecordKey, str], plan: DedupePlan,
                    planned_ids: set[str], now: dt.datetime) -> list[str]:
    """Withdraw datasets whose copies all moved to another dataset, and redirect their ids."""
    new_home = {key: dataset.id for dataset in plan.datasets for key in dataset.members}
    redirects: dict[str, str] = {}
    for key, old_id in current.items():
        if old_id not in planned_ids and key in new_home:
            redirects.setdefault(old_id, new_home[key])
    if not redirects:
        return []

    still_active = list(connection.execute(
        sa.select(DATASET.c.id).where(DATASET.c.id.in_(list(redirects)),
                                      DATASET.c.status != DatasetStatus.WITHDRAWN.value)
    ).scalars())
    if still_active:
        connection.execute(
            DATASET.update().where(DATASET.c.id.in_(still_active))
            .values(status=DatasetStatus.WITHDRAWN.value, withdrawn_at=now, updated_at=now)
        )
    insert = _insert_for(connection.dialect.name)(REDIRECT)
    connection.execute(
        insert.on_conflict_do_update(index_elements=[REDIRECT.c.old_id], set_={"new_id": insert.excluded.new_id}),
        [{"old_id": old_id, "new_id": new_id, "created_at": now} for old_id, new_id in redirects.items()],
    )
    return still_active


def _replace_table(connection: sa.Connection, table: sa.Table, rows: list[dict]) -> None:
    connection.execute(table.delete())
    if rows:
        connection.execute(table.insert(), rows)


def redirect_target(store: Store, dataset_id: str) -> str | None:
    """Return the dataset a merged dataset id now lives in, or None."""
    with store._read() as connection:
        return connection.execute(sa.select(REDIRECT.c.new_id).where(REDIRECT.c.old_id == dataset_id)).scalar()


def list_matches(store: Store, dataset_id: str | None = None) -> list[dict]:
    """Return the stored evidence of every multi-copy dataset (or of one dataset)."""
    query = sa.select(MATCH).order_by(MATCH.c.dataset_id, MATCH.c.score)
    if dataset_id is not None:
        query = query.where(MATCH.c.dataset_id == dataset_id)
    with store._read() as connection:
        rows = [dict(row) for row in connection.execute(query).mappings()]
    for row in rows:
        row["reasons"] = orjson.loads(row["reasons"])
    return rows


def list_series(store: Store) -> list[dict]:
    with store._read() as connection:
        rows = [dict(row) for row in connection.execute(sa.select(SERIES).order_by(SERIES.c.title)).mappings()]
    for row in rows:
        row["members"] = orjson.loads(row["members"])
    return rows


def get_series(store: Store, series_id: str) -> dict | None:
    """Return one series row (id, title, member ids in period order, updated_at), or None."""
    with store._read() as connection:
        row = connection.execute(sa.select(SERIES).where(SERIES.c.id == series_id)).mappings().first()
    if row is None:
        return None
    series = dict(row)
    series["members"] = orjson.loads(series["members"])
    return series
