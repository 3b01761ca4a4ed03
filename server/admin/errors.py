"""Errors of the admin API and the route class that turns them into JSON responses."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from publish.errors import PublicApiError, error_body

__all__ = ["AdminApiError", "AdminRoute"]


class AdminApiError(PublicApiError):
    """A rejected admin request: HTTP status, Indonesian and English message, code and headers."""

    code = "admin-error"

    def __init__(self, status: int, message_id: str, message_en: str, *, code: str,
                 field: str | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(status, message_id, message_en, code=code, field=field)
        self.headers = headers or {}


class AdminRoute(APIRoute):
    """An API route that turns `AdminApiError`, from a handler or a dependency, into a JSON response.

    The route converts the error itself instead of relying on an
    application-wide handler, so the 401 `WWW-Authenticate` and the 429
    `Retry-After` headers are sent with the body.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except AdminApiError as error:
                return JSONResponse(error_body(error), status_code=error.status, headers=error.headers)

        return handle
