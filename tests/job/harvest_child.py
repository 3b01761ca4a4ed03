"""Run one harvest of the generated source in a child process: `python -m tests.job.harvest_child URL OPTIONS_JSON`.

Crash tests set HIMPUN_CRASH_AFTER_RECORDS so the child dies part way. When
the run raises a `HimpunError`, the child prints its traceback, then a last
stderr line `harvest failed: <class> <code>`, and exits with status 1. Any
other exception ends it with Python's plain traceback, also status 1.
"""

from __future__ import annotations

import sys
import tempfile
import traceback
from pathlib import Path

import orjson

from harvester.errors import HimpunError
from harvester.harmonize import Harmonizer
from harvester.job import run_harvest
from harvester.settings import Settings
from harvester.store import Store
from tests.job.conftest import RunnerServices, fake_source
from tests.job.fake_connector import register_fake


def main(database_url: str, options_json: str) -> None:
    register_fake()
    store = Store(database_url)
    settings = Settings(data_dir=Path(tempfile.gettempdir()), database_url=database_url, harvest_batch_size=50)
    services = RunnerServices(settings=settings, store=store, harmonizer=Harmonizer())
    report = run_harvest(services, fake_source(**orjson.loads(options_json)))
    print(report.state.value)


if __name__ == "__main__":
    try:
        main(sys.argv[1], sys.argv[2])
    except HimpunError as error:
        traceback.print_exc()
        print(f"harvest failed: {type(error).__name__} {error.code}", file=sys.stderr)
        sys.exit(1)
