"""Precision and recall of the duplicate matcher over labelled record pairs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from harvester.dedupe.candidate import Candidate, build_candidate
from harvester.dedupe.cluster import generic_urls
from harvester.dedupe.matcher import compare
from harvester.model import DatasetRecord


@dataclass(slots=True)
class Evaluation:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    true_negatives: int = 0
    mistakes: list[tuple[str, str, str, float]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0


def load_pairs(path: Path) -> list[tuple[bool, str, DatasetRecord, DatasetRecord]]:
    """Read labelled pairs from a JSON Lines file of {label, kind, a, b} objects."""
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            pairs.append((item["label"], item["kind"], DatasetRecord.model_validate(item["a"]),
                          DatasetRecord.model_validate(item["b"])))
    return pairs


def evaluate(pairs: list[tuple[bool, str, DatasetRecord, DatasetRecord]]) -> Evaluation:
    """Compare every pair and count agreements with its label."""
    candidates: list[tuple[bool, str, Candidate, Candidate]] = [
        (label, kind, build_candidate(a), build_candidate(b)) for label, kind, a, b in pairs
    ]
    generic = generic_urls(candidate for _, _, a, b in candidates for candidate in (a, b))

    result = Evaluation()
    for label, kind, a, b in candidates:
        match = compare(a, b, generic)
        if match.is_match and label:
            result.true_positives += 1
        elif match.is_match:
            result.false_positives += 1
            result.mistakes.append(("false duplicate", kind, f"{a.title} | {b.title}", match.score))
        elif label:
            result.false_negatives += 1
            result.mistakes.append(("missed duplicate", kind, f"{a.title} | {b.title}", match.score))
        else:
            result.true_negatives += 1
    return result
