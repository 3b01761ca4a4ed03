"""BPS WebAPI: the subjects, variables and static tables of one BPS domain.

List replies look like `{"status": "OK", "data-availability": "available",
"data": [{"page": 1, "pages": 3, ...}, [item, ...]]}`. Errors often arrive
with HTTP 200, as `{"status": "Error", "message": ...}` or as
`"data-availability": "list-not-available"`; both raise RemoteError. The key
comes from the options or from an environment variable the options name,
and it never appears in a log line or an error message.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterator
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator

from connectors.base import Connector, RemoteRecord
from connectors.family_options import FamilyOptions
from harvester.errors import ConfigError, FetchError, InvalidRecordError, PaginationError, RemoteError
from harvester.model import Agent, Concept, DatasetRecord, Distribution, FileFormat, Temporal

__all__ = ["BpsConnector", "BpsOptions", "code_to_year", "parse_list_reply", "year_to_code"]

logger = logging.getLogger(__name__)

Model = Literal["subject", "var", "statictable"]
_ID_FIELDS: dict[str, str] = {"subject": "sub_id", "var": "var_id", "statictable": "table_id"}
_YEAR_OFFSET = 1900


def year_to_code(year: int) -> int:
    """Return the BPS year code for a calendar year (2017 -> 117)."""
    return year - _YEAR_OFFSET


def code_to_year(code: int | str) -> int:
    """Return the calendar year for a BPS year code (117 -> 2017)."""
    return int(code) + _YEAR_OFFSET


class BpsOptions(FamilyOptions):
    """Options of a BPS WebAPI source. `url` is the API base, e.g. https://webapi.bps.go.id/v1/api."""

    secret_options: ClassVar[frozenset[str]] = frozenset({"key"})

    domain: str = Field(description="BPS domain id: 0000 national, PP00 province, PPKK regency.")
    models: list[Model] = Field(default_factory=lambda: ["subject", "var", "statictable"],
                                description="Lists to harvest, each item becoming one dataset record.")
    key: str | None = Field(default=None, description="WebAPI key; prefer key_env.")
    key_env: str | None = Field(default=None, description="Environment variable that contains the WebAPI key.")
    lang: Literal["ind", "eng"] = "ind"
    max_pages: int = Field(default=10_000, ge=1, description="Pages fetched at most per list before the run fails.")

    @field_validator("domain")
    @classmethod
    def _check_domain(cls, value: str) -> str:
        if len(value) != 4 or not value.isdigit():
            raise ValueError(f"BPS domain {value!r} is invalid: use four digits such as 0000 or 1809")
        return value


