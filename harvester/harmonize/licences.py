"""Licences: CKAN license ids, titles and URLs mapped to SPDX identifiers and URIs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harvester.errors import ConfigError
from harvester.harmonize.reference import VOCABULARY_DIR, load_yaml
from harvester.harmonize.text import fold
from harvester.model import Licence

__all__ = ["LicenceResult", "LicenceTable"]

LICENCES_FILE = VOCABULARY_DIR / "licences.yaml"
_URL_PREFIX = re.compile(r"^https?://(?:www\.)?", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class LicenceResult:
    """The mapped licence (None when the value states no licence) and whether it was understood."""

    licence: Licence | None
    mapped: bool


def _key(text: str) -> str:
    """Fold a licence value; URLs lose their scheme, `www.` and trailing slash first."""
    value = text.strip()
    if _URL_PREFIX.match(value):
        value = _URL_PREFIX.sub("", value).rstrip("/")
    return fold(value)


class LicenceTable:
    """Lookup of licences.yaml."""

    def __init__(self, document: dict[str, Any]) -> None:
        self._none = {_key(str(value)) for value in document.get("none") or [] if value is not None}
        self._none.add("")
        self._by_key: dict[str, dict[str, str]] = {}
        for item in document.get("licences") or []:
            for alias in [item["spdx"], item["title"], item["uri"], *(item.get("aliases") or [])]:
                self._by_key[_key(str(alias))] = item
        self._cache: dict[str, LicenceResult] = {}

    @classmethod
    def from_config(cls, config_dir: Path) -> LicenceTable:
        document = load_yaml(config_dir / LICENCES_FILE)
        if not isinstance(document, dict):
            raise ConfigError(f"{config_dir / LICENCES_FILE}: expected a mapping with none and licences")
        return cls(document)

    def map(self, original: str | None) -> LicenceResult:
        """Map a licence value; an empty or "not specified" value yields no licence."""
        if original is None:
            return LicenceResult(licence=None, mapped=True)
        cached = self._cache.get(original)
        if cached is None:
            cached = self._map(original)
            if len(self._cache) < 10_000:
                self._cache[original] = cached
        # Each record gets its own Licence, so editing one never changes another.
        licence = cached.licence.model_copy() if cached.licence is not None else None
        return LicenceResult(licence=licence, mapped=cached.mapped)

    def _map(self, original: str) -> LicenceResult:
        key = _key(original)
        if key in self._none:
            return LicenceResult(licence=None, mapped=True)

        item = self._by_key.get(key)
        if item is None:
            return LicenceResult(licence=Licence(original=original), mapped=False)
        return LicenceResult(
            licence=Licence(spdx_id=item["spdx"], uri=item["uri"], title=item["title"], original=original),
            mapped=True,
        )
