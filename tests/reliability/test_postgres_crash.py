"""PostgreSQL stopped with `pg_ctl stop -m immediate` during a harvest: committed batches stay whole, a rerun converges.

The test runs its own cluster. `initdb` creates it in a new folder under the
system temp folder, owned by the `postgres` user. It listens on 127.0.0.1 at
a free port and keeps its Unix socket in that folder, so the crash never
touches the shared test server on port 5432.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
import psycopg
import pytest
import sqlalchemy as sa

from connectors.base import RemoteRecord
from harvester.harmonize import Harmonizer
from harvester.job import run_harvest
from harvester.jobs import JobState
from harvester.settings import Settings
from harvester.store import Store
from tests.conftest import REPOSITORY_ROOT
from tests.job.conftest import RunnerServices, fake_source
from tests.job.fake_connector import register_fake, remote_id_of

POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
RECORDS = 4000
BATCH_SIZE = 50  # harvest_batch_size of tests/job/harvest_child.py
# Stored records after which the cluster is stopped: well into the run, well before its end.
STOP_AFTER_RECORDS = 600


@dataclass
class PrivateCluster:
    """A PostgreSQL cluster of one test: its folder, port and pg_ctl commands."""

    folder: Path
    port: int

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/himpun"

    def pg_ctl(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        options = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.folder} "
                   "-c max_connections=20 -c shared_buffers=16MB")
        command = [str(POSTGRES_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "server.log"),
                   "-o", options, "-w", "-t", "60", *arguments]
        result = as_postgres(command)
        assert result.returncode == 0, f"pg_ctl {' '.join(arguments)} failed: {result.stdout}{result.stderr}"
        return result


def as_postgres(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["runuser", "-u", "postgres", "--", *command], capture_output=True, text=True, timeout=120)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def private_cluster() -> Iterator[PrivateCluster]:
    """Create, start, and at teardown stop and delete a PostgreSQL cluster that trusts local connections."""
    if not (POSTGRES_BIN / "initdb").exists():
        pytest.fail(f"{POSTGRES_BIN / 'initdb'} is missing: install the PostgreSQL 15 server package")
    if os.geteuid() != 0:
        pytest.fail("the private PostgreSQL cluster needs root to run initdb and pg_ctl as the postgres user")
    postgres_user = pwd.getpwnam("postgres")

    # Under the system temp folder, because pytest's tmp_path is inside a folder only root may enter.
    folder = Path(tempfile.mkdtemp(prefix="himpun-pg-"))
    os.chown(folder, postgres_user.pw_uid, postgres_user.pw_gid)
    cluster = PrivateCluster(folder=folder, port=free_port())
    started = False
    try:
        created = as_postgres([str(POSTGRES_BIN / "initdb"), "-D", str(cluster.data), "-A", "trust", "-U", "postgres",
                               "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"])
        assert created.returncode == 0, f"initdb failed: {created.stdout}{created.stderr}"
        cluster.pg_ctl("start")
        started = True
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{cluster.port}/postgres", autocommit=True) as admin:
            admin.execute("CREATE DATABASE himpun")
        yield cluster
    finally:
        if started:
            as_postgres([str(POSTGRES_BIN / "pg_ctl"), "-D", str(cluster.data), "-m", "immediate", "-w", "stop"])
        shutil.rmtree(folder, ignore_errors=True)


def stored_rows(store: Store) -> list[tuple[str, str]]:
    with store.engine.connect() as connection:
        return [(remote_id, content_hash) for remote_id, content_hash in connection.execute(sa.text(
            "SELECT remote_id, content_hash FROM record WHERE source_id = 'kab-uji' ORDER BY remote_id"))]


def expected_hashes(title: str) -> dict[str, str]:
    return {remote_id_of(number): RemoteRecord(remote_id_of(number), {"id": remote_id_of(number),
                                                                      "title": f"{title} {number}"}).content_hash()
            for number in range(RECORDS)}


def digest(rows: list[tuple[str, str]]) -> str:
    return hashlib.sha256(orjson.dumps(rows)).hexdigest()


def wait_for_records(store: Store, minimum: int, child: subprocess.Popen[bytes]) -> int:
    """Poll until at least `minimum` records are stored; return the count seen."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert child.poll() is None, "the harvest child ended before the cluster was stopped"
        with store.engine.connect() as connection:
            count = connection.execute(sa.text("SELECT count(*) FROM record")).scalar_one()
        if count >= minimum:
            return count
        time.sleep(0.02)
    raise AssertionError(f"fewer than {minimum} records stored after 60 s")


def test_immediate_stop_keeps_whole_batches(private_cluster: PrivateCluster, tmp_path: Path) -> None:
    register_fake()
    store = Store(private_cluster.url)
    store.migrate()
    options = {"count": RECORDS, "title": "Crash PostgreSQL"}
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.job.harvest_child", private_cluster.url, orjson.dumps(options).decode()],
        cwd=REPOSITORY_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        wait_for_records(store, STOP_AFTER_RECORDS, child)
        store.engine.dispose()
        private_cluster.pg_ctl("-m", "immediate", "stop")
        _, stderr = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=10)
    private_cluster.pg_ctl("start")

    errors = stderr.decode()
    assert child.returncode == 1, errors[-2000:]
    # The child ends on the lost connection as a typed store error, never a bare driver error.
    assert errors.splitlines()[-1] == "harvest failed: DatabaseUnavailableError database-unavailable", errors[-2000:]
    assert "harvester.errors.DatabaseUnavailableError: source kab-uji: job " in errors, errors[-2000:]
    # Its one try to store the failed state met the stopped server, so the row stays running until a stale check.
    crashed_id = store.list_jobs("kab-uji", limit=1)[0].job_id
    assert store.get_job(crashed_id).state is JobState.RUNNING
    survivors = stored_rows(store)
    expected = expected_hashes("Crash PostgreSQL")
    assert STOP_AFTER_RECORDS <= len(survivors) < RECORDS
    assert len(survivors) % BATCH_SIZE == 0, f"{len(survivors)} records: a batch was stored in part"
    assert [content_hash for remote_id, content_hash in survivors] == [expected[remote_id] for remote_id, _ in survivors]
    with store.engine.connect() as connection:
        datasets = connection.execute(sa.text("SELECT count(*) FROM dataset")).scalar_one()
    assert datasets == len(survivors), "every committed record has its dataset row, and no other exists"

    settings = Settings(data_dir=tmp_path, database_url=private_cluster.url, harvest_batch_size=BATCH_SIZE)
    services = RunnerServices(settings=settings, store=store, harmonizer=Harmonizer())
    rerun = run_harvest(services, fake_source(**options))
    crashed = store.get_job(crashed_id)
    store.close()

    assert crashed.state is JobState.INTERRUPTED
    assert [error.code for error in crashed.errors] == ["job-interrupted"]
    assert rerun.state is JobState.SUCCEEDED
    assert rerun.counts.withdrawn == 0
    assert rerun.counts.added == RECORDS - len(survivors)
    assert digest(stored_rows(store)) == digest(sorted(expected.items()))
