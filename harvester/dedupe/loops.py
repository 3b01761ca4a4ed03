"""Harvest loops: records that an aggregator republished from a source Himpun also harvests.

data.go.id and province portals harvest regency portals, and Himpun may
harvest both. A republished CKAN record names its origin in the
`harvest_source_title` extra ("Kabupaten Kampar - CKAN") and its resource
URLs point back at the origin portal's host.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from harvester.dedupe.normalize import fold_text
from harvester.model import DatasetRecord
from harvester.sources import SourceConfig

# The harvester type named after the dash, mapped to connector families.
HARVEST_TYPES = {
    "ckan": {"ckan"},
    "csw": {"csw"},
    "dcat": {"dcat-rdf", "dcat-us"},
    "dcat rdf": {"dcat-rdf"},
    "dcat json": {"dcat-us"},
    "waf": {"csw"},
}


def origin_source_for(record: DatasetRecord, sources: Sequence[SourceConfig]) -> str | None:
    """Return the id of the configured source `record` was republished from, if any."""
    own = record.provenance.source_id
    by_title = _origin_by_harvest_title(record, sources)
    if by_title and by_title != own:
        return by_title

    hosts = {_host(distribution.download_url or distribution.access_url) for distribution in record.distributions}
    hosts.discard(None)
    for source in sources:
        if source.id != own and _host(source.url) in hosts:
            return source.id
    return None


def _origin_by_harvest_title(record: DatasetRecord, sources: Sequence[SourceConfig]) -> str | None:
    title = record.extras.get("harvest_source_title")
    if not isinstance(title, str) or " - " not in title:
        return None
    name, _, kind = title.rpartition(" - ")
    families = HARVEST_TYPES.get(kind.strip().lower(), set())
    folded_name = fold_text(name)

    for source in sources:
        names = {fold_text(source.name)}
        if source.walidata:
            names.add(fold_text(source.walidata))
        if folded_name in names and (not families or source.family in families):
            return source.id
    return None


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.lower() if host else None
