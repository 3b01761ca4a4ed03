"""Admin route for uploading an OPD data inventory (XLSX or CSV) to a spreadsheet source."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, UploadFile

from connectors.spreadsheet import SpreadsheetConnector
from connectors.spreadsheet_limits import SpreadsheetLimits
from harvester.errors import AlreadyRunningError, ConfigError
from harvester.job import run_harvest
from harvester.pipeline import dedupe_and_index, make_indexer
from server.admin.auth import Principal, require_writer
from server.admin.deps import audit, services_of, visible_source
from server.admin.errors import AdminApiError, AdminRoute
from server.admin.schemas import JobOut

__all__ = ["router"]

router = APIRouter(route_class=AdminRoute, tags=["admin: sources"])


@router.post("/sources/{source_id}/upload", response_model=JobOut)
async def upload_inventory(request: Request, source_id: str, file: UploadFile,
                           principal: Principal = Depends(require_writer)) -> JobOut:
    """Harvest an uploaded spreadsheet as the new content of a spreadsheet source."""
    source = visible_source(request, principal, source_id, "source.upload")
    if source.family != "spreadsheet":
        raise AdminApiError(422, f"Sumber {source_id} bukan sumber lembar kerja",
                            f"source {source_id} is not a spreadsheet source", code="not-spreadsheet")

    # Read one byte past the limit, so an oversized upload is rejected without holding more of it.
    limit = SpreadsheetLimits().max_file_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise AdminApiError(413, f"Berkas lebih besar dari {limit} bita", f"the file is larger than {limit} bytes",
                            code="file-too-large")

    services = services_of(request)
    try:
        connector = SpreadsheetConnector.from_upload(source, data, file.filename or "upload.xlsx")
        report = run_harvest(services, source, connector=connector, indexer=make_indexer(services))
    except AlreadyRunningError as error:
        raise AdminApiError(409, f"Sumber {source_id} sedang dipanen", f"source {source_id} is being harvested",
                            code=error.code) from error
    except ConfigError as error:
        raise AdminApiError(422, f"Unggahan tidak dapat dipanen: {error}", f"the upload cannot be harvested: {error}",
                            code=error.code) from error
    dedupe_and_index(services)

    audit(request, principal, "source.upload", f"source:{source_id}",
          detail={"job_id": report.job_id, "bytes": len(data), "filename": file.filename})
    return JobOut.of(report)
