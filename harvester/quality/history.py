"""Average quality per Walidata and per OPD, recorded as dated snapshots in a JSON file."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

from pydantic import BaseModel, Field

from harvester.model import Agent, PublishedDataset
from harvester.quality.linkcheck import LinkCheckResult
from harvester.quality.scoring import score

UNKNOWN_KEY = "-"


class GroupScore(BaseModel):
    """The mean score of one organization's datasets on one day."""

    key: str
    label: str
    datasets: int
    percent: float


class QualitySnapshot(BaseModel):
    """The mean scores of one day.

    `public_only` is true for snapshots that scored only the public
    datasets, the ones the public site lists. Snapshots written before it
    existed also scored withdrawn datasets, such as the copies that the
    dedupe stage merged into another dataset, so they load as false.
    """

    day: dt.date
    overall: float
    datasets: int
    public_only: bool = False
    by_publisher: list[GroupScore] = Field(default_factory=list)
    by_creator: list[GroupScore] = Field(default_factory=list)


def _agent_key(agent: Agent | None) -> tuple[str, str]:
    if agent is None:
        return UNKNOWN_KEY, UNKNOWN_KEY
    return agent.identifier or agent.name, agent.name


def _group_scores(totals: Mapping[tuple[str, str], list[int]]) -> list[GroupScore]:
    groups = [GroupScore(key=key, label=label, datasets=len(values), percent=round(sum(values) / len(values), 1))
              for (key, label), values in totals.items()]
    return sorted(groups, key=lambda group: (-group.datasets, group.label))


def compute_snapshot(datasets: Iterable[PublishedDataset], day: dt.date,
                     link_results: Mapping[str, LinkCheckResult] | None = None) -> QualitySnapshot:
    """Score every public dataset and average the percentages per Walidata and per OPD.

    Datasets that are not public (withdrawn, quarantined or restricted) are
    skipped, so the counts match those of the public search page.
    """
    by_publisher: dict[tuple[str, str], list[int]] = defaultdict(list)
    by_creator: dict[tuple[str, str], list[int]] = defaultdict(list)
    percents: list[int] = []
    for dataset in datasets:
        if not dataset.is_public:
            continue
        percent = score(dataset, link_results).percent
        percents.append(percent)
        by_publisher[_agent_key(dataset.record.publisher)].append(percent)
        by_creator[_agent_key(dataset.record.creator)].append(percent)

    overall = round(sum(percents) / len(percents), 1) if percents else 0.0
    return QualitySnapshot(day=day, overall=overall, datasets=len(percents), public_only=True,
                           by_publisher=_group_scores(by_publisher), by_creator=_group_scores(by_creator))


class QualityHistory:
    """Snapshots in one JSON file, one per day, oldest first; a new snapshot replaces the same day's."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> list[QualitySnapshot]:
        if not self.path.exists():
            return []
        items = json.loads(self.path.read_text(encoding="utf-8"))
        return sorted((QualitySnapshot.model_validate(item) for item in items), key=lambda snapshot: snapshot.day)

    def record(self, snapshot: QualitySnapshot) -> None:
        snapshots = [kept for kept in self.load() if kept.day != snapshot.day] + [snapshot]
        snapshots.sort(key=lambda kept: kept.day)

        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump([kept.model_dump(mode="json") for kept in snapshots], file, ensure_ascii=False)
        os.replace(temporary, self.path)
