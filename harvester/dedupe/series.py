"""Dataset series: periodic datasets grouped into one dcat:DatasetSeries.

Datasets join one series when their titles have the same words once the
period is removed ("... Tahun 2021" and "... Tahun 2022"), and they share
publisher, creator and region. Titles with different breakdowns
("menurut Kecamatan" and "menurut Jenis Kelamin") keep different words, so
they stay in different series. Members are ordered by period.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from harvester.dedupe.candidate import Candidate
from harvester.dedupe.period import MONTHS, Period

SERIES_NAMESPACE = uuid.UUID("6f1c1d0e-5d43-4d8e-9a3c-5e7c0f0b2a11")

_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_PERIOD_TAIL = re.compile(
    r"[\s,(-]*(?:tahun|th\.?|periode|triwulan|tw|semester|caturwulan|bulan)?\s*"
    r"(?:(?:iv|iii|ii|i|[1-4]|" + _MONTH_NAMES + r")(?:\s+|$))?"
    r"(?:(?:19|20)\d{2}(?:\s*[-–/]\s*(?:19|20)\d{2})?)?\)?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class SeriesMember:
    dataset_id: str
    period: Period
    title: str


@dataclass(slots=True)
class Series:
    """A group of periodic datasets, ordered by period."""

    id: str
    title: str
    members: list[SeriesMember]


def series_title(title: str) -> str:
    """Drop the trailing period label from a member's title ("... Tahun 2023" -> "...")."""
    trimmed = _PERIOD_TAIL.sub("", title).strip(" ,-")
    return trimmed or title.strip()


def group_series(members: Iterable[tuple[str, Candidate]]) -> list[Series]:
    """Group (dataset id, candidate) pairs into series of two or more distinct periods."""
    groups: dict[tuple, list[tuple[str, Candidate]]] = defaultdict(list)
    for dataset_id, candidate in members:
        if candidate.period is None or not candidate.tokens:
            continue
        key = (tuple(sorted(candidate.tokens)), candidate.publisher, candidate.creator,
               tuple(sorted(candidate.regions)))
        groups[key].append((dataset_id, candidate))

    series: list[Series] = []
    for key, group in groups.items():
        periods = {candidate.period for _, candidate in group}
        if len(periods) < 2:
            continue
        ordered = sorted(group, key=lambda item: (item[1].period.sort_key(), item[0]))
        series.append(Series(
            id=str(uuid.uuid5(SERIES_NAMESPACE, repr(key))),
            title=series_title(ordered[-1][1].title),
            members=[SeriesMember(dataset_id, candidate.period, candidate.title) for dataset_id, candidate in ordered],
        ))
    return sorted(series, key=lambda item: item.id)
