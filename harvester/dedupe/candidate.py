"""A light view of one harvested record with everything the matcher compares."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from harvester.dedupe.normalize import content_tokens, fold_text, normalize_url, strip_numbering
from harvester.dedupe.period import Period, find_period
from harvester.model import DatasetRecord

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

# CKAN extras and record fields whose values identify a dataset across portals.
IDENTIFIER_EXTRAS = ("guid", "harvest_object_id", "identifier", "dct_identifier", "ckan_id")


@dataclass(slots=True)
class Candidate:
    """One source copy in the form the matcher compares. `key` is (source id, remote id)."""

    key: tuple[str, str]
    title: str
    tokens: tuple[str, ...]
    period: Period | None
    period_words: frozenset[str]
    publisher: str | None
    creator: str | None
    regions: frozenset[str]
    identifiers: frozenset[str]
    urls: frozenset[str]
    landing_page: str | None
    origin_source: str | None = None
    origin_name: str | None = None
    priority: int = 50
    modified: float = 0.0
    completeness: int = 0
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def source_id(self) -> str:
        return self.key[0]


def identifier_keys(record: DatasetRecord) -> frozenset[str]:
    """Return identifiers that are globally unique: UUIDs, and URIs.

    CKAN slugs (`name`) are unique only inside one portal, so they are not
    used here. The harvest-loop rule matches them together with the portal.
    """
    values = list(record.identifiers)
    for name in IDENTIFIER_EXTRAS:
        value = record.extras.get(name)
        if isinstance(value, str):
            values.append(value)

    keys: set[str] = set()
    for value in values:
        value = value.strip().lower()
        if _UUID.match(value):
            keys.add(f"uuid:{value}")
        elif value.startswith(("http://", "https://")):
            url = normalize_url(value)
            if url:
                keys.add(f"uri:{url}")
    return frozenset(keys)


# OGC service requests that describe a whole service, not one dataset: many
# layers of one geoportal share the same GetCapabilities URL.
_SERVICE_PATH = re.compile(r"/(ows|wms|wfs|wcs|wmts|csw)$")
_LAYER_PARAMETERS = ("layers=", "layer=", "typename=", "typenames=", "coverageid=")


def is_service_endpoint(key: str) -> bool:
    """True for a normalized URL of a whole OGC service rather than one layer or file."""
    path, _, query = key.partition("?")
    query = query.lower()
    if "request=getcapabilities" in query:
        return True
    return bool(_SERVICE_PATH.search(path.lower())) and not any(name in query for name in _LAYER_PARAMETERS)


def distribution_keys(record: DatasetRecord) -> frozenset[str]:
    urls: set[str] = set()
    for distribution in record.distributions:
        for url in (distribution.download_url, distribution.access_url):
            key = normalize_url(url)
            if key and not is_service_endpoint(key):
                urls.add(key)
    return frozenset(urls)


def completeness(record: DatasetRecord) -> int:
    """Count the filled optional fields. The merge prefers fuller copies."""
    fields = (
        record.description, record.keywords, record.themes, record.publisher, record.creator,
        record.contact_point, record.spatial, record.temporal, record.issued, record.modified,
        record.frequency, record.licence, record.landing_page, record.distributions,
    )
    return sum(1 for value in fields if value)


def region_keys(record: DatasetRecord) -> frozenset[str]:
    return frozenset(f"{code.system.value}:{code.code}" for code in record.spatial)


def build_candidate(record: DatasetRecord, *, priority: int = 50, region_words: frozenset[str] = frozenset(),
                    origin_source: str | None = None) -> Candidate:
    """Build the matcher's view of `record`.

    `region_words` are folded region names to ignore in titles, so "Jumlah
    Penduduk Kabupaten Kampar" and "Jumlah Penduduk" of the Kampar portal
    compare equal. `origin_source` is the Himpun source a republished record
    came from (see `loops.origin_source_for`).
    """
    folded = fold_text(strip_numbering(record.title))
    period_match = find_period(folded)
    period_words = period_match.words if period_match else frozenset()
    tokens = tuple(content_tokens(folded.split(), region_words | period_words))

    modified = record.modified or record.issued
    return Candidate(
        key=(record.provenance.source_id, record.provenance.remote_id),
        title=record.title,
        tokens=tokens,
        period=period_match.period if period_match else None,
        period_words=period_words,
        publisher=_agent_key(record.publisher),
        creator=_agent_key(record.creator),
        regions=region_keys(record),
        identifiers=identifier_keys(record),
        urls=distribution_keys(record),
        landing_page=normalize_url(record.landing_page),
        origin_source=origin_source,
        origin_name=record.extras.get("name") if isinstance(record.extras.get("name"), str) else None,
        priority=priority,
        modified=modified.timestamp() if modified else 0.0,
        completeness=completeness(record),
    )


def _agent_key(agent: object) -> str | None:
    if agent is None:
        return None
    identifier = getattr(agent, "identifier", None)
    if identifier:
        return str(identifier)
    name = getattr(agent, "name", None)
    return fold_text(name) if name else None
