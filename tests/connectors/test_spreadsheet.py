"""Spreadsheet connector: the Keerom inventory workbook, CSV variants and hostile archives."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from pytest_httpserver import HTTPServer

from connectors import connector_class
from connectors.spreadsheet import SpreadsheetConnector, parse_spreadsheet
from connectors.spreadsheet_limits import SpreadsheetLimits
from connectors.spreadsheet_table import repair_double_encoding
from harvester.errors import FetchError, SourceError
from tests.conftest import FIXTURES
from tests.connectors.family_support import make_source, run_connector, server_http

KEEROM = FIXTURES / "spreadsheet" / "keerom_daftar_data.xlsx"
CANARY_NIK = "3509123456780001"
CANARY_PHONE = "081234567890"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _workbook_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(data: bytes, filename: str) -> SpreadsheetConnector:
    return SpreadsheetConnector.from_upload(make_source("spreadsheet", "http://upload.invalid/"), data, filename)


def _replace_member(data: bytes, name: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, content if info.filename == name else source.read(info.filename))
    return buffer.getvalue()


def test_registered_family() -> None:
    assert connector_class("spreadsheet") is SpreadsheetConnector


def test_keerom_workbook_rows() -> None:
    rows = parse_spreadsheet(KEEROM.read_bytes(), filename=KEEROM.name)

    assert len(rows) == 16
    assert rows[0]["title"] == "Suhu Terendah"
    assert rows[0]["unit"] == "°C"
    assert rows[0]["frequency"] == "Tahunan"
    assert rows[0]["year"] == "2017"


def test_keerom_records_from_path() -> None:
    source = make_source("spreadsheet", "http://unused.invalid/", path=str(KEEROM))
    connector = SpreadsheetConnector(source, None)

    outcome = run_connector(connector)

    assert len(outcome.records) == 16
    assert outcome.errors == []
    record = outcome.records[0]
    assert record.creator is not None and record.creator.original == "8 Kelompok Data"
    assert record.temporal is not None and record.temporal.label == "2017"
    assert record.extras["unit"] == "°C"
    assert record.provenance.raw_format == "row"
    assert connector.state.complete is True


def test_double_encoding_repaired() -> None:
    assert repair_double_encoding("Â°C") == "°C"
    assert repair_double_encoding("Km2") == "Km2"
    assert repair_double_encoding("Â is a letter") == "Â is a letter"


def test_unmapped_columns_dropped() -> None:
    data = _workbook_bytes([
        ["Nama Data", "Produsen Data", "NIK Penanggung Jawab", "No HP", "Tahun"],
        ["Jumlah Penduduk", "Disdukcapil", CANARY_NIK, CANARY_PHONE, 2023],
    ])

    outcome = run_connector(_upload(data, "daftar.xlsx"))

    dumped = outcome.records[0].model_dump_json()
    assert outcome.records[0].title == "Jumlah Penduduk"
    assert CANARY_NIK not in dumped
    assert CANARY_PHONE not in dumped


def test_csv_semicolon_cp1252_bom() -> None:
    text = "Daftar Data Dinas Kesehatan\n\nJudul;Satuan;Perangkat Daerah;Frekuensi\nSuhu Rata-rata;°C;Dinkes;Bulanan\n"
    cp1252 = text.encode("cp1252")
    utf8_bom = b"\xef\xbb\xbf" + text.encode("utf-8")

    for data in (cp1252, utf8_bom):
        rows = parse_spreadsheet(data, filename="daftar.csv")
        assert rows == [{"title": "Suhu Rata-rata", "unit": "°C", "creator": "Dinkes", "frequency": "Bulanan"}]


def test_missing_title_reported() -> None:
    data = "Judul,Produsen\nLuas Wilayah,Bappeda\n,Dinkes\nJumlah Sekolah,Disdik\n".encode()

    outcome = run_connector(_upload(data, "daftar.csv"))

    assert sorted(record.title for record in outcome.records) == ["Jumlah Sekolah", "Luas Wilayah"]
    assert len(outcome.errors) == 1


def test_header_not_found() -> None:
    with pytest.raises(SourceError) as caught:
        parse_spreadsheet(b"a,b\n1,2\n", filename="x.csv")

    assert caught.value.code == "header-not-found"


def test_header_only_sheet_is_empty() -> None:
    outcome = run_connector(_upload(_workbook_bytes([["Judul", "Satuan"]]), "kosong.xlsx"))

    assert outcome.records == []
    assert outcome.errors == []


def test_fetched_through_http(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/daftar.xlsx").respond_with_data(KEEROM.read_bytes(), content_type=XLSX_TYPE)
    connector = SpreadsheetConnector(make_source("spreadsheet", httpserver.url_for("/daftar.xlsx")),
                                     server_http(httpserver))

    assert len(run_connector(connector).records) == 16


def test_http_error_fails(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/daftar.xlsx").respond_with_data("gone", status=404)
    connector = SpreadsheetConnector(make_source("spreadsheet", httpserver.url_for("/daftar.xlsx")),
                                     server_http(httpserver))

    with pytest.raises(FetchError):
        run_connector(connector)

    assert connector.state.complete is False


def test_zip_bomb_rejected_before_openpyxl() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            block = b"<c>0</c>" * 131072
            for _ in range(300):
                member.write(block)
    bomb = buffer.getvalue()
    assert len(bomb) < 2 * 1024 * 1024

    started = time.monotonic()
    with pytest.raises(SourceError) as caught:
        parse_spreadsheet(bomb, filename="bom.xlsx")

    assert caught.value.code in {"archive-too-large", "ratio-exceeded"}
    assert time.monotonic() - started < 2.0


def test_ratio_limit() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<row/>" * 200_000)

    with pytest.raises(SourceError) as caught:
        parse_spreadsheet(buffer.getvalue(), filename="rasio.xlsx")

    assert caught.value.code == "ratio-exceeded"


def test_file_size_limit() -> None:
    limits = SpreadsheetLimits(max_file_bytes=1024)

    with pytest.raises(SourceError) as caught:
        parse_spreadsheet(KEEROM.read_bytes(), filename=KEEROM.name, limits=limits)

    assert caught.value.code == "file-too-large"


def test_cell_limit() -> None:
    limits = SpreadsheetLimits(max_cells=20)

    with pytest.raises(SourceError) as caught:
        parse_spreadsheet(KEEROM.read_bytes(), filename=KEEROM.name, limits=limits)

    assert caught.value.code == "too-many-cells"


@pytest.mark.parametrize("member", ["[Content_Types].xml", "xl/worksheets/sheet1.xml"])
def test_doctype_in_part_rejected(member: str, tmp_path: Path) -> None:
    original = zipfile.ZipFile(KEEROM).read(member)
    hostile = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + original
    data = _replace_member(KEEROM.read_bytes(), member, hostile)

    with pytest.raises(SourceError) as caught:
        parse_spreadsheet(data, filename="doctype.xlsx")

    assert caught.value.code == "dtd-forbidden"
