"""The connector contract.

A connector knows one portal family. It does two things:

1. `list_records()` pages through the remote catalogue and yields one
   `RemoteRecord` per remote dataset, exactly as received. It raises a
   `SourceError` when the listing as a whole fails (HTTP error after retries,
   an error envelope, a paging loop); the job then ends failed and withdraws
   nothing. A record that cannot even be split out of a page is yielded as a
   `RemoteRecord` whose `error` is set, so the job reports it and goes on.
2. `map_record(remote)` maps one remote record to a `DatasetRecord`, filling
   the `original` side of each harmonizable value. It raises a `RecordError`
   for a malformed record; the job reports it and continues with the next.

Everything else belongs to the job runner in `harvester.job`: the job record
and its final state, counts, per-record errors, the item cap, dry runs,
content hashes and skipping unchanged records, harmonizing, storing,
indexing and withdrawals. Connectors never open sockets themselves: they use
the `HttpClient` handed to them, which owns timeouts, retries, politeness,
size caps and the egress guard.

Each connector declares its options as a pydantic model (`Options`), so the
configuration validator, the CLI and the admin API describe and check them
without special cases.
"""

from __future__ import annotations

import abc
import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import orjson
from pydantic import BaseModel, ConfigDict, ValidationError

from harvester.errors import ConfigError, RecordError
from harvester.model import DatasetRecord, Provenance

if TYPE_CHECKING:
    from harvester.http import HttpClient
    from harvester.sources import SourceConfig


class ConnectorOptions(BaseModel):
    """Base for the options model a connector declares. Unknown options are rejected."""

    model_config = ConfigDict(extra="forbid")

    # Options whose values are credentials, beyond the names `harvester.credentials`
    # already treats as secret. The store encrypts them and the admin API masks them.
    secret_options: ClassVar[frozenset[str]] = frozenset()


@dataclass(slots=True)
class RemoteRecord:
    """One remote record as received, before mapping.

    `raw` is the parsed JSON object, or text for XML, HTML and rows.
    `error` is set when the record could not be split out of its page; the
    job reports it as rejected without calling `map_record`. `raw` must not
    change after `content_hash()` was called, because the hash is computed once.
    """

    remote_id: str
    raw: Any
    raw_format: str = "json"
    remote_url: str | None = None
    error: RecordError | None = None
    _content_hash: str | None = field(default=None, init=False, repr=False, compare=False)

    def content_hash(self) -> str:
        """Return the SHA-256 of the canonical form of `raw`, computed on the first call."""
        if self._content_hash is not None:
            return self._content_hash
        if isinstance(self.raw, (bytes, bytearray)):
            payload = bytes(self.raw)
        elif isinstance(self.raw, str):
            payload = self.raw.encode("utf-8")
        else:
            payload = orjson.dumps(self.raw, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
        self._content_hash = hashlib.sha256(payload).hexdigest()
        return self._content_hash


@dataclass(slots=True)
class ListingState:
    """What the listing learned about completeness, read by the job runner.

    `complete` stays False unless the connector reached the end of the
    catalogue through its own paging, so a run cut short never withdraws.
    `incremental` is True when only changes since `since` were requested.
    """

    complete: bool = False
    incremental: bool = False
    pages: int = 0
    reported_total: int | None = None


class Connector(abc.ABC):
    """Base class of every connector: lists remote records and maps one record."""

    family: ClassVar[str]
    title: ClassVar[str] = ""
    Options: ClassVar[type[ConnectorOptions]] = ConnectorOptions
    supports_incremental: ClassVar[bool] = False
    # True when `map_record` uses only the remote record and the options, never
    # `self.http`, so the job runner may call it in forked worker processes.
    map_in_workers: ClassVar[bool] = False

    def __init__(self, source: SourceConfig, http: HttpClient, *, since: dt.datetime | None = None) -> None:
        self.source = source
        self.http = http
        self.since = since if self.supports_incremental else None
        self.options = self.parse_options(source)
        self.state = ListingState(incremental=self.since is not None)

    @classmethod
    def parse_options(cls, source: SourceConfig) -> ConnectorOptions:
        """Validate the source's `options` against this connector's `Options` model."""
        try:
            return cls.Options.model_validate(source.options)
        except ValidationError as error:
            raise ConfigError(f"source {source.id}: invalid options for {cls.family}: {error}") from error

    @abc.abstractmethod
    def list_records(self) -> Iterator[RemoteRecord]:
        """Yield every remote record, paging as needed; set `self.state.complete` at the end."""

    @abc.abstractmethod
    def map_record(self, remote: RemoteRecord) -> DatasetRecord:
        """Map one remote record; raise `RecordError` when it is malformed."""

    def provenance(self, remote: RemoteRecord, harvested_at: dt.datetime) -> Provenance:
        """Build the provenance block for `remote`, for use inside `map_record`."""
        return Provenance(
            source_id=self.source.id,
            remote_id=remote.remote_id,
            remote_url=remote.remote_url,
            harvested_at=harvested_at,
            content_hash=remote.content_hash(),
            raw=remote.raw,
            raw_format=remote.raw_format,  # type: ignore[arg-type]
        )
