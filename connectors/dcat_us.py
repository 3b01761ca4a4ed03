"""DCAT-US 1.1 `data.json` connector (family `dcat-us`).

Reads one `data.json` catalog (`dataset[]`), as Satu Data Aceh and Jawa Timur
publish it, including the Satu Data fields `kategori` (topic) and
`prioritas_tahun` (the year the dataset is a data priority). The whole
catalog is one document, so a run that parsed it is complete; an empty
`dataset` list is a valid empty catalog.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any, ClassVar, Literal

from pydantic import Field

from connectors.base import Connector, ConnectorOptions, RemoteRecord
from connectors.common import (
    PLACEHOLDER_KEYWORDS,
    access_rights,
    clean_keywords,
    clean_text,
    file_format,
    json_record_error,
    parse_date,
    strip_mailto,
    utc_now,
)
from harvester.errors import InvalidRecordError, RemoteError
from harvester.http import HttpSourceOptions
from harvester.model import Agent, Concept, ContactPoint, DatasetRecord, Distribution, Licence, Temporal

__all__ = ["DcatUsConnector", "DcatUsOptions"]

logger = logging.getLogger(__name__)

SDI_EXTRAS = ("kategori", "prioritas_tahun", "bureauCode", "programCode", "language", "references")


class DcatUsOptions(ConnectorOptions):
    """Options of a DCAT-US `data.json` source. The source URL is the data.json URL itself."""

    publisher_role: Literal["walidata", "opd"] = Field(
        default="opd",
        description="What `publisher.name` is in this catalog: the Walidata, or the producing OPD "
        "(creator, with the source's walidata as publisher). Regional portals name OPDs.",
    )
    http: HttpSourceOptions = Field(default_factory=HttpSourceOptions)


class DcatUsConnector(Connector):
    """Harvests a DCAT-US 1.1 `data.json` catalog."""

    family: ClassVar[str] = "dcat-us"
    title: ClassVar[str] = "DCAT-US data.json"
    Options: ClassVar[type[ConnectorOptions]] = DcatUsOptions

    options: DcatUsOptions

    def list_records(self) -> Iterator[RemoteRecord]:
        """Fetch the catalog and yield each dataset entry."""
        catalog = self.http.get_json(self.source.url, per_record=True)
        datasets = catalog.get("dataset") if isinstance(catalog, dict) else None
        if not isinstance(datasets, list):
            raise RemoteError(f"source {self.source.id}: {self.source.url} is not a DCAT-US catalog "
                              "(no dataset list)")
        self.state.pages = 1
        self.state.reported_total = len(datasets)

        seen: set[str] = set()
        for position, entry in enumerate(datasets):
            yield self._remote_record(entry, position, seen)
        self.state.complete = True

    def map_record(self, remote: RemoteRecord) -> DatasetRecord:
        """Map one `dataset[]` entry; raise `InvalidRecordError` when it is malformed."""
        entry = remote.raw
        if not isinstance(entry, dict):
            raise InvalidRecordError(f"dataset {remote.remote_id} is not an object", remote_id=remote.remote_id)
        title = clean_text(entry.get("title"))
        if title is None:
            raise InvalidRecordError(f"dataset {remote.remote_id} has no title", remote_id=remote.remote_id)

        publisher, creator = self._agents(entry)
        try:
            return DatasetRecord(
                title=title,
                description=clean_text(entry.get("description")),
                keywords=clean_keywords(_as_list(entry.get("keyword"))),
                themes=_themes(entry),
                publisher=publisher,
                creator=creator,
                contact_point=_contact_point(entry.get("contactPoint")),
                spatial_text=clean_text(entry.get("spatial")),
                temporal=_temporal(entry.get("temporal")),
                issued=parse_date(entry.get("issued")),
                modified=parse_date(entry.get("modified")),
                frequency=_concept(entry.get("accrualPeriodicity")),
                licence=_licence(entry.get("license")),
                access=access_rights(entry.get("accessLevel")),
                landing_page=clean_text(entry.get("landingPage")),
                identifiers=[remote.remote_id],
                distributions=[_distribution(item) for item in _as_list(entry.get("distribution"))
                               if isinstance(item, dict)],
                extras=_extras(entry),
                provenance=self.provenance(remote, utc_now()),
            )
        except ValueError as error:
            raise InvalidRecordError(f"dataset {remote.remote_id} is malformed: {error}",
                                     remote_id=remote.remote_id) from error

    def _remote_record(self, entry: Any, position: int, seen: set[str]) -> RemoteRecord:
        flawed = json_record_error(entry, source_id=self.source.id,
                                   remote_id=entry.get("identifier") if isinstance(entry, dict) else None,
                                   fallback_id=f"dataset-{position}")
        if flawed is not None:
            return RemoteRecord(remote_id=flawed.remote_id or "", raw=entry, error=flawed)
        identifier = clean_text(entry.get("identifier")) if isinstance(entry, dict) else None
        if identifier is None:
            remote_id = f"dataset-{position}"
            error = InvalidRecordError(f"source {self.source.id}: dataset[{position}] has no identifier",
                                       remote_id=remote_id, value=repr(entry)[:200])
            return RemoteRecord(remote_id=remote_id, raw=entry, error=error)
        if identifier in seen:
            error = InvalidRecordError(f"source {self.source.id}: identifier {identifier} appears twice; "
                                       f"dataset[{position}] ignored", remote_id=identifier,
                                       code="duplicate-identifier")
            return RemoteRecord(remote_id=identifier, raw=entry, error=error)
        seen.add(identifier)
        return RemoteRecord(remote_id=identifier, raw=entry, remote_url=clean_text(entry.get("landingPage")))

    def _agents(self, entry: dict[str, Any]) -> tuple[Agent | None, Agent | None]:
        publisher = entry.get("publisher")
        name = clean_text(publisher.get("name")) if isinstance(publisher, dict) else clean_text(publisher)
        named = Agent(name=name, original=name) if name else None
        if self.options.publisher_role == "walidata":
            return named, None
        walidata = self.source.walidata
        return (Agent(name=walidata, original=walidata) if walidata else None), named


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [part for part in value.split(",")]
    return []


def _themes(entry: dict[str, Any]) -> list[Concept]:
    originals = _as_list(entry.get("theme")) + [entry.get("kategori")]
    return [Concept(original=text) for text in clean_keywords(originals)
            if text.lower() not in PLACEHOLDER_KEYWORDS]


def _concept(value: Any) -> Concept | None:
    text = clean_text(value)
    return Concept(original=text) if text else None


def _contact_point(value: Any) -> ContactPoint | None:
    if not isinstance(value, dict):
        return None
    name = clean_text(value.get("fn"))
    email = strip_mailto(value.get("hasEmail"))
    if name is None and email is None:
        return None
    return ContactPoint(name=name, email=email)


def _temporal(value: Any) -> Temporal | None:
    """Read an ISO 8601 interval `start/end`; anything else is kept as the label."""
    text = clean_text(value)
    if text is None:
        return None
    start_text, separator, end_text = text.partition("/")
    start, end = parse_date(start_text), parse_date(end_text)
    if separator and (start or end):
        return Temporal(start=_date(start), end=_date(end), label=text)
    return Temporal(label=text)


def _date(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value is not None else None


def _licence(value: Any) -> Licence | None:
    text = clean_text(value)
    if text is None:
        return None
    uri = text if text.startswith(("http://", "https://")) else None
    return Licence(original=text, uri=uri)


def _distribution(item: dict[str, Any]) -> Distribution:
    download_url = clean_text(item.get("downloadURL"))
    return Distribution(
        title=clean_text(item.get("title")),
        description=clean_text(item.get("description")),
        access_url=clean_text(item.get("accessURL")) or download_url,
        download_url=download_url,
        format=file_format(item.get("format"), item.get("mediaType")),
    )


def _extras(entry: dict[str, Any]) -> dict[str, Any]:
    extras: dict[str, Any] = {}
    for key in SDI_EXTRAS:
        value = entry.get(key)
        if value not in (None, "", []):
            extras[key] = value
    return extras
