"""Shared tools of the fault and bad-input tests.

- `CONNECT_JAIL`: an audit hook that rejects and records every socket connect
  outside 127.0.0.0/8 and ::1, and records every `urllib.Request` opened.
- `network_namespace_command()`: the command prefix that runs a child in a
  new network namespace where only loopback exists (`unshare -n`).
- `FaultServer`: a raw TCP server on 127.0.0.1 whose handler writes bytes by
  hand, for compression bombs, lying lengths, trickles and silent peers.
- `scripted_resolver()`: a resolver for the egress guard that returns
  scripted addresses, so tests of blocked addresses need no DNS.
- `scan_for_canaries()`: fetches every public endpoint of the ASGI app,
  reads the export files, the search index documents, the stored findings
  and job errors, and reports every place a planted canary appears.
"""

from __future__ import annotations

import io
import ipaddress
import itertools
import re
import shutil
import socket
import subprocess
import sys
import threading
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from harvester.services import Services

# -- connect jail ---------------------------------------------------------------


def is_loopback(host: object) -> bool:
    """Return True for an address inside 127.0.0.0/8 or ::1."""
    try:
        return ipaddress.ip_address(str(host).split("%", 1)[0]).is_loopback
    except ValueError:
        return False


@dataclass
class ConnectJail:
    """Rejects connects outside loopback while active and records what was attempted."""

    active: bool = False
    rejected: list[Any] = field(default_factory=list)
    connects: list[tuple[str, int]] = field(default_factory=list)
    urllib_requests: list[str] = field(default_factory=list)

    def hook(self, event: str, args: tuple[Any, ...]) -> None:
        if not self.active:
            return
        if event == "urllib.Request":
            self.urllib_requests.append(str(args[0]))
            return
        if event != "socket.connect":
            return
        address = args[1]
        if not isinstance(address, tuple) or not address:
            return
        if not is_loopback(address[0]):
            self.rejected.append(address)
            raise ConnectionRefusedError(f"connect jail: {address[0]} is outside loopback")
        self.connects.append((str(address[0]), int(address[1])))

    def connects_to(self, port: int) -> int:
        """Return how many connects went to loopback `port`."""
        return sum(1 for _, connected_port in self.connects if connected_port == port)

    @contextmanager
    def guard(self) -> Iterator[ConnectJail]:
        self.active, self.rejected, self.connects, self.urllib_requests = True, [], [], []
        try:
            yield self
        finally:
            self.active = False


CONNECT_JAIL = ConnectJail()
sys.addaudithook(CONNECT_JAIL.hook)


def network_namespace_command() -> list[str] | None:
    """Return the prefix that runs a shell command with only loopback, or None when unavailable."""
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return None
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True, timeout=10)
    if probe.returncode != 0:
        return None
    return ["unshare", "-n", "sh", "-c"]


def mount_namespace_available() -> bool:
    """Return True when this process may mount a tmpfs inside `unshare -m`."""
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt"],
                           capture_output=True, timeout=10)
    return probe.returncode == 0


# -- resolver and memory ---------------------------------------------------------------


def scripted_resolver(answers: dict[str, Sequence[Sequence[str]]]) -> Callable[[str, int], list[str]]:
    """Return a resolver that returns each host's scripted address lists in turn, repeating the last."""
    cycles = {host.lower(): itertools.chain(iter(lists), itertools.repeat(lists[-1])) for host, lists in answers.items()}
    calls: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        try:
            return list(next(cycles[host.lower()]))
        except KeyError:
            raise OSError(f"scripted resolver: no answer for {host}") from None

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


