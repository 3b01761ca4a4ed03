"""Resource exhaustion and slow sources: bombs, lying lengths, trickles, silent peers, full disks.

The servers are raw sockets on 127.0.0.1, so the client's size, timeout and
deadline logic runs on real streams. Limits are the real settings, cut to
seconds and MiB through the policy so the module stays fast; the memory
ceiling is measured in a child process from /proc/<pid>/status VmHWM.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from harvester.errors import FetchError
from harvester.http import MIB, HttpClient
from harvester.job import run_harvest
from harvester.jobs import JobState
from harvester.services import Services
from harvester.settings import Settings
from tests.conftest import REPOSITORY_ROOT
from tests.reliability.conftest import ckan_source, client_for, loopback_policy
from tests.reliability.harness import FaultServer, http_head, mount_namespace_available

SETTINGS = Settings(contact_url="https://example.invalid/kontak")


@pytest.fixture
def servers() -> Iterator[list[FaultServer]]:
    started: list[FaultServer] = []
    yield started
    for server in started:
        server.close()


def start(servers: list[FaultServer], handle, **options) -> FaultServer:  # noqa: ANN001 - a socket callback
    server = FaultServer(handle, **options)
    servers.append(server)
    return server


def fetch_error(url: str, **policy: object) -> tuple[FetchError, float]:
    """Fetch `url` once with a loopback policy and return the error and the seconds it took."""
    started = time.monotonic()
    with HttpClient(SETTINGS, policy=loopback_policy(max_retries=0, **policy)) as http:
        with pytest.raises(FetchError) as raised:
            http.get(url)
    return raised.value, time.monotonic() - started


def compressed_zeros(total: int, encoding: str) -> bytes:
    """Return `total` zero bytes compressed as gzip or deflate, built in 1 MiB steps."""
    wbits = 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    block = bytes(MIB)
    parts = [compressor.compress(block) for _ in range(total // MIB)]
    parts.append(compressor.flush())
    return b"".join(parts)


# -- compression bombs ------------------------------------------------------------------

BOMB_CHILD = textwrap.dedent("""
    import sys
    from harvester.errors import FetchError
    from harvester.http import HttpClient, HttpPolicy
    from harvester.settings import Settings
    from tests.reliability.harness import memory_kib

    before = memory_kib("VmRSS")
    policy = HttpPolicy(allowlist=("127.0.0.1/32",), min_delay_per_host=0.0, max_retries=0)
    with HttpClient(Settings(), policy=policy) as http:
        try:
            http.get(sys.argv[1])
            print("fetched")
        except FetchError as error:
            print(error.code)
    print(before, memory_kib("VmHWM"))
