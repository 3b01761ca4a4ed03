"""Streaming RDF writers: Turtle, N-Triples, RDF/XML and JSON-LD.

Each writer turns one `Resource` tree at a time into text, so a feed of any
length is written with memory bounded by the largest record. A document is
`writer.start()`, then `writer.resource(r)` for every top-level resource,
then `writer.end()`. Writers keep no state between resources except the
blank node counter of N-Triples and the separator of JSON-LD.

Every writer must describe the same graph; the tests parse each output with
rdflib and compare it with a reference graph.
"""

from __future__ import annotations

import abc
import json
from importlib import resources as package_resources
from typing import Any

import orjson

from publish.dcat.terms import IRI, NAMESPACES, RDF_TYPE, Literal, Node, Resource

__all__ = [
    "FORMATS",
    "JsonLdWriter",
    "NTriplesWriter",
    "RdfFormat",
    "RdfWriter",
    "RdfXmlWriter",
    "TurtleWriter",
    "jsonld_context",
    "writer_for",
]

XSD_STRING = NAMESPACES["xsd"] + "string"

# Shared nodes remembered per document; a full dump has a few thousand.
_MAX_SHARED = 200_000


def _compact(iri: str) -> tuple[str, str] | None:
    """Split `iri` into (prefix, local name) when a known namespace covers it and the local name is simple."""
    for prefix, namespace in NAMESPACES.items():
        if iri.startswith(namespace):
            local = iri[len(namespace):]
            if local and (local[0].isalpha() or local[0] == "_") and local.replace("_", "").replace("-", "").isalnum():
                return prefix, local
    return None


class RdfWriter(abc.ABC):
    """Serializer of a stream of resources into one RDF document."""

    media_type: str = ""

    def __init__(self) -> None:
        self._qnames: dict[str, str] = {}
        self._names: dict[str, str] = {}
        self._emitted: set[str] = set()

    def _first_time(self, resource: Resource) -> bool:
        """Return True unless `resource` is a shared node this document already holds."""
        key = resource.shared_key
        if key is None:
            return True
        if key in self._emitted:
            return False
        if len(self._emitted) >= _MAX_SHARED:
            # Forgetting only repeats a few nodes later; the graph stays the same.
            self._emitted.clear()
        self._emitted.add(key)
        return True

    def _qname(self, iri: str) -> str:
        """Return the prefixed name of a vocabulary IRI, cached; raise ValueError for an unknown namespace."""
        name = self._qnames.get(iri)
        if name is None:
            parts = _compact(iri)
            if parts is None:
                raise ValueError(f"no prefix covers the predicate or class {iri!r}; add its namespace to NAMESPACES")
            name = parts[0] + ":" + parts[1]
            self._qnames[iri] = name
        return name

    def start(self) -> str:
        return ""

    @abc.abstractmethod
    def resource(self, resource: Resource) -> str:
        """Return the text of one top-level resource and everything nested in it."""

    def end(self) -> str:
        return ""


# --- Turtle and N-Triples ---------------------------------------------------

_STRING_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NEEDS_ESCAPE = frozenset(_STRING_ESCAPES)


def _quote_string(text: str) -> str:
    """Return `text` as a double-quoted Turtle / N-Triples string."""
    if _NEEDS_ESCAPE.isdisjoint(text):
        return '"' + text + '"'
    return '"' + "".join(_STRING_ESCAPES.get(char, char) for char in text) + '"'


