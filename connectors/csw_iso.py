"""Map one ISO 19139 `gmd:MD_Metadata` record to `DatasetRecord` fields.

Plain lxml XPath over a record that already passed the XML gate. Responsible
parties map by role: the originator, author, owner or resource provider is
the creator (Produsen Data), and the publisher, distributor, custodian or
point of contact (in that order) is the publisher. Personal names
(`individualName`) are never copied.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lxml import etree

from harvester.errors import InvalidRecordError
from harvester.model import (
    AccessRights,
    Agent,
    Concept,
    ContactPoint,
    Distribution,
    FileFormat,
    Licence,
    Temporal,
)

__all__ = ["NAMESPACES", "map_iso_record", "record_identifier"]

NAMESPACES = {
    "gmd": "http://www.isotc211.org/2005/gmd",
    "gco": "http://www.isotc211.org/2005/gco",
    "gmx": "http://www.isotc211.org/2005/gmx",
    "gml": "http://www.opengis.net/gml",
    "gml32": "http://www.opengis.net/gml/3.2",
    "srv": "http://www.isotc211.org/2005/srv",
    "xlink": "http://www.w3.org/1999/xlink",
}

_CREATOR_ROLES = ("originator", "author", "owner", "resourceProvider", "principalInvestigator")
_PUBLISHER_ROLES = ("publisher", "distributor", "custodian", "pointOfContact")
_IDENTIFICATION = "gmd:identificationInfo/*[self::gmd:MD_DataIdentification or self::srv:SV_ServiceIdentification]"
_TEXT = "*[self::gco:CharacterString or self::gmx:Anchor]"


def _first(node: etree._Element, path: str) -> str | None:
    for value in node.xpath(path, namespaces=NAMESPACES):
        text = value if isinstance(value, str) else value.text
        if text and text.strip():
            return text.strip()
    return None


def _all(node: etree._Element, path: str) -> list[str]:
    found: list[str] = []
    for value in node.xpath(path, namespaces=NAMESPACES):
        text = value if isinstance(value, str) else value.text
        if text and text.strip() and text.strip() not in found:
            found.append(text.strip())
    return found


def record_identifier(record: etree._Element) -> str | None:
    """Return the record's gmd:fileIdentifier, or None when it has none."""
    return _first(record, f"gmd:fileIdentifier/{_TEXT}")


def _datetime(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        if len(text) == 10:
            return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(), tzinfo=dt.timezone.utc)
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def _citation_date(identification: etree._Element, *types: str) -> str | None:
    for date_type in types:
        path = (f"gmd:citation/gmd:CI_Citation/gmd:date/gmd:CI_Date"
                f"[gmd:dateType/gmd:CI_DateTypeCode/@codeListValue='{date_type}']/gmd:date/*")
        value = _first(identification, path)
        if value:
            return value
    return None


def _parties(identification: etree._Element) -> list[dict[str, str | None]]:
    parties = []
    for party in identification.xpath("gmd:pointOfContact/gmd:CI_ResponsibleParty", namespaces=NAMESPACES):
        parties.append({
            "organisation": _first(party, f"gmd:organisationName/{_TEXT}"),
            "role": _first(party, "gmd:role/gmd:CI_RoleCode/@codeListValue"),
            "email": _first(party, f".//gmd:electronicMailAddress/{_TEXT}"),
            "phone": _first(party, f".//gmd:voice/{_TEXT}"),
            "url": _first(party, ".//gmd:onlineResource//gmd:URL"),
        })
    return parties


def _party_for(parties: list[dict[str, str | None]], roles: tuple[str, ...]) -> dict[str, str | None] | None:
    for role in roles:
        for party in parties:
            if party["role"] == role and party["organisation"]:
                return party
    return None


def _agent(party: dict[str, str | None] | None) -> Agent | None:
    if party is None or not party["organisation"]:
        return None
    return Agent(name=party["organisation"], original=party["organisation"], url=party["url"])


def _contact(record: etree._Element, fallback: dict[str, str | None] | None) -> ContactPoint | None:
    metadata_contact = record.xpath("gmd:contact/gmd:CI_ResponsibleParty", namespaces=NAMESPACES)
    if metadata_contact:
        party = metadata_contact[0]
        return ContactPoint(
            name=_first(party, f"gmd:organisationName/{_TEXT}"),
            email=_first(party, f".//gmd:electronicMailAddress/{_TEXT}"),
            phone=_first(party, f".//gmd:voice/{_TEXT}"),
        )
    if fallback is not None:
        return ContactPoint(name=fallback["organisation"], email=fallback["email"], phone=fallback["phone"])
    return None


def _bounding_box(identification: etree._Element) -> dict[str, float] | None:
    boxes = identification.xpath(".//gmd:EX_GeographicBoundingBox", namespaces=NAMESPACES)
    if not boxes:
        return None
    box: dict[str, float] = {}
    for side in ("westBoundLongitude", "eastBoundLongitude", "southBoundLatitude", "northBoundLatitude"):
        value = _first(boxes[0], f"gmd:{side}/gco:Decimal")
        try:
            box[side] = float(value) if value is not None else float("nan")
        except ValueError:
            return None
    return box if all(value == value for value in box.values()) else None


