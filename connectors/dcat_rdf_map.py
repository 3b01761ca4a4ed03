"""Map one DCAT dataset description (DCAT-AP 2 and 3 terms) to a `DatasetRecord`.

Among language-tagged literals the Indonesian value wins, then English, then
an untagged one. The values in other languages go to `extras` under
`<field>_translations`, keyed by language tag.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, SKOS, Namespace
from rdflib.term import Node

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

__all__ = ["LANGUAGE_PREFERENCE", "RecordFields", "map_dataset", "pick_literal"]

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SCHEMA = Namespace("http://schema.org/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
# DCAT 3 terms missing from rdflib's closed DCAT namespace.
DCAT3 = Namespace("http://www.w3.org/ns/dcat#")

LANGUAGE_PREFERENCE = ("id", "en", "")

RecordFields = dict[str, Any]


def _language(literal: Literal) -> str:
    return (literal.language or "").lower().split("-")[0]


def pick_literal(values: list[Node]) -> tuple[str | None, dict[str, str]]:
    """Return the preferred text among `values` and the other languages' texts by tag."""
    literals = [value for value in values if isinstance(value, Literal) and str(value).strip()]
    if not literals:
        others = [str(value) for value in values]
        return (others[0] if others else None), {}

    ranked = sorted(literals, key=lambda lit: (_rank(_language(lit)), str(lit)))
    chosen = ranked[0]
    translations = {
        lit.language: str(lit).strip()
        for lit in ranked[1:]
        if lit.language and _language(lit) != _language(chosen)
    }
    return str(chosen).strip(), translations


def _rank(language: str) -> int:
    if language in LANGUAGE_PREFERENCE:
        return LANGUAGE_PREFERENCE.index(language)
    return len(LANGUAGE_PREFERENCE)


def _text(graph: Graph, node: Node, *predicates: URIRef) -> str | None:
    for predicate in predicates:
        text, _ = pick_literal(list(graph.objects(node, predicate)))
        if text:
            return text
    return None


def _label(graph: Graph, node: Node) -> str:
    """Return a readable label for a node: its literal, its preferred label or its IRI."""
    if isinstance(node, Literal):
        return str(node).strip()
    label = _text(graph, node, SKOS.prefLabel, DCTERMS.title, FOAF.name, VCARD.fn, RDF.value)
    return label or str(node)


def parse_datetime(value: Node | None) -> dt.datetime | None:
    """Parse an xsd:date, xsd:dateTime or xsd:gYear literal; None when it is not a date."""
    if value is None:
        return None
    text = str(value).strip()
    try:
        if len(text) == 4 and text.isdigit():
            return dt.datetime(int(text), 1, 1, tzinfo=dt.timezone.utc)
        if len(text) == 10:
            return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(), tzinfo=dt.timezone.utc)
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def _date(value: Node | None) -> dt.date | None:
    parsed = parse_datetime(value)
    return parsed.date() if parsed else None


def _agent(graph: Graph, node: Node | None) -> Agent | None:
    if node is None:
        return None
    name = _label(graph, node)
    url = str(node) if isinstance(node, URIRef) else None
    return Agent(name=name, original=name, url=url)


def _contact(graph: Graph, node: Node | None) -> ContactPoint | None:
    if node is None:
        return None
    email = graph.value(node, VCARD.hasEmail)
    phone = graph.value(node, VCARD.hasTelephone)
    if phone is not None and not isinstance(phone, Literal):
        phone = graph.value(phone, VCARD.hasValue) or phone
    url = graph.value(node, VCARD.hasURL)
    return ContactPoint(
        name=_text(graph, node, VCARD.fn, VCARD["organization-name"], FOAF.name),
        email=str(email).removeprefix("mailto:") if email is not None else None,
        phone=str(phone).removeprefix("tel:") if phone is not None else None,
        url=str(url) if url is not None else None,
    )


def _temporal(graph: Graph, node: Node | None) -> Temporal | None:
    if node is None:
        return None
    if isinstance(node, Literal):
        return Temporal(label=str(node))
    start = graph.value(node, DCAT.startDate) or graph.value(node, SCHEMA.startDate)
    end = graph.value(node, DCAT.endDate) or graph.value(node, SCHEMA.endDate)
    return Temporal(start=_date(start), end=_date(end), label=_text(graph, node, SKOS.prefLabel, RDF.value))


def _concept(graph: Graph, node: Node) -> Concept:
    uri = str(node) if isinstance(node, URIRef) else None
    return Concept(uri=uri, original=_label(graph, node))


def _licence(graph: Graph, node: Node | None) -> Licence | None:
    if node is None:
        return None
    uri = str(node) if isinstance(node, URIRef) else None
    return Licence(uri=uri, original=_label(graph, node))


def _format(graph: Graph, node: Node) -> FileFormat | None:
    declared = graph.value(node, DCTERMS["format"])
    media_type = graph.value(node, DCAT.mediaType)
    if declared is None and media_type is None:
        return None

    media_text = str(media_type).removeprefix("http://www.iana.org/assignments/media-types/") if media_type else None
    file_type = str(declared) if isinstance(declared, URIRef) and "file-type" in str(declared) else None
    original = _label(graph, declared) if declared is not None else media_text
    return FileFormat(original=original, media_type=media_text, file_type_uri=file_type)


def _byte_size(value: Node | None) -> int | None:
    try:
        return int(str(value)) if value is not None else None
    except ValueError:
        return None


