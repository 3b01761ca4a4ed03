"""Build one published record from the copies in a duplicate cluster.

Each field comes from the best copy that has it: the source priority set by
the operator first, then completeness, then recency. List fields (keywords,
themes, identifiers, distributions) are the union over all copies.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from harvester.dedupe.candidate import completeness
from harvester.dedupe.normalize import normalize_url
from harvester.model import AccessRights, DatasetRecord

T = TypeVar("T")

SINGLE_FIELDS = (
    "title", "description", "publisher", "creator", "contact_point", "spatial_text", "temporal", "issued",
    "modified", "frequency", "licence", "landing_page",
)


@dataclass(frozen=True, slots=True)
class Copy:
    """One member of a cluster with the priority of its source."""

    record: DatasetRecord
    priority: int = 50


def rank(copies: Sequence[Copy]) -> list[Copy]:
    """Order copies best first: priority, then completeness, then the newest."""
    def key(copy: Copy) -> tuple[int, int, float]:
        modified = copy.record.modified or copy.record.issued
        return (copy.priority, completeness(copy.record), modified.timestamp() if modified else 0.0)

    return sorted(copies, key=key, reverse=True)


def merge_copies(copies: Sequence[Copy]) -> DatasetRecord:
    """Merge the copies of one dataset; the best copy's provenance and access level win."""
    ranked = rank(copies)
    best = ranked[0].record
    if len(ranked) == 1:
        return best

    merged = best.model_copy(deep=True)
    for name in SINGLE_FIELDS:
        if not getattr(merged, name):
            value = next((getattr(copy.record, name) for copy in ranked if getattr(copy.record, name)), None)
            setattr(merged, name, value)

    records = [copy.record for copy in ranked]
    merged.keywords = _unique(keyword for record in records for keyword in record.keywords)
    merged.identifiers = _unique(identifier for record in records for identifier in record.identifiers)
    merged.themes = _unique_by(lambda theme: theme.uri or theme.label, (t for r in records for t in r.themes))
    merged.spatial = _unique_by(lambda code: (code.system, code.code), (c for r in records for c in r.spatial))
    merged.distributions = _unique_by(
        lambda distribution: normalize_url(distribution.download_url or distribution.access_url) or id(distribution),
        (distribution for record in records for distribution in record.distributions),
    )
    merged.access = _strictest_access(records)
    return merged


def _strictest_access(records: Sequence[DatasetRecord]) -> AccessRights:
    """Keep a dataset public only if every copy is: one restricted copy restricts the dataset."""
    levels = [record.access for record in records]
    if any(access.level is None for access in levels):
        return next(access for access in levels if access.level is None)
    non_public = [access for access in levels if access.level.value != "terbuka"]
    return non_public[0] if non_public else levels[0]


def _unique(values: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    result: list[str] = []
    for value in values:
        key = value.casefold().strip()
        if key and key not in seen:
            seen.add(key)
            result.append(value)
    return result


def _unique_by(key_function: Callable[[T], Hashable], values: Iterable[T]) -> list[T]:
    seen: set[Hashable] = set()
    result: list[T] = []
    for value in values:
        key = key_function(value)
        if key not in seen:
            seen.add(key)
            result.append(value)
    return result