class TurtleWriter(RdfWriter):
    """Turtle with prefixes; blank nodes nest as `[ ... ]`, named nested resources follow as their own blocks."""

    media_type = "text/turtle"

    def start(self) -> str:
        lines = [f"@prefix {prefix}: <{namespace}> ." for prefix, namespace in NAMESPACES.items()]
        return "\n".join(lines) + "\n\n"

    def resource(self, resource: Resource) -> str:
        if not self._first_time(resource):
            return ""
        pending: list[Resource] = [resource]
        blocks: list[str] = []
        while pending:
            current = pending.pop()
            body = self._properties(current, pending, "    ")
            blocks.append(f"<{current.subject}>{body} .\n")
        return "".join(blocks)

    def _properties(self, resource: Resource, pending: list[Resource], indent: str) -> str:
        parts: list[str] = []
        for predicate, value in resource.properties:
            if predicate == RDF_TYPE:
                parts.append("a " + self._qname(value))
            else:
                parts.append(self._qname(predicate) + " " + self._object(value, pending, indent))
        if not parts:
            return ""
        return " " + (" ;\n" + indent).join(parts)

    def _object(self, value: Node, pending: list[Resource], indent: str) -> str:
        kind = type(value)
        if kind is IRI:
            return f"<{value}>"
        if kind is Literal:
            return self._literal(value)  # type: ignore[arg-type]
        if value.subject is not None:  # type: ignore[union-attr]
            if self._first_time(value):  # type: ignore[arg-type]
                pending.append(value)  # type: ignore[arg-type]
            return f"<{value.subject}>"  # type: ignore[union-attr]
        inner = self._properties(value, pending, indent + "    ")  # type: ignore[arg-type]
        return f"[{inner} ]"

    def _literal(self, literal: Literal) -> str:
        text = _quote_string(literal.lexical)
        if literal.lang:
            return f"{text}@{literal.lang}"
        datatype = literal.datatype
        if datatype and datatype != XSD_STRING:
            return f"{text}^^{self._datatype(datatype)}"
        return text

    def _datatype(self, datatype: str) -> str:
        name = self._names.get(datatype)
        if name is None:
            parts = _compact(datatype)
            name = f"{parts[0]}:{parts[1]}" if parts else f"<{datatype}>"
            self._names[datatype] = name
        return name


class NTriplesWriter(RdfWriter):
    """N-Triples, one triple a line; blank nodes get labels unique within the document."""

    media_type = "application/n-triples"

    def __init__(self) -> None:
        super().__init__()
        self._blank_count = 0

    def resource(self, resource: Resource) -> str:
        if not self._first_time(resource):
            return ""
        lines: list[str] = []
        self._emit(resource, f"<{resource.subject}>", lines)
        return "".join(lines)

    def _emit(self, resource: Resource, subject: str, lines: list[str]) -> None:
        for predicate, value in resource.properties:
            lines.append(f"{subject} <{predicate}> {self._object(value, lines)} .\n")

    def _object(self, value: Node, lines: list[str]) -> str:
        kind = type(value)
        if kind is IRI:
            return f"<{value}>"
        if kind is Literal:
            return self._literal(value)  # type: ignore[arg-type]
        if value.subject is not None:  # type: ignore[union-attr]
            label = f"<{value.subject}>"  # type: ignore[union-attr]
            if not self._first_time(value):  # type: ignore[arg-type]
                return label
        else:
            self._blank_count += 1
            label = f"_:b{self._blank_count}"
        self._emit(value, label, lines)  # type: ignore[arg-type]
        return label

    @staticmethod
    def _literal(literal: Literal) -> str:
        text = _quote_string(literal.lexical)
        if literal.lang:
            return f"{text}@{literal.lang}"
        if literal.datatype and literal.datatype != XSD_STRING:
            return f"{text}^^<{literal.datatype}>"
        return text


# --- RDF/XML -----------------------------------------------------------------

