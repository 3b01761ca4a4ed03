"""CKAN Action API connector (family `ckan`).

Pages through `package_search` sorted by `id asc`, which is the only order
that stays stable while a portal changes during a crawl, and maps CKAN
packages to `DatasetRecord`. Incremental runs put a `metadata_modified` range
inside `q`, because some CKAN front ends (data.go.id) drop `fq`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterator
from typing import Any, ClassVar, Literal

from pydantic import Field

from connectors.base import Connector, ConnectorOptions, RemoteRecord
from connectors.common import (
    access_rights,
    clean_keywords,
    clean_text,
    file_format,
    json_record_error,
    looks_like_organization,
    parse_date,
    utc_now,
)
from harvester.errors import InvalidRecordError, PaginationError, RemoteError
from harvester.http import HttpSourceOptions
from harvester.model import AccessLevel, AccessRights, Agent, Concept, ContactPoint, DatasetRecord, Distribution, Licence

__all__ = ["CkanConnector", "CkanOptions", "extras_dict", "map_package"]

logger = logging.getLogger(__name__)

FREQUENCY_KEYS = ("frekuensi", "frequency", "frequency-of-update", "accrual_periodicity")
THEME_KEYS = ("kategori", "topik", "theme")


class CkanOptions(ConnectorOptions):
    """Options of a CKAN source."""

    rows: int = Field(default=1000, ge=1, le=1000, description="Packages per package_search page.")
    query: str = Field(default="*:*", description="Solr query selecting the packages to harvest.")
    api_path: str = Field(default="/api/3/action", description="Path of the Action API below the source URL.")
    organization_role: Literal["walidata", "opd"] = Field(
        default="walidata",
        description="What a CKAN organization is on this portal: the Walidata (publisher) or the "
        "producing OPD (creator, with the source's walidata as publisher).",
    )
    max_pages: int = Field(default=10_000, ge=1, description="Pages after which the listing stops as failed.")
    http: HttpSourceOptions = Field(default_factory=HttpSourceOptions)


class CkanConnector(Connector):
    """Harvests a CKAN portal through `package_search`."""

    family: ClassVar[str] = "ckan"
    title: ClassVar[str] = "CKAN Action API"
    Options: ClassVar[type[ConnectorOptions]] = CkanOptions
    supports_incremental: ClassVar[bool] = True
    map_in_workers: ClassVar[bool] = True

    options: CkanOptions

    def list_records(self) -> Iterator[RemoteRecord]:
        """Yield every package, page by page, until `count` is reached."""
        start = 0
        seen_pages: set[str] = set()
        while True:
            result = self.search_page(start)
            results = self._page_results(result, start)
            count = self.state.reported_total or 0

            fingerprint = _page_fingerprint(results)
            if results and fingerprint in seen_pages:
                raise PaginationError(f"source {self.source.id}: package_search returned the same page "
                                      f"again at start={start}; stopping to avoid a loop")
            seen_pages.add(fingerprint)

            for position, package in enumerate(results):
                yield self.remote_record(package, start + position)
            start += len(results)

            if start >= count:
                self.state.complete = True
                return
            if not results:
                raise PaginationError(f"source {self.source.id}: package_search reported {count} packages "
                                      f"but returned none at start={start}")
            if self.state.pages >= self.options.max_pages:
                raise PaginationError(f"source {self.source.id}: stopped after {self.state.pages} pages "
                                      f"(max_pages) with {count - start} packages left", code="max-pages")

    def search_page(self, start: int) -> dict[str, Any]:
        """Fetch one `package_search` page and return its `result` object."""
        params = {"q": self.search_query(), "rows": self.options.rows, "start": start, "sort": "id asc"}
        result = self.call_action("package_search", params)
        if not isinstance(result, dict):
            raise RemoteError(f"source {self.source.id}: package_search result is not an object")
        return result

    def search_query(self) -> str:
        """Return `q`, with the `metadata_modified` range of an incremental run."""
        if self.since is None:
            return self.options.query
        since = self.since.astimezone(dt.UTC).replace(microsecond=0, tzinfo=None).isoformat()
        window = f"metadata_modified:[{since}Z TO *]"
        if self.options.query.strip() in ("", "*:*"):
            return window
        return f"({self.options.query}) AND {window}"

    def call_action(self, action: str, params: dict[str, Any]) -> Any:
        """Call a CKAN action with GET and return its `result`; raise `RemoteError` on failure.

        The body is parsed with `per_record=True`, so a bad value stays inside
        the package that holds it; `remote_record` rejects that package.
        """
        url = f"{self.source.url.rstrip('/')}{self.options.api_path}/{action}"
        reply = self.http.get_json(url, params=params, per_record=True)
        if not isinstance(reply, dict) or reply.get("success") is not True:
            error = reply.get("error") if isinstance(reply, dict) else None
            raise RemoteError(f"source {self.source.id}: CKAN {action} failed: {error or 'no success flag'}")
        return reply.get("result")

    def remote_record(self, package: Any, position: int) -> RemoteRecord:
        """Wrap one package as received; a package without a string id gets an error set."""
        package_id = package.get("id") if isinstance(package, dict) else None
        flawed = json_record_error(package, source_id=self.source.id, remote_id=package_id,
                                   fallback_id=f"position-{position}")
        if flawed is not None:
            return RemoteRecord(remote_id=flawed.remote_id or "", raw=package, error=flawed)
        if not isinstance(package_id, str) or not package_id.strip():
            error = InvalidRecordError(f"source {self.source.id}: package at position {position} has no id",
                                       remote_id=f"position-{position}", value=_excerpt(package))
            return RemoteRecord(remote_id=f"position-{position}", raw=package, error=error)
        return RemoteRecord(remote_id=package_id, raw=package, remote_url=self.package_page(package))

    def package_page(self, package: dict[str, Any]) -> str:
        """Return the package's page on the portal."""
        return f"{self.source.url.rstrip('/')}/dataset/{package.get('name') or package.get('id')}"

    def map_record(self, remote: RemoteRecord) -> DatasetRecord:
        """Map one CKAN package; raise `InvalidRecordError` when it is malformed."""
        return map_package(remote, self, harvested_at=utc_now())

    def _page_results(self, result: dict[str, Any], start: int) -> list[Any]:
        results = result.get("results")
        count = result.get("count")
        if not isinstance(results, list) or not isinstance(count, int):
            raise RemoteError(f"source {self.source.id}: package_search page at start={start} has no "
                              "results list or count")
        self.state.pages += 1
        self.state.reported_total = count
        return results


