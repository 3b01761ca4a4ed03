"""Run the scheduler in a child process: `python -m tests.scheduler.scheduler_child URL LEASE_SECONDS`.

The generated source runs every 2 seconds; the process runs until SIGTERM.
"""

from __future__ import annotations

import logging
import signal
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from apscheduler.triggers.interval import IntervalTrigger

from harvester.harmonize import Harmonizer
from harvester.settings import Settings
from harvester.sources import Schedule, SourceConfig
from harvester.store import Store
from scheduler import start_scheduler
from tests.job.fake_connector import FAMILY, register_fake

INTERVAL_SECONDS = 2


@dataclass
class ChildServices:
    settings: Settings
    store: Store
    harmonizer: Harmonizer
    sources: list[SourceConfig] = field(default_factory=list)


def seconds_trigger(schedule: Schedule) -> IntervalTrigger:
    return IntervalTrigger(seconds=INTERVAL_SECONDS)


def main(database_url: str, lease_seconds: float) -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    register_fake()
    source = SourceConfig(id="kab-jadwal", name="Kabupaten Jadwal", family=FAMILY, url="https://jadwal.invalid/",
                          schedule=Schedule(interval_minutes=1, jitter_seconds=0), options={"count": 20})
    settings = Settings(data_dir=Path(tempfile.gettempdir()), database_url=database_url,
                        scheduler_lease_seconds=lease_seconds)
    services = ChildServices(settings=settings, store=Store(database_url), harmonizer=Harmonizer(), sources=[source])

    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    handle = start_scheduler(services, trigger_factory=seconds_trigger)
    print(handle.holder, flush=True)
    stopped.wait()
    handle.stop()


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]))