def memory_kib(field_name: str = "VmRSS") -> int:
    """Return a memory figure of this process from /proc/self/status, in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field_name} is missing from /proc/self/status")


# -- raw fault servers -----------------------------------------------------------------

Handler = Callable[[socket.socket], None]


class FaultServer:
    """A TCP server on 127.0.0.1; each connection gets the request read once, then `handle` writes raw bytes."""

    def __init__(self, handle: Handler | None, *, backlog: int = 128, accept: bool = True,
                 host: str = "127.0.0.1") -> None:
        self._handle = handle
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((host, 0))
        self.host = host
        self._listener.listen(backlog)
        self.port = self._listener.getsockname()[1]
        self.connections = 0
        self._stopped = threading.Event()
        self._held: list[socket.socket] = []
        self._thread: threading.Thread | None = None
        if accept:
            self._thread = threading.Thread(target=self._serve, daemon=True)
            self._thread.start()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def fill_backlog(self, count: int = 4) -> None:
        """Open connections that are never accepted, so the next connect waits in SYN state."""
        for _ in range(count):
            client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            client.setblocking(False)
            client.connect_ex(("127.0.0.1", self.port))
            self._held.append(client)

    def _serve(self) -> None:
        self._listener.settimeout(0.1)
        while not self._stopped.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._run, args=(connection,), daemon=True).start()

    def _run(self, connection: socket.socket) -> None:
        with connection:
            try:
                connection.recv(65536)
                if self._handle is not None:
                    self._handle(connection)
            except OSError:
                pass

    def close(self) -> None:
        self._stopped.set()
        for client in self._held:
            client.close()
        self._listener.close()
        if self._thread is not None:
            self._thread.join(timeout=2)


def http_head(status: str = "200 OK", **headers: str) -> bytes:
    """Return an HTTP/1.1 status line and headers, ending with the blank line."""
    lines = [f"HTTP/1.1 {status}"] + [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


# -- canary scanner --------------------------------------------------------------------

# Paths without the query; the scanner fetches each once.
FIXED_PATHS = (
    "/", "/sitemap.xml", "/robots.txt", "/api/search?rows=100", "/api/3/action/package_search?rows=1000&sort=id%20asc",
    "/api/3/action/package_list", "/api/3/action/organization_list?all_fields=true",
    "/catalog.ttl", "/catalog.jsonld", "/catalog.rdf", "/catalog/deleted.ttl", "/api/export.csv",
)
# Paths fetched once per query. A query is never the canary itself, because
# pages echo the query back, and that echo is not a leak.
QUERY_PATHS = (
    "/?q={query}", "/api/search?q={query}", "/api/suggest?q={prefix}", "/api/3/action/package_search?q={query}",
    "/api/export.csv?q={query}", "/dataset/{query}", "/api/datasets/{query}", "/tidak-ada/{query}",
    "/api/search?rows=100000&q={query}",
)


@dataclass(frozen=True, slots=True)
class Leak:
    """One place where a canary appeared."""

    where: str
    canary: str


def _contains(text: str, canaries: Iterable[str], where: str) -> list[Leak]:
    return [Leak(where, canary) for canary in canaries if canary in text]


def xlsx_text(content: bytes) -> str:
    """Return the text of every XML part of an XLSX file, or the body itself when it is not one."""
    if not content.startswith(b"PK"):
        return content.decode("utf-8", "replace")
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())


def canary_queries(canaries: Iterable[str]) -> list[str]:
    """Return search words for each canary: its lowercased words, which a search matches but an echo does not repeat."""
    queries = []
    for canary in canaries:
        words = [word for word in re.split(r"[^0-9A-Za-z]+", canary) if word]
        if len(words) > 1:
            queries.append(" ".join(words).lower())
    return queries


def scan_public_outputs(client: TestClient, services: Services, canaries: Sequence[str],
                        queries: Sequence[str] = ()) -> list[Leak]:
    """Fetch every public endpoint, each search with every query, and every dataset URL; return the leaks."""
    leaks: list[Leak] = []
    for path in FIXED_PATHS:
        leaks += _contains(client.get(path).text, canaries, path)
    leaks += _contains(xlsx_text(client.get("/api/export.xlsx").content), canaries, "/api/export.xlsx")

    for query in [*canary_queries(canaries), *queries]:
        for template in QUERY_PATHS:
            path = template.format(query=query, prefix=query[:6])
            leaks += _contains(client.get(path).text, canaries, path)
        leaks += _contains(xlsx_text(client.get("/api/export.xlsx", params={"q": query}).content), canaries,
                           f"/api/export.xlsx?q={query}")

    for dataset in services.store.iter_datasets():
        for path in (f"/dataset/{dataset.id}", f"/dataset/{dataset.id}.ttl", f"/api/datasets/{dataset.id}",
                     f"/api/3/action/package_show?id={dataset.id}"):
            leaks += _contains(client.get(path, headers={"Accept": "text/html"}).text, canaries, path)
    return leaks


def scan_index(services: Services, canaries: Sequence[str]) -> list[Leak]:
    """Return the leaks in every document of the search index, public or not."""
    leaks: list[Leak] = []
    for document_id, _, _ in services.index.iter_hashes():
        document = services.index.get(document_id)
        if document is not None:
            leaks += _contains(document.model_dump_json(), canaries, f"index document {document_id}")
    return leaks


def scan_store_reports(services: Services, canaries: Sequence[str]) -> list[Leak]:
    """Return the leaks in stored findings and job reports, which operators and exports read."""
    leaks: list[Leak] = []
    with services.store.engine.connect() as connection:
        for (findings,) in connection.execute(sa.text("SELECT findings FROM record")):
            leaks += _contains(findings or "", canaries, "record.findings")
        for table in ("harvest_job", "job_error"):
            for row in connection.execute(sa.text(f"SELECT * FROM {table}")).mappings():
                leaks += _contains(str(dict(row)), canaries, f"{table} row")
    return leaks


def scan_for_canaries(client: TestClient, services: Services, canaries: Sequence[str],
                      queries: Sequence[str] = (), *, personal: Sequence[str] = (), log_text: str = "") -> list[Leak]:
    """Scan the public endpoints, exports and index documents for `canaries`.

    Operators may read restricted titles in findings, job reports and logs,
    but no personal data: those places are scanned for the `personal` canaries only.
    """
    leaks = scan_public_outputs(client, services, [*canaries, *personal], queries)
    leaks += scan_index(services, [*canaries, *personal])
    leaks += scan_store_reports(services, personal)
    leaks += _contains(log_text, personal, "logs")
    return leaks
