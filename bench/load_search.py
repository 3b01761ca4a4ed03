"""Load the public search API over loopback and print throughput, latency percentiles and errors.

Builds a SQLite store and an embedded index of synthetic public datasets.
Their titles draw words from a Zipf distribution over the words of real
Indonesian dataset titles. The script then starts `uvicorn --factory
server.app:create_app` with one worker on 127.0.0.1 and runs light asyncio
keep-alive clients (bench/http_load.py) against /api/search for a bounded
time, so every scenario stops by itself.

    .venv/bin/python bench/load_search.py                       # every scenario, 50,000 records, 60 s each
    .venv/bin/python bench/load_search.py --scenario search --duration 20
    .venv/bin/python bench/load_search.py --scenario harvest    # search while 10,000 records are harvested
    .venv/bin/python bench/load_search.py --scenario hung       # search while 20 hung and 5 healthy sources run
    .venv/bin/python bench/load_search.py --scenario abuse      # one client at 200 req/s, 20 at 5 req/s

The load generator runs on the same machine as the server, so both share
the CPU; the figures are a lower bound of what the server alone reaches.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import multiprocessing
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx
from apscheduler.triggers.interval import IntervalTrigger

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY_ROOT))
sys.path.insert(0, str(REPOSITORY_ROOT / "bench"))

from harvest_throughput import serve as serve_ckan  # noqa: E402
from http_load import KeepAliveClient, LoadClientError  # noqa: E402
from search_latency import Zipf, real_vocabulary  # noqa: E402

from harvester.harmonize import Harmonizer  # noqa: E402
from harvester.http import HttpClient, HttpPolicy  # noqa: E402
from harvester.job import run_harvest  # noqa: E402
from harvester.model import AccessLevel, AccessRights, DatasetRecord, Provenance  # noqa: E402
from harvester.pipeline import make_indexer  # noqa: E402
from harvester.services import Services  # noqa: E402
from harvester.settings import Settings  # noqa: E402
from harvester.sources import Schedule, SourceConfig  # noqa: E402
from harvester.store import Store  # noqa: E402
from index.documents import build_document  # noqa: E402
from index.embedded import EmbeddedIndex  # noqa: E402
from scheduler import start_scheduler  # noqa: E402

BATCH = 1000
QUERY_COUNT = 200
HARVEST_LOAD_LIMIT = 600.0  # seconds of load at most while a harvest or a scheduler round runs
HUNG_SOURCES = 20
HEALTHY_SOURCES = 5
HUNG_DEADLINE_SECONDS = 10.0  # total deadline of each request to a silent peer
HUNG_STALL_SECONDS = 2.0  # scheduler_stall_seconds in the hung-sources scenario

OPEN_LIMITS = {"HIMPUN_PUBLIC_RATE_LIMIT_PER_MINUTE": "100000000", "HIMPUN_PUBLIC_RATE_LIMIT_BURST": "1000000"}


@dataclass
class Tally:
    """Latencies in seconds and error counts of one group of clients."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    failures: int = 0

    def add(self, status: int, seconds: float) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status == 200:
            self.latencies.append(seconds)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values()) + self.failures

    def share(self, status: int) -> float:
        return self.statuses.get(status, 0) / self.requests if self.requests else 0.0

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


