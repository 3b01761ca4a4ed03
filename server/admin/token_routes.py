"""Admin-only routes: tokens, the audit log and the purge of withdrawn datasets; plus `whoami`."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from harvester.job import purge_withdrawn
from index.sync import sync_datasets
from server.admin.audit import list_audit
from server.admin.auth import Principal, require_admin, require_principal
from server.admin.deps import audit, services_of
from server.admin.errors import AdminApiError, AdminRoute
from server.admin.schemas import AuditOut, TokenCreate, TokenCreated, TokenOut
from server.admin.tokens import create_token, list_tokens, revoke_token

__all__ = ["router"]

router = APIRouter(route_class=AdminRoute, tags=["admin: tokens and audit"])


class WhoAmI(BaseModel):
    token_id: int
    name: str
    role: str
    walidata: list[str]


class PurgeResult(BaseModel):
    purged: list[str]


@router.get("/whoami", response_model=WhoAmI)
def whoami(principal: Principal = Depends(require_principal)) -> WhoAmI:
    return WhoAmI(token_id=principal.token_id, name=principal.name, role=principal.role,
                  walidata=sorted(principal.walidata))


@router.get("/tokens", response_model=list[TokenOut])
def tokens_index(request: Request, _principal: Principal = Depends(require_admin)) -> list[TokenOut]:
    store = services_of(request).store
    now = store._now()
    return [TokenOut.of(token, now) for token in list_tokens(store)]


@router.post("/tokens", response_model=TokenCreated, status_code=201)
def new_token(request: Request, body: TokenCreate, principal: Principal = Depends(require_admin)) -> TokenCreated:
    """Create a token; the response carries it this one time."""
    if body.role == "operator" and not body.walidata:
        raise AdminApiError(422, "Token operator harus menyebut minimal satu Walidata",
                            "an operator token must name at least one Walidata", code="walidata-required",
                            field="walidata")
    store = services_of(request).store
    expires_at = None if body.expires_in_days is None else store._now() + dt.timedelta(days=body.expires_in_days)
    raw, token = create_token(store, name=body.name, role=body.role, walidata=body.walidata,
                              expires_at=expires_at, created_by=principal.actor)
    audit(request, principal, "token.create", f"token:{token.id}",
          detail={"name": token.name, "role": token.role, "walidata": list(token.walidata)})
    return TokenCreated(**TokenOut.of(token, store._now()).model_dump(), token=raw)


@router.delete("/tokens/{token_id}", response_model=TokenOut)
def revoke(request: Request, token_id: int, principal: Principal = Depends(require_admin)) -> TokenOut:
    """Revoke a token; the next request with it gets 401."""
    store = services_of(request).store
    token = revoke_token(store, token_id)
    if token is None:
        raise AdminApiError(404, f"Token {token_id} tidak ditemukan", f"token {token_id} not found",
                            code="token-not-found")
    audit(request, principal, "token.revoke", f"token:{token_id}", detail={"name": token.name})
    return TokenOut.of(token, store._now())


@router.get("/audit", response_model=list[AuditOut])
def audit_index(request: Request, limit: int = Query(100, ge=1, le=1000), before_id: int | None = None,
                target: str | None = None, _principal: Principal = Depends(require_admin)) -> list[AuditOut]:
    """Read the audit log newest first; page back with `before_id`."""
    entries = list_audit(services_of(request).store, limit=limit, before_id=before_id, target=target)
    return [AuditOut.of(entry) for entry in entries]


@router.post("/purge", response_model=PurgeResult)
def purge(request: Request, principal: Principal = Depends(require_admin)) -> PurgeResult:
    """Delete datasets withdrawn longer ago than the grace period."""
    services = services_of(request)
    purged = purge_withdrawn(services, indexer=lambda ids: sync_datasets(services.index, services.store, ids))
    audit(request, principal, "datasets.purge", "datasets", detail={"purged": len(purged)})
    return PurgeResult(purged=purged)
