"""A connector that generates records from its options, for job, kill and scheduler tests.

Records are `rec-000000`, `rec-000001`, ...; options drop, break or repeat
some of them, or make the listing fail part way, without any HTTP.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import ClassVar

from connectors import register
from connectors.base import Connector, ConnectorOptions, RemoteRecord
from harvester.errors import FetchError, InvalidRecordError
from harvester.model import AccessLevel, AccessRights, DatasetRecord

FAMILY = "fake"


class FakeOptions(ConnectorOptions):
    count: int = 10
    title: str = "Jumlah Penduduk"
    drop: list[str] = []
    malformed: list[str] = []
    repeat: list[str] = []
    fail_after: int | None = None
    delay_seconds: float = 0


class FakeConnector(Connector):
    family: ClassVar[str] = FAMILY
    Options: ClassVar[type[ConnectorOptions]] = FakeOptions

    options: FakeOptions

    def list_records(self) -> Iterator[RemoteRecord]:
        for number in range(self.options.count):
            if self.options.fail_after is not None and number >= self.options.fail_after:
                raise FetchError(f"source {self.source.id}: page failed with HTTP 500", status=500)
            remote_id = remote_id_of(number)
            if remote_id in self.options.drop:
                continue
            yield self.remote(remote_id, number)
            if remote_id in self.options.repeat:
                yield self.remote(remote_id, number)
        if self.options.delay_seconds:
            import time

            time.sleep(self.options.delay_seconds)
        self.state.complete = True

    def remote(self, remote_id: str, number: int) -> RemoteRecord:
        raw: dict[str, object] = {"id": remote_id, "title": f"{self.options.title} {number}"}
        if remote_id in self.options.malformed:
            del raw["title"]
        return RemoteRecord(remote_id=remote_id, raw=raw)

    def map_record(self, remote: RemoteRecord) -> DatasetRecord:
        title = remote.raw.get("title")
        if not title:
            raise InvalidRecordError(f"source {self.source.id}: record {remote.remote_id} has no title",
                                     remote_id=remote.remote_id, value=remote.raw, code="missing-title")
        return DatasetRecord(
            title=title,
            access=AccessRights(level=AccessLevel.TERBUKA),
            provenance=self.provenance(remote, dt.datetime.now(dt.UTC)),
        )


def remote_id_of(number: int) -> str:
    return f"rec-{number:06d}"


def register_fake() -> None:
    register(FAMILY, f"{__name__}:FakeConnector")
