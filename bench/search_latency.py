"""Measure search latency of the embedded index with full facet counts.

Builds synthetic documents whose titles draw words from a Zipf distribution
over the vocabulary of real Indonesian dataset titles (the index test
fixture). Publishers and creators are Zipf-distributed too. Then runs a
query mix and prints p50, p95 and p99 latency per query kind.

    .venv/bin/python bench/search_latency.py                 # 100,000 documents
    .venv/bin/python bench/search_latency.py --large         # 1,000,000 documents
    .venv/bin/python bench/search_latency.py --documents 20000 --queries 200
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import itertools
import json
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY_ROOT))

from index.base import FACETS, IndexDocument, Labelled, SearchQuery  # noqa: E402
from index.documents import region_labels  # noqa: E402
from index.embedded import EmbeddedIndex  # noqa: E402
from index.embedded_facets import FACET_CACHE_ENTRIES  # noqa: E402

TITLES_FILE = REPOSITORY_ROOT / "tests" / "index" / "fixtures" / "real_titles.json"
ZIPF_EXPONENT = 1.07
PUBLISHERS = 600
CREATORS = 6_000
THEMES = 30
FORMATS = ("CSV", "XLSX", "PDF", "JSON", "HTML", "XLS", "SHP")
LICENCES = ("CC-BY-4.0", "CC0-1.0", "ODbL-1.0", "CC-BY-SA-4.0")
OPD_WORDS = ("Dinas Kesehatan", "Dinas Pendidikan", "Dinas Perhubungan", "Bappeda", "BPKAD", "BPBD",
             "Dinas Kependudukan dan Pencatatan Sipil", "Diskominfo", "Dinas Lingkungan Hidup", "Dinas Sosial")


class Zipf:
    """Draw items with probability proportional to 1 / rank ** exponent."""

    def __init__(self, items: list, rng: random.Random, exponent: float = ZIPF_EXPONENT) -> None:
        self.items = items
        self.rng = rng
        weights = [1.0 / (rank ** exponent) for rank in range(1, len(items) + 1)]
        self.cumulative = list(itertools.accumulate(weights))

    def draw(self):  # type: ignore[no-untyped-def]
        point = self.rng.random() * self.cumulative[-1]
        return self.items[bisect.bisect_left(self.cumulative, point)]


def real_vocabulary() -> tuple[list[str], list[int]]:
    """Return the words of the real titles by falling frequency, and the real title lengths."""
    records = json.loads(TITLES_FILE.read_text(encoding="utf-8"))["records"]
    words: Counter[str] = Counter()
    lengths: list[int] = []
    for record in records:
        title_words = re.findall(r"[^\W_]+", record["title"])
        lengths.append(max(3, len(title_words)))
        words.update(word.capitalize() for word in title_words if not word.isdigit())
    return [word for word, _ in words.most_common()], lengths


def generate(count: int, seed: int = 7) -> Iterator[IndexDocument]:
    """Yield `count` synthetic public documents."""
    rng = random.Random(seed)
    vocabulary, lengths = real_vocabulary()
    words = Zipf(vocabulary, rng)
    regions = region_labels()
    regencies = [(code, name) for code, name in regions.items() if "." in code]
    publishers = Zipf([rng.choice(regencies) for _ in range(PUBLISHERS)], rng)
    creator_names = Zipf([(rng.choice(OPD_WORDS), rng.choice(regencies)) for _ in range(CREATORS)], rng)
    themes = Zipf([f"tema-{number}" for number in range(THEMES)], rng)
    start = dt.datetime(2018, 1, 1, tzinfo=dt.UTC)

    for number in range(count):
        regency_code, regency_name = publishers.draw()
        province = regency_code.split(".")[0]
        opd, (creator_region, creator_region_name) = creator_names.draw()
        year = rng.randint(2010, 2025)
        # One dataset in five covers a range of years; a few cover more years than there are slots.
        span = rng.choice((1, 1, 1, 1, 3, 5, 9)) if rng.random() < 0.25 else 1
        title = " ".join(words.draw() for _ in range(rng.choice(lengths))) + f" Tahun {year}"
        theme = themes.draw()
        yield IndexDocument(
            id=f"bench-{number:08d}",
            title=title,
            description=" ".join(words.draw() for _ in range(rng.randint(8, 30))),
            keywords=[words.draw() for _ in range(rng.randint(0, 4))],
            publisher=Labelled(key=f"diskominfo-{regency_code}", label=f"Diskominfo {regency_name}"),
            creator=Labelled(key=f"{opd.lower().replace(' ', '-')}-{creator_region}",
                             label=f"{opd} {creator_region_name}"),
            province=[Labelled(key=province, label=regions.get(province, province))],
            regency=[Labelled(key=regency_code, label=regency_name)],
            theme=[Labelled(key=theme, label=theme.replace("-", " ").title())],
            format=[Labelled(key=label, label=label) for label in rng.sample(FORMATS, rng.randint(1, 3))],
            licence=Labelled(key=rng.choice(LICENCES), label="licence") if rng.random() < 0.4 else None,
            year=list(range(year, min(year + span, 2026))),
            modified=start + dt.timedelta(minutes=rng.randint(0, 4_000_000)),
            access_level="terbuka" if rng.random() < 0.95 else "terbatas",
            content_hash=f"{number:064x}",
        )


def query_mix(count: int, seed: int = 11) -> list[tuple[str, SearchQuery]]:
    """Return `count` labelled queries: one to three words, empty, filtered, sorted."""
    rng = random.Random(seed)
    vocabulary, _ = real_vocabulary()
    words = Zipf(vocabulary, rng)
    regions = [code for code in region_labels() if "." in code]
    mix: list[tuple[str, SearchQuery]] = []
    for number in range(count):
        kind = number % 5
        if kind == 0:
            mix.append(("one word", SearchQuery(text=words.draw())))
        elif kind == 1:
            mix.append(("two words", SearchQuery(text=f"{words.draw()} {words.draw()}")))
        elif kind == 2:
            mix.append(("three words + filter", SearchQuery(
                text=" ".join(words.draw() for _ in range(3)), filters={"year": [str(rng.randint(2010, 2025))]})))
        elif kind == 3:
            mix.append(("empty, newest", SearchQuery(sort="modified_desc")))
        else:
            mix.append(("filters only", SearchQuery(filters={"regency": [rng.choice(regions)],
                                                             "format": ["CSV", "XLSX"]}, sort="title_asc")))
    return mix


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def timed(action: Callable[[], object]) -> tuple[float, float]:
    """Return the wall-clock and the process CPU milliseconds that `action` took."""
    started, started_cpu = time.perf_counter(), time.process_time()
    action()
    return (time.perf_counter() - started) * 1000, (time.process_time() - started_cpu) * 1000


def report(label: str, timings: list[tuple[float, float]]) -> None:
    wall = [timing[0] for timing in timings]
    cpu = [timing[1] for timing in timings]
    print(f"  {label:<22} n={len(wall):<5} p50={percentile(wall, 0.50):7.2f}  p95={percentile(wall, 0.95):7.2f}  "
          f"p99={percentile(wall, 0.99):7.2f}  mean={statistics.fmean(wall):7.2f} ms wall   "
          f"cpu p50={percentile(cpu, 0.50):6.2f}  p95={percentile(cpu, 0.95):6.2f} ms")


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=100_000, help="number of synthetic documents")
    parser.add_argument("--large", action="store_true", help="use 1,000,000 documents (takes several minutes)")
    parser.add_argument("--queries", type=int, default=1_000, help="number of measured queries")
    parser.add_argument("--path", type=Path, help="index folder to build in or reuse (default: a temporary folder)")
    parser.add_argument("--reuse", action="store_true", help="search an index already built in --path")
    parser.add_argument("--no-facet-cache", action="store_true",
                        help="compute facet counts for every search, even a repeated one")
    arguments = parser.parse_args()
    documents = 1_000_000 if arguments.large else arguments.documents

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, {platform.system()} {platform.release()}")
    with tempfile.TemporaryDirectory(prefix="himpun-bench-") as scratch:
        cache_entries = 0 if arguments.no_facet_cache else FACET_CACHE_ENTRIES
        index = EmbeddedIndex(arguments.path or Path(scratch) / "index", facet_cache_entries=cache_entries)
        if not arguments.reuse:
            started = time.perf_counter()
            built = index.rebuild(generate(documents))
            elapsed = time.perf_counter() - started
            print(f"built {built:,} documents in {elapsed:.1f} s ({built / elapsed:,.0f} documents/s)")
        print(f"index holds {index.count():,} documents; facets per query: {', '.join(FACETS)}")

        mix = query_mix(arguments.queries)
        for _, query in mix[:50]:
            index.search(query)

        print(f"load average before measuring: {load_average()}")
        by_kind: dict[str, list[tuple[float, float]]] = {}
        for label, query in mix:
            by_kind.setdefault(label, []).append(timed(lambda query=query: index.search(query)))
        suggest_timings = [timed(lambda prefix=prefix: index.suggest(prefix))
                           for prefix in ("jum", "jumlah pen", "indeks kua", "data", "pro", "luas ta") * 20]

        print(f"load average after measuring: {load_average()} (other processes share the cores; "
              "CPU time is the process's own cost)")
        cache = "off" if arguments.no_facet_cache else f"{cache_entries} entries"
        print(f"latency of EmbeddedIndex.search with all facet counts, rows=20, highlights on, facet cache {cache}:")
        for label, timings in by_kind.items():
            report(label, timings)
        report("all searches", list(itertools.chain.from_iterable(by_kind.values())))
        report("suggest", suggest_timings)
        index.close()


if __name__ == "__main__":
    main()