def _temporal(identification: etree._Element) -> Temporal | None:
    begin = _first(identification, ".//gmd:EX_TemporalExtent//*[local-name()='beginPosition']")
    end = _first(identification, ".//gmd:EX_TemporalExtent//*[local-name()='endPosition']")
    if not begin and not end:
        return None
    start_at, end_at = _datetime(begin), _datetime(end)
    return Temporal(start=start_at.date() if start_at else None, end=end_at.date() if end_at else None,
                    label=f"{begin or ''}/{end or ''}")


def _service_kind(protocol: str, url: str) -> str | None:
    text = f"{protocol} {url}".upper()
    for kind in ("WMS", "WFS", "WCS", "WMTS"):
        if f"OGC:{kind}" in text or f"SERVICE={kind}" in text or f"/{kind}" in text:
            return kind
    return None


def _distributions(record: etree._Element, declared_formats: list[str]) -> tuple[list[Distribution], str | None]:
    distributions: list[Distribution] = []
    landing_page = None
    for resource in record.xpath(".//gmd:transferOptions//gmd:CI_OnlineResource", namespaces=NAMESPACES):
        url = _first(resource, "gmd:linkage/gmd:URL")
        if not url:
            continue
        protocol = _first(resource, f"gmd:protocol/{_TEXT}") or ""
        if protocol.upper().startswith("WWW:LINK") and landing_page is None:
            landing_page = url
            continue

        kind = _service_kind(protocol, url)
        fallback_format = declared_formats[0] if len(declared_formats) == 1 else None
        original = kind or _first(resource, "gmd:applicationProfile/*") or fallback_format or protocol or None
        distributions.append(Distribution(
            title=_first(resource, f"gmd:name/{_TEXT}"),
            description=_first(resource, f"gmd:description/{_TEXT}"),
            access_url=url,
            download_url=url if "DOWNLOAD" in protocol.upper() else None,
            format=FileFormat(original=original) if original else None,
        ))
    return distributions, landing_page


def _licence(identification: etree._Element) -> tuple[Licence | None, str | None]:
    constraints = identification.xpath("gmd:resourceConstraints/*", namespaces=NAMESPACES)
    texts: list[str] = []
    access: str | None = None
    for constraint in constraints:
        texts += _all(constraint, f"gmd:useLimitation/{_TEXT}")
        texts += _all(constraint, f"gmd:otherConstraints/{_TEXT}")
        access = access or _first(constraint, "gmd:accessConstraints/gmd:MD_RestrictionCode/@codeListValue")
    licence = Licence(original="; ".join(texts)) if texts else None
    return licence, access


def map_iso_record(record: etree._Element, *, remote_id: str) -> dict[str, Any]:
    """Return the `DatasetRecord` fields for one ISO 19139 record, without provenance.

    Raises InvalidRecordError when the record has no identification section
    or no title.
    """
    found = record.xpath(_IDENTIFICATION, namespaces=NAMESPACES)
    if not found:
        raise InvalidRecordError(f"record {remote_id} has no identificationInfo", remote_id=remote_id)
    identification = found[0]
    title = _first(identification, f"gmd:citation/gmd:CI_Citation/gmd:title/{_TEXT}")
    if not title:
        raise InvalidRecordError(f"record {remote_id} has no citation title", remote_id=remote_id)

    parties = _parties(identification)
    publisher = _party_for(parties, _PUBLISHER_ROLES)
    declared_formats = _all(record, f".//gmd:distributionFormat/gmd:MD_Format/gmd:name/{_TEXT}")
    distributions, landing_page = _distributions(record, declared_formats)
    licence, access = _licence(identification)
    date_stamp = _first(record, "gmd:dateStamp/*")
    frequency = _first(identification, ".//gmd:MD_MaintenanceFrequencyCode/@codeListValue")

    extras: dict[str, Any] = {
        "metadata_language": _first(record, "gmd:language/gmd:LanguageCode/@codeListValue")
        or _first(record, f"gmd:language/{_TEXT}"),
        "date_stamp": date_stamp,
        "bounding_box": _bounding_box(identification),
        "topic_categories": _all(identification, "gmd:topicCategory/gmd:MD_TopicCategoryCode"),
        "formats": declared_formats,
    }
    return {
        "title": title,
        "description": _first(identification, f"gmd:abstract/{_TEXT}"),
        "keywords": _all(identification, f"gmd:descriptiveKeywords/gmd:MD_Keywords/gmd:keyword/{_TEXT}"),
        "themes": [Concept(original=topic) for topic in extras["topic_categories"]],
        "publisher": _agent(publisher),
        "creator": _agent(_party_for(parties, _CREATOR_ROLES)),
        "contact_point": _contact(record, publisher),
        "temporal": _temporal(identification),
        "issued": _datetime(_citation_date(identification, "publication", "creation")),
        "modified": _datetime(_citation_date(identification, "revision") or date_stamp),
        "frequency": Concept(original=frequency) if frequency else None,
        "licence": licence,
        "access": AccessRights(original=access),
        "landing_page": landing_page,
        "identifiers": [remote_id],
        "distributions": distributions,
        "extras": {key: value for key, value in extras.items() if value},
    }
