"""The organization register: Walidata and OPD names resolved to stable identifiers.

A Walidata is either a regional government, identified as
`kemendagri:<code>` and built from the region list, or a national body listed
in organizations.yaml (`kl:<slug>`). An OPD is identified as
`<region code>/<type slug>`, because every regency has a "Dinas Kesehatan";
a district office is `<district code>/kecamatan`.

Names are folded, a trailing region ("Kab. Garut", "Provinsi Aceh", "Muara
Enim") is split off and used as the OPD's region, and the rest is looked up in
the units of that region, then in the generic OPD types, then among combined
agencies ("Dinas Pariwisata dan Kebudayaan" is a Dinas Pariwisata), then by a
close spelling. A name found nowhere is returned as None; the caller reports
it as a candidate and never merges it into another organization.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from rapidfuzz import fuzz, process

from harvester.errors import ConfigError
from harvester.harmonize.reference import ORGANIZATIONS_FILE, load_yaml
from harvester.harmonize.regions import RegionTable
from harvester.harmonize.text import fold, slugify
from harvester.model import Agent

logger = logging.getLogger(__name__)

__all__ = ["OrgMatch", "OrganizationRegister"]

_FUZZY_CUTOFF = 92.0
_FUZZY_MIN_LENGTH = 12
_MAX_REGION_WORDS = 6
_GOVERNMENT_WORDS = frozenset({"pemerintah", "pemkab", "pemkot", "pemprov", "pemda"})
_TRAILING_NOISE = frozenset({"setda", "setdakab", "setdako", "kota", "kabupaten", "provinsi", "daerah kota"})
_DISTRICT_WORDS = frozenset({"kecamatan", "distrik"})
_IDENTIFIER = re.compile(r"^(?:kemendagri:(?P<code>\d{2}(?:\.\d{2})?)|(?P<kl>kl:[a-z0-9-]+))$")


@dataclass(frozen=True, slots=True)
class OrgMatch:
    """A resolved organization: its kind, register identifier, canonical name and region."""

    kind: Literal["walidata", "opd"]
    identifier: str | None
    name: str
    region: str | None = None
    topic: str | None = None
    method: str = "exact"


@dataclass(frozen=True, slots=True)
class _Entry:
    slug: str
    name: str
    topic: str | None


class OrganizationRegister:
    """Lookup tables built from organizations.yaml and the region list."""

    def __init__(self, document: dict[str, Any], regions: RegionTable) -> None:
        self.regions = regions
        self._types: dict[str, _Entry] = {}
        self._type_aliases: dict[str, str] = {}
        self._units: dict[tuple[str, str], _Entry] = {}
        self._unit_names: dict[tuple[str, str], str] = {}
        self._national: dict[str, OrgMatch] = {}
        self._cache: dict[tuple[str, str | None], OrgMatch | None] = {}

        self._load_types(document.get("types") or [])
        self._load_units(document.get("units") or {})
        self._load_walidata(document.get("walidata") or [])
        self._fuzzy_keys = list(self._type_aliases)

    @classmethod
    def from_config(cls, config_dir: Path, regions: RegionTable) -> OrganizationRegister:
        """Build the register from config/reference/organizations.yaml."""
        document = load_yaml(config_dir / ORGANIZATIONS_FILE)
        if not isinstance(document, dict):
            raise ConfigError(f"{config_dir / ORGANIZATIONS_FILE}: expected a mapping with types, units, walidata")
        return cls(document, regions)

    # Loading -------------------------------------------------------------

    def _load_types(self, types: list[dict[str, Any]]) -> None:
        for item in types:
            entry = _Entry(slug=item["slug"], name=item["name"], topic=item.get("topic"))
            self._types[entry.slug] = entry
            for alias in [entry.name, *(item.get("aliases") or [])]:
                self._add_alias(self._type_aliases, fold(alias), entry.slug, "type")

    def _add_alias(self, index: dict, key: object, value: str, what: str) -> None:
        existing = index.get(key)
        if existing is not None and existing != value:
            raise ConfigError(f"organizations.yaml: {what} alias {key!r} names both {existing} and {value}")
        index[key] = value

    def _load_units(self, units: dict[str, list[dict[str, Any]]]) -> None:
        for region, items in units.items():
            region = str(region)
            if self.regions.get(region) is None:
                raise ConfigError(f"organizations.yaml: units are listed under unknown region code {region}")
            for item in items:
                type_slug = item.get("type")
                if type_slug is not None and type_slug not in self._types:
                    raise ConfigError(f"organizations.yaml: unit {item.get('name')!r} names unknown type {type_slug}")
                base = self._types[type_slug] if type_slug else None
                entry = _Entry(slug=type_slug or item["slug"], name=item["name"],
                               topic=item.get("topic") or (base.topic if base else None))
                self._units[(region, entry.slug)] = entry
                for alias in [entry.name, *(item.get("aliases") or [])]:
                    self._unit_names[(region, fold(alias))] = entry.slug

    def _load_walidata(self, items: list[dict[str, Any]]) -> None:
        for item in items:
            match = OrgMatch(kind="walidata", identifier=item["id"], name=item["name"])
            for alias in [item["name"], item["id"].split(":", 1)[-1], *(item.get("aliases") or [])]:
                self._national[fold(alias)] = match

    # Lookups ---------------------------------------------------------------

    def walidata_for_region(self, code: str) -> OrgMatch:
        """Return the regional government of a province, regency or city as a Walidata."""
        row = self.regions.get(code)
        if row is None:
            raise ConfigError(f"unknown Kemendagri code {code} for a Walidata")
        name = f"Provinsi {row.name}" if row.level == "province" else row.name
        return OrgMatch(kind="walidata", identifier=f"kemendagri:{code}", name=name, region=code)

    def resolve(self, text: str, context: str | None = None) -> OrgMatch | None:
        """Resolve a Walidata or OPD name; `context` is the region assumed when the name has none."""
        identifier = _IDENTIFIER.match(text.strip())
        if identifier:
            return self._from_identifier(identifier)

        key = (fold(text), context)
        if key not in self._cache:
            self._cache[key] = self._resolve_folded(key[0], context)
        return self._cache[key]

    def _from_identifier(self, match: re.Match[str]) -> OrgMatch | None:
        if match.group("code"):
            code = match.group("code")
            return self.walidata_for_region(code) if self.regions.get(code) else None
        return next((m for m in self._national.values() if m.identifier == match.group("kl")), None)

    def _resolve_folded(self, folded: str, context: str | None) -> OrgMatch | None:
        if not folded:
            return None
        district = self._district_office(folded, context)
        if district is not None:
            return district

        head, region = self._split_region(folded, context)
        if not head:
            return self.walidata_for_region(region) if region else None
        if head in _GOVERNMENT_WORDS and region:
            return self.walidata_for_region(region)
        if region is None and head in self._national:
            return self._national[head]

        scope = region or context
        return self._find_opd(head, scope)

    def _district_office(self, folded: str, context: str | None) -> OrgMatch | None:
        first, _, rest = folded.partition(" ")
        if first not in _DISTRICT_WORDS or not rest:
            return None
        resolution = self.regions.resolve_name(f"kecamatan {rest}", context)
        if resolution.code is None:
            return None
        row = self.regions.get(resolution.code)
        return OrgMatch(kind="opd", identifier=f"{resolution.code}/kecamatan",
                        name=f"{first.capitalize()} {row.name if row else rest}",
                        region=resolution.code, topic=self._types["kecamatan"].topic
                        if "kecamatan" in self._types else None)

    def _split_region(self, folded: str, context: str | None) -> tuple[str, str | None]:
        """Split a trailing region name off an organization name."""
        words = folded.split()
        for count in range(min(_MAX_REGION_WORDS, len(words)), 0, -1):
            tail = " ".join(words[-count:])
            resolution = self.regions.resolve_name(tail, context)
            if resolution.code is None and not resolution.ambiguous:
                continue
            if resolution.ambiguous and words[-count] not in ("kabupaten", "kab", "kota", "provinsi", "prov"):
                continue
            head_words = words[:-count]
            while head_words and head_words[-1] in _TRAILING_NOISE:
                head_words.pop()
            return " ".join(head_words), resolution.code
        while words and words[-1] in _TRAILING_NOISE and len(words) > 1:
            words.pop()
        return " ".join(words), None

    def _find_opd(self, head: str, scope: str | None) -> OrgMatch | None:
        slug = self._lookup_slug(head, scope)
        method = "exact"
        if slug is None:
            slug, method = self._lookup_combined(head, scope), "combined"
        if slug is None:
            slug, method = self._lookup_fuzzy(head, scope), "fuzzy"
        if slug is None:
            return None
        return self._opd_match(slug, scope, method)

    def _lookup_slug(self, head: str, scope: str | None) -> str | None:
        if scope is not None:
            for region in self._scopes(scope):
                slug = self._unit_names.get((region, head))
                if slug is not None:
                    return slug
        return self._type_aliases.get(head)

    @staticmethod
    def _scopes(scope: str) -> list[str]:
        parts = scope.split(".")
        return [".".join(parts[:size]) for size in range(len(parts), 0, -1)]

    def _lookup_combined(self, head: str, scope: str | None) -> str | None:
        """Match "Dinas Pariwisata dan Kebudayaan" to the type named by its first affair."""
        words = head.split()
        if "dan" not in words:
            return None
        for size in range(len(words) - 1, 1, -1):
            if "dan" not in words[size:]:
                continue
            slug = self._lookup_slug(" ".join(words[:size]), scope)
            if slug is not None:
                return slug
        return None

    def _lookup_fuzzy(self, head: str, scope: str | None) -> str | None:
        if len(head) < _FUZZY_MIN_LENGTH:
            return None
        keys = self._fuzzy_keys
        if scope is not None:
            keys = keys + [name for (region, name) in self._unit_names if region == scope]
        best = process.extractOne(head, keys, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF)
        if best is None:
            return None
        return self._lookup_slug(best[0], scope)

    def _opd_match(self, slug: str, scope: str | None, method: str) -> OrgMatch:
        unit = None
        if scope is not None:
            unit = next((self._units[(region, slug)] for region in self._scopes(scope)
                         if (region, slug) in self._units), None)
        entry = unit or self._types[slug]
        region = scope
        if unit is not None and scope is not None:
            region = next(r for r in self._scopes(scope) if (r, slug) in self._units)
        identifier = f"{region}/{slug}" if region else None
        return OrgMatch(kind="opd", identifier=identifier, name=entry.name, region=region,
                        topic=entry.topic, method=method)

    def to_agent(self, match: OrgMatch, original: str | None, url: str | None = None) -> Agent:
        """Build the harmonized Agent for a match, keeping the source's own text in `original`."""
        region = self.regions.kemendagri(match.region) if match.region else None
        return Agent(name=match.name, original=original, identifier=match.identifier, region=region, url=url)

    def type_slugs(self) -> list[str]:
        return sorted(self._types)

    def slug_of(self, name: str) -> str:
        return slugify(name)
