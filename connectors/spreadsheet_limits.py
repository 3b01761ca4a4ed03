"""Checks an XLSX archive passes before openpyxl opens it.

An XLSX file is a zip archive of XML parts. A small file can inflate to
gigabytes (zip bomb) or carry a DOCTYPE in a part, so the archive directory
is checked for size and per-member compression ratio first, and every XML
part then passes the XML gate, which reads members in 1 MiB steps.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from connectors.xml_safety import check_xml
from harvester.errors import SourceError

__all__ = ["SpreadsheetLimits", "check_file_size", "check_xlsx_archive"]

MIB = 1024 * 1024
# Members smaller than this are not held to the ratio: tiny XML parts such
# as an empty sharedStrings.xml compress far better than 100:1.
_RATIO_FLOOR = 64 * 1024


@dataclass(frozen=True, slots=True)
class SpreadsheetLimits:
    """Limits applied to one spreadsheet before and while it is parsed."""

    max_file_bytes: int = 50 * MIB
    max_uncompressed_bytes: int = 200 * MIB
    max_member_ratio: float = 100.0
    max_cells: int = 1_000_000


def check_file_size(data: bytes, limits: SpreadsheetLimits, *, where: str) -> None:
    """Raise SourceError `file-too-large` when `data` is larger than the file limit."""
    if len(data) > limits.max_file_bytes:
        raise SourceError(f"{where}: file is {len(data)} bytes, above the {limits.max_file_bytes}-byte limit",
                          code="file-too-large")


def _check_directory(archive: zipfile.ZipFile, limits: SpreadsheetLimits, where: str) -> None:
    total = 0
    for member in archive.infolist():
        total += member.file_size
        if total > limits.max_uncompressed_bytes:
            raise SourceError(f"{where}: archive inflates to more than {limits.max_uncompressed_bytes} bytes",
                              code="archive-too-large")
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size >= _RATIO_FLOOR and ratio > limits.max_member_ratio:
            raise SourceError(f"{where}: member {member.filename} has compression ratio {ratio:.0f}:1, "
                              f"above {limits.max_member_ratio:.0f}:1", code="ratio-exceeded")


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: SpreadsheetLimits, where: str) -> bytes:
    """Read one member in 1 MiB steps, stopping at the declared size so a lying header cannot inflate it."""
    chunks: list[bytes] = []
    size = 0
    with archive.open(info) as member:
        while chunk := member.read(MIB):
            size += len(chunk)
            if size > info.file_size or size > limits.max_uncompressed_bytes:
                raise SourceError(f"{where}: member {info.filename} inflates past its declared size",
                                  code="archive-too-large")
            chunks.append(chunk)
    return b"".join(chunks)


def check_xlsx_archive(data: bytes, limits: SpreadsheetLimits, *, where: str) -> None:
    """Raise SourceError unless `data` is a zip within the limits whose XML parts declare no DTD."""
    check_file_size(data, limits, where=where)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise SourceError(f"{where}: not an XLSX (zip) file: {error}", code="invalid-spreadsheet") from error

    with archive:
        _check_directory(archive, limits, where)
        for info in archive.infolist():
            if info.filename.endswith((".xml", ".rels", ".vml")):
                check_xml(_read_member(archive, info, limits, where), where=f"{where} member {info.filename}")
