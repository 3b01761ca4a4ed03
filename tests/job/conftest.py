"""Job runner fixtures: a migrated store and the services the runner needs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from harvester.harmonize import Harmonizer
from harvester.settings import Settings
from harvester.sources import SourceConfig
from harvester.store import Store
from tests.job.fake_connector import FAMILY, register_fake


@dataclass
class RunnerServices:
    settings: Settings
    store: Store
    harmonizer: Harmonizer


@pytest.fixture
def services(database_url: str, tmp_path: Path) -> Iterator[RunnerServices]:
    register_fake()
    store = Store(database_url)
    store.migrate()
    settings = Settings(data_dir=tmp_path, database_url=database_url, harvest_batch_size=50)
    yield RunnerServices(settings=settings, store=store, harmonizer=Harmonizer())
    store.close()


def fake_source(**options: object) -> SourceConfig:
    return SourceConfig(id="kab-uji", name="Kabupaten Uji", family=FAMILY, url="https://uji.invalid/",
                        options=options)
