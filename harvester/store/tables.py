"""Table definitions of the store, as sqlmodel classes.

The schema itself is created and changed only by the Alembic migrations in
`harvester/store/migrations/`; a test checks that these classes and the
migrated schema agree. JSON values are stored as text serialized with orjson,
so a write never parses or re-encodes them, on SQLite and PostgreSQL alike.
All timestamps are UTC.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

__all__ = ["DatasetRow", "HarvestJobRow", "JobErrorRow", "RecordRow", "SchedulerLeaseRow", "SourceRow"]

_UTC_DATETIME = sa.DateTime(timezone=True)


class SourceRow(SQLModel, table=True):
    """One configured source with its last configuration and its backoff state."""

    __tablename__ = "source"

    id: str = Field(primary_key=True, max_length=63)
    config: str = Field(sa_type=sa.Text)
    enabled: bool = True
    failures: int = 0
    backoff_until: dt.datetime | None = Field(default=None, sa_type=_UTC_DATETIME)
    updated_at: dt.datetime = Field(sa_type=_UTC_DATETIME)
    # "config" for sources.yaml, "api" for sources created through the admin API.
    origin: str = Field(default="config", max_length=8, sa_column_kwargs={"server_default": "config"})


class RecordRow(SQLModel, table=True):
    """One source's copy of a dataset: the mapped record and the raw payload."""

    __tablename__ = "record"
    __table_args__ = (
        sa.UniqueConstraint("source_id", "remote_id", name="uq_record_source_remote"),
        sa.Index("ix_record_dataset_id", "dataset_id"),
        sa.Index("ix_record_status_withdrawn_at", "status", "withdrawn_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source_id: str = Field(max_length=63)
    remote_id: str = Field(sa_type=sa.Text)
    dataset_id: str = Field(max_length=36)
    content_hash: str = Field(max_length=64)
    remote_url: str | None = Field(default=None, sa_type=sa.Text)
    record: str = Field(sa_type=sa.Text)
    raw: str | None = Field(default=None, sa_type=sa.Text)
    raw_format: str = Field(default="json", max_length=8)
    findings: str = Field(default="[]", sa_type=sa.Text)
    status: str = Field(default="active", max_length=16)
    harvested_at: dt.datetime = Field(sa_type=_UTC_DATETIME)
    withdrawn_at: dt.datetime | None = Field(default=None, sa_type=_UTC_DATETIME)


class DatasetRow(SQLModel, table=True):
    """One published dataset: the merged record of every copy assigned to it."""

    __tablename__ = "dataset"
    __table_args__ = (
        sa.Index("ix_dataset_updated_at", "updated_at"),
        sa.Index("ix_dataset_status_access_level_id", "status", "access_level", "id"),
    )

    id: str = Field(primary_key=True, max_length=36)
    record: str = Field(sa_type=sa.Text)
    content_hash: str = Field(max_length=64)
    status: str = Field(default="active", max_length=16)
    access_level: str | None = Field(default=None, max_length=16)
    series_id: str | None = Field(default=None, max_length=36)
    created_at: dt.datetime = Field(sa_type=_UTC_DATETIME)
    updated_at: dt.datetime = Field(sa_type=_UTC_DATETIME)
    withdrawn_at: dt.datetime | None = Field(default=None, sa_type=_UTC_DATETIME)


class HarvestJobRow(SQLModel, table=True):
    """One harvest job. A partial unique index allows one running job per source."""

    __tablename__ = "harvest_job"
    __table_args__ = (
        sa.Index("ix_harvest_job_source_started", "source_id", "started_at"),
        sa.Index(
            "uq_harvest_job_running",
            "source_id",
            unique=True,
            sqlite_where=sa.text("state = 'running'"),
            postgresql_where=sa.text("state = 'running'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    source_id: str = Field(max_length=63)
    state: str = Field(max_length=24)
    dry_run: bool = False
    incremental: bool = False
    complete: bool = False
    counts: str = Field(default="{}", sa_type=sa.Text)
    pending_withdrawals: str | None = Field(default=None, sa_type=sa.Text)
    review: str | None = Field(default=None, max_length=16)
    started_at: dt.datetime = Field(sa_type=_UTC_DATETIME)
    finished_at: dt.datetime | None = Field(default=None, sa_type=_UTC_DATETIME)
    heartbeat_at: dt.datetime = Field(sa_type=_UTC_DATETIME)
    pid: int | None = None
    host: str | None = Field(default=None, max_length=255)


class JobErrorRow(SQLModel, table=True):
    """One error of a job: a rejected record, or the source as a whole."""

    __tablename__ = "job_error"
    __table_args__ = (sa.Index("ix_job_error_job_id", "job_id"),)

    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="harvest_job.id", ondelete="CASCADE")
    code: str = Field(max_length=64)
    message: str = Field(sa_type=sa.Text)
    remote_id: str | None = Field(default=None, sa_type=sa.Text)
    value: str | None = Field(default=None, sa_type=sa.Text)


class SchedulerLeaseRow(SQLModel, table=True):
    """The scheduler lease: only its current holder schedules harvests."""

    __tablename__ = "scheduler_lease"

    name: str = Field(primary_key=True, max_length=63)
    holder: str = Field(max_length=255)
    expires_at: dt.datetime = Field(sa_type=_UTC_DATETIME)


# The dedupe tables live in their own module; importing them here keeps one
# metadata for the migrations and the schema check.
from harvester.store.dedupe_tables import (  # noqa: E402
    DatasetMatchRow,
    DatasetRedirectRow,
    DatasetSeriesRow,
    DedupeDecisionRow,
)
from harvester.store.admin_tables import AdminAuditRow, AdminTokenRow  # noqa: E402
