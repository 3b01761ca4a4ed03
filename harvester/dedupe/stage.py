"""The dedupe stage: cluster every stored copy, merge each cluster, group series, write the result.

It runs after harvest jobs and on `himpun duplicates run`. A full pass reads
every record that is not withdrawn, so its cost grows with the store; it
writes only datasets whose merged form changed.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson

from harvester.dedupe.candidate import Candidate, build_candidate
from harvester.dedupe.cluster import Cluster, Decisions, RecordKey, build_clusters
from harvester.dedupe.decisions import combine, load_decisions_file
from harvester.dedupe.loops import origin_source_for
from harvester.dedupe.merge import Copy, merge_copies
from harvester.dedupe.series import group_series
from harvester.dedupe.store_ops import (
    DatasetPlan, DedupePlan, StoredCopy, apply_plan, dataset_created, load_copies, stored_decisions,
)
from harvester.model import DatasetStatus
from harvester.sources import SourceConfig
from harvester.store import Store
from harvester.store.merge import assign_dataset_id

logger = logging.getLogger(__name__)

_WITHOUT_RAW = {"provenance": {"raw"}}
_FALLBACK_NAMESPACE = uuid.UUID("0b6e2c7a-1f0e-4a52-8d0c-7a8f7e3b9d21")


@dataclass(slots=True)
class DedupeReport:
    records: int
    datasets: int
    merged_datasets: int
    series: int
    changed: list[str]


def run_dedupe(store: Store, sources: Sequence[SourceConfig], decisions_file: Path | None = None) -> DedupeReport:
    """Cluster, merge and group every stored copy, and write what changed."""
    copies = load_copies(store)
    file_decisions = load_decisions_file(decisions_file) if decisions_file else Decisions()
    decisions = combine(stored_decisions(store), file_decisions)
    priorities = {source.id: source.priority for source in sources}

    candidates = [
        build_candidate(copy.record, priority=priorities.get(copy.key[0], 50),
                        origin_source=origin_source_for(copy.record, sources))
        for copy in copies
    ]
    clusters = build_clusters(candidates, decisions)
    plan = _plan(store, copies, candidates, clusters, priorities)

    changed = apply_plan(store, copies, plan)
    merged = sum(1 for dataset in plan.datasets if len(dataset.members) > 1)
    logger.info("dedupe: %d records, %d datasets (%d merged), %d series, %d changed",
                len(copies), len(plan.datasets), merged, len(plan.series), len(changed))
    return DedupeReport(len(copies), len(plan.datasets), merged, len(plan.series), changed)


def _plan(store: Store, copies: list[StoredCopy], candidates: list[Candidate], clusters: list[Cluster],
          priorities: dict[str, int]) -> DedupePlan:
    by_key = {copy.key: copy for copy in copies}
    candidate_by_key = {candidate.key: candidate for candidate in candidates}
    ids = _choose_ids(clusters, by_key, dataset_created(store))

    plan = DedupePlan()
    representatives: list[tuple[str, Candidate]] = []
    for cluster in clusters:
        dataset_id = ids[id(cluster)]
        members = [by_key[key] for key in cluster.members]
        plan.datasets.append(_dataset_plan(dataset_id, members, priorities))
        best_key = max(cluster.members, key=lambda key: candidate_by_key[key].completeness)
        representatives.append((dataset_id, candidate_by_key[best_key]))
        plan.matches += _match_rows(dataset_id, cluster)

    _assign_series(plan, representatives)
    return plan


def _dataset_plan(dataset_id: str, members: list[StoredCopy], priorities: dict[str, int]) -> DatasetPlan:
    merged = merge_copies([Copy(member.record, priorities.get(member.key[0], 50)) for member in members])
    if len(members) == 1:
        content_hash = members[0].content_hash
    else:
        joined = "|".join(sorted(f"{m.key[0]}\x1f{m.key[1]}\x1f{m.content_hash}" for m in members))
        content_hash = hashlib.sha256(joined.encode("utf-8")).hexdigest()

    quarantined = any(member.status == DatasetStatus.QUARANTINED.value for member in members)
    access = merged.access.level
    return DatasetPlan(
        id=dataset_id,
        record_json=merged.model_dump_json(exclude=_WITHOUT_RAW),
        content_hash=content_hash,
        status=DatasetStatus.QUARANTINED.value if quarantined else DatasetStatus.ACTIVE.value,
        access_level=access.value if access is not None else None,
        series_id=None,
        members=[member.key for member in members],
    )


def _choose_ids(clusters: list[Cluster], copies: dict[RecordKey, StoredCopy],
                created: dict[str, object]) -> dict[int, str]:
    """Give each cluster a stable dataset id.

    A cluster keeps the oldest dataset id among its members' current ids,
    preferring a member's own id, so ids survive re-harvests, renames,
    merges and splits. Ids already taken by another cluster fall through to
    the members' own ids.
    """
    def preference(cluster: Cluster) -> list[str]:
        own = [assign_dataset_id(*key) for key in cluster.members]
        current = [copies[key].dataset_id for key in cluster.members]
        existing = sorted({i for i in current if i in created}, key=lambda i: (i not in own, str(created[i]), i))
        return existing + [i for i in own if i not in existing]

    ordered = sorted(clusters, key=lambda cluster: (-len(cluster.members), cluster.members[0]))
    taken: set[str] = set()
    chosen: dict[int, str] = {}
    for cluster in ordered:
        dataset_id = next((i for i in preference(cluster) if i not in taken), None)
        if dataset_id is None:
            dataset_id = str(uuid.uuid5(_FALLBACK_NAMESPACE, repr(cluster.members)))
        taken.add(dataset_id)
        chosen[id(cluster)] = dataset_id
    return chosen


def _match_rows(dataset_id: str, cluster: Cluster) -> list[dict]:
    rows = []
    for pair, result in cluster.matches.items():
        left, right = sorted(pair)
        rows.append({"dataset_id": dataset_id, "left_source": left[0], "left_remote": left[1],
                     "right_source": right[0], "right_remote": right[1], "score": result.score,
                     "reasons": orjson.dumps(list(result.reasons)).decode("utf-8")})
    return rows


def _assign_series(plan: DedupePlan, representatives: list[tuple[str, Candidate]]) -> None:
    by_id = {dataset.id: dataset for dataset in plan.datasets}
    for series in group_series(representatives):
        for member in series.members:
            by_id[member.dataset_id].series_id = series.id
        plan.series.append({
            "id": series.id,
            "title": series.title,
            "members": orjson.dumps([member.dataset_id for member in series.members]).decode("utf-8"),
        })
