"""Admin API tokens: create, look up by hash, list and revoke.

A token is 32 random bytes, URL-safe base64 with the `himpun_` prefix. Only
its SHA-256 is stored, so the token is shown once, at creation, and a copy
of the database cannot be used to authenticate.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa

from harvester.store import Store
from harvester.store.admin_tables import AdminTokenRow
from harvester.store.base import as_utc, dump_json, load_json

__all__ = ["ROLES", "Role", "StoredToken", "TokenStatus", "create_token", "hash_token", "list_tokens",
           "lookup_token", "revoke_token"]

logger = logging.getLogger(__name__)

TOKEN = AdminTokenRow.__table__
TOKEN_PREFIX = "himpun_"
TOKEN_BYTES = 32

Role = Literal["admin", "operator", "viewer"]
ROLES: tuple[Role, ...] = ("admin", "operator", "viewer")
TokenStatus = Literal["active", "expired", "revoked"]

# `last_used_at` is written at most this often per token, so reads stay reads.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class StoredToken:
    """A token row without its hash."""

    id: int
    name: str
    role: Role
    walidata: tuple[str, ...]
    created_by: str | None
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None

    def status(self, now: dt.datetime) -> TokenStatus:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


def hash_token(token: str) -> str:
    """Return the hex SHA-256 of a token, the only form the store keeps."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(store: Store, *, name: str, role: Role, walidata: list[str] | None = None,
                 expires_at: dt.datetime | None = None, created_by: str | None = None) -> tuple[str, StoredToken]:
    """Insert a new token and return the raw token (shown once) with its stored row."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    values = {
        "name": name, "token_hash": hash_token(raw), "role": role, "walidata": dump_json(sorted(set(walidata or []))),
        "created_by": created_by, "created_at": store._now(), "expires_at": as_utc(expires_at),
    }
    with store._write() as connection:
        token_id = connection.execute(TOKEN.insert().values(**values).returning(TOKEN.c.id)).scalar_one()
        row = connection.execute(sa.select(TOKEN).where(TOKEN.c.id == token_id)).mappings().one()
    logger.info("admin token %d created for %s with role %s", token_id, name, role)
    return raw, _stored(row)


def lookup_token(store: Store, raw: str) -> StoredToken | None:
    """Return the token whose hash matches `raw`, whatever its status, or None."""
    with store._read() as connection:
        row = connection.execute(sa.select(TOKEN).where(TOKEN.c.token_hash == hash_token(raw))).mappings().first()
    if row is None:
        return None
    token = _stored(row)
    _touch(store, token)
    return token


def list_tokens(store: Store) -> list[StoredToken]:
    """Return every token, oldest first."""
    with store._read() as connection:
        rows = connection.execute(sa.select(TOKEN).order_by(TOKEN.c.id)).mappings().all()
    return [_stored(row) for row in rows]


def get_token(store: Store, token_id: int) -> StoredToken | None:
    with store._read() as connection:
        row = connection.execute(sa.select(TOKEN).where(TOKEN.c.id == token_id)).mappings().first()
    return None if row is None else _stored(row)


def revoke_token(store: Store, token_id: int) -> StoredToken | None:
    """Revoke a token at once; return it, or None when no such token exists."""
    update = TOKEN.update().where(TOKEN.c.id == token_id, TOKEN.c.revoked_at.is_(None)).values(revoked_at=store._now())
    with store._write() as connection:
        connection.execute(update)
    token = get_token(store, token_id)
    if token is not None:
        logger.info("admin token %d of %s revoked", token_id, token.name)
    return token


def _touch(store: Store, token: StoredToken) -> None:
    now = store._now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    with store._write() as connection:
        connection.execute(TOKEN.update().where(TOKEN.c.id == token.id).values(last_used_at=now))


def _stored(row: sa.RowMapping) -> StoredToken:
    return StoredToken(
        id=row["id"], name=row["name"], role=row["role"], walidata=tuple(load_json(row["walidata"]) or ()),
        created_by=row["created_by"], created_at=as_utc(row["created_at"]),  # type: ignore[arg-type]
        expires_at=as_utc(row["expires_at"]), revoked_at=as_utc(row["revoked_at"]),
        last_used_at=as_utc(row["last_used_at"]),
    )