def build_corpus(data_dir: Path, count: int) -> list[str]:
    """Store and index `count` public datasets; return the single-word queries to send."""
    vocabulary, lengths = real_vocabulary()
    rng = random.Random(7)
    words = Zipf(vocabulary, rng)
    settings = Settings(data_dir=data_dir)
    store = Store(settings.resolved_database_url)
    store.migrate()
    harvested = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)

    started = time.perf_counter()
    for first in range(0, count, BATCH):
        records = []
        for number in range(first, min(first + BATCH, count)):
            title = " ".join(words.draw() for _ in range(rng.choice(lengths)))
            provenance = Provenance(source_id="sintetis", remote_id=f"r{number:07d}", harvested_at=harvested,
                                    content_hash=f"{number:064x}")
            records.append(DatasetRecord(title=f"{title} {2000 + number % 25}", description=title,
                                         access=AccessRights(level=AccessLevel.TERBUKA), provenance=provenance))
        store.upsert_records("sintetis", records)
    index = EmbeddedIndex(settings.index_dir)
    index.rebuild(build_document(dataset) for dataset in store.iter_datasets())
    index.close()
    store.close()
    print(f"corpus: {count} datasets stored and indexed in {time.perf_counter() - started:.0f} s")
    return [words.draw() for _ in range(QUERY_COUNT)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(data_dir: Path, port: int, limits: dict[str, str]) -> subprocess.Popen:
    sources = data_dir / "sources.yaml"
    sources.write_text("sources: []\n")
    environment = {**os.environ, "HIMPUN_DATA_DIR": str(data_dir), "HIMPUN_SOURCES_FILE": str(sources),
                   "HIMPUN_LOG_LEVEL": "WARNING", **limits}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "server.app:create_app", "--host", "127.0.0.1",
         "--port", str(port), "--workers", "1", "--log-level", "warning", "--no-access-log"],
        cwd=REPOSITORY_ROOT, env=environment)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"the server on port {port} did not respond to /health within 60 s")


async def client_loop(base: str, queries: list[str], tally: Tally, until: float, *, rate: float | None,
                      local_address: str = "127.0.0.1", running: Callable[[], bool] = lambda: True) -> None:
    """Send searches until `until` or until `running()` is false, back to back or at `rate` requests per second."""
    client = KeepAliveClient(base, local_address=local_address)
    rng = random.Random()
    next_start = time.monotonic()
    while time.monotonic() < until and running():
        if rate:
            next_start += 1 / rate
            await asyncio.sleep(max(0.0, next_start - time.monotonic()))
        started = time.perf_counter()
        try:
            status = await client.get("/api/search?q=" + quote(rng.choice(queries)))
            tally.add(status, time.perf_counter() - started)
        except LoadClientError:
            tally.failures += 1
    await client.close()


def report(label: str, tally: Tally, seconds: float) -> None:
    errors = tally.requests - tally.statuses.get(200, 0)
    print(f"{label}: {tally.requests / seconds:,.0f} req/s, p50 {tally.percentile(0.5):.0f} ms, "
          f"p90 {tally.percentile(0.9):.0f} ms, p99 {tally.percentile(0.99):.0f} ms, "
          f"errors {errors} of {tally.requests} (statuses {dict(sorted(tally.statuses.items()))})")


async def plain_load(base: str, queries: list[str], clients: int, seconds: float,
                     beside: multiprocessing.Process | None = None) -> tuple[Tally, float]:
    """Load the search API for `seconds`, or only while `beside` runs; return the tally and the seconds it took."""
    tally = Tally()
    started = time.monotonic()
    running = beside.is_alive if beside is not None else (lambda: True)
    await asyncio.gather(*(client_loop(base, queries, tally, started + seconds, rate=None, running=running)
                           for _ in range(clients)))
    return tally, time.monotonic() - started


def harvest_in_background(data_dir: Path, records: int) -> multiprocessing.Process:
    """Harvest `records` packages from a loopback CKAN simulator into the served store, in its own process.

    Production runs harvests in a scheduler process apart from the web
    workers (`himpun run --no-serve`), so the harvest gets its own process
    here too instead of sharing the load generator's interpreter lock.
    """
    process = multiprocessing.get_context("spawn").Process(target=harvest, args=(data_dir, records))
    process.start()
    return process


