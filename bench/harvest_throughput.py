"""Measure harvest throughput through the real CKAN connector and the real store.

A child process serves N synthetic CKAN `package_search` records on
127.0.0.1 (pages of `rows`, sorted by id). The benchmark harvests them once
into an empty store, then again unchanged, and prints records per second for
both runs and the store writes of the unchanged run (which should be zero).
Both runs include the harmonize stage and leave indexing out. The cost of
indexing is measured afterwards, on its own: every stored dataset is synced
into an empty embedded index in batches of `--batch-size` ids, as the
harvest indexer does after each committed batch.

    .venv/bin/python bench/harvest_throughput.py --records 100000
    .venv/bin/python bench/harvest_throughput.py --database postgresql+psycopg://postgres@127.0.0.1/bench

Targets on a 2-core machine: at least 5,000 records/s for the first run and
15,000 records/s for the unchanged run.
"""

from __future__ import annotations

import argparse
import multiprocessing
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import orjson
import sqlalchemy as sa

from harvester.harmonize import Harmonizer
from harvester.job import run_harvest
from harvester.settings import Settings
from harvester.sources import SourceConfig
from harvester.store import Store
from index.embedded import EmbeddedIndex
from index.sync import sync_datasets

WRITE_TABLES = ("record", "dataset")


def package(number: int) -> dict[str, Any]:
    """Return synthetic CKAN package `number`; ids sort in the order of `number`."""
    package_id = f"{number:08x}-0000-4000-8000-{number:012x}"
    return {
        "id": package_id,
        "name": f"jumlah-penduduk-kecamatan-{number}",
        "title": f"Jumlah Penduduk Menurut Kecamatan di Kabupaten Contoh Tahun {2000 + number % 25}",
        "notes": "Jumlah penduduk menurut kecamatan dan jenis kelamin, hasil registrasi penduduk.",
        "license_id": "cc-by",
        "license_title": "Creative Commons Attribution",
        "metadata_created": "2024-03-13T08:31:59.625721",
        "metadata_modified": "2024-03-13T08:34:03.872282",
        "author": "Dinas Kependudukan dan Pencatatan Sipil",
        "maintainer_email": "",
        "state": "active",
        "type": "dataset",
        "private": False,
        "organization": {"id": "d943be7e-0000-4000-8000-000000000001", "name": "diskominfo",
                         "title": "Diskominfo", "description": "Diskominfo Kabupaten Contoh"},
        "extras": [{"key": "frekuensi", "value": "Tahunan"}, {"key": "2023", "value": "75"}],
        "tags": [{"name": "kependudukan", "display_name": "kependudukan"}, {"name": "kecamatan"}],
        "resources": [{
            "id": f"{number:08x}-1111-4000-8000-{number:012x}",
            "name": "Data penduduk.csv",
            "description": "Tabel jumlah penduduk",
            "format": "CSV",
            "mimetype": "text/csv",
            "size": 37986,
            "created": "2024-03-13T08:33:59.526885",
            "last_modified": "2024-03-13T08:33:59.293719",
            "url": f"https://contoh.invalid/dataset/{package_id}/resource/data.csv",
        }],
    }


