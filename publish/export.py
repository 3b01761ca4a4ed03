"""CSV and XLSX export of public datasets: /api/export.csv and /api/export.xlsx.

Without `q` or facet filters the export lists the whole public catalogue,
read from the store by keyset. With them it lists the public search results,
at most the 10,000-row offset limit of the search index plus one page.

Every cell is text that a spreadsheet must show as text. A value starting
with `=`, `+`, `-`, `@`, a tab, a carriage return or NUL gets a leading `'`,
so Excel and LibreOffice do not evaluate harvested text as a formula. CSV
follows RFC 4180 (CRLF line ends, fields with commas, quotes or line breaks
quoted, quotes doubled). XLSX cells are written as strings, and the control
characters the XLSX format cannot hold are removed.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from harvester.model import PublishedDataset
from index.base import FACETS, MAX_OFFSET, MAX_QUERY_LENGTH, MAX_ROWS, SearchQuery
from publish.errors import PublicApiError

logger = logging.getLogger(__name__)

__all__ = ["COLUMNS", "XLSX_MAX_ROWS", "dataset_row", "router", "safe_cell"]

router = APIRouter(tags=["export"])

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
# Rows in one XLSX file; the workbook is built in memory, unlike the streamed CSV.
XLSX_MAX_ROWS = 100_000
COLUMNS = ("id", "title", "description", "publisher", "creator", "themes", "keywords", "regions",
           "temporal", "issued", "modified", "frequency", "licence", "access_level", "formats",
           "landing_page", "url")
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value: object) -> str:
    """Return `value` as text that no spreadsheet evaluates as a formula."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def dataset_row(dataset: PublishedDataset, base_url: str) -> list[str]:
    """Return the export cells of one dataset, in `COLUMNS` order, already made safe."""
    record = dataset.record
    temporal = record.temporal
    values: list[Any] = [
        dataset.id,
        record.title,
        record.description,
        record.publisher.name if record.publisher else None,
        record.creator.name if record.creator else None,
        "; ".join(theme.label or theme.original or "" for theme in record.themes),
        "; ".join(record.keywords),
        "; ".join(region.name or region.code for region in record.spatial),
        _temporal_text(temporal.start, temporal.end, temporal.label) if temporal else None,
        record.issued.isoformat() if record.issued else None,
        record.modified.isoformat() if record.modified else None,
        (record.frequency.label or record.frequency.original) if record.frequency else None,
        (record.licence.spdx_id or record.licence.title or record.licence.original) if record.licence else None,
        record.access.level.value if record.access.level else None,
        "; ".join(sorted({d.format.label for d in record.distributions if d.format and d.format.label})),
        record.landing_page,
        f"{base_url}/dataset/{dataset.id}",
    ]
    return [safe_cell(value) for value in values]


def _temporal_text(start: object, end: object, label: str | None) -> str:
    if label:
        return label
    return "/".join(str(part) if part else "" for part in (start, end))


def _search_query(request: Request) -> SearchQuery | None:
    """Return the search to export, or None for the whole public catalogue."""
    text = request.query_params.get("q", "").strip()
    if len(text) > MAX_QUERY_LENGTH:
        raise PublicApiError(422, f"Kata kunci paling panjang {MAX_QUERY_LENGTH} karakter",
                             f"the query is at most {MAX_QUERY_LENGTH} characters", code="invalid-parameter",
                             field="q")
    filters = {facet: request.query_params.getlist(facet) for facet in FACETS if request.query_params.getlist(facet)}
    if not text and not filters:
        return None
    return SearchQuery(text=text, filters=filters, rows=MAX_ROWS, highlight=False, facets=[], public_only=True)


def public_datasets(services: Any, query: SearchQuery | None) -> Iterator[PublishedDataset]:
    """Yield the public datasets to export: the results of `query`, or every public dataset by id."""
    if query is None:
        for dataset in services.store.iter_datasets(public_only=True):
            if dataset.is_public:
                yield dataset
        return

    offset = 0
    while offset <= MAX_OFFSET:
        result = services.index.search(query.model_copy(update={"offset": offset}))
        for hit in result.hits:
            # The store decides visibility, so a stale index entry never reaches an export.
            dataset = services.store.get_dataset(hit.id)
            if dataset is not None and dataset.is_public:
                yield dataset
        if len(result.hits) < MAX_ROWS:
            return
        offset += MAX_ROWS


def _csv_lines(datasets: Iterator[PublishedDataset], base_url: str) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    for dataset in datasets:
        writer.writerow(dataset_row(dataset, base_url))
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _xlsx_bytes(datasets: Iterator[PublishedDataset], base_url: str) -> tuple[bytes, bool]:
    """Return the workbook and whether it stopped at `XLSX_MAX_ROWS`."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Dataset")
    sheet.append(list(COLUMNS))
    truncated = False
    for count, dataset in enumerate(datasets):
        if count >= XLSX_MAX_ROWS:
            truncated = True
            break
        sheet.append([_string_cell(sheet, value) for value in dataset_row(dataset, base_url)])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue(), truncated


def _string_cell(sheet: Any, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=_XLSX_ILLEGAL.sub("", value))
    # The value is already safe text, so it is stored as a string even if it looks like a number.
    cell.data_type = "s"
    return cell


@router.get("/api/export.csv", summary="Public datasets as CSV (RFC 4180); q and facet filters as in /api/search")
def export_csv(request: Request) -> StreamingResponse:
    base_url = request.app.state.settings.base_url.rstrip("/")
    datasets = public_datasets(request.app.state.services, _search_query(request))
    headers = {"Content-Disposition": 'attachment; filename="himpun-dataset.csv"'}
    return StreamingResponse(_csv_lines(datasets, base_url), media_type="text/csv; charset=utf-8; header=present",
                             headers=headers)


@router.get("/api/export.xlsx", summary="Public datasets as an XLSX workbook; q and facet filters as in /api/search")
def export_xlsx(request: Request) -> Response:
    base_url = request.app.state.settings.base_url.rstrip("/")
    datasets = public_datasets(request.app.state.services, _search_query(request))
    content, truncated = _xlsx_bytes(datasets, base_url)
    headers = {"Content-Disposition": 'attachment; filename="himpun-dataset.xlsx"'}
    if truncated:
        logger.warning("XLSX export stopped at %d rows; the CSV export has every row", XLSX_MAX_ROWS)
        headers["X-Export-Truncated"] = "true"
    return Response(content, media_type=_XLSX_TYPE, headers=headers)