def harvest(data_dir: Path, records: int) -> None:
    """Run one full harvest of a CKAN simulator with `records` packages and print its duration."""
    port_queue: multiprocessing.Queue = multiprocessing.Queue()
    simulator = multiprocessing.Process(target=serve_ckan, args=(port_queue, records), daemon=True)
    simulator.start()
    port = port_queue.get(timeout=30)
    settings = Settings(data_dir=data_dir, harvest_batch_size=100)
    store = Store(settings.resolved_database_url)
    services = Services(settings=settings, store=store, index=EmbeddedIndex(settings.index_dir),
                        harmonizer=Harmonizer(), sources=[])
    source = SourceConfig(id="ckan-sim", name="CKAN simulator", family="ckan", url=f"http://127.0.0.1:{port}",
                          access_default=AccessLevel.TERBUKA, options={"rows": 100})
    policy = HttpPolicy(allowlist=(f"127.0.0.1:{port}",), min_delay_per_host=0.0)

    started = time.perf_counter()
    with HttpClient(settings, source=source, policy=policy) as http:
        job = run_harvest(services, source, http=http, indexer=make_indexer(services), full=True)
    print(f"harvest: {job.counts.added} records added in {time.perf_counter() - started:.0f} s "
          f"({job.state.value})", flush=True)

    services.close()
    simulator.terminate()


def hung_sources_in_background(data_dir: Path, records: int) -> multiprocessing.Process:
    """Start a scheduler process whose first round has 20 silent sources and 5 healthy ones."""
    process = multiprocessing.get_context("spawn").Process(target=hung_round, args=(data_dir, records))
    process.start()
    return process


def hung_round(data_dir: Path, records: int) -> None:
    """Run one scheduler round over 20 silent peers and 5 CKAN simulators; print when each healthy one ends."""
    logging.getLogger("harvester").setLevel(logging.ERROR)  # 20 deadline warnings per round add nothing here
    silent = [silent_peer(f"127.0.0.{10 + number}") for number in range(HUNG_SOURCES)]
    simulators, ports = [], []
    for _ in range(HEALTHY_SOURCES):
        port_queue: multiprocessing.Queue = multiprocessing.Queue()
        simulators.append(multiprocessing.Process(target=serve_ckan, args=(port_queue, records), daemon=True))
        simulators[-1].start()
        ports.append(port_queue.get(timeout=30))

    settings = Settings(data_dir=data_dir, harvest_batch_size=100, egress_allowlist=["127.0.0.0/8"],
                        scheduler_stall_seconds=HUNG_STALL_SECONDS)
    schedule = Schedule(interval_minutes=60, jitter_seconds=0)
    fast = {"min_delay_seconds": 0}
    hung = [SourceConfig(id=f"macet-{number:02d}", name="Silent peer", family="ckan", url=f"http://{host}:{port}",
                         access_default=AccessLevel.TERBUKA, schedule=schedule,
                         options={"rows": 100, "http": {**fast, "max_retries": 0,
                                                        "total_deadline_seconds": HUNG_DEADLINE_SECONDS}})
            for number, (host, port) in enumerate(silent)]
    healthy = [SourceConfig(id=f"sehat-{number}", name="CKAN simulator", family="ckan",
                            url=f"http://127.0.0.1:{port}", access_default=AccessLevel.TERBUKA, schedule=schedule,
                            options={"rows": 100, "http": fast})
               for number, port in enumerate(ports)]
    store = Store(settings.resolved_database_url)
    services = Services(settings=settings, store=store, index=EmbeddedIndex(settings.index_dir),
                        harmonizer=Harmonizer(), sources=[*hung, *healthy])

    due = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    first_round = IntervalTrigger(hours=1, start_date=due, timezone=dt.UTC)
    handle = start_scheduler(services, indexer=make_indexer(services), trigger_factory=lambda _: first_round)
    for source in healthy:
        finished = wait_for_job(store, source.id, due, timeout=600)
        print(f"hung sources: {source.id} {finished}", flush=True)
    handle.stop()
    services.close()
    for simulator in simulators:
        simulator.terminate()


