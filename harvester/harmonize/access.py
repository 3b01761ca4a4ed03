"""Access levels: terbuka / terbatas / tertutup from the source's own wording."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harvester.errors import ConfigError
from harvester.harmonize.reference import VOCABULARY_DIR, load_yaml
from harvester.harmonize.text import fold
from harvester.model import AccessLevel, AccessRights

__all__ = ["AccessResult", "AccessTable"]

ACCESS_FILE = VOCABULARY_DIR / "access.yaml"


@dataclass(frozen=True, slots=True)
class AccessResult:
    """The decided access rights and whether a stated value was understood."""

    rights: AccessRights
    mapped: bool


class AccessTable:
    """Lookup of access.yaml."""

    def __init__(self, document: dict[str, Any]) -> None:
        self._levels: dict[str, AccessLevel] = {}
        for level_name, aliases in (document.get("levels") or {}).items():
            level = AccessLevel(level_name)
            for alias in [level_name, *(aliases or [])]:
                self._levels[fold(str(alias))] = level

    @classmethod
    def from_config(cls, config_dir: Path) -> AccessTable:
        document = load_yaml(config_dir / ACCESS_FILE)
        if not isinstance(document, dict) or "levels" not in document:
            raise ConfigError(f"{config_dir / ACCESS_FILE}: expected a mapping with levels")
        return cls(document)

    def decide(self, current: AccessRights, default: AccessLevel | None) -> AccessResult:
        """Decide the access level of a record.

        A level the connector already set is kept. A stated value is mapped;
        one that is not understood leaves the level unset, which holds the
        record back. Only an empty value takes the source's default.
        """
        if current.level is not None:
            return AccessResult(rights=current, mapped=True)

        original = current.original
        if original is not None and fold(original):
            level = self._levels.get(fold(original))
            return AccessResult(rights=AccessRights(level=level, original=original), mapped=level is not None)

        if default is None:
            return AccessResult(rights=AccessRights(original=original), mapped=True)
        return AccessResult(rights=AccessRights(level=default, original=original, defaulted=True), mapped=True)
