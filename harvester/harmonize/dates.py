"""Dates and periods in Indonesian and English, parsed without dateparser on the common path.

`parse_datetime` reads ISO 8601, "12 Agustus 2024", "Senin, 12 Agt 2024 10:00",
"12/08/2024" and relative texts ("4 jam yang lalu") against a reference time;
placeholders ("-", "", the 1970 epoch) are missing values. Only text that
none of these fast parsers read goes to dateparser.

`parse_period` and `temporal_in_text` read coverage periods: "Tahun 2023",
"Tahun 2019-2023", "Triwulan III 2024", "TW III 2024", "Semester I 2023",
"Caturwulan II 2023" and "Juli 2023".
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
import re

from harvester.harmonize.text import fold
from harvester.model import Temporal

logger = logging.getLogger(__name__)

__all__ = ["is_placeholder_date", "parse_datetime", "parse_period", "temporal_in_text"]

MONTHS: dict[str, int] = {
    "januari": 1, "january": 1, "jan": 1,
    "februari": 2, "pebruari": 2, "february": 2, "feb": 2, "peb": 2,
    "maret": 3, "march": 3, "mar": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7,
    "agustus": 8, "august": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8, "agst": 8,
    "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "nopember": 11, "nov": 11, "nop": 11,
    "desember": 12, "december": 12, "des": 12, "dec": 12,
}
DAY_NAMES = frozenset({"senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu", "ahad",
                       "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"})
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_PLACEHOLDERS = frozenset({"", "-", "--", "n a", "na", "null", "none", "0000 00 00", "tidak ada"})
_EPOCH_YEAR = 1970

_MONTH_WORDS = "|".join(sorted(MONTHS, key=len, reverse=True))
_YEAR = r"((?:19|20)\d{2})"
_DAY_MONTH_YEAR = re.compile(rf"^(\d{{1,2}}) ({_MONTH_WORDS}) (\d{{4}})(?: (\d{{1,2}}) (\d{{2}})(?: (\d{{2}}))?)?")
_NUMERIC_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_RELATIVE = re.compile(r"^(\d+|se|satu) (detik|menit|jam|hari|minggu|bulan|tahun) (?:yang )?lalu$")
_RELATIVE_UNITS = {"detik": 1, "menit": 60, "jam": 3600, "hari": 86400, "minggu": 604800,
                   "bulan": 2592000, "tahun": 31536000}

_QUARTER = re.compile(rf"\b(?:triwulan|tw|kuartal|quarter|q)\s*(iv|iii|ii|i|[1-4])\s+(?:tahun\s+)?{_YEAR}\b")
_SEMESTER = re.compile(rf"\b(?:semester|smt)\s*(ii|i|[12])\s+(?:tahun\s+)?{_YEAR}\b")
_CATURWULAN = re.compile(rf"\b(?:caturwulan|cawu)\s*(iii|ii|i|[1-3])\s+(?:tahun\s+)?{_YEAR}\b")
_MONTH_YEAR = re.compile(rf"\b({_MONTH_WORDS})\s+(?:tahun\s+)?{_YEAR}\b")
# Folding turned "2019-2023" into "2019 2023", so a bare space separates a range too.
_YEAR_RANGE = re.compile(rf"\b(?:tahun\s+)?{_YEAR}\s+(?:(?:s d|sd|sampai|hingga|to)\s+)?{_YEAR}\b")
_TAHUN = re.compile(rf"\btahun\s+{_YEAR}\b")
_LONE_YEAR = re.compile(rf"\b{_YEAR}\b")


def is_placeholder_date(value: dt.date | dt.datetime | None) -> bool:
    """True for the epoch placeholder (1970-01-01) that some portals store for "unknown"."""
    return value is not None and value.year == _EPOCH_YEAR and value.month == 1 and value.day == 1


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def parse_datetime(text: str | None, reference: dt.datetime | None = None) -> dt.datetime | None:
    """Parse a date or time; return None for empty values, placeholders and unreadable text."""
    if text is None:
        return None
    raw = text.strip()
    if fold(raw) in _PLACEHOLDERS:
        return None

    value = _parse_iso(raw) or _parse_words(fold(raw), reference)
    if value is None:
        value = _parse_slow(raw, reference)
    if value is None or is_placeholder_date(value):
        return None
    return value


def _parse_iso(raw: str) -> dt.datetime | None:
    if len(raw) < 10 or not raw[:4].isdigit() or raw[4] != "-":
        return None
    try:
        return _aware(dt.datetime.fromisoformat(raw.replace("Z", "+00:00")))
    except ValueError:
        return None


def _parse_words(folded: str, reference: dt.datetime | None) -> dt.datetime | None:
    words = folded.split()
    while words and words[0] in DAY_NAMES:
        words.pop(0)
    folded = " ".join(words)

    relative = _RELATIVE.match(folded)
    if relative:
        if reference is None:
            return None
        count = 1 if relative.group(1) in ("se", "satu") else int(relative.group(1))
        return _aware(reference) - dt.timedelta(seconds=count * _RELATIVE_UNITS[relative.group(2)])

    match = _DAY_MONTH_YEAR.match(folded)
    if match:
        day, month, year = int(match.group(1)), MONTHS[match.group(2)], int(match.group(3))
        hour, minute, second = (int(match.group(i) or 0) for i in (4, 5, 6))
        return _safe_datetime(year, month, day, hour, minute, second)

    numeric = _NUMERIC_DMY.match(folded.replace(" ", "/"))
    if numeric:
        return _safe_datetime(int(numeric.group(3)), int(numeric.group(2)), int(numeric.group(1)))
    return None


def _safe_datetime(year: int, month: int, day: int, hour: int = 0, minute: int = 0,
                   second: int = 0) -> dt.datetime | None:
    try:
        return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.timezone.utc)
    except ValueError:
        return None


def _parse_slow(raw: str, reference: dt.datetime | None) -> dt.datetime | None:
    """Fall back to dateparser for the rare text the fast parsers cannot read."""
    if not any(character.isdigit() for character in raw):
        return None
    import dateparser  # imported here: loading it costs about a second

    settings = {"RETURN_AS_TIMEZONE_AWARE": True, "TIMEZONE": "UTC"}
    if reference is not None:
        settings["RELATIVE_BASE"] = reference.replace(tzinfo=None)
    value = dateparser.parse(raw, languages=["id", "en"], settings=settings)
    logger.debug("dateparser read %r as %s", raw, value)
    return value


def _year_range(start: int, end: int, label: str) -> Temporal | None:
    if end < start:
        return None
    return Temporal(start=dt.date(start, 1, 1), end=dt.date(end, 12, 31), label=label)


def _months(year: int, first: int, last: int, label: str) -> Temporal:
    end_day = calendar.monthrange(year, last)[1]
    return Temporal(start=dt.date(year, first, 1), end=dt.date(year, last, end_day), label=label)


def temporal_in_text(text: str, *, lone_year: bool = True) -> Temporal | None:
    """Read the first coverage period a text names; the label keeps the matched words."""
    folded = fold(text)
    quarter = _QUARTER.search(folded)
    if quarter:
        number = _ROMAN[quarter.group(1)]
        return _months(int(quarter.group(2)), 3 * number - 2, 3 * number, quarter.group(0))
    semester = _SEMESTER.search(folded)
    if semester:
        number = _ROMAN[semester.group(1)]
        return _months(int(semester.group(2)), 6 * number - 5, 6 * number, semester.group(0))
    caturwulan = _CATURWULAN.search(folded)
    if caturwulan:
        number = _ROMAN[caturwulan.group(1)]
        return _months(int(caturwulan.group(2)), 4 * number - 3, 4 * number, caturwulan.group(0))

    month = _MONTH_YEAR.search(folded)
    if month:
        number = MONTHS[month.group(1)]
        return _months(int(month.group(2)), number, number, month.group(0))
    year_range = _YEAR_RANGE.search(folded)
    if year_range:
        return _year_range(int(year_range.group(1)), int(year_range.group(2)), year_range.group(0))
    tahun = _TAHUN.search(folded)
    if tahun:
        return _year_range(int(tahun.group(1)), int(tahun.group(1)), tahun.group(0))
    if lone_year:
        years = _LONE_YEAR.findall(folded)
        if len(years) == 1:
            return _year_range(int(years[0]), int(years[0]), years[0])
    return None


def parse_period(text: str | None) -> Temporal | None:
    """Parse a period field ("2021-2024", "Triwulan III 2024", "2023"); "-" and "" are missing."""
    if text is None or fold(text) in _PLACEHOLDERS:
        return None
    return temporal_in_text(text)
