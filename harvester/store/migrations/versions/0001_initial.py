"""Create the source, record, dataset, job and scheduler lease tables.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "source",
        sa.Column("id", sa.String(63), primary_key=True),
        sa.Column("config", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("backoff_until", UTC_DATETIME, nullable=True),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
    )
    op.create_table(
        "record",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("source_id", sa.String(63), nullable=False),
        sa.Column("remote_id", sa.Text(), nullable=False),
        sa.Column("dataset_id", sa.String(36), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("remote_url", sa.Text(), nullable=True),
        sa.Column("record", sa.Text(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=True),
        sa.Column("raw_format", sa.String(8), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("harvested_at", UTC_DATETIME, nullable=False),
        sa.Column("withdrawn_at", UTC_DATETIME, nullable=True),
        sa.UniqueConstraint("source_id", "remote_id", name="uq_record_source_remote"),
    )
    op.create_index("ix_record_dataset_id", "record", ["dataset_id"])
    op.create_index("ix_record_status_withdrawn_at", "record", ["status", "withdrawn_at"])

    op.create_table(
        "dataset",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("record", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("access_level", sa.String(16), nullable=True),
        sa.Column("series_id", sa.String(36), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.Column("withdrawn_at", UTC_DATETIME, nullable=True),
    )
    op.create_index("ix_dataset_updated_at", "dataset", ["updated_at"])
    op.create_index("ix_dataset_status_access_level", "dataset", ["status", "access_level"])

    op.create_table(
        "harvest_job",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("source_id", sa.String(63), nullable=False),
        sa.Column("state", sa.String(24), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("incremental", sa.Boolean(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("pending_withdrawals", sa.Text(), nullable=True),
        sa.Column("review", sa.String(16), nullable=True),
        sa.Column("started_at", UTC_DATETIME, nullable=False),
        sa.Column("finished_at", UTC_DATETIME, nullable=True),
        sa.Column("heartbeat_at", UTC_DATETIME, nullable=False),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("host", sa.String(255), nullable=True),
    )
    op.create_index("ix_harvest_job_source_started", "harvest_job", ["source_id", "started_at"])
    # One running job per source: a second insert in state 'running' violates this index.
    op.create_index(
        "uq_harvest_job_running",
        "harvest_job",
        ["source_id"],
        unique=True,
        sqlite_where=sa.text("state = 'running'"),
        postgresql_where=sa.text("state = 'running'"),
    )

    op.create_table(
        "job_error",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("job_id", sa.Integer(), sa.ForeignKey("harvest_job.id", ondelete="CASCADE"), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("remote_id", sa.Text(), nullable=True),
        sa.Column("value", sa.Text(), nullable=True),
    )
    op.create_index("ix_job_error_job_id", "job_error", ["job_id"])

    op.create_table(
        "scheduler_lease",
        sa.Column("name", sa.String(63), primary_key=True),
        sa.Column("holder", sa.String(255), nullable=False),
        sa.Column("expires_at", UTC_DATETIME, nullable=False),
    )


def downgrade() -> None:
    for table in ("scheduler_lease", "job_error", "harvest_job", "dataset", "record", "source"):
        op.drop_table(table)
