"""The router of every HTML page, and `install`, which wires the pages into the app."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from web.admin import jobs, login, quality, reports
from web.views import organization, search, sitemap, static
from web.views.dataset import dataset_html

router = APIRouter(include_in_schema=False)

for module in (search, organization, sitemap, static, login, jobs, quality, reports):
    router.include_router(module.router)


def install(app: FastAPI) -> None:
    """Include the page router and hand the HTML dataset view to the DCAT `/dataset/{id}` route."""
    app.include_router(router)
    app.state.dataset_html = dataset_html
