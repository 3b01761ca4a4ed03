"""Custom JSON APIs described in YAML instead of code (family "json-api").

A regional "satu data" app with its own JSON API needs a description in
`config/connectors/json-api/` (or inline in the source's options), not a new
module.
See `connectors.declarative_config` for the description's parts.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urljoin

from pydantic import Field

from connectors.base import Connector, RemoteRecord
from connectors.common import json_record_error
from connectors.declarative_config import ApiDescription, load_description
from connectors.declarative_fields import evaluate, record_fields
from connectors.declarative_paging import iterate_pages
from connectors.family_options import FamilyOptions
from harvester.errors import InvalidRecordError, RemoteError
from harvester.http import HttpStatusError
from harvester.model import DatasetRecord
from harvester.sources import SourceConfig

__all__ = ["DeclarativeConnector", "DeclarativeOptions", "check_envelope"]

logger = logging.getLogger(__name__)


class DeclarativeOptions(FamilyOptions):
    """Options of a json-api source: a preset name and inline overrides of its parts."""

    preset: str | None = Field(default=None, description="Name of a description in config/connectors/json-api/.")
    listing: dict[str, Any] = Field(default_factory=dict, description="Overrides of the list rule.")
    detail: dict[str, Any] | None = None
    error: list[dict[str, Any]] | None = None
    fields: dict[str, str] = Field(default_factory=dict, description="Overrides of field expressions.")
    transforms: dict[str, list[str]] = Field(default_factory=dict)


def check_envelope(description: ApiDescription, body: Any, *, where: str) -> None:
    """Raise RemoteError when an error rule matches a body that arrived with HTTP 200."""
    for rule in description.error:
        if evaluate(rule.when, body):
            message = evaluate(rule.message, body) if rule.message else None
            raise RemoteError(f"{where}: the API reported an error: {message or rule.when}")


class DeclarativeConnector(Connector):
    """Harvest a JSON API through a YAML description of its listing and fields."""

    family = "json-api"
    title = "API JSON khusus / Custom JSON API"
    Options = DeclarativeOptions

    options: DeclarativeOptions

    def __init__(self, source: SourceConfig, http: Any, *, since: dt.datetime | None = None) -> None:
        super().__init__(source, http, since=since)
        inline: dict[str, Any] = {"listing": self.options.listing, "fields": self.options.fields,
                                  "transforms": self.options.transforms}
        if self.options.detail is not None:
            inline["detail"] = self.options.detail
        if self.options.error is not None:
            inline["error"] = self.options.error
        self.description = load_description(self.options.preset, inline)

    def list_records(self) -> Iterator[RemoteRecord]:
        listing = self.description.listing
        url = urljoin(self.source.url.rstrip("/") + "/", listing.path.lstrip("/")) if listing.path else self.source.url

        pages = iterate_pages(self._fetch, url, listing.params, listing.paging, self._items, source_id=self.source.id)
        for page in pages:
            self.state.pages += 1
            for position, item in enumerate(page.items):
                yield self._remote(item, position)
        self.state.complete = True

    def _fetch(self, url: str, params: dict[str, str]) -> Any:
        body = self.http.get_json(url, params=params or None, per_record=True)
        check_envelope(self.description, body, where=f"source {self.source.id} {url}")
        return body

    def _items(self, body: Any) -> list[Any]:
        items = evaluate(self.description.listing.items, body)
        if items is None:
            return []
        if not isinstance(items, list):
            raise RemoteError(f"source {self.source.id}: {self.description.listing.items!r} is not a list")
        return items

    def _remote(self, item: Any, position: int) -> RemoteRecord:
        remote_id = evaluate(self.description.fields["remote_id"], item) if isinstance(item, dict) else None
        flawed = json_record_error(item, source_id=self.source.id,
                                   remote_id=None if remote_id is None else str(remote_id),
                                   fallback_id=f"item-{position}")
        if flawed is not None:
            return RemoteRecord(remote_id=flawed.remote_id or "", raw=item, error=flawed)
        if remote_id in (None, ""):
            error = InvalidRecordError(f"source {self.source.id}: item without remote id", value=item)
            return RemoteRecord(remote_id="", raw=item, error=error)

        raw = item
        if self.description.detail is not None:
            try:
                raw = {**item, "detail": self._detail(item)}
            except (RemoteError, HttpStatusError) as error:
                if isinstance(error, HttpStatusError) and (error.status or 0) >= 500:
                    raise
                failed = InvalidRecordError(f"source {self.source.id}: detail of {remote_id} failed: {error}",
                                            remote_id=str(remote_id), code="detail-failed")
                return RemoteRecord(remote_id=str(remote_id), raw=item, error=failed)
            flawed = json_record_error(raw, source_id=self.source.id, remote_id=str(remote_id),
                                       fallback_id=f"item-{position}")
            if flawed is not None:
                return RemoteRecord(remote_id=flawed.remote_id or "", raw=item, error=flawed)
        return RemoteRecord(remote_id=str(remote_id), raw=raw)

    def _detail(self, item: dict[str, Any]) -> Any:
        detail = self.description.detail
        assert detail is not None
        try:
            path = detail.path.format(**{key: quote(str(value), safe="") for key, value in item.items()})
        except KeyError as error:
            raise RemoteError(f"source {self.source.id}: detail path needs item key {error}") from None
        body = self._fetch(urljoin(self.source.url.rstrip("/") + "/", path.lstrip("/")), {})
        return evaluate(detail.select, body)

    def _absolute(self, url: str | None) -> str | None:
        """Resolve a portal-relative URL such as /data/834 against the source URL."""
        if url is None or "://" in url:
            return url
        return urljoin(self.source.url, url)

    def map_record(self, remote: RemoteRecord) -> DatasetRecord:
        fields = record_fields(self.description, remote.raw, remote_id=remote.remote_id)
        fields["landing_page"] = self._absolute(fields["landing_page"])
        for distribution in fields["distributions"]:
            distribution.access_url = self._absolute(distribution.access_url)
            distribution.download_url = self._absolute(distribution.download_url)
        harvested_at = dt.datetime.now(dt.timezone.utc)
        return DatasetRecord(**fields, provenance=self.provenance(remote, harvested_at))
