"""Kill a 10,000-record harvest at random points and check that one restart converges.

Each trial starts from an empty database, runs the harvest of the generated
test source in a child process and kills it. Odd trials die through
HIMPUN_CRASH_AFTER_RECORDS at a random record count, even trials by SIGKILL
from a timer at a random moment. A second child then harvests to the
end. The trial converges when the digest of (source, remote id, content
hash) of the active records equals the uninterrupted reference, no record
is duplicated and the killed job ended `interrupted`.

    .venv/bin/python bench/kill_loop.py                      # 20 trials on SQLite and on PostgreSQL
    .venv/bin/python bench/kill_loop.py --trials 5 --backend sqlite

PostgreSQL databases are created and dropped on the server named by
HIMPUN_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson
import psycopg
import sqlalchemy as sa

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY_ROOT))

from connectors.base import RemoteRecord  # noqa: E402
from harvester.job import CRASH_ENVIRONMENT_VARIABLE  # noqa: E402
from tests.job.fake_connector import remote_id_of  # noqa: E402

RECORDS = 10_000
TITLE = "Jumlah Penduduk Menurut Kecamatan"
POSTGRES_ADMIN_URL = os.environ.get("HIMPUN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def reference_digest() -> str:
    rows = []
    for number in range(RECORDS):
        raw = {"id": remote_id_of(number), "title": f"{TITLE} {number}"}
        rows.append(["kab-uji", remote_id_of(number), RemoteRecord(remote_id_of(number), raw).content_hash()])
    return hashlib.sha256(orjson.dumps(rows)).hexdigest()


def store_state(database_url: str) -> tuple[str, int, list[str]]:
    """Return the digest of active records, the duplicate count and the job states, oldest first."""
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT source_id, remote_id, content_hash FROM record WHERE status = 'active' "
            "ORDER BY source_id, remote_id")).all()
        duplicates = connection.execute(sa.text(
            "SELECT count(*) FROM (SELECT source_id, remote_id FROM record GROUP BY source_id, remote_id "
            "HAVING count(*) > 1) AS repeated")).scalar_one()
        states = list(connection.execute(sa.text("SELECT state FROM harvest_job ORDER BY id")).scalars())
    engine.dispose()
    return hashlib.sha256(orjson.dumps([list(row) for row in rows])).hexdigest(), duplicates, states


def child_command(database_url: str) -> list[str]:
    options = orjson.dumps({"count": RECORDS, "title": TITLE}).decode()
    return [sys.executable, "-m", "tests.job.harvest_child", database_url, options]


def killed_run(database_url: str, rng: random.Random, by_timer: bool) -> str:
    """Run the harvest child and kill it; return how it was killed."""
    if not by_timer:
        point = rng.randint(1, RECORDS - 1)
        environment = {**os.environ, CRASH_ENVIRONMENT_VARIABLE: str(point)}
        subprocess.run(child_command(database_url), cwd=REPOSITORY_ROOT, env=environment,
                       capture_output=True, timeout=600)
        return f"after {point} records"
    # The child needs about 1.5 s to import before its job starts on the 2-CPU development machine.
    delay = rng.uniform(1.8, 4.5)
    child = subprocess.Popen(child_command(database_url), cwd=REPOSITORY_ROOT, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        child.wait(timeout=delay)
        return f"timer {delay:.1f} s came after the end"
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGKILL)
        child.wait()
        return f"SIGKILL at {delay:.1f} s"


@contextmanager
def fresh_database(backend: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="himpun-kill-") as folder:
            url = f"sqlite:///{Path(folder) / 'himpun.sqlite3'}"
            migrate(url)
            yield url
        return
    name = f"himpun_kill_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        migrate(f"{base}/{name}")
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate(database_url: str) -> None:
    from harvester.store import Store

    store = Store(database_url)
    store.migrate()
    store.close()


def run_backend(backend: str, trials: int, reference: str, rng: random.Random) -> int:
    converged = 0
    for trial in range(1, trials + 1):
        with fresh_database(backend) as url:
            how = killed_run(url, rng, by_timer=trial % 2 == 0)
            started = time.perf_counter()
            subprocess.run(child_command(url), cwd=REPOSITORY_ROOT, capture_output=True, timeout=900, check=True)
            digest, duplicates, states = store_state(url)
        # A timer may fire after the end (two succeeded jobs) or before the job row exists (one job).
        expected_states = [["interrupted", "succeeded"], ["succeeded", "succeeded"], ["succeeded"]]
        ok = digest == reference and duplicates == 0 and states in expected_states
        converged += ok
        print(f"{backend} trial {trial:2d}: killed {how}; restart {time.perf_counter() - started:.0f} s; "
              f"jobs {states}; duplicates {duplicates}; digest {'equal' if digest == reference else 'DIFFERENT'}; "
              f"{'converged' if ok else 'DIVERGED'}")
    print(f"{backend}: {converged} of {trials} trials converged to the reference digest")
    return converged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=20, help="kills per backend")
    parser.add_argument("--backend", choices=("all", "sqlite", "postgresql"), default="all")
    parser.add_argument("--seed", type=int, default=20)
    arguments = parser.parse_args()
    reference = reference_digest()
    rng = random.Random(arguments.seed)
    backends = ("sqlite", "postgresql") if arguments.backend == "all" else (arguments.backend,)
    failed = sum(arguments.trials - run_backend(backend, arguments.trials, reference, rng) for backend in backends)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
