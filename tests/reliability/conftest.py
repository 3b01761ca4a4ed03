"""Fixtures of the fault and bad-input tests: the connect jail, fast policies and harvest services."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harvester.harmonize import Harmonizer
from harvester.http import HttpClient, HttpPolicy
from harvester.services import Services
from harvester.settings import Settings
from harvester.sources import SourceConfig
from harvester.store import Store
from index.embedded import EmbeddedIndex
from tests.reliability.harness import CONNECT_JAIL, ConnectJail


# Public rate limits high enough that scans and fault tests are never throttled.
OPEN_RATE_LIMIT: dict[str, Any] = {"public_rate_limit_per_minute": 1_000_000, "public_rate_limit_burst": 100_000}


@pytest.fixture(autouse=True)
def connect_jail() -> Iterator[ConnectJail]:
    """Fail any test whose code tried to connect outside loopback."""
    with CONNECT_JAIL.guard() as jail:
        yield jail
    assert jail.rejected == [], f"connects outside loopback were attempted: {jail.rejected}"


@pytest.fixture(scope="session")
def harmonizer() -> Harmonizer:
    return Harmonizer()


@pytest.fixture
def services(tmp_path: Path, harmonizer: Harmonizer) -> Iterator[Services]:
    """Services over a fresh SQLite store and embedded index, with small batches."""
    settings = Settings(data_dir=tmp_path, harvest_batch_size=20, contact_url="https://example.invalid/kontak",
                        **OPEN_RATE_LIMIT)
    store = Store(settings.resolved_database_url)
    store.migrate()
    built = Services(settings=settings, store=store, index=EmbeddedIndex(settings.index_dir),
                     harmonizer=harmonizer, sources=[])
    yield built
    built.close()


def loopback_policy(**changes: Any) -> HttpPolicy:
    """A policy for tests: 127.0.0.1 allowed, no politeness delay, no backoff wait, short timeouts."""
    values: dict[str, Any] = {"allowlist": ("127.0.0.1/32",), "min_delay_per_host": 0.0, "backoff_base": 0.0,
                              "connect_timeout": 2.0, "read_timeout": 2.0, "total_deadline": 5.0}
    values.update(changes)
    return HttpPolicy(**values)


def ckan_source(url: str, source_id: str = "kab-uji", **fields: Any) -> SourceConfig:
    """A CKAN source of the simulator at `url`, paging 10 records at a time."""
    values: dict[str, Any] = {"id": source_id, "name": "Kabupaten Uji", "family": "ckan", "url": url,
                              "walidata": "Kabupaten Pesawaran", "region": "18.09", "options": {"rows": 10}}
    values.update(fields)
    return SourceConfig(**values)


def client_for(services: Services, source: SourceConfig, **changes: Any) -> HttpClient:
    return HttpClient(services.settings, source=source, policy=loopback_policy(**changes))


def package(number: int, **fields: Any) -> dict[str, Any]:
    """A minimal open CKAN package; `fields` replace or add keys."""
    values: dict[str, Any] = {
        "id": f"00000000-0000-4000-8000-{number:012d}",
        "name": f"dataset-uji-{number}",
        "title": f"Jumlah Penduduk Kecamatan {number} Tahun 2023",
        "notes": "Data jumlah penduduk per kecamatan.",
        "metadata_modified": "2024-05-01T00:00:00",
        "extras": [{"key": "accesslevel", "value": "terbuka"}],
        "resources": [{"id": f"res-{number}", "url": f"https://data.example.invalid/{number}.csv", "format": "CSV"}],
    }
    values.update(fields)
    return values
