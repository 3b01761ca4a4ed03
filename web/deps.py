"""Access to the process-wide services from a request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request

if TYPE_CHECKING:
    from harvester.services import Services


def get_services(request: Request) -> Services:
    """Return the `Services` that `server.app.create_app` put on `app.state.services`."""
    return request.app.state.services
