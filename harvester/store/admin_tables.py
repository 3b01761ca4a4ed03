"""Tables of the admin API: hashed access tokens and the audit log of admin actions."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

__all__ = ["AdminAuditRow", "AdminTokenRow"]

_UTC_DATETIME = sa.DateTime(timezone=True)


class AdminTokenRow(SQLModel, table=True):
    """One admin API token. Only the SHA-256 of the token is stored; `walidata` is a JSON list."""

    __tablename__ = "admin_token"
    __table_args__ = (sa.UniqueConstraint("token_hash", name="uq_admin_token_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=255)
    token_hash: str = Field(max_length=64)
    role: str = Field(max_length=16)
    walidata: str = Field(default="[]", sa_type=sa.Text)
    created_by: str | None = Field(default=None, max_length=255)
    created_at: dt.datetime = Field(sa_type=_UTC_DATETIME)
    expires_at: dt.datetime | None = Field(default=None, sa_type=_UTC_DATETIME)
    revoked_at: dt.datetime | None = Field(default=None, sa_type=_UTC_DATETIME)
    last_used_at: dt.datetime | None = Field(default=None, sa_type=_UTC_DATETIME)


class AdminAuditRow(SQLModel, table=True):
    """One admin action: who did what to which target, when, and with what outcome."""

    __tablename__ = "admin_audit"
    __table_args__ = (sa.Index("ix_admin_audit_at", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(sa_type=_UTC_DATETIME)
    actor: str = Field(max_length=255)
    role: str = Field(max_length=16)
    action: str = Field(max_length=64)
    target: str = Field(sa_type=sa.Text)
    outcome: str = Field(max_length=16)
    client: str | None = Field(default=None, max_length=64)
    detail: str = Field(default="{}", sa_type=sa.Text)
