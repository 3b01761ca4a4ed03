"""Measure the DCAT-AP feed writers: records per second and peak memory of a full dump.

Each serialization runs in its own child process, so the peak RSS (VmHWM)
printed for it belongs to that dump alone. Datasets are synthetic, made by
shallow copies of realistic templates, so the generator costs little next to
the writers. The output is encoded to UTF-8 and counted, as a socket would
receive it, but not kept.

    .venv/bin/python bench/feed_throughput.py              # 100,000 records
    .venv/bin/python bench/feed_throughput.py --million    # 1,000,000 records
    .venv/bin/python bench/feed_throughput.py --baseline   # adds rdflib per page of 100, on 2,000 records
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harvester.model import (  # noqa: E402
    AccessLevel,
    AccessRights,
    Agent,
    Concept,
    ContactPoint,
    DatasetRecord,
    Distribution,
    FileFormat,
    Licence,
    Provenance,
    PublishedDataset,
    RegionCode,
    RegionSystem,
    SourceCopy,
    Temporal,
)
from publish.dcat.feed import FeedPager, write_document  # noqa: E402
from publish.dcat.profile import DcatApProfile  # noqa: E402
from publish.dcat.writers import FORMATS  # noqa: E402

BASE_URL = "http://127.0.0.1:8000"
HARVESTED = dt.datetime(2025, 3, 1, 8, 0, tzinfo=dt.timezone.utc)


def _template(variant: int) -> PublishedDataset:
    """Return a dataset with every mapped field filled, about the size of a real harvested record."""
    regency = f"{11 + variant % 27}.{1 + variant % 20:02d}"
    distributions = [
        Distribution(title=f"Tabel {n}.xlsx", access_url=f"https://data.example.go.id/dataset/{variant}/resource/{n}",
                     download_url=f"https://data.example.go.id/dataset/{variant}/resource/{n}/download.xlsx",
                     format=FileFormat(label="XLSX", media_type="application/vnd.openxmlformats-officedocument"
                                       ".spreadsheetml.sheet",
                                       file_type_uri="http://publications.europa.eu/resource/authority/file-type/XLSX"),
                     byte_size=80_000 + n, remote_id=f"r{n}",
                     licence=Licence(spdx_id="CC-BY-4.0", uri="https://creativecommons.org/licenses/by/4.0/"))
        for n in range(2)
    ]
    record = DatasetRecord(
        title=f"Jumlah Penduduk Menurut Kecamatan di Kabupaten Contoh {variant} Tahun 2024",
        description="Jumlah penduduk menurut kecamatan dan jenis kelamin, hasil registrasi penduduk. " * 3,
        keywords=["penduduk", "kecamatan", "demografi", "registrasi"],
        themes=[Concept(uri="http://publications.europa.eu/resource/authority/data-theme/SOCI", label="Sosial")],
        publisher=Agent(name=f"Dinas Komunikasi dan Informatika {variant}", identifier=f"{regency}-diskominfo"),
        creator=Agent(name="Dinas Kependudukan dan Pencatatan Sipil", identifier=f"{regency}-disdukcapil"),
        contact_point=ContactPoint(name="Diskominfo", email="data@example.go.id"),
        spatial=[RegionCode(system=RegionSystem.KEMENDAGRI, edition="2025", code=regency, name="Kabupaten Contoh")],
        temporal=Temporal(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31)),
        issued=HARVESTED, modified=HARVESTED,
        frequency=Concept(uri="http://publications.europa.eu/resource/authority/frequency/ANNUAL", label="Tahunan"),
        licence=Licence(spdx_id="CC-BY-4.0", uri="https://creativecommons.org/licenses/by/4.0/"),
        access=AccessRights(level=AccessLevel.TERBUKA),
        landing_page=f"https://data.example.go.id/dataset/{variant}",
        identifiers=[f"remote-{variant}"],
        distributions=distributions,
        provenance=Provenance(source_id="contoh", remote_id=f"remote-{variant}", harvested_at=HARVESTED,
                              content_hash="0" * 64),
    )
    copy = SourceCopy(source_id="contoh", remote_id=f"remote-{variant}",
                      remote_url=f"https://data.example.go.id/api/3/action/package_show?id={variant}",
                      harvested_at=HARVESTED, content_hash="0" * 64)
    return PublishedDataset(id=f"template-{variant}", record=record, sources=[copy], created_at=HARVESTED,
                            updated_at=HARVESTED)


def synthetic_datasets(count: int) -> Iterator[PublishedDataset]:
    """Yield `count` datasets with distinct ids, copied shallowly from 16 templates."""
    templates = [_template(variant) for variant in range(16)]
    for number in range(count):
        yield templates[number % 16].model_copy(update={"id": f"ds-{number:08d}"})


def peak_rss_mb() -> float:
    """Return the peak resident set size of this process in MB, from VmHWM (Linux) or getrusage."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def dump(format_name: str, count: int) -> tuple[float, int, float]:
    """Write a full dump of `count` datasets; return (seconds, bytes, peak RSS MB)."""
    pager = FeedPager(store=None, profile=DcatApProfile(BASE_URL))  # type: ignore[arg-type]
    writer = FORMATS[format_name].writer()
    started = time.perf_counter()
    size = 0
    for chunk in write_document(writer, pager.dump_resources(synthetic_datasets(count))):
        size += len(chunk.encode("utf-8"))
    return time.perf_counter() - started, size, peak_rss_mb()


def generator_only(count: int) -> float:
    started = time.perf_counter()
    for _ in synthetic_datasets(count):
        pass
    return time.perf_counter() - started


def rdflib_per_page(count: int, page_size: int = 100) -> float:
    """Return seconds for rdflib to build one graph per page and serialize Turtle, the baseline."""
    from rdflib import Graph

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.publish.rdf_reference import reference_graph

    profile = DcatApProfile(BASE_URL)
    started = time.perf_counter()
    page: list = []
    for dataset in synthetic_datasets(count):
        page.append(profile.dataset(dataset))
        if len(page) == page_size:
            graph: Graph = reference_graph(page)
            graph.serialize(format="turtle")
            page = []
    return time.perf_counter() - started


def _child(format_name: str, count: int, queue: multiprocessing.Queue) -> None:
    queue.put(dump(format_name, count))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000, help="datasets per dump (default 100000)")
    parser.add_argument("--million", action="store_true", help="dump 1,000,000 datasets")
    parser.add_argument("--baseline", action="store_true", help="also time rdflib per page of 100 on 2,000 records")
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated: " + ",".join(FORMATS))
    arguments = parser.parse_args()
    count = 1_000_000 if arguments.million else arguments.records

    generator_seconds = generator_only(min(count, 100_000))
    print(f"generator alone: {min(count, 100_000) / generator_seconds:,.0f} records/s")
    print(f"{'format':<10} {'records':>10} {'seconds':>9} {'records/s':>11} {'MB out':>9} {'peak RSS MB':>12}")
    context = multiprocessing.get_context("fork")
    for format_name in arguments.formats.split(","):
        queue = context.Queue()
        child = context.Process(target=_child, args=(format_name, count, queue))
        child.start()
        seconds, size, peak = queue.get()
        child.join()
        print(f"{format_name:<10} {count:>10,} {seconds:>9.1f} {count / seconds:>11,.0f} "
              f"{size / 1e6:>9.1f} {peak:>12.0f}")

    if arguments.baseline:
        baseline_count = 2_000
        seconds = rdflib_per_page(baseline_count)
        print(f"rdflib graph per page of 100 + Turtle: {baseline_count / seconds:,.0f} records/s "
              f"({baseline_count:,} records)")


if __name__ == "__main__":
    main()
