"""Region codes: parse Kemendagri and BPS codes, resolve region names, read regions from titles.

Kemendagri codes are dotted (`18`, `18.09`, `18.09.01`, `18.09.01.2001`);
BPS codes are plain digits of 2, 4, 7 or 10 characters. The same number can
mean different regions in the two systems (BPS `1801` is Kemendagri `18.04`),
so every code produced here carries its system and edition. An undotted code
whose system is unknown is accepted only when both readings name the same
region.

Names resolve against the 2025 Kemendagri list. A name shared by several
regions (Kabupaten Solok and Kota Solok are both "Solok") is decided by the
context region, usually the source's own region; without a deciding context
the result is ambiguous and the caller reports it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from harvester.harmonize.reference import (
    CROSSWALK_DIR,
    REGION_ALIASES_FILE,
    REGIONS_FILE,
    CrosswalkRow,
    RegionRow,
    load_crosswalk,
    load_csv_pairs,
    load_regions,
)
from harvester.harmonize.text import fold
from harvester.model import RegionCode, RegionSystem

logger = logging.getLogger(__name__)

__all__ = ["CodeParse", "NameResolution", "RegionTable", "TextRegions"]

KEMENDAGRI_EDITION = "2025"
BPS_EDITION = "2020"
CROSSWALK_KEMENDAGRI_EDITION = "2020"

_DOTTED = re.compile(r"^\d{2}(?:\.\d{2}(?:\.\d{2}(?:\.\d{4})?)?)?$")
_DIGITS = re.compile(r"^\d+$")
_BPS_LENGTHS = (2, 4, 7, 10)

# Folded qualifier words and the levels they announce.
_QUALIFIERS: dict[str, tuple[str, ...]] = {
    "provinsi": ("province",),
    "propinsi": ("province",),
    "prov": ("province",),
    "kabupaten": ("regency",),
    "kab": ("regency",),
    "kota": ("city",),
    "kecamatan": ("district",),
    "kec": ("district",),
    "distrik": ("district",),
}
# After these words a bare region name ("di Jawa Barat", "se Aceh") is read too.
_BARE_MARKERS = frozenset({"di", "se", "wilayah"})

# "menurut Kabupaten/Kota", "per kecamatan", "Kabupaten/Kota di ...": a
# breakdown, not a region. Applied to folded text, where "/" became a space.
_LEVEL_WORDS = r"(?:kabupaten kota|kab kota|kabupaten|kota|kecamatan|kelurahan|desa|distrik|provinsi|wilayah)"
_BREAKDOWN = re.compile(
    rf"\b(?:menurut|per|berdasarkan|tiap|setiap|antar|seluruh)\s+{_LEVEL_WORDS}\b"
    r"|\b(?:kabupaten|kab)\s+kota\b"
    rf"|\b{_LEVEL_WORDS}\b(?=\s*(?:$|di\b|dan\b|dalam\b|tahun\b|\d))"
)
_MAX_NAME_WORDS = 5
# Titles without any of these words name no region: skip the window search.
_MARKER_WORDS = re.compile(r"\b(?:provinsi|propinsi|prov|kabupaten|kab|kota|kecamatan|kec|distrik|di|se|wilayah)\b")


@dataclass(frozen=True, slots=True)
class CodeParse:
    """Result of parsing a code: the codes found (Kemendagri first) or the reason for none."""

    codes: tuple[RegionCode, ...] = ()
    problem: str | None = None
    kind: str = "unmapped"


@dataclass(frozen=True, slots=True)
class NameResolution:
    """Result of resolving one region name: one code, several candidates, or nothing."""

    code: str | None
    candidates: tuple[str, ...] = ()

    @property
    def ambiguous(self) -> bool:
        return self.code is None and len(self.candidates) > 1


@dataclass(frozen=True, slots=True)
class TextRegions:
    """Regions read from free text, with the fragments that named them."""

    found: tuple[tuple[str, str], ...] = ()
    ambiguous: tuple[tuple[str, tuple[str, ...]], ...] = ()


def _base_name(name: str) -> str:
    """Fold a region name and drop its level prefix ("Kota Administrasi Jakarta Pusat" -> "jakarta pusat")."""
    folded = fold(name)
    for prefix in ("kabupaten administrasi ", "kota administrasi ", "kabupaten ", "kota ", "provinsi "):
        if folded.startswith(prefix):
            return folded[len(prefix):]
    return folded


def _dot(code: str) -> str:
    """Insert the dots of a Kemendagri code printed without them (`110907` -> `11.09.07`)."""
    parts = [code[0:2], code[2:4], code[4:6], code[6:]]
    return ".".join(part for part in parts if part)


def _is_related(code: str, context: str) -> bool:
    return code == context or code.startswith(context + ".") or context.startswith(code + ".")


class RegionTable:
    """The Kemendagri 2025 list, the 2020 BPS crosswalk and the name indexes built from them."""

    def __init__(self, rows: tuple[RegionRow, ...], crosswalk: tuple[CrosswalkRow, ...],
                 aliases: list[tuple[str, str]]) -> None:
        self._by_code: dict[str, RegionRow] = {row.code: row for row in rows}
        self._qualified: dict[tuple[str, str], list[str]] = {}
        self._bare: dict[str, list[str]] = {}
        self._districts: dict[str, list[str]] = {}
        self._bps: dict[str, CrosswalkRow] = {row.bps_code: row for row in crosswalk}
        self._resolved: dict[tuple[str, str | None], NameResolution] = {}

        self._index_names(rows)
        self._index_aliases(aliases)

    @classmethod
    def from_config(cls, config_dir: Path) -> RegionTable:
        """Build the table from config/reference (regions, crosswalk, aliases)."""
        return cls(
            load_regions(config_dir / REGIONS_FILE),
            load_crosswalk(config_dir / CROSSWALK_DIR),
            load_csv_pairs(config_dir / REGION_ALIASES_FILE),
        )

    def _add(self, index: dict, key: object, code: str) -> None:
        codes = index.setdefault(key, [])
        if code not in codes:
            codes.append(code)

    def _index_names(self, rows: tuple[RegionRow, ...]) -> None:
        for row in rows:
            if row.level == "village":
                continue
            base = _base_name(row.name)
            if row.level == "district":
                self._add(self._districts, base, row.code)
                continue
            self._add(self._qualified, (row.level, base), row.code)
            self._add(self._bare, base, row.code)

    def _index_aliases(self, aliases: list[tuple[str, str]]) -> None:
        for alias, code in aliases:
            row = self._by_code.get(code)
            if row is None:
                logger.warning("region alias %r names unknown code %s; alias ignored", alias, code)
                continue
            folded = fold(alias)
            level_words = folded.split(" ", 1)
            if len(level_words) == 2 and level_words[0] in _QUALIFIERS:
                for level in _QUALIFIERS[level_words[0]]:
                    if level == "district":
                        self._add(self._districts, level_words[1], code)
                    else:
                        self._add(self._qualified, (level, level_words[1]), code)
            if row.level != "district":
                self._add(self._bare, folded, code)

    # Codes -------------------------------------------------------------

    def get(self, code: str) -> RegionRow | None:
        """Return the Kemendagri 2025 region for a dotted code."""
        return self._by_code.get(code)

    def kemendagri(self, code: str, original: str | None = None) -> RegionCode:
        """Build a Kemendagri 2025 RegionCode for a known dotted code."""
        row = self._by_code[code]
        return RegionCode(system=RegionSystem.KEMENDAGRI, edition=KEMENDAGRI_EDITION,
                          code=code, name=row.name, original=original)

    def bps_counterpart(self, bps_code: str) -> str | None:
        """Return the Kemendagri 2025 code of a BPS 2020 code through the crosswalk."""
        row = self._bps.get(bps_code)
        if row is None:
            return None
        dotted = _dot(row.kemendagri_code)
        current = self._by_code.get(dotted)
        if current is not None and _base_name(current.name) == _base_name(row.kemendagri_name.replace("KAB.", "")):
            return dotted

        # Codes moved between editions (Papua was split in 2022): find the same name instead.
        parent = self._by_code.get(dotted[:2])
        context = parent.code if parent and len(dotted) > 2 else None
        resolution = self.resolve_name(row.kemendagri_name, context=None)
        if resolution.code is None and context:
            resolution = self.resolve_name(row.kemendagri_name, context=context)
        return resolution.code

    def parse_code(self, text: str, system: RegionSystem | None = None) -> CodeParse:
        """Parse one code; return the Kemendagri code and, for a BPS code, the BPS one too."""
        value = text.strip()
        if "." in value and _DOTTED.match(value):
            return self._parse_kemendagri(value, original=text)
        if not _DIGITS.match(value):
            return CodeParse(problem=f"not a region code: {text!r}")
        if system is RegionSystem.BPS:
            return self._parse_bps(value, original=text)
        if system is RegionSystem.KEMENDAGRI:
            return self._parse_kemendagri(_dot(value), original=text)
        return self._parse_undeclared(value, original=text)

    def _parse_kemendagri(self, code: str, original: str) -> CodeParse:
        if code not in self._by_code:
            return CodeParse(problem=f"Kemendagri code {code} is not in the {KEMENDAGRI_EDITION} list")
        return CodeParse(codes=(self.kemendagri(code, original),))

    def _parse_bps(self, code: str, original: str) -> CodeParse:
        if len(code) not in _BPS_LENGTHS:
            return CodeParse(problem=f"BPS codes have 2, 4, 7 or 10 digits, got {code!r}")
        row = self._bps.get(code)
        bps = RegionCode(system=RegionSystem.BPS, edition=BPS_EDITION, code=code,
                         name=row.bps_name if row else None, original=original)
        counterpart = self.bps_counterpart(code)
        if counterpart is None:
            return CodeParse(codes=(bps,), problem=f"BPS code {code} has no Kemendagri counterpart in the crosswalk")
        return CodeParse(codes=(self.kemendagri(counterpart, original), bps))

    def _parse_undeclared(self, code: str, original: str) -> CodeParse:
        if len(code) == 2:
            return CodeParse(problem=f"two-digit code {code} without its system (BPS or Kemendagri)",
                             kind="ambiguous")
        if len(code) == 6:
            return self._parse_kemendagri(_dot(code), original)
        if len(code) == 7:
            return self._parse_bps(code, original)

        as_kemendagri = _dot(code) if _dot(code) in self._by_code else None
        as_bps = self.bps_counterpart(code)
        if as_kemendagri is not None and as_kemendagri == as_bps:
            return self._parse_bps(code, original)
        return CodeParse(problem=f"code {code} without its system reads differently in BPS and Kemendagri",
                         kind="ambiguous")

    # Names -------------------------------------------------------------

    def resolve_name(self, text: str, context: str | None = None) -> NameResolution:
        """Resolve a region name ("Kab. Pesawaran", "Kota Solok", "Solok") to one dotted code.

        `context` is a dotted Kemendagri code that decides between regions of
        the same name: a candidate equal to it, or the only candidate inside or
        around it, wins.
        """
        key = (fold(text), context)
        cached = self._resolved.get(key)
        if cached is None:
            cached = self._resolve_folded(key[0], context)
            self._resolved[key] = cached
        return cached

    def _resolve_folded(self, folded: str, context: str | None) -> NameResolution:
        first, _, rest = folded.partition(" ")
        if first in _QUALIFIERS and rest:
            candidates: list[str] = []
            for level in _QUALIFIERS[first]:
                candidates += self._lookup(level, rest, context)
        else:
            candidates = list(self._bare.get(folded, ()))
        return self._pick(tuple(candidates), context)

    def _lookup(self, level: str, name: str, context: str | None) -> list[str]:
        if level == "district":
            return list(self._districts.get(name, ()))
        return list(self._qualified.get((level, name), ()))

    @staticmethod
    def _pick(candidates: tuple[str, ...], context: str | None) -> NameResolution:
        if len(candidates) == 1:
            return NameResolution(code=candidates[0], candidates=candidates)
        if not candidates or context is None:
            return NameResolution(code=None, candidates=candidates)

        if context in candidates:
            return NameResolution(code=context, candidates=candidates)
        related = [code for code in candidates if _is_related(code, context)]
        if len(related) == 1:
            return NameResolution(code=related[0], candidates=candidates)
        return NameResolution(code=None, candidates=tuple(related) or candidates)

    def from_slug(self, slug: str, context: str | None = None) -> str | None:
        """Return the region of a data.go.id organization slug (`kabupaten-kampar`, `kota-batu`)."""
        return self.resolve_name(slug.replace("-", " "), context).code

    def from_harvest_source_title(self, title: str) -> str | None:
        """Return the region named before " - " in a data.go.id harvest source title."""
        name = title.split(" - ", 1)[0]
        return self.resolve_name(name).code

    # Free text ---------------------------------------------------------

    def find_in_text(self, text: str, context: str | None = None) -> TextRegions:
        """Read the regions a title names ("di Kabupaten Kampar", "Provinsi Aceh", "se Kabupaten X").

        Breakdowns such as "menurut Kabupaten/Kota" or "per kecamatan" are not
        regions. When several regions are named, ancestors of another match
        are dropped, so "Kecamatan Dongko" wins over "Kabupaten Trenggalek".
        """
        folded = fold(text)
        if not _MARKER_WORDS.search(folded):
            return TextRegions()
        found: dict[str, str] = {}
        ambiguous: list[tuple[str, tuple[str, ...]]] = []
        for segment in _BREAKDOWN.split(folded):
            self._scan_segment(segment.split(), context, found, ambiguous)

        specific = tuple((code, fragment) for code, fragment in found.items()
                         if not any(other.startswith(code + ".") for other in found))
        return TextRegions(found=specific, ambiguous=tuple(ambiguous))

    def _scan_segment(self, words: list[str], context: str | None, found: dict[str, str],
                      ambiguous: list[tuple[str, tuple[str, ...]]]) -> None:
        position = 0
        while position < len(words):
            word = words[position]
            if word in _QUALIFIERS or word in _BARE_MARKERS:
                consumed = self._match_after(words, position, context, found, ambiguous)
                if consumed:
                    position += consumed
                    continue
            position += 1

    def _match_after(self, words: list[str], position: int, context: str | None,
                     found: dict[str, str], ambiguous: list[tuple[str, tuple[str, ...]]]) -> int:
        word = words[position]
        qualified = word in _QUALIFIERS
        if qualified and _QUALIFIERS[word] == ("district",):
            # A district name is only unique inside its regency: prefer a regency already read.
            regencies = [code for code in found if code.count(".") == 1]
            context = regencies[0] if regencies else context

        last = min(len(words), position + 1 + _MAX_NAME_WORDS)
        for end in range(last, position + 1, -1):
            name = " ".join(words[position + 1:end])
            query = f"{word} {name}" if qualified else name
            resolution = self.resolve_name(query, context)
            if resolution.code is not None:
                start = position + 1 if word in _BARE_MARKERS else position
                found.setdefault(resolution.code, " ".join(words[start:end]))
                return end - position
            if resolution.ambiguous:
                ambiguous.append((" ".join(words[position:end]), resolution.candidates))
                return end - position
        return 0
