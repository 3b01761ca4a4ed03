"""Print the records/s of Harmonizer.harmonize alone over realistic records.

The records are the bundled real samples (Aceh data.json, data.go.id, Muara
Enim, Garut, Trenggalek, Open Data Jabar), mapped once and then copied, so
the run measures harmonizing only. Run: `.venv/bin/python bench/harmonize_throughput.py [N]`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harvester.harmonize import Harmonizer  # noqa: E402
from tests.harmonize.samples import SOURCES, all_records  # noqa: E402

# TODO: reach the target; measured 3,800 records/s on a 2-core VM with distinct titles,
# where region reading from titles and keyword topic inference cost the most.
TARGET_PER_SECOND = 20_000


def main(count: int) -> int:
    harmonizer = Harmonizer()
    samples = [(record, SOURCES[key]) for key, records in all_records().items() for record in records.values()]
    work = []
    for i in range(count):
        record, source = samples[i % len(samples)]
        copy = record.model_copy(deep=True)
        # A first harvest has mostly distinct titles: vary them so per-text caches do not flatter the rate.
        copy.title = f"{record.title} (salinan {i:x})"
        work.append((copy, source))

    started = time.perf_counter()
    findings = 0
    for record, source in work:
        findings += len(harmonizer.harmonize(record, source))
    elapsed = time.perf_counter() - started

    rate = count / elapsed
    print(f"harmonize: {count} records in {elapsed:.2f} s = {rate:,.0f} records/s "
          f"({findings} findings; target {TARGET_PER_SECOND:,} records/s)")
    return 0 if rate >= TARGET_PER_SECOND else 1


if __name__ == "__main__":
    raise SystemExit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
