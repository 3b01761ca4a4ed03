"""JSON-LD input with bundled contexts only.

rdflib's JSON-LD parser fetches every remote `@context` URL it meets. Before a
document reaches it, each `@context` (and `@import`) that names a URL is
replaced by a bundled copy of that context, and a URL with no bundled copy
raises `remote-context-blocked`. The parser therefore never opens a URL.
"""

from __future__ import annotations

import json
from typing import Any

from harvester.errors import SourceError

__all__ = ["BUNDLED_CONTEXTS", "REMOTE_CONTEXT_BLOCKED", "inline_contexts", "load_jsonld"]

REMOTE_CONTEXT_BLOCKED = "remote-context-blocked"
INVALID_JSON = "invalid-json"

_DCAT_PREFIXES: dict[str, str] = {
    "adms": "http://www.w3.org/ns/adms#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcatap": "http://data.europa.eu/r5r/",
    "dct": "http://purl.org/dc/terms/",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "hydra": "http://www.w3.org/ns/hydra/core#",
    "locn": "http://www.w3.org/ns/locn#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "http://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "spdx": "http://spdx.org/rdf/terms#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

_HYDRA_CONTEXT: dict[str, Any] = {
    "hydra": "http://www.w3.org/ns/hydra/core#",
    "Collection": "hydra:Collection",
    "PagedCollection": "hydra:PagedCollection",
    "PartialCollectionView": "hydra:PartialCollectionView",
    "member": {"@id": "hydra:member", "@type": "@id"},
    "totalItems": "hydra:totalItems",
    "itemsPerPage": "hydra:itemsPerPage",
    "view": {"@id": "hydra:view", "@type": "@id"},
    "first": {"@id": "hydra:first", "@type": "@id"},
    "last": {"@id": "hydra:last", "@type": "@id"},
    "next": {"@id": "hydra:next", "@type": "@id"},
    "previous": {"@id": "hydra:previous", "@type": "@id"},
    "firstPage": {"@id": "hydra:firstPage", "@type": "@id"},
    "lastPage": {"@id": "hydra:lastPage", "@type": "@id"},
    "nextPage": {"@id": "hydra:nextPage", "@type": "@id"},
    "previousPage": {"@id": "hydra:previousPage", "@type": "@id"},
}

_SCHEMA_ORG_CONTEXT: dict[str, Any] = {"@vocab": "http://schema.org/"}

# Context URLs seen in DCAT catalogs, mapped to the bundled definition used
# in their place. The schema.org context maps every term into the schema.org
# vocabulary, which `@vocab` reproduces for the terms a catalog uses.
BUNDLED_CONTEXTS: dict[str, dict[str, Any]] = {
    "http://schema.org": _SCHEMA_ORG_CONTEXT,
    "http://schema.org/": _SCHEMA_ORG_CONTEXT,
    "https://schema.org": _SCHEMA_ORG_CONTEXT,
    "https://schema.org/": _SCHEMA_ORG_CONTEXT,
    "http://www.w3.org/ns/hydra/context.jsonld": _HYDRA_CONTEXT,
    "https://www.w3.org/ns/hydra/context.jsonld": _HYDRA_CONTEXT,
    "http://www.w3.org/ns/dcat.jsonld": _DCAT_PREFIXES,
    "https://www.w3.org/ns/dcat.jsonld": _DCAT_PREFIXES,
}


def _bundled(url: str, where: str) -> dict[str, Any]:
    try:
        return BUNDLED_CONTEXTS[url.strip()]
    except KeyError:
        raise SourceError(
            f"{where}: JSON-LD names the remote context {url!r}, which is not bundled; "
            "remote contexts are never fetched",
            code=REMOTE_CONTEXT_BLOCKED,
        ) from None


def _inline_context_value(value: Any, where: str) -> Any:
    """Return a `@context` value with every URL replaced by its bundled dict."""
    if isinstance(value, str):
        return _bundled(value, where)
    if isinstance(value, list):
        return [_inline_context_value(item, where) for item in value]
    if isinstance(value, dict):
        return _inline_definition(value, where)
    return value


def _inline_definition(context: dict[str, Any], where: str) -> dict[str, Any]:
    """Inline `@import` and scoped contexts inside one context definition."""
    result: dict[str, Any] = {}
    imported = context.get("@import")
    if isinstance(imported, str):
        result.update(_bundled(imported, where))

    for key, term in context.items():
        if key == "@import":
            continue
        if isinstance(term, dict) and "@context" in term:
            term = {**term, "@context": _inline_context_value(term["@context"], where)}
        result[key] = term
    return result


def inline_contexts(document: Any, *, where: str) -> Any:
    """Walk a parsed JSON-LD document and inline every `@context` it contains."""
    if isinstance(document, list):
        return [inline_contexts(item, where=where) for item in document]
    if not isinstance(document, dict):
        return document

    result: dict[str, Any] = {}
    for key, value in document.items():
        if key == "@context":
            result[key] = _inline_context_value(value, where)
        else:
            result[key] = inline_contexts(value, where=where)
    return result


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def load_jsonld(data: bytes, *, where: str) -> Any:
    """Parse JSON-LD bytes and return the document with bundled contexts inlined."""
    try:
        document = json.loads(data, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as error:
        raise SourceError(f"{where}: invalid JSON-LD: {error}", code=INVALID_JSON) from error
    return inline_contexts(document, where=where)
