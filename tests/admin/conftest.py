"""Admin API fixtures: a real store and index, the real ASGI app, tokens of each role, loopback portals."""

from __future__ import annotations

import datetime as dt
import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from harvester.harmonize import Harmonizer
from harvester.services import Services
from harvester.settings import Settings
from harvester.sources import SourceConfig
from harvester.store import Store
from index.embedded import EmbeddedIndex
from server.admin.source_store import save_source
from server.admin.tokens import create_token
from server.app import create_app
from tests.job.fake_connector import FAMILY, register_fake

WALIDATA_A = "kabupaten-pesawaran"
WALIDATA_B = "kota-bandar-lampung"


@dataclass
class Portal:
    """A loopback DCAT-US portal: its base URL, a per-request delay and the paths it was asked for."""

    url: str
    port: int
    delay: float = 0.0
    hits: list[str] = field(default_factory=list)


def data_json(count: int) -> bytes:
    datasets = [{"identifier": f"ds-{number}", "title": f"Jumlah Penduduk Kecamatan {number} Tahun 2024",
                 "description": "Jumlah penduduk menurut kecamatan.", "accessLevel": "public",
                 "keyword": ["penduduk"], "modified": "2024-05-01",
                 "publisher": {"name": "Dinas Kependudukan"}} for number in range(count)]
    return json.dumps({"conformsTo": "https://project-open-data.cio.gov/v1.1/schema", "dataset": datasets}).encode()


@contextmanager
def serve_portal(count: int = 5, delay: float = 0.0) -> Iterator[Portal]:
    """Serve a DCAT-US data.json on 127.0.0.1 that waits `portal.delay` seconds before responding."""
    body = data_json(count)
    portal = Portal(url="", port=0, delay=delay)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - name fixed by BaseHTTPRequestHandler
            portal.hits.append(self.path)
            time.sleep(portal.delay)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    portal.port = server.server_address[1]
    portal.url = f"http://127.0.0.1:{portal.port}"
    try:
        yield portal
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def portal() -> Iterator[Portal]:
    with serve_portal() as served:
        yield served


@pytest.fixture
def canary() -> Iterator[Portal]:
    """A loopback server that must never be reached: every hit is a fetch of a blocked URL."""
    with serve_portal(count=1) as served:
        yield served


class ConnectRecorder:
    """Records every `socket.connect` while active, through one process-wide audit hook."""

    installed = False
    active: list[Any] | None = None

    @classmethod
    def install(cls) -> None:
        if not cls.installed:
            sys.addaudithook(cls._hook)
            cls.installed = True

    @classmethod
    def _hook(cls, event: str, args: tuple[Any, ...]) -> None:
        if event == "socket.connect" and cls.active is not None:
            cls.active.append(args[1])

    @classmethod
    @contextmanager
    def recording(cls) -> Iterator[list[Any]]:
        cls.install()
        cls.active = []
        try:
            yield cls.active
        finally:
            cls.active = None


@dataclass
class AdminEnv:
    services: Services
    app: Any
    tokens: dict[str, str]
    portal: Portal

    def client(self, address: str = "192.0.2.10") -> TestClient:
        return TestClient(self.app, base_url="http://127.0.0.1:8000", client=(address, 50000))

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def build_env(data_dir: Path, database_url: str, portal: Portal, **settings: Any) -> AdminEnv:
    register_fake()
    store = Store(database_url)
    store.migrate()
    config = Settings(data_dir=data_dir, database_url=database_url, egress_allowlist=[f"127.0.0.1:{portal.port}"],
                      **settings)
    services = Services(settings=config, store=store, index=EmbeddedIndex(config.index_dir),
                        harmonizer=Harmonizer(), sources=[])
    for source_id, walidata in (("sumber-a", WALIDATA_A), ("sumber-b", WALIDATA_B)):
        save_source(services, SourceConfig(id=source_id, name=source_id, family=FAMILY, url="https://uji.invalid/",
                                           walidata=walidata, options={"count": 5}))

    now = dt.datetime.now(dt.UTC)
    tokens = {
        "admin": create_token(store, name="admin@uji", role="admin")[0],
        "operator": create_token(store, name="operator-a@uji", role="operator", walidata=[WALIDATA_A])[0],
        "operator_b": create_token(store, name="operator-b@uji", role="operator", walidata=[WALIDATA_B])[0],
        "viewer": create_token(store, name="viewer@uji", role="viewer")[0],
        "expired": create_token(store, name="lama@uji", role="admin", expires_at=now - dt.timedelta(minutes=1))[0],
    }
    app = create_app(services)
    app.state.egress_resolver = scripted_resolver({})
    return AdminEnv(services=services, app=app, tokens=tokens, portal=portal)


def scripted_resolver(answers: dict[str, list[str]]) -> Callable[[str, int], list[str]]:
    """Resolve only the scripted names; any other name fails as if it did not exist."""

    def resolve(host: str, _port: int) -> list[str]:
        if host not in answers:
            raise OSError(f"scripted resolver: no answer for {host}")
        return answers[host]

    return resolve


@pytest.fixture
def env(tmp_path: Path, sqlite_database: str, portal: Portal) -> Iterator[AdminEnv]:
    built = build_env(tmp_path, sqlite_database, portal, admin_auth_max_failures=10_000)
    yield built
    built.services.close()


def wait_for_job(store: Store, job_id: int, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = store.get_job(job_id)
        if job is not None and job.state.value != "running":
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} still running after {timeout} s")