def parse_list_reply(body: Any, *, where: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Return the paging object and the items of a list reply; raise RemoteError for error bodies."""
    if not isinstance(body, dict):
        raise RemoteError(f"{where}: reply is not a JSON object")
    if body.get("status") != "OK":
        message = str(body.get("message") or body.get("status") or "no message")
        raise RemoteError(f"{where}: BPS WebAPI error: {message}", code="bps-error")
    if body.get("data-availability") == "list-not-available":
        raise RemoteError(f"{where}: BPS WebAPI reports list-not-available", code="list-not-available")

    data = body.get("data")
    if not isinstance(data, list) or len(data) != 2 or not isinstance(data[0], dict) or not isinstance(data[1], list):
        raise RemoteError(f"{where}: reply has no [paging, items] pair under data")
    return data[0], [item for item in data[1] if isinstance(item, dict)]


class BpsConnector(Connector):
    """Harvest one BPS domain's subjects, variables and static tables."""

    family = "bps"
    title = "BPS WebAPI"
    Options = BpsOptions

    options: BpsOptions

    def list_records(self) -> Iterator[RemoteRecord]:
        key = self._key()
        for model in self.options.models:
            yield from self._list_model(model, key)
        self.state.complete = True

    def _key(self) -> str:
        if self.options.key:
            return self.options.key
        if self.options.key_env and os.environ.get(self.options.key_env):
            return os.environ[self.options.key_env]
        raise ConfigError(f"source {self.source.id}: no BPS WebAPI key; set options.key_env to the name "
                          "of an environment variable that contains it")

    def _list_model(self, model: Model, key: str) -> Iterator[RemoteRecord]:
        page, pages = 1, 1
        while page <= pages:
            if page > self.options.max_pages:
                raise PaginationError(f"source {self.source.id}: {model} list passed {self.options.max_pages} pages",
                                      code="max-pages")
            paging, items = self._fetch(model, page, key)
            self.state.pages += 1
            pages = int(paging.get("pages") or 0)
            for item in items:
                yield self._remote(model, item)
            page += 1

    def _fetch(self, model: Model, page: int, key: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        where = f"source {self.source.id} model={model} domain={self.options.domain} page={page}"
        params = {"model": model, "domain": self.options.domain, "lang": self.options.lang,
                  "page": str(page), "key": key}
        url = self.source.url.rstrip("/") + "/list"
        try:
            body = self.http.get_json(url, params=params)
        except FetchError as error:
            raise FetchError(f"{where}: request failed: {str(error).replace(key, '***')}",
                             url=url, status=error.status, code=error.code) from None
        return parse_list_reply(body, where=where)

    def _remote(self, model: Model, item: dict[str, Any]) -> RemoteRecord:
        raw = {"model": model, "domain": self.options.domain, "item": item}
        item_id = item.get(_ID_FIELDS[model])
        if item_id in (None, ""):
            error = InvalidRecordError(f"source {self.source.id}: {model} item without {_ID_FIELDS[model]}",
                                       value=item)
            return RemoteRecord(remote_id="", raw=raw, error=error)
        return RemoteRecord(remote_id=f"{model}-{item_id}", raw=raw)

    def map_record(self, remote: RemoteRecord) -> DatasetRecord:
        model, item = remote.raw["model"], remote.raw["item"]
        title = str(item.get("title") or "").strip()
        if not title:
            raise InvalidRecordError(f"BPS {remote.remote_id} has no title", remote_id=remote.remote_id)

        fields = _MAPPERS[model](item)
        publisher = Agent(name="Badan Pusat Statistik", original=f"BPS domain {remote.raw['domain']}")
        harvested_at = dt.datetime.now(dt.timezone.utc)
        return DatasetRecord(title=title, publisher=publisher, identifiers=[remote.remote_id],
                             provenance=self.provenance(remote, harvested_at), **fields)


def _theme(name: Any) -> list[Concept]:
    return [Concept(original=str(name))] if name else []


def _subject_fields(item: dict[str, Any]) -> dict[str, Any]:
    return {"themes": _theme(item.get("subcat")), "extras": {"table_count": item.get("ntabel")}}


def _var_fields(item: dict[str, Any]) -> dict[str, Any]:
    description = item.get("def") or item.get("notes") or None
    extras = {key: item[key] for key in ("unit", "vertical", "graph_name", "notes") if item.get(key)}
    return {"description": description, "themes": _theme(item.get("sub_name")), "extras": extras,
            "temporal": _years(item.get("tahun"))}


def _statictable_fields(item: dict[str, Any]) -> dict[str, Any]:
    modified = None
    if item.get("updt_date"):
        try:
            modified = dt.datetime.fromisoformat(str(item["updt_date"])).replace(tzinfo=dt.timezone.utc)
        except ValueError:
            modified = None
    distributions = []
    if item.get("excel"):
        distributions.append(Distribution(access_url=str(item["excel"]), download_url=str(item["excel"]),
                                          format=FileFormat(original="xls")))
    return {"themes": _theme(item.get("subj")), "modified": modified, "distributions": distributions,
            "extras": {"size": item["size"]} if item.get("size") else {}}


def _years(entries: Any) -> Temporal | None:
    """Return the temporal coverage of a `tahun` list, whose codes are years minus 1900."""
    if not isinstance(entries, list) or not entries:
        return None
    years = sorted(code_to_year(entry["val"]) for entry in entries if isinstance(entry, dict) and "val" in entry)
    if not years:
        return None
    return Temporal(start=dt.date(years[0], 1, 1), end=dt.date(years[-1], 12, 31), label=f"{years[0]}-{years[-1]}")


_MAPPERS = {"subject": _subject_fields, "var": _var_fields, "statictable": _statictable_fields}
