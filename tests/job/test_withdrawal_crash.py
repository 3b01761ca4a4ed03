"""A harvest killed inside its withdrawal transaction withdraws all or nothing."""

from __future__ import annotations

import os
import subprocess
import sys

import orjson
import sqlalchemy as sa

from harvester.job import run_harvest
from harvester.jobs import JobState
from harvester.store.records import WITHDRAWAL_CRASH_EXIT_STATUS, WITHDRAWAL_CRASH_VARIABLE
from tests.conftest import REPOSITORY_ROOT
from tests.job.conftest import RunnerServices, fake_source
from tests.job.fake_connector import remote_id_of

RECORDS = 1_200
# More than one store chunk of 500 ids, so the hook fires after the first
# chunk is written and before the second.
DROPPED = [remote_id_of(number) for number in range(0, RECORDS, 2)]
MAX_SHARE = "0.6"


def status_counts(services: RunnerServices) -> dict[str, int]:
    with services.store.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT status, count(*) FROM record GROUP BY status")).all()
    return {status: count for status, count in rows}


def test_crash_in_withdrawal_is_all_or_nothing(services: RunnerServices, database_url: str) -> None:
    services.settings.withdraw_max_share = float(MAX_SHARE)
    assert run_harvest(services, fake_source(count=RECORDS)).counts.added == RECORDS
    options = {"count": RECORDS, "drop": DROPPED}

    environment = {**os.environ, WITHDRAWAL_CRASH_VARIABLE: "1", "HIMPUN_WITHDRAW_MAX_SHARE": MAX_SHARE}
    child = subprocess.run(
        [sys.executable, "-m", "tests.job.harvest_child", database_url, orjson.dumps(options).decode()],
        cwd=REPOSITORY_ROOT, env=environment, capture_output=True, text=True, timeout=60,
    )

    assert child.returncode == WITHDRAWAL_CRASH_EXIT_STATUS, child.stderr
    assert status_counts(services) == {"active": RECORDS}
    assert services.store.count_datasets(public_only=True) == RECORDS

    rerun = run_harvest(services, fake_source(**options))
    crashed = services.store.list_jobs("kab-uji", limit=2)[1]

    assert crashed.state is JobState.INTERRUPTED
    assert rerun.state is JobState.SUCCEEDED
    assert rerun.counts.withdrawn == len(DROPPED)
    assert status_counts(services) == {"active": RECORDS - len(DROPPED), "withdrawn": len(DROPPED)}
    assert services.store.count_datasets(public_only=True) == RECORDS - len(DROPPED)
