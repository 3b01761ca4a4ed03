"""Helpers for the portal-family connector tests: sources, clients and a small job loop."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pytest_httpserver import HTTPServer

from connectors.base import Connector, RemoteRecord
from harvester.errors import RecordError
from harvester.http import HttpClient, HttpPolicy
from harvester.model import DatasetRecord
from harvester.settings import Settings
from harvester.sources import SourceConfig


def make_source(family: str, url: str, **options: Any) -> SourceConfig:
    """Build a source configuration for one loopback test server."""
    return SourceConfig(id=f"test-{family}", name=f"Test {family}", family=family, url=url, options=options)


@dataclass
class HarvestOutcome:
    """What one run of `list_records` and `map_record` produced."""

    records: list[DatasetRecord] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)
    remotes: list[RemoteRecord] = field(default_factory=list)

    def titles(self) -> list[str]:
        return sorted(record.title for record in self.records)


def run_connector(connector: Connector) -> HarvestOutcome:
    """List and map every record the way the job runner does, keeping record errors."""
    outcome = HarvestOutcome()
    for remote in connector.list_records():
        outcome.remotes.append(remote)
        if remote.error is not None:
            outcome.errors.append(remote.error)
            continue
        try:
            outcome.records.append(connector.map_record(remote))
        except RecordError as error:
            outcome.errors.append(error)
    return outcome


def make_http(*allowed: str) -> HttpClient:
    """Build the real job client, allowing only the given loopback `host:port` entries."""
    policy = HttpPolicy(allowlist=allowed, min_delay_per_host=0.0, max_retries=0, backoff_base=0.0)
    return HttpClient(Settings(), policy=policy)


def server_http(server: HTTPServer) -> HttpClient:
    """Build the job client allowing exactly one pytest-httpserver instance."""
    return make_http(f"127.0.0.1:{server.port}")
