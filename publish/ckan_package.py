"""CKAN package dicts built from published datasets, in the shape CKAN 2.9+ returns.

`name` is the Himpun id, so `package_show?id=` accepts either field with the
same value. Harmonized values travel as extras; the `spatial` extra is left
alone because CKAN's spatial extension reads it as GeoJSON.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from harvester.model import Agent, Distribution, PublishedDataset
from index.base import FacetCount

__all__ = ["organization_dict", "organization_from_facet", "organization_key", "organization_name", "package_dict"]

# SPDX ids of licences that meet the Open Definition, for CKAN's `isopen`.
OPEN_LICENCES = frozenset({
    "CC0-1.0", "CC-BY-4.0", "CC-BY-3.0", "CC-BY-SA-4.0", "CC-BY-SA-3.0", "ODbL-1.0", "ODC-By-1.0", "PDDL-1.0",
    "OGL-UK-3.0",
})


def _time(value: dt.datetime | None) -> str | None:
    """CKAN writes naive UTC times with microseconds."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value.isoformat()


_NAME_UNSAFE = re.compile(r"[^a-z0-9_]+")


def organization_key(agent: Agent) -> str:
    """Return the organization name CKAN clients see: the register id, else the name, as the publisher facet keys it."""
    return agent.identifier or agent.name


def organization_name(key: str) -> str:
    """Return `key` as a CKAN organization name: lowercase letters, digits, "-" and "_", 2 to 100 characters.

    CKAN clients and harvesters validate names with that pattern, and
    publisher keys such as "kemendagri:11" or "Dinas Kesehatan" do not match it.
    """
    name = _NAME_UNSAFE.sub("-", key.lower()).strip("-")[:100].rstrip("-")
    if len(name) >= 2:
        return name
    return f"org-{name}".rstrip("-")


def organization_dict(key: str, title: str, package_count: int | None = None) -> dict[str, Any]:
    organization: dict[str, Any] = {
        "id": key,
        "name": organization_name(key),
        "title": title,
        "display_name": title,
        "type": "organization",
        "is_organization": True,
        "state": "active",
        "approval_status": "approved",
        "description": "",
        "image_url": "",
    }
    if package_count is not None:
        organization["package_count"] = package_count
    return organization


def organization_from_facet(facet: FacetCount, with_count: bool) -> dict[str, Any]:
    return organization_dict(facet.key, facet.label, facet.count if with_count else None)


def _resource(dataset: PublishedDataset, position: int, distribution: Distribution) -> dict[str, Any]:
    file_format = distribution.format
    return {
        "id": distribution.remote_id or f"{dataset.id}-{position}",
        "package_id": dataset.id,
        "url": distribution.download_url or distribution.access_url or "",
        "name": distribution.title or "",
        "description": distribution.description or "",
        "format": (file_format.label or file_format.original or "") if file_format else "",
        "mimetype": file_format.media_type if file_format else None,
        "size": distribution.byte_size,
        "created": _time(distribution.issued),
        "last_modified": _time(distribution.modified),
        "position": position,
        "state": "active",
        "url_type": None,
    }


def _extras(dataset: PublishedDataset, base_url: str) -> list[dict[str, str]]:
    record = dataset.record
    extras: dict[str, str] = {"dcat_uri": f"{base_url}/dataset/{dataset.id}"}
    if record.spatial:
        extras["region_code"] = ",".join(f"{r.system.value}:{r.edition}:{r.code}" for r in record.spatial)
        extras["region_name"] = ",".join(r.name or r.original or r.code for r in record.spatial)
    elif record.spatial_text:
        extras["region_name"] = record.spatial_text
    if record.frequency is not None:
        extras["frequency"] = record.frequency.uri or record.frequency.original or ""
    if record.access.level is not None:
        extras["access_level"] = record.access.level.value
    if record.temporal is not None:
        if record.temporal.start:
            extras["temporal_start"] = record.temporal.start.isoformat()
        if record.temporal.end:
            extras["temporal_end"] = record.temporal.end.isoformat()
    if record.themes:
        extras["theme"] = ",".join(concept.uri or concept.label or "" for concept in record.themes)
    if record.creator is not None:
        extras["creator"] = record.creator.name
    if record.issued is not None:
        extras["issued"] = record.issued.isoformat()
    if record.modified is not None:
        extras["modified"] = record.modified.isoformat()
    if dataset.series_id:
        extras["series_id"] = dataset.series_id
    if dataset.sources:
        preferred = dataset.sources[0]
        extras["harvest_source_id"] = preferred.source_id
        extras["harvest_remote_id"] = preferred.remote_id
        extras["harvest_url"] = preferred.remote_url or ""
        extras["harvest_sources"] = ",".join(f"{c.source_id}:{c.remote_id}" for c in dataset.sources)
    return [{"key": key, "value": value} for key, value in sorted(extras.items()) if value]


def package_dict(dataset: PublishedDataset, base_url: str) -> dict[str, Any]:
    """Return the CKAN package dict of `dataset`."""
    record = dataset.record
    publisher = record.publisher
    organization = None
    if publisher is not None:
        organization = organization_dict(organization_key(publisher), publisher.name)
    licence = record.licence
    contact = record.contact_point
    resources = [_resource(dataset, position, d) for position, d in enumerate(record.distributions)]
    tags = [{"name": keyword, "display_name": keyword, "state": "active"} for keyword in dict.fromkeys(record.keywords)]
    return {
        "id": dataset.id,
        "name": dataset.id,
        "title": record.title,
        "notes": record.description or "",
        "type": "dataset",
        "state": "active" if dataset.status.value == "active" else "deleted",
        "private": False,
        "url": record.landing_page or "",
        "author": record.creator.name if record.creator else "",
        "author_email": "",
        "maintainer": contact.name if contact and contact.name else "",
        "maintainer_email": contact.email if contact and contact.email else "",
        "license_id": (licence.spdx_id or licence.original or "") if licence else "",
        "license_title": (licence.title or licence.spdx_id or "") if licence else "",
        "license_url": (licence.uri or "") if licence else "",
        "isopen": bool(licence and licence.spdx_id in OPEN_LICENCES),
        "metadata_created": _time(dataset.created_at),
        "metadata_modified": _time(dataset.updated_at),
        "organization": organization,
        "owner_org": organization["id"] if organization else None,
        "tags": tags,
        "num_tags": len(tags),
        "resources": resources,
        "num_resources": len(resources),
        "groups": [],
        "extras": _extras(dataset, base_url),
        "version": "",
    }