def silent_peer(host: str) -> tuple[str, int]:
    """Listen on `host`, accept connections and never respond, like a hung portal; return the address."""
    listener = socket.create_server((host, 0))
    open_connections: list[socket.socket] = []

    def accept() -> None:
        while True:
            connection, _ = listener.accept()
            open_connections.append(connection)

    threading.Thread(target=accept, daemon=True).start()
    return host, listener.getsockname()[1]


def wait_for_job(store: Store, source_id: str, due: dt.datetime, timeout: float) -> str:
    """Wait until the source has a job that started at `due` and ended; describe its state and end time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = store.list_jobs(source_id, limit=1)
        if jobs and jobs[0].finished_at and jobs[0].started_at >= due - dt.timedelta(seconds=1):
            seconds = (jobs[0].finished_at - due).total_seconds()
            return f"{jobs[0].state.value} {seconds:.1f} s after the round was due"
        time.sleep(0.2)
    return f"not finished within {timeout:.0f} s"


async def abuse_load(base: str, queries: list[str], seconds: float) -> tuple[Tally, Tally]:
    abuser, normal = Tally(), Tally()
    until = time.monotonic() + seconds
    tasks = [client_loop(base, queries, abuser, until, rate=200, local_address="127.0.0.2")]
    tasks += [client_loop(base, queries, normal, until, rate=5, local_address=f"127.0.1.{number}")
              for number in range(1, 21)]
    await asyncio.gather(*tasks)
    return abuser, normal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=50_000, help="datasets in the served corpus")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per scenario")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients of the search scenarios")
    parser.add_argument("--harvest-records", type=int, default=10_000, help="records harvested during load")
    parser.add_argument("--scenario", choices=("all", "search", "harvest", "hung", "abuse"), default="all")
    arguments = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, load generator in the same machine")

    with tempfile.TemporaryDirectory(prefix="himpun-load-") as folder:
        data_dir = Path(folder)
        queries = build_corpus(data_dir, arguments.records)
        base = ""
        if arguments.scenario in ("all", "search", "harvest", "hung"):
            port = free_port()
            server = start_server(data_dir, port, OPEN_LIMITS)
            base = f"http://127.0.0.1:{port}"
            try:
                if arguments.scenario in ("all", "search"):
                    tally, seconds = asyncio.run(plain_load(base, queries, arguments.clients, arguments.duration))
                    report(f"search, {arguments.clients} clients", tally, seconds)
                if arguments.scenario in ("all", "harvest"):
                    harvest = harvest_in_background(data_dir, arguments.harvest_records)
                    tally, seconds = asyncio.run(plain_load(base, queries, arguments.clients, HARVEST_LOAD_LIMIT,
                                                            beside=harvest))
                    report(f"search during harvest, {arguments.clients} clients, {seconds:.0f} s", tally, seconds)
                    harvest.join(timeout=600)
                if arguments.scenario in ("all", "hung"):
                    round_process = hung_sources_in_background(data_dir, arguments.harvest_records // HEALTHY_SOURCES)
                    tally, seconds = asyncio.run(plain_load(base, queries, arguments.clients, HARVEST_LOAD_LIMIT,
                                                            beside=round_process))
                    report(f"search while {HUNG_SOURCES} hung and {HEALTHY_SOURCES} healthy sources run, "
                           f"{arguments.clients} clients, {seconds:.0f} s", tally, seconds)
                    round_process.join(timeout=600)
            finally:
                server.terminate()
                server.wait(timeout=30)
        if arguments.scenario in ("all", "abuse"):
            port = free_port()
            server = start_server(data_dir, port, {})
            try:
                abuser, normal = asyncio.run(abuse_load(f"http://127.0.0.1:{port}", queries, arguments.duration))
                print(f"abuse: abuser got 429 for {abuser.share(429):.1%} of {abuser.requests} requests; "
                      f"20 normal clients p99 {normal.percentile(0.99):.0f} ms, "
                      f"errors {normal.requests - normal.statuses.get(200, 0)} of {normal.requests}")
            finally:
                server.terminate()
                server.wait(timeout=30)


if __name__ == "__main__":
    main()
