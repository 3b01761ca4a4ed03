"""Bearer-token authentication and roles of the admin API.

A request authenticates with `Authorization: Bearer <token>` and nothing
else. A token in the query string is rejected even when the header is
valid, because URLs end up in proxy and access logs. A revoked or expired
token stops working at the next request.

Roles: `admin` may do everything. `operator` sees and changes only the
sources of its Walidata. `viewer` only reads, within its Walidata when it
names any, otherwise everywhere.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from fastapi import Depends, Request

from harvester.services import Services
from server.admin.errors import AdminApiError
from server.admin.throttle import FailureThrottle
from server.admin.tokens import Role, StoredToken, lookup_token

__all__ = ["Principal", "client_address", "require_admin", "require_principal", "require_writer"]

logger = logging.getLogger(__name__)

# Query parameters that look like a credential; any of them rejects the request.
QUERY_TOKEN_NAMES = frozenset({"token", "access_token", "api_key", "apikey", "key", "bearer"})


@dataclass(frozen=True, slots=True)
class Principal:
    """The holder of the token that authenticated a request."""

    token_id: int
    name: str
    role: Role
    walidata: frozenset[str]

    @property
    def actor(self) -> str:
        return f"token:{self.token_id}:{self.name}"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def can_see(self, walidata: str | None) -> bool:
        """Return True when this principal may read a source of `walidata`."""
        if self.is_admin or (self.role == "viewer" and not self.walidata):
            return True
        return walidata is not None and walidata in self.walidata


def client_address(request: Request) -> str:
    """Return the client IP address (the proxy's, unless uvicorn trusts forwarded headers)."""
    return request.client.host if request.client else "unknown"


def _services(request: Request) -> Services:
    return request.app.state.services


def _throttle(request: Request) -> FailureThrottle:
    state = request.app.state
    throttle = getattr(state, "admin_auth_throttle", None)
    if throttle is None:
        throttle = FailureThrottle(_services(request).settings.admin_auth_max_failures)
        state.admin_auth_throttle = throttle
    return throttle


def require_principal(request: Request) -> Principal:
    """Authenticate the request or raise 401; raise 429 for a client with too many failures."""
    client = client_address(request)
    throttle = _throttle(request)
    try:
        token = _authenticate(request)
    except AdminApiError as error:
        wait = throttle.retry_after(client)
        if wait is not None:
            raise _too_many_failures(wait) from error
        throttle.record_failure(client)
        logger.warning("admin API authentication failed from %s: %s", client, error.code)
        raise
    return Principal(token_id=token.id, name=token.name, role=token.role, walidata=frozenset(token.walidata))


def require_writer(principal: Principal = Depends(require_principal)) -> Principal:
    """Reject viewers with 403."""
    if principal.role == "viewer":
        raise AdminApiError(403, "Token viewer hanya boleh membaca", "a viewer token may only read",
                            code="forbidden-role")
    return principal


def require_admin(principal: Principal = Depends(require_principal)) -> Principal:
    """Reject every role but admin with 403."""
    if not principal.is_admin:
        raise AdminApiError(403, "Hanya admin yang boleh melakukan ini", "only an admin token may do this",
                            code="forbidden-role")
    return principal


def _authenticate(request: Request) -> StoredToken:
    if QUERY_TOKEN_NAMES.intersection(name.lower() for name in request.query_params):
        raise _unauthorized("Token tidak boleh dikirim di URL; gunakan header Authorization",
                            "a token in the query string is rejected; send Authorization: Bearer <token>",
                            "token-in-query")

    header = request.headers.get("authorization")
    if header is None:
        raise _unauthorized("Header Authorization tidak ada", "the Authorization header is missing",
                            "token-missing")
    scheme, _, raw = header.partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw or " " in raw:
        raise _unauthorized("Header Authorization tidak valid; gunakan Bearer <token>",
                            "the Authorization header is malformed; use Bearer <token>", "token-malformed")

    store = _services(request).store
    token = lookup_token(store, raw)
    if token is None:
        raise _unauthorized("Token tidak dikenal", "the token is unknown", "token-invalid")
    status = token.status(store._now())
    if status == "revoked":
        raise _unauthorized("Token sudah dicabut", "the token was revoked", "token-revoked")
    if status == "expired":
        raise _unauthorized("Token sudah kedaluwarsa", "the token has expired", "token-expired")
    return token


def _unauthorized(message_id: str, message_en: str, code: str) -> AdminApiError:
    return AdminApiError(401, message_id, message_en, code=code, headers={"WWW-Authenticate": "Bearer"})


def _too_many_failures(wait: int) -> AdminApiError:
    return AdminApiError(429, f"Terlalu banyak autentikasi gagal; coba lagi dalam {wait} detik",
                         f"too many failed authentications; retry in {wait} s",
                         code="too-many-failures", headers={"Retry-After": str(wait)})
