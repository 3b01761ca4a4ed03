"""Create the dedupe tables: decisions, match evidence, series and redirects.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "dedupe_decision",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("left_source", sa.String(63), nullable=False),
        sa.Column("left_remote", sa.Text(), nullable=False),
        sa.Column("right_source", sa.String(63), nullable=False),
        sa.Column("right_remote", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(255), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.UniqueConstraint("left_source", "left_remote", "right_source", "right_remote",
                            name="uq_dedupe_decision_pair"),
    )
    op.create_table(
        "dataset_match",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("dataset_id", sa.String(36), nullable=False),
        sa.Column("left_source", sa.String(63), nullable=False),
        sa.Column("left_remote", sa.Text(), nullable=False),
        sa.Column("right_source", sa.String(63), nullable=False),
        sa.Column("right_remote", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
    )
    op.create_index("ix_dataset_match_dataset_id", "dataset_match", ["dataset_id"])
    op.create_table(
        "dataset_series",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("members", sa.Text(), nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
    )
    op.create_table(
        "dataset_redirect",
        sa.Column("old_id", sa.String(36), primary_key=True),
        sa.Column("new_id", sa.String(36), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("dataset_redirect")
    op.drop_table("dataset_series")
    op.drop_index("ix_dataset_match_dataset_id", table_name="dataset_match")
    op.drop_table("dataset_match")
    op.drop_table("dedupe_decision")
