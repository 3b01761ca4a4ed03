"""The audit log of the admin API: every write, and every request denied across Walidata."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa

from harvester.store import Store
from harvester.store.admin_tables import AdminAuditRow
from harvester.store.base import as_utc, dump_json, load_json
from server.admin.auth import Principal

__all__ = ["AuditEntry", "Outcome", "list_audit", "write_audit"]

logger = logging.getLogger(__name__)

AUDIT = AdminAuditRow.__table__

Outcome = Literal["ok", "denied", "failed"]


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audit log row."""

    id: int
    at: dt.datetime
    actor: str
    role: str
    action: str
    target: str
    outcome: str
    client: str | None
    detail: dict[str, Any]


def write_audit(store: Store, principal: Principal, action: str, target: str, *, outcome: Outcome = "ok",
                client: str | None = None, detail: dict[str, Any] | None = None) -> None:
    """Append one entry; `detail` must hold no secret, because admins read it back."""
    values = {
        "at": store._now(), "actor": principal.actor, "role": principal.role, "action": action,
        "target": target, "outcome": outcome, "client": client, "detail": dump_json(detail or {}),
    }
    with store._write() as connection:
        connection.execute(AUDIT.insert().values(**values))
    logger.info("admin audit: %s %s %s (%s)", principal.actor, action, target, outcome)


def list_audit(store: Store, *, limit: int = 100, before_id: int | None = None,
               target: str | None = None) -> list[AuditEntry]:
    """Return entries newest first; `before_id` pages back, `target` filters on one target."""
    query = sa.select(AUDIT).order_by(AUDIT.c.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(AUDIT.c.id < before_id)
    if target is not None:
        query = query.where(AUDIT.c.target == target)
    with store._read() as connection:
        rows = connection.execute(query).mappings().all()
    return [
        AuditEntry(id=row["id"], at=as_utc(row["at"]), actor=row["actor"], role=row["role"],  # type: ignore[arg-type]
                   action=row["action"], target=row["target"], outcome=row["outcome"], client=row["client"],
                   detail=load_json(row["detail"]) or {})
        for row in rows
    ]