""")


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_compression_bomb_stops_at_cap(servers: list[FaultServer], encoding: str) -> None:
    bomb = compressed_zeros(200 * MIB, encoding)
    assert len(bomb) < 400 * 1024
    head = http_head(Content_Type="application/json", Content_Encoding=encoding, Content_Length=str(len(bomb)))
    server = start(servers, lambda connection: connection.sendall(head + bomb))

    child = subprocess.run([sys.executable, "-c", BOMB_CHILD, server.url], cwd=REPOSITORY_ROOT,
                           capture_output=True, text=True, timeout=120)

    assert child.returncode == 0, child.stderr
    code, figures = child.stdout.split("\n")[:2]
    before, peak = (int(value) for value in figures.split())
    assert code == "response-too-large"
    assert (peak - before) < 100 * 1024, f"peak memory grew by {(peak - before) // 1024} MiB"


def test_brotli_body_rejected_unread(servers: list[FaultServer]) -> None:
    head = http_head(Content_Encoding="br", Content_Length="4")
    server = start(servers, lambda connection: connection.sendall(head + b"\x0b\x02\x80x"))

    error, _ = fetch_error(server.url)

    assert error.code == "unsupported-encoding"


# -- lying lengths and endless bodies ----------------------------------------------------


def test_plain_body_over_cap(servers: list[FaultServer]) -> None:
    def endless_plain(connection: socket.socket) -> None:
        connection.sendall(http_head(Content_Type="application/json"))
        for _ in range(64):
            connection.sendall(b" " * 65536)

    server = start(servers, endless_plain)
    error, _ = fetch_error(server.url, max_response_bytes=1 * MIB)

    assert error.code == "response-too-large"


def test_declared_length_over_cap_rejected_early(servers: list[FaultServer]) -> None:
    server = start(servers, lambda connection: connection.sendall(http_head(Content_Length=str(60 * MIB))))
    error, elapsed = fetch_error(server.url, max_response_bytes=50 * MIB)

    assert error.code == "response-too-large"
    assert elapsed < 2


def test_short_declared_length_gives_invalid_json(servers: list[FaultServer]) -> None:
    body = b'{"success": true, "result": {"count": 1, "results": []}}'
    head = http_head(Content_Type="application/json", Content_Length="20")
    server = start(servers, lambda connection: connection.sendall(head + body))

    with HttpClient(SETTINGS, policy=loopback_policy(max_retries=0)) as http:
        with pytest.raises(Exception) as raised:
            http.get_json(server.url)

    assert getattr(raised.value, "code", None) == "invalid-json"


def test_long_declared_length_then_close(servers: list[FaultServer]) -> None:
    head = http_head(Content_Type="application/json", Content_Length="5000")
    server = start(servers, lambda connection: connection.sendall(head + b'{"partial": '))

    error, _ = fetch_error(server.url)

    assert error.code == "connection-error"


def test_endless_chunked_body_stops(servers: list[FaultServer]) -> None:
    def endless_chunks(connection: socket.socket) -> None:
        connection.sendall(http_head(Transfer_Encoding="chunked"))
        chunk = b"1000\r\n" + b"a" * 4096 + b"\r\n"
        while True:
            connection.sendall(chunk)

    server = start(servers, endless_chunks)
    error, elapsed = fetch_error(server.url, max_response_bytes=2 * MIB)

    assert error.code == "response-too-large"
    assert elapsed < 5


# -- slow and silent peers ----------------------------------------------------------------


def test_trickle_ends_at_total_deadline(servers: list[FaultServer]) -> None:
    def trickle(connection: socket.socket) -> None:
        connection.sendall(http_head(Content_Length="100000"))
        for _ in range(100):
            connection.sendall(b"x")
            time.sleep(0.2)

    server = start(servers, trickle)
    error, elapsed = fetch_error(server.url, total_deadline=2.0, read_timeout=1.0)

    assert error.code == "deadline-exceeded"
    assert 1.8 <= elapsed <= 3.0


def test_silent_peer_read_timeout(servers: list[FaultServer]) -> None:
    server = start(servers, lambda connection: time.sleep(5))
    error, elapsed = fetch_error(server.url, read_timeout=0.5, total_deadline=10.0)

    assert error.code == "read-timeout"
    assert elapsed < 2


def test_full_backlog_connect_timeout(servers: list[FaultServer]) -> None:
    server = start(servers, None, backlog=0, accept=False)
    server.fill_backlog()
    error, elapsed = fetch_error(server.url, connect_timeout=0.5, total_deadline=10.0)

    assert error.code == "connect-timeout"
    assert elapsed < 3


# -- Retry-After and failing sources ---------------------------------------------------------


def test_retry_after_spacing_then_failed_job(services: Services, httpserver: HTTPServer) -> None:
    arrivals: list[float] = []
    in_flight = {"now": 0, "max": 0}
    lock = threading.Lock()

    def busy(request: Request) -> Response:
        with lock:
            in_flight["now"] += 1
            in_flight["max"] = max(in_flight["max"], in_flight["now"])
        arrivals.append(time.monotonic())
        time.sleep(0.05)
        with lock:
            in_flight["now"] -= 1
        return Response("sibuk", status=503, headers={"Retry-After": "1"})

    httpserver.expect_request("/ckan/api/3/action/package_search").respond_with_handler(busy)
    source = ckan_source(httpserver.url_for("/ckan"))
    with client_for(services, source, max_retries=2, total_deadline=10.0) as http:
        report = run_harvest(services, source, http=http)

    gaps = [later - earlier for earlier, later in zip(arrivals, arrivals[1:])]
    assert report.state is JobState.FAILED
    assert [error.code for error in report.errors] == ["http-503"]
    assert report.counts.withdrawn == 0
    assert len(arrivals) == 3
    assert min(gaps) >= 1.0
    assert in_flight["max"] == 1


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    return ("127.0.0.1", 0)


# -- full disk ------------------------------------------------------------------------------

DISK_FULL_CHILD = textwrap.dedent("""
    import json, sqlite3, sys
    from pathlib import Path
    from harvester.harmonize import Harmonizer
    from harvester.job import run_harvest
    from harvester.settings import Settings
    from harvester.store import Store
    from tests.job.conftest import RunnerServices, fake_source
    from tests.job.fake_connector import register_fake

    folder = Path(sys.argv[1])
    database = folder / "himpun.sqlite3"
    url = f"sqlite:///{database}"
    register_fake()
    store = Store(url)
    store.migrate()
    reserve_created = store.disk_reserve is not None and store.disk_reserve.exists()
    settings = Settings(data_dir=folder, database_url=url, harvest_batch_size=50)
    services = RunnerServices(settings=settings, store=store, harmonizer=Harmonizer())
    first = run_harvest(services, fake_source(count=20, title="Jumlah Penduduk"))
    second = run_harvest(services, fake_source(count=20000, title="Jumlah Penduduk " + "x" * 2000))
    store.close()

    # Read the job row as the run left it: no Store method runs, so no stale-job check either.
    connection = sqlite3.connect(database)
    row_state = connection.execute("SELECT state FROM harvest_job WHERE id = ?", (second.job_id,)).fetchone()[0]
    row_codes = [code for (code,) in connection.execute(
        "SELECT code FROM job_error WHERE job_id = ? ORDER BY id", (second.job_id,))]
    integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
    titles = [json.loads(record)["title"] for (record,) in connection.execute(
        "SELECT record FROM record WHERE remote_id IN (SELECT remote_id FROM record ORDER BY remote_id LIMIT 20)")]
    print(json.dumps({
        "first": first.state.value, "second": second.state.value, "row_state": row_state, "row_codes": row_codes,
        "integrity": integrity, "records": connection.execute("SELECT count(*) FROM record").fetchone()[0],
        "readable": sum(title.startswith("Jumlah Penduduk") for title in titles),
        "reserve_created": reserve_created, "reserve_left": Path(f"{database}.reserve").exists(),
    }))