def map_package(remote: RemoteRecord, connector: CkanConnector, *, harvested_at: dt.datetime) -> DatasetRecord:
    """Map a CKAN package dict to a `DatasetRecord`."""
    package = remote.raw
    if not isinstance(package, dict):
        raise InvalidRecordError(f"package {remote.remote_id} is not an object", remote_id=remote.remote_id)
    title = clean_text(package.get("title")) or clean_text(package.get("name"))
    if title is None:
        raise InvalidRecordError(f"package {remote.remote_id} has no title", remote_id=remote.remote_id)

    extras = extras_dict(package.get("extras"))
    publisher, creator = _agents(package, connector)
    try:
        return DatasetRecord(
            title=title,
            description=clean_text(package.get("notes")),
            keywords=clean_keywords(_tag_names(package.get("tags"))),
            themes=_themes(package, extras),
            publisher=publisher,
            creator=creator,
            contact_point=_contact_point(package, extras),
            issued=parse_date(package.get("metadata_created")),
            modified=parse_date(package.get("metadata_modified")),
            frequency=_first_concept(extras, FREQUENCY_KEYS),
            licence=_licence(package),
            access=_access(package, extras),
            landing_page=clean_text(package.get("url")) or connector.package_page(package),
            identifiers=_identifiers(package, extras),
            distributions=[_distribution(item) for item in _list(package.get("resources"))
                           if isinstance(item, dict)],
            extras=_record_extras(package, extras),
            provenance=connector.provenance(remote, harvested_at),
        )
    except ValueError as error:
        raise InvalidRecordError(f"package {remote.remote_id} is malformed: {error}",
                                 remote_id=remote.remote_id) from error


def extras_dict(extras: Any) -> dict[str, Any]:
    """Turn CKAN extras (a list of {key, value}, or already a mapping) into a dict.

    Values keep their JSON type. Keys may be anything, including years
    ("2023": "75") as some regional portals store them.
    """
    if isinstance(extras, dict):
        return {str(key): value for key, value in extras.items()}
    mapped: dict[str, Any] = {}
    for item in _list(extras):
        if isinstance(item, dict) and isinstance(item.get("key"), str):
            mapped[item["key"]] = item.get("value")
    return mapped


