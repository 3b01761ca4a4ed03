"""The ASGI application: the public feed and APIs, the web pages and the admin API.

`create_app()` opens the services from the settings; tests and the CLI may
pass their own `Services`. Run it with `uvicorn --factory server.app:create_app`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from harvester.errors import InvalidQueryError
from harvester.settings import Settings, load_settings
from publish import ckan_api, export, search_api
from publish.dcat import routes as dcat_routes
from publish.dcat.series_lookup import StoreSeriesLookup
from publish.errors import PublicApiError, error_body
from server.admin.routes import router as admin_api_router
from server.middleware import SecurityHeadersMiddleware
from server import health as health_routes
from server import metrics
from server.ratelimit import RateLimitMiddleware

if TYPE_CHECKING:
    from harvester.services import Services

logger = logging.getLogger(__name__)

__all__ = ["create_app"]


def create_app(services: Services | None = None, settings: Settings | None = None) -> FastAPI:
    """Build the application; it opens services from `settings` when `services` is None and closes them at shutdown."""
    owns_services = services is None
    if services is None:
        from harvester.services import open_services

        services = open_services(settings or load_settings())
    settings = settings or services.settings

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owns_services:
            services.close()
            logger.info("services closed")

    app = FastAPI(title="Himpun", description="Katalog metadata Satu Data Indonesia / Satu Data Indonesia metadata catalog",
                  lifespan=lifespan)
    app.state.services = services
    app.state.series_lookup = StoreSeriesLookup(services.store)
    app.state.settings = settings
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(metrics.SearchLatencyMiddleware)
    app.add_middleware(RateLimitMiddleware, settings=settings)
    metrics.install_log_metrics()
    _add_error_handlers(app)

    app.include_router(dcat_routes.router)
    app.include_router(ckan_api.router)
    app.include_router(search_api.router)
    app.include_router(export.router)

    @app.get("/health", tags=["status"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    # Routers of other packages are included below.
    app.include_router(admin_api_router)
    app.include_router(metrics.router)
    app.include_router(health_routes.router)
    from web.routes import install as install_web_pages
    install_web_pages(app)
    return app


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(PublicApiError)
    async def public_api_error(request: Request, error: PublicApiError) -> Response:
        if request.url.path.startswith(ckan_api.PREFIXES):
            return ckan_api.error_response(error)
        if _wants_html(request):
            return _html_error(error)
        return JSONResponse(error_body(error), status_code=error.status)

    @app.exception_handler(InvalidQueryError)
    async def invalid_query(request: Request, error: InvalidQueryError) -> Response:
        # An unknown facet or a year filter that is not a year, from any search form or API.
        converted = PublicApiError(422, "Pencarian tidak valid: periksa nama filter dan nilainya",
                                   f"invalid search: {error}", code=error.code)
        return await public_api_error(request, converted)

    @app.exception_handler(ValidationError)
    async def invalid_value(request: Request, error: ValidationError) -> Response:
        # Query values that pass the route's own checks but not the search model (a q over 200 characters).
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())
        converted = PublicApiError(422, f"Parameter tidak valid: {problems}", f"invalid parameter: {problems}",
                                   code="invalid-parameter")
        if request.url.path.startswith(ckan_api.PREFIXES):
            converted.status = 409
        return await public_api_error(request, converted)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code != 404 or request.url.path.startswith("/admin"):
            return await http_exception_handler(request, error)
        converted = PublicApiError(404, "Halaman tidak ditemukan", "page not found", code="not-found")
        return await public_api_error(request, converted)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in error.errors())
        converted = PublicApiError(422, f"Parameter tidak valid: {problems}", f"invalid parameter: {problems}",
                                   code="invalid-parameter")
        if request.url.path.startswith(ckan_api.PREFIXES):
            converted.status = 409
            return ckan_api.error_response(converted)
        return JSONResponse(error_body(converted), status_code=converted.status)


def _wants_html(request: Request) -> bool:
    """True for a browser page request: not an API path, and HTML accepted before JSON."""
    if request.url.path.startswith(("/api/", "/catalog", "/admin/api")):
        return False
    accept = request.headers.get("accept", "")
    return "text/html" in accept


def _html_error(error: PublicApiError) -> HTMLResponse:
    """A small bilingual error page; every value is escaped."""
    from html import escape

    body = (
        "<!DOCTYPE html><html lang=\"id\"><head><meta charset=\"utf-8\"><title>"
        f"{error.status}</title></head><body><main><h1>{escape(error.message_id)}</h1>"
        f"<p lang=\"en\">{escape(error.message_en)}</p><p><a href=\"/\">Cari dataset / search datasets</a></p>"
        "</main></body></html>"
    )
    return HTMLResponse(body, status_code=error.status)
