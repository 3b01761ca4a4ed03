"""Duplicated collection: the same data produced by several OPD of one region.

Different OPD publishing datasets with the same title words and period in
one region is what a Walidata's harmonization step looks for: one of them
should be the producer, the others should reuse its data. These datasets are
kept apart by the matcher (their creators differ), so this report lists them
separately.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from harvester.dedupe.candidate import build_candidate
from harvester.store import Store


@dataclass(frozen=True, slots=True)
class Overlap:
    region: str
    title: str
    creators: tuple[str, ...]
    dataset_ids: tuple[str, ...]


def collection_overlaps(store: Store) -> list[Overlap]:
    """List groups of active datasets in one region with the same title words but different OPD."""
    groups: dict[tuple, list[tuple[str, str, str]]] = defaultdict(list)
    for dataset in store.iter_datasets(public_only=False):
        if dataset.status.value != "active":
            continue
        candidate = build_candidate(dataset.record)
        if not candidate.tokens or not candidate.creator:
            continue
        region = ",".join(sorted(candidate.regions)) or "-"
        key = (region, tuple(sorted(candidate.tokens)), candidate.period)
        creator_name = dataset.record.creator.name if dataset.record.creator else candidate.creator
        groups[key].append((dataset.id, candidate.creator, creator_name))

    overlaps = []
    for (region, _, _), members in groups.items():
        creators = {creator: name for _, creator, name in members}
        if len(creators) < 2:
            continue
        title = store.get_dataset(members[0][0]).record.title
        overlaps.append(Overlap(region, title, tuple(sorted(creators.values())),
                                tuple(dataset_id for dataset_id, _, _ in members)))
    return sorted(overlaps, key=lambda overlap: (overlap.region, overlap.title))
