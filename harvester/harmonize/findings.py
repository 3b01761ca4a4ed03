"""Findings: the values the harmonize stage could not map with certainty."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Finding", "FindingKind"]

# unmapped: no table entry; ambiguous: several entries fit; conflict: the
# record contradicts itself; inferred: a value derived rather than stated;
# personal-data: the record shows personal data and is quarantined.
FindingKind = Literal["unmapped", "ambiguous", "conflict", "inferred", "personal-data"]


@dataclass(frozen=True, slots=True)
class Finding:
    """A value the harmonize stage could not map with certainty."""

    field: str
    value: str
    kind: FindingKind
    detail: str = ""
