"""Request and response bodies of the admin API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from harvester.credentials import declared_secret_options, is_secret_option
from harvester.jobs import JobCounts, JobError, JobReport, JobState
from harvester.sources import SourceConfig
from server.admin.audit import AuditEntry
from server.admin.tokens import Role, StoredToken, TokenStatus

__all__ = ["AuditOut", "JobDetailOut", "JobOut", "PreviewOut", "RunStarted", "SourceOut", "TokenCreate",
           "TokenCreated", "TokenOut", "keep_masked_credentials", "redact_options"]

REDACTED = "***"


class TokenCreate(BaseModel):
    """A new token: whose it is, its role, its Walidata and when it expires."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=255, description="Holder of the token, e.g. an e-mail address.")
    role: Role
    walidata: list[str] = Field(default_factory=list, description="Walidata an operator or viewer is limited to.")
    expires_in_days: float | None = Field(default=90, gt=0, le=3650,
                                          description="Days until the token expires; null for never.")


class TokenOut(BaseModel):
    id: int
    name: str
    role: Role
    walidata: list[str]
    status: TokenStatus
    created_by: str | None
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None

    @classmethod
    def of(cls, token: StoredToken, now: dt.datetime) -> TokenOut:
        return cls(id=token.id, name=token.name, role=token.role, walidata=list(token.walidata),
                   status=token.status(now), created_by=token.created_by, created_at=token.created_at,
                   expires_at=token.expires_at, revoked_at=token.revoked_at, last_used_at=token.last_used_at)


class TokenCreated(TokenOut):
    """A token just created; `token` is shown this once and never stored."""

    token: str


class SourceOut(BaseModel):
    """A source configuration with credential options replaced by `***`."""

    source: dict[str, Any]

    @classmethod
    def of(cls, source: SourceConfig) -> SourceOut:
        data = source.model_dump(mode="json")
        data["options"] = redact_options(data.get("options") or {}, declared_secret_options(source.family))
        return cls(source=data)


class JobOut(BaseModel):
    job_id: int | None
    source_id: str
    state: JobState
    dry_run: bool
    complete: bool
    counts: JobCounts
    started_at: dt.datetime
    finished_at: dt.datetime | None

    @classmethod
    def of(cls, report: JobReport) -> JobOut:
        return cls(**report.model_dump(exclude={"errors"}))


class JobDetailOut(JobOut):
    """One job with its per-record errors and the withdrawals it holds for review."""

    errors: list[JobError]
    pending_withdrawals: list[str] = Field(default_factory=list)


class RunStarted(BaseModel):
    job_id: int
    source_id: str


class PreviewOut(BaseModel):
    """A dry run: its report and the first records as mapped and harmonized (raw payload left out)."""

    job: JobDetailOut
    records: list[dict[str, Any]]


class AuditOut(BaseModel):
    id: int
    at: dt.datetime
    actor: str
    role: str
    action: str
    target: str
    outcome: str
    client: str | None
    detail: dict[str, Any]

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditOut:
        return cls(id=entry.id, at=entry.at, actor=entry.actor, role=entry.role, action=entry.action,
                   target=entry.target, outcome=entry.outcome, client=entry.client, detail=entry.detail)


def redact_options(options: Any, declared: frozenset[str] = frozenset()) -> Any:
    """Return `options` with the values of credential options replaced, at any depth.

    `declared` names the options the source's connector declares as credentials.
    """
    if isinstance(options, dict):
        return {key: REDACTED if is_secret_option(str(key), declared) else redact_options(value, declared)
                for key, value in options.items()}
    if isinstance(options, list):
        return [redact_options(item, declared) for item in options]
    return options


def keep_masked_credentials(options: Any, stored: Any) -> Any:
    """Return `options` with each `***` value replaced by the value at the same place in `stored`."""
    if options == REDACTED:
        return stored
    if isinstance(options, dict) and isinstance(stored, dict):
        return {key: keep_masked_credentials(value, stored.get(key)) if key in stored else value
                for key, value in options.items()}
    return options
