"""Operator decisions on record pairs, from config/dedupe/decisions.yaml and the store.

A record is written `<source id>/<remote id>`; source ids contain no slash.

    confirm:
      - [kampar/00003d3a-754f-41f7-91f7-e2ef772354c7, datagoid/00003d3a-754f-41f7-91f7-e2ef772354c7]
    split:
      - [trenggalek/7, trenggalek/426]
"""

from __future__ import annotations

from pathlib import Path

import yaml

from harvester.dedupe.cluster import Decisions, RecordKey
from harvester.errors import ConfigError

DECISIONS = ("confirm", "split")


def parse_record_reference(reference: str) -> RecordKey:
    """Split "source/remote id" into a record key."""
    source_id, separator, remote_id = str(reference).partition("/")
    if not separator or not source_id or not remote_id:
        raise ConfigError(f"invalid record reference {reference!r}: expected <source id>/<remote id>")
    return source_id, remote_id


def load_decisions_file(path: Path) -> Decisions:
    """Read operator decisions from YAML; a missing file means no decisions."""
    decisions = Decisions()
    if not path.exists():
        return decisions
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: invalid YAML: {error}") from error

    for name in DECISIONS:
        for position, pair in enumerate(document.get(name) or [], start=1):
            if not isinstance(pair, list) or len(pair) != 2:
                raise ConfigError(f"{path}: {name} entry {position} must be a list of two record references")
            keys = frozenset(parse_record_reference(reference) for reference in pair)
            (decisions.confirmed if name == "confirm" else decisions.split).add(keys)
    return decisions


def combine(*sources: Decisions) -> Decisions:
    """Merge decisions; a pair both confirmed and split stays split, the safer choice."""
    combined = Decisions()
    for decisions in sources:
        combined.confirmed |= decisions.confirmed
        combined.split |= decisions.split
    combined.confirmed -= combined.split
    return combined
