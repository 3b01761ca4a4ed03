"""The admin API router: every route under /admin/api, JSON only, bearer tokens only."""

from __future__ import annotations

from fastapi import APIRouter

from server.admin import job_routes, review_routes, source_routes, token_routes, upload_routes

__all__ = ["router"]

router = APIRouter(prefix="/admin/api")
router.include_router(source_routes.router)
router.include_router(job_routes.router)
router.include_router(token_routes.router)
router.include_router(review_routes.router)
router.include_router(upload_routes.router)
