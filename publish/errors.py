"""Errors the public APIs return, with an Indonesian message first and its English beside it."""

from __future__ import annotations

from typing import Any

from harvester.errors import HimpunError

__all__ = ["PublicApiError", "error_body"]


class PublicApiError(HimpunError):
    """A request the public API rejects; `status` is the HTTP status to send."""

    code = "invalid-request"

    def __init__(self, status: int, message_id: str, message_en: str, *, code: str | None = None,
                 field: str | None = None) -> None:
        super().__init__(f"{message_id} / {message_en}", code=code)
        self.status = status
        self.message_id = message_id
        self.message_en = message_en
        self.field = field


def error_body(error: PublicApiError) -> dict[str, Any]:
    """Return the JSON body of an error response."""
    body: dict[str, Any] = {
        "code": error.code,
        "message": error.message_id,
        "message_en": error.message_en,
    }
    if error.field:
        body["field"] = error.field
    return {"error": body}
