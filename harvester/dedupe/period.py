"""Periods named in dataset titles: years, quarters, semesters, four-month terms and months.

A yearly or monthly dataset is one member of a series. The period gives the
member's place in the series and keeps two different periods from being
matched as duplicates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MONTHS = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "feb": 2, "pebruari": 2, "february": 2,
    "maret": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "october": 10, "oct": 10,
    "november": 11, "nopember": 11, "nov": 11, "nop": 11,
    "desember": 12, "des": 12, "december": 12, "dec": 12,
}
ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}

# Sub-year period kinds with the number of parts per year.
PART_KINDS = {"quarter": 4, "semester": 2, "term": 3, "month": 12}

# Folded titles have lost their dashes, so "2019-2024" arrives as "2019 2024".
_YEAR_RANGE = re.compile(r"\b((?:19|20)\d{2})(?:\s*[-–/]\s*|\s+(?:s\s*d|sampai|hingga)?\s*)((?:19|20)\d{2})\b")
_YEAR = re.compile(r"\b((?:19|20)\d{2})\b")
_QUARTER = re.compile(r"\b(?:triwulan|tw|kuartal|quarter|q)\s*(iv|iii|ii|i|[1-4])\b")
_SEMESTER = re.compile(r"\b(?:semester|smt)\s*(ii|i|[12])\b")
_TERM = re.compile(r"\b(?:caturwulan|cawu)\s*(iii|ii|i|[1-3])\b")
_MONTH = re.compile(r"\b(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b")


@dataclass(frozen=True, slots=True)
class Period:
    """A period label: a year or year range, optionally one part of a year."""

    year: int | None
    end_year: int | None = None
    kind: str | None = None
    part: int | None = None

    def sort_key(self) -> tuple[int, float]:
        """Order periods in time; a part of a year sorts by its fraction of the year."""
        year = self.year or 0
        if self.kind is None or self.part is None:
            return (year, 0.0)
        return (year, self.part / PART_KINDS[self.kind])

    def label(self) -> str:
        if self.end_year:
            return f"{self.year}-{self.end_year}"
        if self.kind:
            return f"{self.year or ''} {self.kind} {self.part}".strip()
        return str(self.year)


@dataclass(frozen=True, slots=True)
class PeriodMatch:
    period: Period
    words: frozenset[str]


def find_period(folded_title: str) -> PeriodMatch | None:
    """Find the period in a folded title (see `normalize.fold_text`) and the words that name it."""
    words: set[str] = set()
    year = end_year = None

    year_range = _YEAR_RANGE.search(folded_title)
    if year_range:
        year, end_year = int(year_range.group(1)), int(year_range.group(2))
        words.update(year_range.group(0).split())
    else:
        single = _YEAR.findall(folded_title)
        if single:
            year = int(single[-1])
            words.add(single[-1])

    kind, part = _find_part(folded_title, words)
    if year is None and kind is None:
        return None
    return PeriodMatch(Period(year=year, end_year=end_year, kind=kind, part=part), frozenset(words))


def _find_part(folded_title: str, words: set[str]) -> tuple[str | None, int | None]:
    for kind, pattern in (("quarter", _QUARTER), ("semester", _SEMESTER), ("term", _TERM)):
        match = pattern.search(folded_title)
        if match:
            words.update(match.group(0).split())
            return kind, ROMAN[match.group(1)]

    month = _MONTH.search(folded_title)
    if month:
        words.add(month.group(1))
        return "month", MONTHS[month.group(1)]
    return None, None