def _distribution(graph: Graph, node: Node) -> Distribution:
    access = graph.value(node, DCAT.accessURL)
    download = graph.value(node, DCAT.downloadURL)
    identifier = graph.value(node, DCTERMS.identifier)
    remote_id = None
    if identifier is not None:
        remote_id = str(identifier)
    elif isinstance(node, URIRef):
        remote_id = str(node)
    return Distribution(
        title=_text(graph, node, DCTERMS.title),
        description=_text(graph, node, DCTERMS.description),
        access_url=str(access or download) if (access or download) is not None else None,
        download_url=str(download) if download is not None else None,
        format=_format(graph, node),
        byte_size=_byte_size(graph.value(node, DCAT.byteSize)),
        remote_id=remote_id,
        licence=_licence(graph, graph.value(node, DCTERMS.license)),
        issued=parse_datetime(graph.value(node, DCTERMS.issued)),
        modified=parse_datetime(graph.value(node, DCTERMS.modified)),
    )


def _keywords(graph: Graph, node: Node) -> tuple[list[str], dict[str, list[str]]]:
    kept: list[str] = []
    other: dict[str, list[str]] = {}
    for keyword in sorted(graph.objects(node, DCAT.keyword), key=str):
        text = str(keyword).strip()
        language = _language(keyword) if isinstance(keyword, Literal) else ""
        if not text:
            continue
        if language in ("id", ""):
            kept.append(text)
        else:
            other.setdefault(language, []).append(text)
    if not kept and other:
        fallback = "en" if "en" in other else sorted(other)[0]
        kept = other.pop(fallback)
    return kept, other


def _extras(graph: Graph, node: Node) -> dict[str, Any]:
    extras: dict[str, Any] = {}
    for name, predicate in (("title", DCTERMS.title), ("description", DCTERMS.description)):
        _, translations = pick_literal(list(graph.objects(node, predicate)))
        if translations:
            extras[f"{name}_translations"] = translations

    simple = {
        "language": DCTERMS.language,
        "conforms_to": DCTERMS.conformsTo,
        "in_series": DCAT3.inSeries,
        "applicable_legislation": DCATAP.applicableLegislation,
        "version_notes": ADMS.versionNotes,
        "temporal_resolution": DCAT.temporalResolution,
        "spatial_resolution_in_meters": DCAT.spatialResolutionInMeters,
    }
    for name, predicate in simple.items():
        values = sorted(str(value) for value in graph.objects(node, predicate))
        if values:
            extras[name] = values

    version = graph.value(node, DCAT3.version) or graph.value(node, OWL.versionInfo)
    if version is not None:
        extras["version"] = str(version)
    return extras


def _identifiers(graph: Graph, node: Node) -> list[str]:
    found = [str(value) for value in graph.objects(node, DCTERMS.identifier)]
    for other in graph.objects(node, ADMS.identifier):
        notation = graph.value(other, SKOS.notation)
        found.append(str(notation if notation is not None else other))
    if isinstance(node, URIRef):
        found.append(str(node))
    return sorted(set(found))


def map_dataset(graph: Graph, node: Node, *, remote_id: str) -> RecordFields:
    """Return the `DatasetRecord` fields for one dataset node, without provenance.

    Raises InvalidRecordError when the dataset has no title.
    """
    title, _ = pick_literal(list(graph.objects(node, DCTERMS.title)))
    if not title:
        raise InvalidRecordError(f"dataset {remote_id} has no dct:title", remote_id=remote_id)

    keywords, other_keywords = _keywords(graph, node)
    extras = _extras(graph, node)
    if other_keywords:
        extras["keyword_translations"] = other_keywords

    modified_literal = graph.value(node, DCTERMS.modified)
    issued_literal = graph.value(node, DCTERMS.issued)
    for name, literal in (("modified", modified_literal), ("issued", issued_literal)):
        if literal is not None and parse_datetime(literal) is None:
            extras[f"{name}_original"] = str(literal)

    spatial = [_label(graph, value) for value in graph.objects(node, DCTERMS.spatial)]
    access = graph.value(node, DCTERMS.accessRights)
    landing = graph.value(node, DCAT.landingPage)
    return {
        "title": title,
        "description": _text(graph, node, DCTERMS.description),
        "keywords": keywords,
        "themes": [_concept(graph, theme) for theme in sorted(graph.objects(node, DCAT.theme), key=str)],
        "publisher": _agent(graph, graph.value(node, DCTERMS.publisher)),
        "creator": _agent(graph, graph.value(node, DCTERMS.creator)),
        "contact_point": _contact(graph, graph.value(node, DCAT.contactPoint)),
        "spatial_text": "; ".join(sorted(spatial)) or None,
        "temporal": _temporal(graph, graph.value(node, DCTERMS.temporal)),
        "issued": parse_datetime(issued_literal),
        "modified": parse_datetime(modified_literal),
        "frequency": _concept(graph, graph.value(node, DCTERMS.accrualPeriodicity))
        if graph.value(node, DCTERMS.accrualPeriodicity) is not None else None,
        "licence": _licence(graph, graph.value(node, DCTERMS.license)),
        "access": AccessRights(original=_label(graph, access)) if access is not None else AccessRights(),
        "landing_page": str(landing) if landing is not None else None,
        "identifiers": _identifiers(graph, node),
        "distributions": [
            _distribution(graph, dist)
            for dist in sorted(graph.objects(node, DCAT.distribution), key=str)
        ],
        "extras": extras,
    }
