"""One page of a DCAT RDF catalog: parse it, find its datasets and its next page.

Each page is parsed into its own rdflib graph and dropped after its datasets
are split out, so a large catalog is never held in memory at once. A dataset
leaves the page as the canonical N-Triples of its bounded description (the
dataset node plus the blank nodes and page-local resources it points to),
which gives the same text, and so the same content hash, on every harvest.
"""

from __future__ import annotations

import json
from urllib.parse import urljoin

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DCAT, DCTERMS, RDF, Namespace
from rdflib.term import Node

from connectors.dcat_rdf_jsonld import load_jsonld
from connectors.xml_safety import check_xml
from harvester.errors import SourceError

__all__ = [
    "HYDRA",
    "dataset_nodes",
    "dataset_remote_id",
    "describe_dataset",
    "detect_format",
    "next_page_url",
    "parse_graph",
]

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
# DCAT 3 terms missing from rdflib's closed DCAT namespace.
DCAT3 = Namespace("http://www.w3.org/ns/dcat#")
INVALID_RDF = "invalid-rdf"

# Content types and file suffixes mapped to rdflib parser names.
_MEDIA_TYPES: dict[str, str] = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/ld+json": "json-ld",
    "application/json": "json-ld",
    "application/n-triples": "nt",
    "text/plain": "nt",
}
_SUFFIXES: dict[str, str] = {
    ".ttl": "turtle",
    ".rdf": "xml",
    ".xml": "xml",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".nt": "nt",
}
FORMATS = ("turtle", "xml", "json-ld", "nt")

# How far the bounded description follows links from the dataset node:
# dataset -> distribution -> licence or checksum -> value.
_MAX_DEPTH = 4
_STOP_TYPES = {DCAT.Dataset, DCAT.Catalog, DCAT3.DatasetSeries, HYDRA.PagedCollection,
               HYDRA.PartialCollectionView, HYDRA.Collection}


def detect_format(content_type: str | None, url: str, explicit: str | None = None) -> str:
    """Return the rdflib format for a page: the configured one, the media type, then the suffix."""
    if explicit:
        return explicit
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type in _MEDIA_TYPES:
        return _MEDIA_TYPES[media_type]

    path = url.split("?", 1)[0].lower()
    for suffix, name in _SUFFIXES.items():
        if path.endswith(suffix):
            return name
    raise SourceError(f"{url}: cannot tell the RDF format from content type {media_type!r}; "
                      "set the source option `format`", code=INVALID_RDF)


def parse_graph(data: bytes, *, rdf_format: str, url: str) -> Graph:
    """Parse one page into a fresh graph, through the XML gate or the JSON-LD context filter."""
    graph = Graph()
    try:
        if rdf_format == "xml":
            check_xml(data, where=url)
            graph.parse(data=data, format="xml", publicID=url)
        elif rdf_format == "json-ld":
            document = load_jsonld(data, where=url)
            graph.parse(data=json.dumps(document), format="json-ld", base=url)
        else:
            graph.parse(data=data.decode("utf-8"), format=rdf_format, publicID=url)
    except SourceError:
        raise
    except Exception as error:  # rdflib raises many unrelated types for bad input
        raise SourceError(f"{url}: invalid {rdf_format} RDF: {error}", code=INVALID_RDF) from error
    return graph


def next_page_url(graph: Graph, current_url: str) -> str | None:
    """Return the absolute URL of the next page from hydra:next or hydra:nextPage."""
    for predicate in (HYDRA.next, HYDRA.nextPage):
        targets = sorted(str(target) for target in graph.objects(None, predicate))
        if targets:
            return urljoin(current_url, targets[0])
    return None


def dataset_nodes(graph: Graph) -> list[Node]:
    """Return the page's dcat:Dataset nodes in a stable order."""
    return sorted(set(graph.subjects(RDF.type, DCAT.Dataset)), key=str)


def dataset_remote_id(graph: Graph, node: Node) -> str | None:
    """Return the dataset's dct:identifier, else its IRI; None for an unnamed blank node."""
    for identifier in sorted(graph.objects(node, DCTERMS.identifier), key=str):
        if isinstance(identifier, Literal) and str(identifier).strip():
            return str(identifier).strip()
    if isinstance(node, URIRef):
        return str(node)
    return None


def _is_stop(graph: Graph, node: Node) -> bool:
    return any((node, RDF.type, kind) in graph for kind in _STOP_TYPES)


def describe_dataset(graph: Graph, node: Node) -> str:
    """Return the canonical N-Triples of the dataset's bounded description."""
    description = Graph()
    queue: list[tuple[Node, int]] = [(node, 0)]
    seen: set[Node] = {node}

    while queue:
        subject, depth = queue.pop()
        for predicate, obj in graph.predicate_objects(subject):
            description.add((subject, predicate, obj))
            follow = isinstance(obj, BNode) or (isinstance(obj, URIRef) and (obj, None, None) in graph)
            if follow and obj not in seen and depth < _MAX_DEPTH and not _is_stop(graph, obj):
                seen.add(obj)
                queue.append((obj, depth + 1))

    canonical = to_canonical_graph(description)
    lines = canonical.serialize(format="nt").splitlines()
    return "\n".join(sorted(line for line in lines if line.strip())) + "\n"
