"""A small real catalogue for the page tests: Satu Data Aceh's data.json through the real pipeline parts.

The sample file is served on 127.0.0.1, fetched with the shared HttpClient,
mapped by the DCAT-US connector, harmonized, stored in SQLite and indexed in
the embedded index. Hostile records and one restricted record are added to
the served catalogue so the tests can check that output stays inert and
that non-public records never show.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from connectors.dcat_us import DcatUsConnector
from harvester.harmonize import Harmonizer
from harvester.http import HttpClient, HttpPolicy
from harvester.jobs import JobCounts, JobError, JobState
from harvester.model import AccessLevel
from harvester.services import Services
from harvester.settings import Settings
from harvester.sources import SourceConfig
from harvester.store import Store
from index.documents import build_document
from index.embedded import EmbeddedIndex

# The demo's copy of the real Satu Data Aceh data.json sample (origin in demo/data/SOURCES.md).
ACEH_DATA_JSON = Path(__file__).resolve().parents[2] / "demo" / "data" / "satudata_acehprov_data_json_dcat_us_SAMPLED.json"
ADMIN_PASSWORD = "kata-sandi-operator-uji"
SESSION_SECRET = "s" * 48
RESTRICTED_CANARY = "KANARI-TERBATAS-7731"
ORIGINAL_PAGE = "<!doctype html><html lang='id'><head><title>Rekaman asli</title></head><body><h1>Rekaman asli</h1></body></html>"

# Titles and descriptions that try to run script in the page (checked with window.__xss).
HOSTILE_ENTRIES: list[dict[str, Any]] = [
    {"identifier": "xss-script-title", "title": "Data <script>window.__xss='title'</script> Banjir",
     "description": "Deskripsi </script><script>window.__xss='jsonld'</script><!-- komentar",
     "landingPage": "javascript:window.__xss='landing'"},
    {"identifier": "xss-img-onerror", "title": "Curah hujan \"><svg onload=window.__xss='svg'>",
     "description": "<p>Lihat <img src=x onerror=\"window.__xss='img'\"> dan "
                    "<a href=\"javascript:window.__xss='link'\">tautan</a> [x](javascript:window.__xss='md')</p>",
     "distribution": [{"accessURL": "javascript:window.__xss='dist'", "format": "csv", "title": "Unduh CSV"},
                      {"accessURL": "data:text/html,<script>window.__xss='data'</script>", "format": "html"}]},
]


@dataclass
class Catalog:
    services: Services
    source: SourceConfig
    original_url: str
    provenance_dataset_id: str
    servers: ExitStack

    def close(self) -> None:
        self.services.close()
        self.servers.close()


class _Handler(BaseHTTPRequestHandler):
    routes: dict[str, tuple[str, bytes]] = {}

    def do_GET(self) -> None:  # noqa: N802 - name fixed by BaseHTTPRequestHandler
        content_type, body = self.routes.get(self.path, ("text/plain", b"not found"))
        self.send_response(200 if self.path in self.routes else 404)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


@contextmanager
def serve(routes: dict[str, tuple[str, bytes]]) -> Iterator[str]:
    """Serve fixed bodies on 127.0.0.1 and yield the base URL."""
    handler = type("Handler", (_Handler,), {"routes": routes})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def catalogue_document(base_url: str) -> dict[str, Any]:
    """Return the Aceh catalogue with the hostile and restricted entries and a loopback landing page."""
    document = json.loads(ACEH_DATA_JSON.read_text(encoding="utf-8"))
    entries = document["dataset"]
    entries[0]["landingPage"] = f"{base_url}/asli/{entries[0]['identifier']}"

    template = entries[1]
    for hostile in HOSTILE_ENTRIES:
        entry = copy.deepcopy(template)
        entry.update(hostile)
        entries.append(entry)

    restricted = copy.deepcopy(template)
    restricted.update(identifier="restricted-canary", title=f"Data {RESTRICTED_CANARY} Pegawai",
                      accessLevel="non-public")
    entries.append(restricted)
    return document


def build_catalog(data_dir: Path) -> Catalog:
    """Harvest the served catalogue into a fresh store and index under `data_dir`.

    The loopback server keeps serving the original record pages until `Catalog.close()`.
    """
    routes: dict[str, tuple[str, bytes]] = {}
    servers = ExitStack()
    base_url = servers.enter_context(serve(routes))
    document = catalogue_document(base_url)
    routes["/data.json"] = ("application/json", json.dumps(document).encode())
    first_id = document["dataset"][0]["identifier"]
    routes[f"/asli/{first_id}"] = ("text/html; charset=utf-8", ORIGINAL_PAGE.encode())

    settings = Settings(data_dir=data_dir, admin_password=ADMIN_PASSWORD, session_secret=SESSION_SECRET,
                        base_url="http://127.0.0.1:8000")
    source = SourceConfig(id="satudata-aceh", name="Satu Data Aceh", family="dcat-us",
                          url=f"{base_url}/data.json", walidata="Provinsi Aceh", region="11",
                          access_default=AccessLevel.TERBUKA)
    policy = HttpPolicy(allowlist=(f"127.0.0.1:{base_url.rsplit(':', 1)[1]}",), min_delay_per_host=0.0)
    with HttpClient(settings, source=source, policy=policy) as client:
        connector = DcatUsConnector(source, client)
        remotes = [remote for remote in connector.list_records() if remote.error is None]
        records = [connector.map_record(remote) for remote in remotes]

    store = Store(settings.resolved_database_url)
    store.migrate()
    store.sync_sources([source])
    harmonizer = Harmonizer.from_config(settings.config_dir)
    findings = {record.provenance.remote_id: harmonizer.harmonize(record, source) for record in records}
    store.upsert_records(source.id, records, findings)

    index = EmbeddedIndex(settings.index_dir)
    index.rebuild(build_document(dataset) for dataset in store.iter_datasets())
    services = Services(settings=settings, store=store, index=index, harmonizer=harmonizer, sources=[source])

    provenance_id = next(dataset.id for dataset in store.iter_datasets()
                         if any(copy.remote_id == first_id for copy in dataset.sources))
    return Catalog(services=services, source=source, original_url=f"{base_url}/asli/{first_id}",
                   provenance_dataset_id=provenance_id, servers=servers)


def needs_review_job(store: Store, source_id: str, remote_ids: list[str]) -> int:
    """Record a finished job of `source_id` that keeps the withdrawal of `remote_ids` back for review."""
    job = store.start_job(source_id)
    report = job.model_copy(update={
        "state": JobState.NEEDS_REVIEW,
        "complete": True,
        "counts": JobCounts(unchanged=100),
        "errors": [JobError(code="invalid-record", message="dataset x-1 has no title", remote_id="x-1")],
    })
    store.finish_job(report, pending_withdrawals=remote_ids)
    return job.job_id  # type: ignore[return-value]