def serve(port_queue: multiprocessing.Queue, total: int) -> None:
    """Serve `package_search` pages of the synthetic catalogue until terminated."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - name fixed by BaseHTTPRequestHandler
            query = parse_qs(urlparse(self.path).query)
            start = int(query.get("start", ["0"])[0])
            rows = int(query.get("rows", ["1000"])[0])
            results = [package(number) for number in range(start, min(start + rows, total))]
            body = orjson.dumps({"success": True, "result": {"count": total, "results": results}})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature fixed by the base class
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_queue.put(server.server_address[1])
    server.serve_forever()


class WriteCounter:
    """Counts rows written to the record and dataset tables through an engine."""

    def __init__(self, engine: sa.Engine) -> None:
        self.rows = 0
        sa.event.listen(engine, "before_cursor_execute", self.count)

    def count(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
              executemany: bool) -> None:
        words = statement.lstrip().split(None, 3)
        verb = words[0].upper() if words else ""
        if verb in ("INSERT", "UPDATE", "DELETE") and any(f" {table}" in statement[:40] for table in WRITE_TABLES):
            self.rows += len(parameters) if executemany else 1


def harvest_once(services: Any, source: SourceConfig, label: str) -> None:
    started = time.perf_counter()
    report = run_harvest(services, source, full=True)
    elapsed = time.perf_counter() - started
    listed = report.counts.added + report.counts.updated + report.counts.unchanged + report.counts.rejected
    print(f"{label}: {listed} records in {elapsed:.1f} s = {listed / elapsed:,.0f} records/s "
          f"({report.state.value}; added {report.counts.added}, unchanged {report.counts.unchanged}, "
          f"rejected {report.counts.rejected})")


def harvest_with_index(services: Any, source: SourceConfig, index_path: Path) -> None:
    """Harvest `source` into a fresh embedded index with the job's own indexer, as `himpun harvest` does."""
    from harvester.pipeline import make_indexer

    services.index = EmbeddedIndex(index_path)
    started = time.perf_counter()
    report = run_harvest(services, source, full=True, indexer=make_indexer(services))
    elapsed = time.perf_counter() - started
    indexed = services.index.count()
    services.index.close()
    print(f"end-to-end first run with indexing: {report.counts.added} records in {elapsed:.1f} s = "
          f"{report.counts.added / elapsed:,.0f} records/s ({report.state.value}; {indexed} documents indexed)")


def index_once(store: Store, index_path: Path, batch_size: int) -> None:
    """Sync every stored dataset into an empty embedded index, `batch_size` ids per sync."""
    dataset_ids = [dataset.id for dataset in store.iter_datasets()]
    index = EmbeddedIndex(index_path)
    started = time.perf_counter()
    indexed = 0
    for start in range(0, len(dataset_ids), batch_size):
        indexed += sync_datasets(index, store, dataset_ids[start:start + batch_size]).indexed
    elapsed = time.perf_counter() - started
    index.close()
    print(f"indexing alone: {indexed} datasets in {elapsed:.1f} s = {indexed / elapsed:,.0f} datasets/s "
          f"(embedded index, syncs of {batch_size} ids)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000, help="synthetic packages served")
    parser.add_argument("--rows", type=int, default=1000, help="packages per package_search page")
    parser.add_argument("--database", help="SQLAlchemy URL of an empty database; a temporary SQLite file by default")
    parser.add_argument("--batch-size", type=int, default=500, help="records stored per transaction")
    parser.add_argument("--skip-index", action="store_true", help="do not measure indexing")
    arguments = parser.parse_args()

    port_queue: multiprocessing.Queue = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(port_queue, arguments.records), daemon=True)
    server.start()
    port = port_queue.get(timeout=10)

    with tempfile.TemporaryDirectory() as folder:
        url = arguments.database or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        settings = Settings(data_dir=Path(folder), database_url=url, harvest_batch_size=arguments.batch_size)
        store = Store(url)
        store.migrate()
        services = _BenchServices(settings, store, Harmonizer.from_config(settings.config_dir))
        source = SourceConfig(
            id="bench-ckan", name="Bench CKAN", family="ckan", url=f"http://127.0.0.1:{port}",
            # The packages state no access level: terbuka makes them public, so they are indexed.
            access_default="terbuka",
            options={"rows": arguments.rows,
                     "http": {"allowlist": [f"127.0.0.1:{port}"], "min_delay_seconds": 0}},
        )

        print(f"database: {store.describe()}, records: {arguments.records}, batch size: {arguments.batch_size}")
        print("harvest runs: CKAN mapping, harmonize and store included, indexing not included")
        harvest_once(services, source, "first run")
        writes = WriteCounter(store.engine)
        harvest_once(services, source, "unchanged run")
        print(f"unchanged run: {writes.rows} rows written to {' and '.join(WRITE_TABLES)}")
        if not arguments.skip_index:
            index_once(store, Path(folder) / "index", arguments.batch_size)
            indexed_source = source.model_copy(update={"id": "bench-ckan-indexed"})
            harvest_with_index(services, indexed_source, Path(folder) / "index-end-to-end")
        store.close()
    server.terminate()


class _BenchServices:
    def __init__(self, settings: Settings, store: Store, harmonizer: Harmonizer) -> None:
        self.settings = settings
        self.store = store
        self.harmonizer = harmonizer
        self.index: Any = None


if __name__ == "__main__":
    main()
