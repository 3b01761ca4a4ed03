"""A small RDF term model that the streaming writers serialize.

rdflib keeps every triple of a graph in memory and serializes slowly, so the
feed builds one `Resource` tree per dataset and hands it to a writer, which
turns it into text and forgets it. A `Resource` is a subject with an ordered
list of (predicate, object) pairs; an object is an `IRI`, a `Literal` or a
nested `Resource`. A nested resource without a subject is a blank node.

Values are cleaned on the way in (`clean_text`, `safe_iri`) so every writer
can rely on them: text holds only characters XML 1.0 allows, and an IRI is
absolute and contains no character that must be escaped in any syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple, Union
from urllib.parse import quote

__all__ = [
    "IRI",
    "Literal",
    "NAMESPACES",
    "Node",
    "Resource",
    "RDF_TYPE",
    "clean_text",
    "safe_iri",
]

NAMESPACES: dict[str, str] = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "adms": "http://www.w3.org/ns/adms#",
    "prov": "http://www.w3.org/ns/prov#",
    "locn": "http://www.w3.org/ns/locn#",
    "hydra": "http://www.w3.org/ns/hydra/core#",
    "as": "https://www.w3.org/ns/activitystreams#",
    "dqv": "http://www.w3.org/ns/dqv#",
}

RDF_TYPE = NAMESPACES["rdf"] + "type"


class IRI(str):
    """An absolute IRI. Build one through `safe_iri` for values that come from sources."""

    __slots__ = ()


class Literal(NamedTuple):
    """A literal: lexical form, optional datatype IRI, optional language tag."""

    lexical: str
    datatype: str | None = None
    lang: str | None = None


@dataclass(slots=True)
class Resource:
    """A subject and its (predicate, object) pairs, in output order. `subject=None` is a blank node."""

    subject: IRI | None
    properties: list[tuple[str, Node]] = field(default_factory=list)
    # Set on nodes many datasets point to (agents, regions, vocabulary terms):
    # writers emit each key once per document and link to it afterwards.
    shared_key: str | None = None

    def add(self, predicate: str, value: Node | None) -> None:
        """Append one pair; a `None` value is skipped so callers need no checks."""
        if value is not None:
            self.properties.append((predicate, value))


Node = Union[IRI, Literal, Resource]

# Characters XML 1.0 cannot carry at all, even escaped; Turtle, N-Triples and
# JSON could, but every format must describe the same graph.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_SCHEME = re.compile(r"^(https?|ftp|mailto|urn):", re.IGNORECASE)

# Characters allowed unescaped in an IRI that every RDF syntax accepts as is:
# RFC 3986 reserved and unreserved characters plus "%". Non-ASCII letters are
# percent-encoded too, which keeps the IRI valid and N-Triples output ASCII-safe.
_IRI_SAFE = ":/?#[]@!$&'()*+,;=-._~%"


def clean_text(value: str | None) -> str | None:
    """Return `value` without characters XML cannot carry and trimmed, or None when empty."""
    if value is None:
        return None
    cleaned = _XML_INVALID.sub("", value).strip()
    return cleaned or None


_ALREADY_SAFE = re.compile(r"^(https?|ftp|mailto|urn):[A-Za-z0-9:/?#\[\]@!$&'()*+,;=._~%-]*$", re.IGNORECASE)


def safe_iri(value: str | None) -> IRI | None:
    """Return an IRI for a URL from a source, or None when it is not an absolute http(s), ftp, mailto or urn URL."""
    if value is None:
        return None
    if _ALREADY_SAFE.match(value):
        return IRI(value)
    candidate = _XML_INVALID.sub("", value).strip()
    if not _SCHEME.match(candidate):
        return None
    return IRI(quote(candidate, safe=_IRI_SAFE))
