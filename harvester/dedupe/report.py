"""The duplicates report: merged clusters with their members, scores and reasons."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from harvester.dedupe.store_ops import list_matches
from harvester.store import Store


@dataclass(slots=True)
class PairEvidence:
    left: str
    right: str
    score: float
    reasons: list[str]


@dataclass(slots=True)
class ClusterSummary:
    """One published dataset built from several copies."""

    dataset_id: str
    title: str
    sources: list[str]
    score: float
    pairs: list[PairEvidence] = field(default_factory=list)


def duplicates_report(store: Store, limit: int = 500) -> list[ClusterSummary]:
    """List merged clusters, weakest evidence first, so doubtful merges are reviewed first."""
    pairs_by_dataset: dict[str, list[PairEvidence]] = defaultdict(list)
    for match in list_matches(store):
        pairs_by_dataset[match["dataset_id"]].append(PairEvidence(
            left=f"{match['left_source']}/{match['left_remote']}",
            right=f"{match['right_source']}/{match['right_remote']}",
            score=match["score"],
            reasons=match["reasons"],
        ))

    ordered = sorted(pairs_by_dataset.items(), key=lambda item: min(pair.score for pair in item[1]))
    clusters = []
    for dataset_id, pairs in ordered[:limit]:
        dataset = store.get_dataset(dataset_id)
        if dataset is None:
            continue
        clusters.append(ClusterSummary(
            dataset_id=dataset_id,
            title=dataset.record.title,
            sources=[f"{copy.source_id}/{copy.remote_id}" for copy in dataset.sources],
            score=min(pair.score for pair in pairs),
            pairs=pairs,
        ))
    return clusters