""")


def test_disk_full_fails_job_and_keeps_database(tmp_path: Path) -> None:
    if not mount_namespace_available():
        pytest.fail("unshare -m with a tmpfs mount is not available; the disk-full row cannot run here")
    folder = tmp_path / "kecil"
    folder.mkdir()
    command = (f"mount -t tmpfs -o size=5m tmpfs {folder} && "
               f"exec {sys.executable} -c \"$HIMPUN_DISK_FULL_CHILD\" {folder}")
    environment = {**os.environ, "HIMPUN_DISK_FULL_CHILD": DISK_FULL_CHILD}
    child = subprocess.run(["unshare", "-m", "sh", "-c", command], cwd=REPOSITORY_ROOT, env=environment,
                           capture_output=True, text=True, timeout=240)

    assert child.returncode == 0, child.stderr[-3000:]
    outcome = json.loads(child.stdout.splitlines()[-1])
    assert outcome["first"] == "succeeded"
    assert outcome["second"] == "failed"
    assert outcome["row_state"] == "failed", "the job row must end failed in the same run"
    assert "storage-full" in outcome["row_codes"]
    assert outcome["integrity"] == "ok"
    assert outcome["records"] >= 20
    assert outcome["readable"] == 20
    assert outcome["reserve_created"], "the store must create its disk reserve on a disk with room"
    assert not outcome["reserve_left"], "the full disk must have used up the disk reserve"
    assert "deleted the disk reserve" in child.stderr
