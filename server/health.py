"""Readiness check: the store runs a query and the search index opens and counts its documents."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

__all__ = ["router"]

logger = logging.getLogger(__name__)

router = APIRouter(tags=["status"])


@router.get("/health/ready")
def ready(request: Request) -> JSONResponse:
    """Return 200 when the store and the index work, 503 naming the failed check otherwise."""
    services = request.app.state.services
    checks: dict[str, str] = {}
    try:
        with services.store.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        checks["store"] = "ok"
    except Exception as error:  # noqa: BLE001 - any failure means not ready; the reason is logged
        logger.error("readiness: store unreachable: %s", error)
        checks["store"] = "failed"
    try:
        services.index.count()
        checks["index"] = "ok"
    except Exception as error:  # noqa: BLE001 - any failure means not ready; the reason is logged
        logger.error("readiness: index cannot be opened: %s", error)
        checks["index"] = "failed"

    healthy = all(value == "ok" for value in checks.values())
    return JSONResponse({"status": "ok" if healthy else "unavailable", "checks": checks},
                        status_code=200 if healthy else 503)
