"""CSW 2.0.2 catalogues returning ISO 19139 records (GeoNode, GeoNetwork, pycsw).

GetRecords (KVP GET binding) pages through the catalogue with `startPosition` and the
`nextRecord` the server returns. A `nextRecord` that does not move forward,
or that points past `numberOfRecordsMatched` + 1, ends the run with a
PaginationError: some servers send 0 at the end and others the total plus
one, and both count as the end. Every response passes the XML gate first.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator

from lxml import etree
from pydantic import Field

from connectors.base import Connector, RemoteRecord
from connectors.csw_iso import map_iso_record, record_identifier
from connectors.family_options import FamilyOptions
from connectors.xml_safety import parse_xml
from harvester.errors import InvalidRecordError, PaginationError, RemoteError
from harvester.model import DatasetRecord

__all__ = ["CswConnector", "CswOptions", "SearchPage", "parse_search_page"]

logger = logging.getLogger(__name__)

GMD_SCHEMA = "http://www.isotc211.org/2005/gmd"
_CSW = "http://www.opengis.net/cat/csw/2.0.2"
_OWS = "http://www.opengis.net/ows"
_GMI = "http://www.isotc211.org/2005/gmi"
_RECORD_TAGS = (f"{{{GMD_SCHEMA}}}MD_Metadata", f"{{{_GMI}}}MI_Metadata")


class CswOptions(FamilyOptions):
    """Options of a CSW source."""

    page_size: int = Field(default=50, ge=1, le=1000, description="maxRecords per GetRecords request.")
    max_pages: int = Field(default=10_000, ge=1, description="Pages fetched at most before the run fails.")
    type_names: str = Field(default="gmd:MD_Metadata", description="typeNames of the GetRecords query.")


class SearchPage:
    """One GetRecords response: its records and the paging numbers."""

    def __init__(self, records: list[etree._Element], matched: int, returned: int, next_record: int) -> None:
        self.records = records
        self.matched = matched
        self.returned = returned
        self.next_record = next_record


def _number(element: etree._Element, name: str, where: str) -> int:
    try:
        return int(element.get(name, ""))
    except ValueError:
        raise RemoteError(f"{where}: SearchResults has no valid {name}: {element.get(name)!r}") from None


def parse_search_page(data: bytes, *, where: str) -> SearchPage:
    """Parse a GetRecords response; raise RemoteError for an ows:ExceptionReport."""
    root = parse_xml(data, where=where)
    if root.tag == f"{{{_OWS}}}ExceptionReport":
        text = " ".join(root.itertext()).split()
        raise RemoteError(f"{where}: CSW exception: {' '.join(text)[:300]}")

    results = root.find(f"{{{_CSW}}}SearchResults")
    if results is None:
        raise RemoteError(f"{where}: response has no csw:SearchResults (root {root.tag})")

    records = [child for child in results if child.tag in _RECORD_TAGS]
    return SearchPage(
        records=records,
        matched=_number(results, "numberOfRecordsMatched", where),
        returned=_number(results, "numberOfRecordsReturned", where),
        next_record=_number(results, "nextRecord", where),
    )


def _modified_constraint(since: dt.datetime) -> dict[str, str]:
    """Ask only for records modified since `since`, as a CQL constraint on the OGC queryable `Modified`."""
    stamp = since.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"constraintLanguage": "CQL_TEXT", "constraint_language_version": "1.1.0",
            "constraint": f"Modified >= '{stamp}'"}


def _get_records_params(start: int, options: CswOptions, since: dt.datetime | None = None) -> dict[str, str]:
    params = _base_params(start, options)
    if since is not None:
        params.update(_modified_constraint(since))
    return params


def _base_params(start: int, options: CswOptions) -> dict[str, str]:
    return {
        "service": "CSW",
        "version": "2.0.2",
        "request": "GetRecords",
        "typeNames": options.type_names,
        "resultType": "results",
        "elementSetName": "full",
        "outputSchema": GMD_SCHEMA,
        "namespace": f"xmlns(gmd={GMD_SCHEMA})",
        "startPosition": str(start),
        "maxRecords": str(options.page_size),
    }


class CswConnector(Connector):
    """Harvest ISO 19139 records from a CSW 2.0.2 endpoint."""

    family = "csw"
    title = "Katalog CSW ISO 19139 / CSW ISO 19139 catalogue"
    Options = CswOptions
    supports_incremental = True

    options: CswOptions

    def list_records(self) -> Iterator[RemoteRecord]:
        start = 1
        while True:
            if self.state.pages >= self.options.max_pages:
                raise PaginationError(f"source {self.source.id}: stopped after {self.options.max_pages} pages",
                                      code="max-pages")
            page = self._fetch_page(start)
            self.state.reported_total = page.matched
            yield from self._split_page(page)

            if self._is_last_page(page):
                break
            start = self._advance(start, page)
        self.state.complete = True

    def _fetch_page(self, start: int) -> SearchPage:
        # TODO: offer GetRecords as an XML POST once HttpClient.post accepts a raw body;
        # every CSW 2.0.2 server must support the KVP GET binding used here.
        response = self.http.get(self.source.url, params=_get_records_params(start, self.options, self.since))
        self.state.pages += 1
        return parse_search_page(response.content, where=f"{self.source.url} startPosition={start}")

    def _split_page(self, page: SearchPage) -> Iterator[RemoteRecord]:
        for record in page.records:
            raw = etree.tostring(record, encoding="unicode")
            remote_id = record_identifier(record)
            if remote_id is None:
                error = InvalidRecordError(f"source {self.source.id}: record without gmd:fileIdentifier", value=raw[:500])
                yield RemoteRecord(remote_id="", raw=raw, raw_format="xml", error=error)
                continue
            yield RemoteRecord(remote_id=remote_id, raw=raw, raw_format="xml")

    @staticmethod
    def _is_last_page(page: SearchPage) -> bool:
        return page.returned == 0 or page.next_record == 0 or page.next_record == page.matched + 1

    def _advance(self, start: int, page: SearchPage) -> int:
        if page.next_record <= start:
            raise PaginationError(
                f"source {self.source.id}: nextRecord {page.next_record} does not advance past {start}")
        if page.next_record > page.matched + 1:
            raise PaginationError(
                f"source {self.source.id}: nextRecord {page.next_record} is past "
                f"numberOfRecordsMatched {page.matched}")
        return page.next_record

    def map_record(self, remote: RemoteRecord) -> DatasetRecord:
        record = parse_xml(remote.raw.encode("utf-8"), where=f"record {remote.remote_id}")
        fields = map_iso_record(record, remote_id=remote.remote_id)
        harvested_at = dt.datetime.now(dt.timezone.utc)
        return DatasetRecord(**fields, provenance=self.provenance(remote, harvested_at))

