"""Operator login: a password from the settings and a signed, expiring session cookie.

The cookie contains a random CSRF token signed with `session_secret`
(itsdangerous), so every POST form carries that token and the server
checks it against the session.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from urllib.parse import quote

from fastapi import HTTPException, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from harvester.settings import Settings
from web.deps import get_services

logger = logging.getLogger(__name__)

SESSION_COOKIE = "himpun_admin"
SESSION_SALT = "himpun-admin-session"
MIN_SECRET_LENGTH = 32


class LoginDisabledError(Exception):
    """The settings lack an admin password or a long enough session secret."""


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    secret = settings.session_secret.get_secret_value() if settings.session_secret else ""
    if not settings.admin_password or len(secret) < MIN_SECRET_LENGTH:
        raise LoginDisabledError("set HIMPUN_ADMIN_PASSWORD and a HIMPUN_SESSION_SECRET of 32 or more characters")
    return URLSafeTimedSerializer(secret, salt=SESSION_SALT)


def login_enabled(settings: Settings) -> bool:
    try:
        _serializer(settings)
    except LoginDisabledError:
        return False
    return True


def check_password(settings: Settings, password: str) -> bool:
    """Compare `password` with the configured one in constant time."""
    expected = settings.admin_password.get_secret_value() if settings.admin_password else ""
    return bool(expected) and hmac.compare_digest(password.encode(), expected.encode())


def new_session_cookie(settings: Settings) -> str:
    """Return a signed session value holding a fresh CSRF token."""
    return _serializer(settings).dumps({"csrf": secrets.token_urlsafe(24)})


def read_session(request: Request) -> dict[str, str] | None:
    """Return the session of `request`, or None when it is missing, forged or expired."""
    settings = get_services(request).settings
    value = request.cookies.get(SESSION_COOKIE)
    if not value:
        return None
    try:
        session = _serializer(settings).loads(value, max_age=settings.session_max_age)
    except (BadSignature, LoginDisabledError):
        return None
    return session if isinstance(session, dict) and "csrf" in session else None


def require_operator(request: Request) -> dict[str, str]:
    """FastAPI dependency: the operator's session, or a redirect to the login form."""
    session = read_session(request)
    if session is None:
        target = quote(request.url.path, safe="/")
        raise HTTPException(status_code=303, detail="Login required", headers={"Location": f"/admin/login?next={target}"})
    return session


def check_csrf(session: dict[str, str], token: str) -> None:
    """Raise 403 unless `token` matches the session's CSRF token."""
    if not hmac.compare_digest(token.encode(), session["csrf"].encode()):
        raise HTTPException(status_code=403, detail="Invalid form token; reload the page and submit again.")
