"""Mapping helpers shared by the connectors: dates, text, keywords, access levels, formats."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable
from typing import Any

from harvester.errors import InvalidRecordError
from harvester.jsonsafe import record_flaw
from harvester.model import AccessLevel, AccessRights, FileFormat

__all__ = [
    "PLACEHOLDER_KEYWORDS",
    "access_rights",
    "clean_keywords",
    "clean_text",
    "json_record_error",
    "file_format",
    "looks_like_organization",
    "parse_date",
    "strip_mailto",
    "utc_now",
]

PLACEHOLDER_TEXT = frozenset({"", "-", "--", "n/a", "na", "null", "none", "undefined", "0000-00-00"})
PLACEHOLDER_KEYWORDS = frozenset({"no keyword provided", "-", "uncategorized"})

# Years before this are placeholders (the 1970 epoch, 0001-01-01), not real dates.
_FIRST_REAL_YEAR = 1971

_ACCESS_WORDS: dict[str, AccessLevel] = {
    "public": AccessLevel.TERBUKA,
    "publik": AccessLevel.TERBUKA,
    "terbuka": AccessLevel.TERBUKA,
    "open": AccessLevel.TERBUKA,
    "restricted public": AccessLevel.TERBATAS,
    "restricted": AccessLevel.TERBATAS,
    "terbatas": AccessLevel.TERBATAS,
    "non-public": AccessLevel.TERTUTUP,
    "non public": AccessLevel.TERTUTUP,
    "private": AccessLevel.TERTUTUP,
    "tertutup": AccessLevel.TERTUTUP,
    "dikecualikan": AccessLevel.TERTUTUP,
}

# Format words whose media type is certain, used only to flag a disagreement
# with the media type the source states; the harmonize stage maps formats.
_FORMAT_MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv",
    "json": "application/json",
    "xml": "application/xml",
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
    "zip": "application/zip",
    "html": "text/html",
}

_ORGANIZATION_WORDS = re.compile(
    r"^(dinas|badan|bagian|biro|kantor|kecamatan|kelurahan|sekretariat|inspektorat|satuan|"
    r"rsud|rumah sakit|bappeda|bapenda|diskominfo|dinkes|disdik|bpbd|bps|kementerian|"
    r"direktorat|pusat|unit|uptd|upt|puskesmas|pemerintah|pemkab|pemkot|pemprov)\b",
    re.IGNORECASE,
)
_WHITESPACE_RUN = re.compile(r"[ \t\f\v]+")
# Text that `clean_text` must do more with than strip: entities, line breaks, NUL, tabs, space runs.
_NEEDS_CLEANING = re.compile(r"[&\r\n\x00\t\f\v]|  ")
_PLACEHOLDER_MAX_LENGTH = max(len(text) for text in PLACEHOLDER_TEXT)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def clean_text(value: Any) -> str | None:
    """Return `value` as trimmed text with HTML entities unescaped; None for empty or placeholders."""
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value)
    if _NEEDS_CLEANING.search(text) is None:
        # One line with no entity and no whitespace run: the full path below would only strip it.
        text = text.strip()
    else:
        text = html.unescape(text).replace("\r\n", "\n").replace("\x00", "")
        text = "\n".join(_WHITESPACE_RUN.sub(" ", line).strip() for line in text.split("\n")).strip()
    # str.lower() never shortens a string, so longer text cannot be a placeholder.
    if len(text) <= _PLACEHOLDER_MAX_LENGTH and text.lower() in PLACEHOLDER_TEXT:
        return None
    return text


def parse_date(value: Any) -> dt.datetime | None:
    """Parse an ISO 8601 date or date-time into an aware UTC datetime.

    Placeholders (`"-"`, `""`, the 1970 epoch and earlier years) and text
    that is not ISO 8601 return None. A value without a zone is read as UTC,
    which is what CKAN stores.
    """
    text = clean_text(value)
    if text is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1))
    except ValueError:
        return None

    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    parsed = parsed.astimezone(dt.UTC)
    if parsed.year < _FIRST_REAL_YEAR:
        return None
    return parsed


def clean_keywords(values: Iterable[Any]) -> list[str]:
    """Return unique, cleaned keywords in order, without placeholders like "No keyword provided"."""
    keywords: list[str] = []
    seen: set[str] = set()
    for value in values:
        text = clean_text(value)
        if text is None or text.lower() in PLACEHOLDER_KEYWORDS or text.lower() in seen:
            continue
        seen.add(text.lower())
        keywords.append(text)
    return keywords


def access_rights(original: Any) -> AccessRights:
    """Map a stated access level (DCAT-US words or Satu Data words) to `AccessRights`.

    An unknown word keeps its original text with no level, so the record is
    held back rather than guessed public.
    """
    text = clean_text(original)
    if text is None:
        return AccessRights()
    return AccessRights(level=_ACCESS_WORDS.get(text.lower()), original=text)


def file_format(original: Any, media_type: Any = None) -> FileFormat | None:
    """Build a `FileFormat` from a format word and a stated media type, flagging a clear conflict."""
    label = clean_text(original)
    stated = clean_text(media_type)
    if label is None and stated is None:
        return None

    conflict = None
    expected = _FORMAT_MEDIA_TYPES.get((label or "").lower().lstrip("."))
    if expected and stated and stated.lower().split(";")[0] != expected:
        conflict = f"format {label} does not match media type {stated}"
    return FileFormat(original=label, media_type=stated, conflict=conflict)


def strip_mailto(value: Any) -> str | None:
    """Return an e-mail address without its optional `mailto:` prefix."""
    text = clean_text(value)
    if text is None:
        return None
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:"):].strip()
    return text or None


def looks_like_organization(name: str | None) -> bool:
    """Return True when `name` starts like an Indonesian government unit (Dinas, Badan, Bagian...)."""
    return bool(name) and bool(_ORGANIZATION_WORDS.match(name.strip()))


def json_record_error(raw: Any, *, source_id: str, remote_id: Any, fallback_id: str) -> InvalidRecordError | None:
    """Return the rejection of a record parsed with `per_record=True` that contains a bad value, or None.

    The error names `remote_id` when it is clean text and `fallback_id` (the
    position in the page) otherwise, so no unstorable text reaches the job errors.
    """
    flaw = record_flaw(raw)
    if flaw is None:
        return None
    usable = isinstance(remote_id, str) and remote_id.strip() and record_flaw(remote_id) is None
    error_id = remote_id if usable else fallback_id
    return InvalidRecordError(f"source {source_id}: record {error_id} rejected: {flaw.detail}",
                              remote_id=error_id, code=flaw.code)
