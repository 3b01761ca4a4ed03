"""The store: sources, harvested records, published datasets, jobs and the scheduler lease.

See docs/store.md for the tables, the upsert, migrations and durability.
"""

from harvester.store.merge import assign_dataset_id, merge_copies
from harvester.store.records import UpsertOutcome
from harvester.store.store import Store

__all__ = ["Store", "UpsertOutcome", "assign_dataset_id", "merge_copies"]
