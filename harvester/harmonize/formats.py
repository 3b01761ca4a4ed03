"""Distribution formats: free text, URL extensions and media types mapped to one FileFormat.

The declared format is checked against what the file is: the extension of the
URL path and the declared media type. When both sides are known and differ
(a PNG declared as CSV), the file's own evidence wins and the disagreement is
kept in `FileFormat.conflict` for the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harvester.errors import ConfigError
from harvester.harmonize.reference import VOCABULARY_DIR, load_yaml
from harvester.harmonize.text import fold
from harvester.model import FileFormat

__all__ = ["FormatResult", "FormatTable"]

FORMATS_FILE = VOCABULARY_DIR / "formats.yaml"


@dataclass(frozen=True, slots=True)
class _Format:
    label: str
    media_type: str | None
    file_type_uri: str
    family: str


@dataclass(frozen=True, slots=True)
class FormatResult:
    """The mapped format (None when nothing was stated) and whether the declared text was understood."""

    format: FileFormat | None
    mapped: bool


def url_extension(url: str | None) -> str | None:
    """Return the lowercase extension of a URL's path, ignoring its query ("a/b.CSV?x" -> "csv")."""
    if not url:
        return None
    # Plain string splitting: urlsplit costs more than the rest of the format mapping.
    path = url.partition("?")[0].partition("#")[0]
    if "://" in path:
        path = path.split("://", 1)[1].partition("/")[2]
    last = path.rsplit("/", 1)[-1]
    if "." not in last:
        return None
    return last.rsplit(".", 1)[-1].lower() or None


class FormatTable:
    """Lookup of formats.yaml by alias, URL extension and media type."""

    def __init__(self, document: dict[str, Any]) -> None:
        base = document["base_uri"]
        self._aliases: dict[str, _Format] = {}
        self._extensions: dict[str, _Format] = {}
        self._media_types: dict[str, _Format] = {}
        self._cache: dict[tuple[str | None, str | None, str | None], FormatResult] = {}

        for item in document.get("formats") or []:
            entry = _Format(label=item["label"], media_type=item.get("media_type"),
                            file_type_uri=base + item["file_type"], family=item.get("family") or item["label"])
            for alias in [item["label"], item["file_type"], *(item.get("aliases") or [])]:
                self._aliases.setdefault(fold(str(alias)), entry)
            for extension in item.get("extensions") or []:
                self._extensions[extension.lower()] = entry
            for media_type in [item.get("media_type"), *(item.get("media_types") or [])]:
                if media_type:
                    self._media_types[media_type.lower()] = entry
                    self._aliases.setdefault(fold(media_type), entry)

    @classmethod
    def from_config(cls, config_dir: Path) -> FormatTable:
        document = load_yaml(config_dir / FORMATS_FILE)
        if not isinstance(document, dict) or "base_uri" not in document:
            raise ConfigError(f"{config_dir / FORMATS_FILE}: expected a mapping with base_uri and formats")
        return cls(document)

    def map(self, declared: str | None, url: str | None = None, media_type: str | None = None) -> FormatResult:
        """Map a declared format, checked against the URL extension and the media type."""
        key = (declared, url_extension(url), media_type)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._map(*key)
            if len(self._cache) < 100_000:
                self._cache[key] = cached
        return cached

    def _map(self, declared: str | None, extension: str | None, media_type: str | None) -> FormatResult:
        stated = self._aliases.get(fold(declared)) if declared and declared.strip() else None
        by_extension = self._extensions.get(extension) if extension else None
        by_media_type = self._media_types.get(media_type.split(";")[0].strip().lower()) if media_type else None
        evidence = by_extension or by_media_type

        if stated is not None and evidence is not None and stated.family != evidence.family:
            seen = [f"URL extension .{extension}" if by_extension else None,
                    f"media type {media_type}" if by_media_type else None]
            conflict = f"declared {declared.strip()!r} but {' and '.join(s for s in seen if s)} say {evidence.label}"
            return FormatResult(self._build(evidence, declared, conflict), mapped=True)

        chosen = stated or evidence
        if chosen is None:
            empty = not (declared and declared.strip())
            return FormatResult(None if empty else FileFormat(original=declared), mapped=empty)
        return FormatResult(self._build(chosen, declared, None), mapped=True)

    @staticmethod
    def _build(entry: _Format, original: str | None, conflict: str | None) -> FileFormat:
        return FileFormat(label=entry.label, media_type=entry.media_type, file_type_uri=entry.file_type_uri,
                          original=original, conflict=conflict)
