"""OPD "Daftar Data" inventories as XLSX or CSV (family "spreadsheet").

The file comes from a local path (`options.path`), from the source URL
through the job's HttpClient, or as bytes from an upload
(`SpreadsheetConnector.from_upload`). Limits apply before parsing: the file
size, and for XLSX the archive checks in `connectors.spreadsheet_limits`.
Only the columns named in the column table reach a record.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from openpyxl import load_workbook
from pydantic import Field

from connectors.base import Connector, RemoteRecord
from connectors.family_options import FamilyOptions
from connectors.spreadsheet_limits import SpreadsheetLimits, check_file_size, check_xlsx_archive
from connectors.spreadsheet_table import COLUMN_TABLE, ColumnTable, load_column_table, normalize_name, table_rows
from harvester.errors import InvalidRecordError, SourceError
from harvester.model import Agent, Concept, DatasetRecord, Temporal
from harvester.sources import SourceConfig

__all__ = ["SpreadsheetConnector", "SpreadsheetOptions", "parse_spreadsheet"]

logger = logging.getLogger(__name__)

_EXTRA_FIELDS = ("unit", "year", "source", "format", "presentation_level")
_DELIMITER_SCAN_LINES = 40


class SpreadsheetOptions(FamilyOptions):
    """Options of a spreadsheet source."""

    path: str | None = Field(default=None, description="Local file to read instead of the source URL.")
    format: Literal["auto", "xlsx", "csv"] = Field(default="auto", description="File type; auto uses the name.")
    sheet: str | None = Field(default=None, description="Worksheet name; the first sheet when unset.")
    columns_file: str | None = Field(default=None, description="Column table YAML; the bundled table when unset.")


def _file_type(filename: str, declared: str, data: bytes) -> str:
    if declared != "auto":
        return declared
    if filename.lower().endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        return "xlsx"
    return "csv"


def _decode_csv(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _delimiter(text: str) -> str:
    """Return the most frequent of comma, semicolon and tab in the first lines.

    csv.Sniffer guesses wrong when a title block sits above the header.
    """
    sample = "\n".join(text.splitlines()[:_DELIMITER_SCAN_LINES])
    return max((",", ";", "\t"), key=sample.count)


def _csv_rows(data: bytes) -> Iterator[tuple[Any, ...]]:
    text = _decode_csv(data)
    for row in csv.reader(io.StringIO(text), delimiter=_delimiter(text)):
        yield tuple(cell if cell != "" else None for cell in row)


def _xlsx_rows(data: bytes, sheet: str | None, limits: SpreadsheetLimits, where: str) -> Iterator[tuple[Any, ...]]:
    check_xlsx_archive(data, limits, where=where)
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise SourceError(f"{where}: no worksheet {sheet!r}; sheets: {', '.join(workbook.sheetnames)}",
                              code="invalid-spreadsheet")
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
        yield from worksheet.iter_rows(values_only=True)
    finally:
        workbook.close()


def parse_spreadsheet(data: bytes, *, filename: str, file_format: str = "auto", sheet: str | None = None,
                      table: ColumnTable | None = None, limits: SpreadsheetLimits | None = None) -> list[dict[str, Any]]:
    """Return one dict of mapped fields per data row of an XLSX or CSV file.

    Raises SourceError for files past the limits, DTDs in XLSX parts and
    sheets without a recognisable header.
    """
    limits = limits or SpreadsheetLimits()
    table = table if table is not None else load_column_table()
    check_file_size(data, limits, where=filename)

    if _file_type(filename, file_format, data) == "xlsx":
        rows = _xlsx_rows(data, sheet, limits, filename)
    else:
        rows = _csv_rows(data)
    return list(table_rows(rows, table, max_cells=limits.max_cells, where=filename))


def _row_id(row: dict[str, Any]) -> str:
    if row.get("remote_id") is not None:
        return str(row["remote_id"])
    key = "|".join(normalize_name(row.get(name) or "") for name in ("title", "creator", "year"))
    return "row-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


class SpreadsheetConnector(Connector):
    """Harvest an OPD data inventory from one XLSX or CSV file."""

    family = "spreadsheet"
    title = "Daftar Data (XLSX/CSV) / Data inventory spreadsheet"
    Options = SpreadsheetOptions

    options: SpreadsheetOptions

    def __init__(self, source: SourceConfig, http: Any, *, since: dt.datetime | None = None) -> None:
        super().__init__(source, http, since=since)
        self._upload: tuple[bytes, str] | None = None

    @classmethod
    def from_upload(cls, source: SourceConfig, data: bytes, filename: str) -> SpreadsheetConnector:
        """Build a connector that reads uploaded bytes instead of fetching a file."""
        connector = cls(source, None)
        connector._upload = (data, filename)
        return connector

    def _read(self) -> tuple[bytes, str]:
        if self._upload is not None:
            return self._upload
        if self.options.path:
            path = Path(self.options.path)
            limit = SpreadsheetLimits().max_file_bytes
            if path.stat().st_size > limit:
                raise SourceError(f"{path}: file is larger than {limit} bytes", code="file-too-large")
            return path.read_bytes(), path.name
        response = self.http.get(self.source.url)
        return response.content, self.source.url.split("?", 1)[0].rsplit("/", 1)[-1]

    def list_records(self) -> Iterator[RemoteRecord]:
        data, filename = self._read()
        table = load_column_table(Path(self.options.columns_file) if self.options.columns_file else COLUMN_TABLE)
        rows = parse_spreadsheet(data, filename=filename, file_format=self.options.format,
                                 sheet=self.options.sheet, table=table)
        self.state.pages = 1

        seen: set[str] = set()
        for row in rows:
            remote_id = _row_id(row)
            raw = {key: value if isinstance(value, (str, int, float, bool)) or value is None else str(value)
                   for key, value in row.items()}
            if remote_id in seen:
                error = InvalidRecordError(f"{filename}: row {remote_id} repeats an earlier row", remote_id=remote_id,
                                           code="duplicate-row")
                yield RemoteRecord(remote_id=remote_id, raw=raw, raw_format="row", error=error)
                continue
            seen.add(remote_id)
            yield RemoteRecord(remote_id=remote_id, raw=raw, raw_format="row")
        self.state.complete = True

    def map_record(self, remote: RemoteRecord) -> DatasetRecord:
        row = remote.raw
        title = str(row.get("title") or "").strip()
        if not title:
            raise InvalidRecordError(f"row {remote.remote_id} has no title", remote_id=remote.remote_id)

        creator = str(row["creator"]) if row.get("creator") else None
        extras = {name: row[name] for name in _EXTRA_FIELDS if row.get(name) is not None}
        harvested_at = dt.datetime.now(dt.timezone.utc)
        return DatasetRecord(
            title=title,
            description=str(row["description"]) if row.get("description") else None,
            creator=Agent(name=creator, original=creator) if creator else None,
            frequency=Concept(original=str(row["frequency"])) if row.get("frequency") else None,
            themes=[Concept(original=str(row["topic"]))] if row.get("topic") else [],
            temporal=_year(row.get("year")),
            access={"original": str(row["access"])} if row.get("access") else {},
            identifiers=[remote.remote_id],
            extras=extras,
            provenance=self.provenance(remote, harvested_at),
        )


def _year(value: Any) -> Temporal | None:
    text = str(value).strip() if value is not None else ""
    if len(text) == 4 and text.isdigit():
        year = int(text)
        return Temporal(start=dt.date(year, 1, 1), end=dt.date(year, 12, 31), label=text)
    return Temporal(label=text) if text else None
