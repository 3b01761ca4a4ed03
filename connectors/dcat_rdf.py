"""DCAT RDF catalogs: Turtle, RDF/XML, JSON-LD and N-Triples with hydra paging.

This is the shape the SDI CKAN image serves at `/catalog.ttl`, `/catalog.xml`
and `/catalog.jsonld`. Pages are fetched through the job's `HttpClient`, so
every next-page URL passes the egress guard, and each page is parsed and
released before the next one is requested.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Literal

from pydantic import Field
from rdflib import Graph

from connectors.base import Connector, RemoteRecord
from connectors.dcat_rdf_map import map_dataset
from connectors.dcat_rdf_page import (
    dataset_nodes,
    dataset_remote_id,
    describe_dataset,
    detect_format,
    next_page_url,
    parse_graph,
)
from connectors.family_options import FamilyOptions
from harvester.errors import InvalidRecordError, PaginationError
from harvester.model import DatasetRecord

__all__ = ["DcatRdfConnector", "DcatRdfOptions"]

logger = logging.getLogger(__name__)

_ACCEPT = "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.8, application/n-triples;q=0.7"


class DcatRdfOptions(FamilyOptions):
    """Options of a DCAT RDF source."""

    format: Literal["turtle", "xml", "json-ld", "nt"] | None = Field(
        default=None, description="RDF syntax; taken from the Content-Type or the URL suffix when unset.")
    max_pages: int = Field(default=10_000, ge=1, description="Pages fetched at most before the run fails.")
    modified_since_parameter: str = Field(
        default="modified_since", description="Query parameter that asks for changes since a time.")


class DcatRdfConnector(Connector):
    """Harvest a DCAT catalog published as RDF, one hydra page at a time."""

    family = "dcat-rdf"
    title = "Katalog DCAT RDF / DCAT RDF catalog"
    Options = DcatRdfOptions
    supports_incremental = True

    options: DcatRdfOptions

    def list_records(self) -> Iterator[RemoteRecord]:
        params: dict[str, str] = {}
        if self.since is not None:
            params[self.options.modified_since_parameter] = self.since.isoformat()

        url: str | None = self.source.url
        seen: set[str] = set()
        while url is not None:
            self._check_page_limits(url, seen)
            graph = self._fetch_page(url, params)
            yield from self._split_page(graph, url)

            url = next_page_url(graph, url)
            params = {}
        self.state.complete = True

    def _check_page_limits(self, url: str, seen: set[str]) -> None:
        if url in seen:
            raise PaginationError(f"source {self.source.id}: next page {url} was already fetched")
        if len(seen) >= self.options.max_pages:
            raise PaginationError(
                f"source {self.source.id}: stopped after {self.options.max_pages} pages",
                code="max-pages",
            )
        seen.add(url)

    def _fetch_page(self, url: str, params: dict[str, str]) -> Graph:
        response = self.http.get(url, params=params or None, headers={"Accept": _ACCEPT})
        rdf_format = detect_format(response.headers.get("content-type"), url, self.options.format)
        graph = parse_graph(response.content, rdf_format=rdf_format, url=url)
        self.state.pages += 1
        logger.debug("source %s: page %d has %d triples", self.source.id, self.state.pages, len(graph))
        return graph

    def _split_page(self, graph: Graph, url: str) -> Iterator[RemoteRecord]:
        for node in dataset_nodes(graph):
            raw = describe_dataset(graph, node)
            remote_id = dataset_remote_id(graph, node)
            if remote_id is None:
                error = InvalidRecordError(f"{url}: a blank-node dataset has no dct:identifier", value=raw)
                yield RemoteRecord(remote_id="", raw=raw, raw_format="text", remote_url=url, error=error)
                continue
            yield RemoteRecord(remote_id=remote_id, raw=raw, raw_format="text", remote_url=url)

    def map_record(self, remote: RemoteRecord) -> DatasetRecord:
        graph = Graph()
        graph.parse(data=remote.raw, format="nt")
        nodes = dataset_nodes(graph)
        if len(nodes) != 1:
            raise InvalidRecordError(
                f"record {remote.remote_id}: expected one dcat:Dataset, found {len(nodes)}",
                remote_id=remote.remote_id,
            )

        fields = map_dataset(graph, nodes[0], remote_id=remote.remote_id)
        harvested_at = dt.datetime.now(dt.timezone.utc)
        return DatasetRecord(**fields, provenance=self.provenance(remote, harvested_at))