def _agents(package: dict[str, Any], connector: CkanConnector) -> tuple[Agent | None, Agent | None]:
    organization = package.get("organization") if isinstance(package.get("organization"), dict) else {}
    org_name = clean_text(organization.get("title")) or clean_text(organization.get("name"))
    org_agent = Agent(name=org_name, original=org_name) if org_name else None
    author = clean_text(package.get("author"))
    author_agent = Agent(name=author, original=author) if looks_like_organization(author) else None

    if connector.options.organization_role == "opd":
        walidata = connector.source.walidata
        publisher = Agent(name=walidata, original=walidata) if walidata else None
        return publisher, _opd_agent(org_agent, package) or author_agent
    return org_agent, author_agent


def _opd_agent(org_agent: Agent | None, package: dict[str, Any]) -> Agent | None:
    """Return the OPD, named in full when a tag spells out the organization's abbreviation."""
    if org_agent is None:
        return None
    for name in _tag_names(package.get("tags")):
        text = clean_text(name)
        if text is not None and looks_like_organization(text):
            return Agent(name=text, original=org_agent.original)
    return org_agent


def _tag_names(tags: Any) -> list[Any]:
    names: list[Any] = []
    for tag in _list(tags):
        if isinstance(tag, dict):
            names.append(tag.get("display_name") or tag.get("name"))
        else:
            names.append(tag)
    return names


def _themes(package: dict[str, Any], extras: dict[str, Any]) -> list[Concept]:
    originals = [group.get("title") or group.get("name") for group in _list(package.get("groups"))
                 if isinstance(group, dict)]
    originals += [extras.get(key) for key in THEME_KEYS]
    return [Concept(original=text) for text in clean_keywords(originals)]


def _first_concept(extras: dict[str, Any], keys: tuple[str, ...]) -> Concept | None:
    for key in keys:
        text = clean_text(extras.get(key))
        if text is not None:
            return Concept(original=text)
    return None


def _contact_point(package: dict[str, Any], extras: dict[str, Any]) -> ContactPoint | None:
    name = clean_text(package.get("maintainer"))
    email = clean_text(package.get("maintainer_email")) or clean_text(extras.get("contact-email"))
    if name is None and email is None:
        return None
    return ContactPoint(name=name, email=email)


def _licence(package: dict[str, Any]) -> Licence | None:
    licence_id = clean_text(package.get("license_id"))
    title = clean_text(package.get("license_title"))
    uri = clean_text(package.get("license_url"))
    if licence_id is None and title is None and uri is None:
        return None
    return Licence(original=licence_id or title or uri, title=title, uri=uri)


def _access(package: dict[str, Any], extras: dict[str, Any]) -> AccessRights:
    if package.get("private") is True:
        return AccessRights(level=AccessLevel.TERTUTUP, original="private")
    return access_rights(extras.get("accesslevel") or extras.get("access_level"))


def _identifiers(package: dict[str, Any], extras: dict[str, Any]) -> list[str]:
    candidates = [package.get("id"), package.get("name"), extras.get("guid"), extras.get("harvest_object_id")]
    identifiers: list[str] = []
    for candidate in candidates:
        text = clean_text(candidate)
        if text is not None and text not in identifiers:
            identifiers.append(text)
    return identifiers


def _distribution(resource: dict[str, Any]) -> Distribution:
    url = clean_text(resource.get("url"))
    is_download = resource.get("url_type") == "upload" or (url is not None and "/download/" in url)
    size = resource.get("size")
    return Distribution(
        title=clean_text(resource.get("name")),
        description=clean_text(resource.get("description")),
        access_url=url,
        download_url=url if is_download else None,
        format=file_format(resource.get("format"), resource.get("mimetype")),
        byte_size=size if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else None,
        remote_id=clean_text(resource.get("id")),
        issued=parse_date(resource.get("created")),
        modified=parse_date(resource.get("last_modified")) or parse_date(resource.get("metadata_modified")),
    )


def _record_extras(package: dict[str, Any], extras: dict[str, Any]) -> dict[str, Any]:
    record_extras = dict(extras)
    organization = package.get("organization")
    if isinstance(organization, dict) and organization.get("name"):
        record_extras.setdefault("ckan_organization", organization["name"])
    if package.get("name"):
        record_extras.setdefault("ckan_name", package["name"])
    return record_extras


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _page_fingerprint(results: list[Any]) -> str:
    ids = [str(item.get("id")) if isinstance(item, dict) else repr(item)[:80] for item in results]
    return hashlib.sha256("\n".join(ids).encode("utf-8", "replace")).hexdigest()


def _excerpt(value: Any) -> str:
    return repr(value)[:200]