def _xml_text(text: str) -> str:
    """Escape element content; a carriage return becomes a character reference so parsers keep it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _xml_attribute(text: str) -> str:
    """Escape an attribute value; tabs and line breaks become references so attribute normalization keeps them."""
    escaped = _xml_text(text).replace('"', "&quot;")
    return escaped.replace("\n", "&#10;").replace("\t", "&#9;")


class RdfXmlWriter(RdfWriter):
    """RDF/XML with typed node elements and nested descriptions."""

    media_type = "application/rdf+xml"

    def start(self) -> str:
        declarations = "".join(f'\n    xmlns:{prefix}="{namespace}"' for prefix, namespace in NAMESPACES.items())
        return f'<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF{declarations}>\n'

    def resource(self, resource: Resource) -> str:
        if not self._first_time(resource):
            return ""
        parts: list[str] = []
        self._node(resource, parts, "  ")
        return "".join(parts)

    def end(self) -> str:
        return "</rdf:RDF>\n"

    def _node(self, resource: Resource, parts: list[str], indent: str) -> None:
        properties = resource.properties
        element = "rdf:Description"
        if properties and properties[0][0] == RDF_TYPE and isinstance(properties[0][1], IRI):
            element = self._qname(properties[0][1])
            properties = properties[1:]
        about = f' rdf:about="{_xml_attribute(resource.subject)}"' if resource.subject is not None else ""
        parts.append(f"{indent}<{element}{about}>\n")
        for predicate, value in properties:
            self._property(predicate, value, parts, indent + "  ")
        parts.append(f"{indent}</{element}>\n")

    def _property(self, predicate: str, value: Node, parts: list[str], indent: str) -> None:
        name = self._qname(predicate)
        if isinstance(value, IRI):
            parts.append(f'{indent}<{name} rdf:resource="{_xml_attribute(value)}"/>\n')
        elif isinstance(value, Literal):
            attributes = ""
            if value.lang:
                attributes = f' xml:lang="{value.lang}"'
            elif value.datatype and value.datatype != XSD_STRING:
                attributes = f' rdf:datatype="{_xml_attribute(value.datatype)}"'
            parts.append(f"{indent}<{name}{attributes}>{_xml_text(value.lexical)}</{name}>\n")
        elif value.subject is not None and not self._first_time(value):
            parts.append(f'{indent}<{name} rdf:resource="{_xml_attribute(value.subject)}"/>\n')
        else:
            parts.append(f"{indent}<{name}>\n")
            self._node(value, parts, indent + "  ")
            parts.append(f"{indent}</{name}>\n")


# --- JSON-LD -----------------------------------------------------------------

def jsonld_context() -> dict[str, Any]:
    """Return the bundled JSON-LD context, which maps the feed's prefixes to their namespaces."""
    text = package_resources.files("publish").joinpath("contexts/dcat-ap.jsonld").read_text(encoding="utf-8")
    return json.loads(text)["@context"]


class JsonLdWriter(RdfWriter):
    """Expanded-IRI-free JSON-LD: one `@graph` of node objects with the bundled context inlined."""

    media_type = "application/ld+json"

    def __init__(self) -> None:
        super().__init__()
        self._first = True

    def start(self) -> str:
        context = orjson.dumps(jsonld_context()).decode()
        return '{"@context": ' + context + ',\n"@graph": [\n'

    def resource(self, resource: Resource) -> str:
        if not self._first_time(resource):
            return ""
        separator = "" if self._first else ",\n"
        self._first = False
        return separator + orjson.dumps(self._node(resource)).decode()

    def end(self) -> str:
        return "\n]}\n"

    def _node(self, resource: Resource) -> dict[str, Any]:
        node: dict[str, Any] = {}
        if resource.subject is not None:
            node["@id"] = str(resource.subject)
        for predicate, value in resource.properties:
            if predicate == RDF_TYPE:
                node.setdefault("@type", []).append(self._qname(value))
                continue
            node.setdefault(self._qname(predicate), []).append(self._value(value))
        return node

    def _value(self, value: Node) -> Any:
        kind = type(value)
        if kind is IRI:
            return {"@id": str(value)}
        if kind is Literal:
            if value.lang:  # type: ignore[union-attr]
                return {"@value": value.lexical, "@language": value.lang}  # type: ignore[union-attr]
            if value.datatype and value.datatype != XSD_STRING:  # type: ignore[union-attr]
                return {"@value": value.lexical, "@type": value.datatype}  # type: ignore[union-attr]
            return value.lexical  # type: ignore[union-attr]
        if value.subject is not None and not self._first_time(value):  # type: ignore[union-attr,arg-type]
            return {"@id": str(value.subject)}  # type: ignore[union-attr]
        return self._node(value)  # type: ignore[arg-type]


class RdfFormat:
    """One serialization the feed offers: name, file extension, media type and writer class."""

    def __init__(self, name: str, extension: str, media_type: str, writer: type[RdfWriter]) -> None:
        self.name = name
        self.extension = extension
        self.media_type = media_type
        self.writer = writer


FORMATS: dict[str, RdfFormat] = {
    "turtle": RdfFormat("turtle", "ttl", "text/turtle", TurtleWriter),
    "ntriples": RdfFormat("ntriples", "nt", "application/n-triples", NTriplesWriter),
    "rdfxml": RdfFormat("rdfxml", "rdf", "application/rdf+xml", RdfXmlWriter),
    "jsonld": RdfFormat("jsonld", "jsonld", "application/ld+json", JsonLdWriter),
}


def writer_for(format_name: str) -> RdfWriter:
    """Return a fresh writer for one document in `format_name` (a key of FORMATS)."""
    return FORMATS[format_name].writer()
