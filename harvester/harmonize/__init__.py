"""Harmonize stage: map harvested values onto shared reference codes.

`Harmonizer.harmonize(record, source)` fills the mapped side of every
harmonizable value in place and returns the findings (values it could not
map, ambiguous ones, conflicts) for the harmonization report. The tables it
reads live under config/reference and config/vocabularies; docs/harmonize.md
describes each one.
"""

from __future__ import annotations

from harvester.harmonize.findings import Finding, FindingKind
from harvester.harmonize.harmonizer import Harmonizer

__all__ = ["Finding", "FindingKind", "Harmonizer"]
