"""Paged DCAT-AP catalog documents, written record by record.

One page is the catalog node, every dataset of the page with a
`dcat:dataset` link from the catalog, and a hydra paging node. Datasets come
from the store by keyset (`after_id`), so the `next` link carries the last
id of the page as `after` and a walk over every page never rescans.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from harvester.model import PublishedDataset
from publish.dcat.profile import DcatApProfile
from publish.dcat.terms import IRI, RDF_TYPE, Literal, Resource
from publish.dcat.vocabularies import AS, DCAT, DCT, HYDRA, XSD, term
from publish.dcat.writers import RdfWriter

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_PAGE_SIZE", "MAX_PAGE_SIZE", "CatalogPage", "DatasetSource", "FeedPager", "write_document"]

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000

# Resources joined into one chunk before it goes to the socket.
_CHUNK_RESOURCES = 50
_XSD_INTEGER = XSD + "integer"
_XSD_DATETIME = XSD + "dateTime"


class DatasetSource(Protocol):
    """The part of the store the feed reads."""

    def iter_datasets(self, public_only: bool = False, modified_since: dt.datetime | None = None,
                      after_id: str | None = None, limit: int | None = None) -> Iterator[PublishedDataset]: ...

    def count_datasets(self, public_only: bool = False, modified_since: dt.datetime | None = None) -> int: ...

    def tombstones(self, since: dt.datetime) -> list[PublishedDataset]: ...


@dataclass(frozen=True, slots=True)
class CatalogPage:
    """One requested page: its number, size, filter and optional keyset cursor."""

    number: int = 1
    size: int = DEFAULT_PAGE_SIZE
    modified_since: dt.datetime | None = None
    after: str | None = None


PageLink = Callable[[int, "str | None"], str]


def write_document(writer: RdfWriter, resources: Iterable[Resource]) -> Iterator[str]:
    """Yield one serialized document in chunks of a few dozen resources."""
    yield writer.start()
    chunk: list[str] = []
    for resource in resources:
        chunk.append(writer.resource(resource))
        if len(chunk) >= _CHUNK_RESOURCES:
            yield "".join(chunk)
            chunk = []
    chunk.append(writer.end())
    yield "".join(chunk)


class FeedPager:
    """Builds the resources of catalog pages, tombstone lists and full dumps."""

    def __init__(self, store: DatasetSource, profile: DcatApProfile) -> None:
        self.store = store
        self.profile = profile

    def total(self, modified_since: dt.datetime | None) -> int:
        return self.store.count_datasets(public_only=True, modified_since=modified_since)

    def last_page(self, total: int, size: int) -> int:
        return max(1, math.ceil(total / size))

    def page_resources(self, page: CatalogPage, total: int, link: PageLink) -> Iterator[Resource]:
        """Yield the catalog node, the page's datasets with their catalog links, then the hydra node."""
        yield self.profile.catalog()

        after = page.after if page.after is not None else self._seek(page)
        last_id: str | None = None
        count = 0
        datasets = self.store.iter_datasets(public_only=True, modified_since=page.modified_since,
                                            after_id=after, limit=page.size)
        for dataset in datasets:
            if not dataset.is_public:
                # The store filters already; this guards against a stale row.
                continue
            yield self.profile.dataset(dataset)
            yield self.profile.catalog_link(dataset.id)
            last_id = dataset.id
            count += 1

        has_next = count == page.size and page.number * page.size < total
        yield self._hydra(page, total, link, last_id if has_next else None)

    def dump_resources(self, datasets: Iterable[PublishedDataset]) -> Iterator[Resource]:
        """Yield the catalog node and every public dataset of `datasets`, for a full dump."""
        yield self.profile.catalog()
        for dataset in datasets:
            if dataset.is_public:
                yield self.profile.dataset(dataset)
                yield self.profile.catalog_link(dataset.id)

    def tombstone_resources(self, since: dt.datetime) -> Iterator[Resource]:
        """Yield one `as:Tombstone` per dataset withdrawn at or after `since` and not yet purged."""
        for dataset in self.store.tombstones(since):
            node = Resource(self.profile.dataset_uri(dataset.id))
            node.add(RDF_TYPE, term(AS, "Tombstone"))
            node.add(term(AS, "formerType"), term(DCAT, "Dataset"))
            node.add(term(DCT, "identifier"), Literal(dataset.id))
            if dataset.withdrawn_at is not None:
                node.add(term(AS, "deleted"), Literal(dataset.withdrawn_at.isoformat(), _XSD_DATETIME))
            yield node

    def _seek(self, page: CatalogPage) -> str | None:
        """Return the id after which page `page.number` starts, by scanning the pages before it."""
        skip = (page.number - 1) * page.size
        if skip == 0:
            return None
        # TODO: a page number without the `after` cursor scans every earlier dataset;
        # add an id-only keyset query to the store when deep random access matters.
        last_id = None
        for dataset in self.store.iter_datasets(public_only=True, modified_since=page.modified_since, limit=skip):
            last_id = dataset.id
        return last_id

    def _hydra(self, page: CatalogPage, total: int, link: PageLink, next_after: str | None) -> Resource:
        last = self.last_page(total, page.size)
        node = Resource(IRI(link(page.number, page.after)))
        node.add(RDF_TYPE, term(HYDRA, "PartialCollectionView"))
        node.add(RDF_TYPE, term(HYDRA, "PagedCollection"))
        node.add(term(HYDRA, "totalItems"), Literal(str(total), _XSD_INTEGER))
        node.add(term(HYDRA, "itemsPerPage"), Literal(str(page.size), _XSD_INTEGER))

        first_link = IRI(link(1, None))
        last_link = IRI(link(last, None))
        node.add(term(HYDRA, "first"), first_link)
        node.add(term(HYDRA, "firstPage"), first_link)
        node.add(term(HYDRA, "last"), last_link)
        node.add(term(HYDRA, "lastPage"), last_link)
        if page.number > 1:
            previous_link = IRI(link(page.number - 1, None))
            node.add(term(HYDRA, "previous"), previous_link)
            node.add(term(HYDRA, "previousPage"), previous_link)
        if next_after is not None:
            next_link = IRI(link(page.number + 1, next_after))
            node.add(term(HYDRA, "next"), next_link)
            node.add(term(HYDRA, "nextPage"), next_link)
        return node
