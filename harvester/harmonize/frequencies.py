"""Update frequencies: Indonesian words, sentences and ISO 8601 intervals mapped to EU frequency URIs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harvester.errors import ConfigError
from harvester.harmonize.reference import VOCABULARY_DIR, load_yaml
from harvester.harmonize.text import fold
from harvester.model import Concept

__all__ = ["FrequencyTable"]

FREQUENCIES_FILE = VOCABULARY_DIR / "frequencies.yaml"

_NUMBER_WORDS = {"satu": 1, "se": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "sepuluh": 10}
_NUMBER = r"(\d+|satu|dua|tiga|empat|lima|enam|sepuluh)"
_UNIT = r"(hari|minggu|pekan|bulan|tahun)"
# "1 tahun sekali", "setiap 3 bulan", "periode 6 bulan"
_EVERY = re.compile(rf"(?:setiap|tiap|periode|per|dalam)?\s*{_NUMBER}\s+{_UNIT}\b(?:\s+sekali)?")
# "2 kali setahun", "dua kali dalam satu tahun", "3 kali per tahun"
_TIMES = re.compile(rf"{_NUMBER}\s+kali\s+(?:dalam\s+)?(?:se|satu\s+|per\s+|1\s+){_UNIT}")
_ISO = re.compile(r"^R/P(?:(\d+)Y|(\d+)M|(\d+)W|(\d+)D|T(\d+)H)$", re.IGNORECASE)

# (count, unit) -> EU code for "every N units".
_PERIOD_CODES = {
    (1, "hari"): "DAILY", (1, "minggu"): "WEEKLY", (1, "pekan"): "WEEKLY", (2, "minggu"): "BIWEEKLY",
    (1, "bulan"): "MONTHLY", (2, "bulan"): "BIMONTHLY", (3, "bulan"): "QUARTERLY", (4, "bulan"): "ANNUAL_3",
    (6, "bulan"): "ANNUAL_2", (12, "bulan"): "ANNUAL", (1, "tahun"): "ANNUAL", (2, "tahun"): "BIENNIAL",
    (3, "tahun"): "TRIENNIAL", (4, "tahun"): "QUADRENNIAL", (5, "tahun"): "QUINQUENNIAL",
    (10, "tahun"): "DECENNIAL",
}
# (times, unit) -> EU code for "N times per unit".
_TIMES_CODES = {
    (1, "tahun"): "ANNUAL", (2, "tahun"): "ANNUAL_2", (3, "tahun"): "ANNUAL_3", (4, "tahun"): "QUARTERLY",
    (12, "tahun"): "MONTHLY", (1, "bulan"): "MONTHLY", (2, "bulan"): "MONTHLY_2",
    (3, "bulan"): "MONTHLY_3", (1, "minggu"): "WEEKLY", (2, "minggu"): "WEEKLY_2",
    (3, "minggu"): "WEEKLY_3", (1, "hari"): "DAILY", (2, "hari"): "DAILY_2",
}
_ISO_CODES = {"Y": "tahun", "M": "bulan", "W": "minggu", "D": "hari"}


def _number(text: str) -> int:
    return int(text) if text.isdigit() else _NUMBER_WORDS[text]


@dataclass(frozen=True, slots=True)
class _Frequency:
    code: str
    label: str


class FrequencyTable:
    """Lookup of frequencies.yaml plus the sentence and ISO 8601 parsers."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.base_uri: str = document["base_uri"]
        self._aliases: dict[str, _Frequency] = {}
        self._labels: dict[str, str] = {}
        for item in document.get("frequencies") or []:
            entry = _Frequency(code=item["code"], label=item["label"])
            self._labels[entry.code] = entry.label
            for alias in [item["code"], item["label"], *(item.get("aliases") or [])]:
                self._aliases[fold(str(alias))] = entry
        self._cache: dict[str, str | None] = {}

    @classmethod
    def from_config(cls, config_dir: Path) -> FrequencyTable:
        document = load_yaml(config_dir / FREQUENCIES_FILE)
        if not isinstance(document, dict) or "base_uri" not in document:
            raise ConfigError(f"{config_dir / FREQUENCIES_FILE}: expected a mapping with base_uri and frequencies")
        return cls(document)

    def code(self, text: str) -> str | None:
        """Return the EU frequency code for a word, a sentence or an ISO 8601 interval."""
        if text not in self._cache:
            self._cache[text] = self._code(text)
        return self._cache[text]

    def _code(self, text: str) -> str | None:
        iso = _ISO.match(text.strip())
        if iso:
            return self._iso_code(iso)

        folded = fold(text)
        entry = self._aliases.get(folded)
        if entry is not None:
            return entry.code
        return self.code_in_sentence(folded)

    def _iso_code(self, match: re.Match[str]) -> str | None:
        if match.group(5):
            return "HOURLY" if match.group(5) == "1" else None
        for group, unit in zip((1, 2, 3, 4), ("Y", "M", "W", "D"), strict=True):
            if match.group(group):
                return _PERIOD_CODES.get((int(match.group(group)), _ISO_CODES[unit]))
        return None

    @staticmethod
    def code_in_sentence(folded: str) -> str | None:
        """Read a frequency from a folded sentence ("dikeluarkan dalam periode 1 tahun sekali")."""
        times = _TIMES.search(folded)
        if times:
            return _TIMES_CODES.get((_number(times.group(1)), times.group(2)))
        every = _EVERY.search(folded)
        if every and ("sekali" in folded or "setiap" in folded or "tiap" in folded or "periode" in folded):
            return _PERIOD_CODES.get((_number(every.group(1)), every.group(2)))
        return None

    def concept(self, code: str, original: str | None, inferred: bool = False) -> Concept:
        """Build the frequency Concept for an EU code."""
        return Concept(uri=self.base_uri + code, label=self._labels.get(code, code),
                       original=original, inferred=inferred)
