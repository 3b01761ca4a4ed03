"""Tables of the dedupe stage: operator decisions, cluster evidence, series and redirects."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

__all__ = ["DatasetMatchRow", "DatasetRedirectRow", "DatasetSeriesRow", "DedupeDecisionRow"]

_UTC_DATETIME = sa.DateTime(timezone=True)


class DedupeDecisionRow(SQLModel, table=True):
    """An operator's decision on a pair of records: `confirm` joins them, `split` keeps them apart."""

    __tablename__ = "dedupe_decision"
    __table_args__ = (
        sa.UniqueConstraint("left_source", "left_remote", "right_source", "right_remote",
                            name="uq_dedupe_decision_pair"),
    )

    id: int | None = Field(default=None, primary_key=True)
    left_source: str = Field(max_length=63)
    left_remote: str = Field(sa_type=sa.Text)
    right_source: str = Field(max_length=63)
    right_remote: str = Field(sa_type=sa.Text)
    decision: str = Field(max_length=16)
    actor: str | None = Field(default=None, max_length=255)
    created_at: dt.datetime = Field(sa_type=_UTC_DATETIME)


class DatasetMatchRow(SQLModel, table=True):
    """Evidence that joined two records into one dataset: the score and its reasons."""

    __tablename__ = "dataset_match"
    __table_args__ = (sa.Index("ix_dataset_match_dataset_id", "dataset_id"),)

    id: int | None = Field(default=None, primary_key=True)
    dataset_id: str = Field(max_length=36)
    left_source: str = Field(max_length=63)
    left_remote: str = Field(sa_type=sa.Text)
    right_source: str = Field(max_length=63)
    right_remote: str = Field(sa_type=sa.Text)
    score: float
    reasons: str = Field(sa_type=sa.Text)


class DatasetSeriesRow(SQLModel, table=True):
    """A dcat:DatasetSeries: periodic datasets in period order (`members` is a JSON list of ids)."""

    __tablename__ = "dataset_series"

    id: str = Field(primary_key=True, max_length=36)
    title: str = Field(sa_type=sa.Text)
    members: str = Field(sa_type=sa.Text)
    updated_at: dt.datetime = Field(sa_type=_UTC_DATETIME)


class DatasetRedirectRow(SQLModel, table=True):
    """A dataset id that was merged into another dataset; its URL redirects there."""

    __tablename__ = "dataset_redirect"

    old_id: str = Field(primary_key=True, max_length=36)
    new_id: str = Field(max_length=36)
    created_at: dt.datetime = Field(sa_type=_UTC_DATETIME)
