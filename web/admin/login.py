"""Login and logout of the operator pages."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from web.admin.auth import SESSION_COOKIE, check_password, login_enabled, new_session_cookie
from web.deps import get_services
from web.templating import render

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/admin")


def _safe_next(target: str | None) -> str:
    """Return `target` when it is a path inside /admin, else the admin home."""
    if target and target.startswith("/admin") and not target.startswith("//") and "\\" not in target:
        return target
    return "/admin/"


@router.get("/login", name="admin_login_form")
def login_form(request: Request) -> Response:
    settings = get_services(request).settings
    context = {"enabled": login_enabled(settings), "next": _safe_next(request.query_params.get("next")),
               "failed": False}
    return render(request, "admin/login.html", context)


@router.post("/login", name="admin_login")
async def login(request: Request) -> Response:
    settings = get_services(request).settings
    form = await request.form()
    target = _safe_next(str(form.get("next", "")))
    if not login_enabled(settings) or not check_password(settings, str(form.get("password", ""))):
        # TODO: slow down repeated failures from one client address.
        logger.warning("operator login failed from %s", request.client.host if request.client else "unknown")
        context = {"enabled": login_enabled(settings), "next": target, "failed": True}
        return render(request, "admin/login.html", context, status_code=401)

    logger.info("operator logged in from %s", request.client.host if request.client else "unknown")
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, new_session_cookie(settings), max_age=settings.session_max_age,
                        path="/admin", httponly=True, samesite="strict",
                        secure=settings.base_url.startswith("https://"))
    return response


@router.post("/logout", name="admin_logout")
def logout() -> Response:
    response = RedirectResponse("/admin/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/admin")
    return response
