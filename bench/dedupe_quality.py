"""Print the duplicate matcher's precision and recall over the labelled pairs, and its speed.

Usage: python bench/dedupe_quality.py [--records N]
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from harvester.dedupe.candidate import build_candidate
from harvester.dedupe.cluster import build_clusters
from harvester.dedupe.evaluation import evaluate, load_pairs
from harvester.model import DatasetRecord

PAIRS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "dedupe" / "labeled_pairs.jsonl"


def print_quality() -> list[DatasetRecord]:
    pairs = load_pairs(PAIRS)
    result = evaluate(pairs)
    positives = sum(1 for label, *_ in pairs if label)
    print(f"labelled pairs: {len(pairs)} ({positives} duplicates, {len(pairs) - positives} distinct)")
    print(f"precision: {result.precision:.4f}  recall: {result.recall:.4f}")
    print(f"true positives {result.true_positives}, false positives {result.false_positives}, "
          f"false negatives {result.false_negatives}, true negatives {result.true_negatives}")
    for mistake in result.mistakes:
        print("  mistake:", mistake)
    return [record for _, _, a, b in pairs for record in (a, b)]


def print_speed(records: list[DatasetRecord], count: int) -> None:
    rng = random.Random(7)
    sample = []
    for index in range(count):
        record = rng.choice(records).model_copy(deep=True)
        record.provenance.remote_id = f"{record.provenance.remote_id}-{index}"
        record.title = f"{record.title} {index % 997}"
        sample.append(record)

    started = time.perf_counter()
    candidates = [build_candidate(record) for record in sample]
    built = time.perf_counter()
    clusters = build_clusters(candidates)
    finished = time.perf_counter()
    print(f"{count} records: candidates {count / (built - started):,.0f} records/s, "
          f"clustering {count / (finished - built):,.0f} records/s, {len(clusters)} clusters")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=50_000, help="records for the speed run")
    arguments = parser.parse_args()
    records = print_quality()
    print_speed(records, arguments.records)


if __name__ == "__main__":
    main()
