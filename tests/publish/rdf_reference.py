"""Build rdflib graphs from `Resource` trees, as the independent reference for the writers."""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.term import Node as RdfNode

from publish.dcat.terms import IRI, Literal, Resource

PARSER_FORMATS = {"turtle": "turtle", "ntriples": "nt", "rdfxml": "xml", "jsonld": "json-ld"}


def reference_graph(resources: Iterable[Resource]) -> Graph:
    """Return an rdflib graph with every triple of `resources`."""
    graph = Graph()
    for resource in resources:
        _add(graph, resource)
    return graph


def _add(graph: Graph, resource: Resource) -> RdfNode:
    subject: RdfNode = URIRef(resource.subject) if resource.subject is not None else BNode()
    for predicate, value in resource.properties:
        graph.add((subject, URIRef(predicate), _term(graph, value)))
    return subject


def _term(graph: Graph, value: IRI | Literal | Resource) -> RdfNode:
    if isinstance(value, IRI):
        return URIRef(value)
    if isinstance(value, Literal):
        datatype = URIRef(value.datatype) if value.datatype else None
        return RdfLiteral(value.lexical, datatype=datatype, lang=value.lang)
    return _add(graph, value)


def parse(text: str, format_name: str) -> Graph:
    """Parse one writer output with rdflib."""
    graph = Graph()
    graph.parse(data=text, format=PARSER_FORMATS[format_name])
    return graph
