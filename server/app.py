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
from fastapi.responses import JSONResponse

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
    async def public_api_error(request: Request, error: PublicApiError) -> JSONResponse:
        if request.url.path.startswith(ckan_api.PREFIXES):
            return ckan_api.error_response(error)
        return JSONResponse(error_body(error), status_code=error.status)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in error.errors())
        converted = PublicApiError(422, f"Parameter tidak valid: {problems}", f"invalid parameter: {problems}",
                                   code="invalid-parameter")
        if request.url.path.startswith(ckan_api.PREFIXES):
            converted.status = 409
            return ckan_api.error_response(converted)
        return JSONResponse(error_body(converted), status_code=converted.status)
