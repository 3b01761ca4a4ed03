"""Dataset id assignment and the merge of source copies into one dataset.

These are the two decisions the dedupe stage takes over: which dataset a
record belongs to, and what the dataset looks like when several copies
contribute. For now every record is its own dataset, with an id derived
from its source id and remote id, so a record that is withdrawn and comes
back gets the same id.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

__all__ = ["DATASET_NAMESPACE", "DatasetCopy", "MergedDataset", "assign_dataset_id", "merge_copies"]

# Namespace of the uuid5 dataset ids. Changing it changes every public id.
DATASET_NAMESPACE = uuid.UUID("6f1c1d2e-5a0b-5c3e-9d47-68696d70756e")


def assign_dataset_id(source_id: str, remote_id: str) -> str:
    """Return the dataset id of the record `remote_id` of `source_id`."""
    return str(uuid.uuid5(DATASET_NAMESPACE, f"{source_id}\x1f{remote_id}"))


@dataclass(slots=True)
class DatasetCopy:
    """One source's copy, as the merge sees it: serialized record and its state."""

    source_id: str
    remote_id: str
    record_json: str
    content_hash: str
    status: str
    access_level: str | None
    priority: int = 50


@dataclass(slots=True)
class MergedDataset:
    """The values a merge writes to the dataset row."""

    record_json: str
    content_hash: str
    status: str
    access_level: str | None


def merge_copies(copies: list[DatasetCopy]) -> MergedDataset:
    """Merge the copies of one dataset: the preferred active copy wins.

    Copies are preferred by status (active first), then by source priority.
    """
    # TODO: merge field by field once dedupe assigns several copies to one dataset.
    preferred = min(copies, key=lambda copy: (copy.status != "active", -copy.priority))
    return MergedDataset(
        record_json=preferred.record_json,
        content_hash=preferred.content_hash,
        status=preferred.status,
        access_level=preferred.access_level,
    )
