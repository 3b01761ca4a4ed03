"""Clusters of duplicate records: blocking, pair matching, union-find, operator decisions."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from harvester.dedupe.candidate import Candidate
from harvester.dedupe.matcher import MatchResult, compare

RecordKey = tuple[str, str]

# A URL shared by more records than this inside one source is generic (a
# portal home page, a shared "lihat data" link) and is no evidence of identity.
GENERIC_URL_LIMIT = 3
# Blocks larger than this are compared as a chain, never pair by pair, so one
# very common title or URL cannot make the pass quadratic.
MAX_BLOCK_SIZE = 200


@dataclass(slots=True)
class Decisions:
    """Operator decisions: pairs confirmed as one dataset, and pairs that must stay apart."""

    confirmed: set[frozenset[RecordKey]] = field(default_factory=set)
    split: set[frozenset[RecordKey]] = field(default_factory=set)


@dataclass(slots=True)
class Cluster:
    members: list[RecordKey]
    matches: dict[frozenset[RecordKey], MatchResult]

    @property
    def score(self) -> float:
        return min((match.score for match in self.matches.values()), default=1.0)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[RecordKey, RecordKey] = {}

    def find(self, key: RecordKey) -> RecordKey:
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, left: RecordKey, right: RecordKey) -> None:
        self.parent[self.find(left)] = self.find(right)


def generic_urls(candidates: Iterable[Candidate]) -> frozenset[str]:
    """Return URLs shared by more than `GENERIC_URL_LIMIT` records of one source."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for candidate in candidates:
        for url in candidate.urls | ({candidate.landing_page} if candidate.landing_page else set()):
            counts[(candidate.source_id, url)] += 1
    return frozenset(url for (_, url), count in counts.items() if count > GENERIC_URL_LIMIT)


def candidate_pairs(candidates: list[Candidate], generic: frozenset[str] = frozenset()) -> set[tuple[int, int]]:
    """Return index pairs that share a blocking key: an identifier, a URL, or the title words.

    A block larger than `MAX_BLOCK_SIZE` is compared as a chain of neighbours
    instead of every pair, which still joins a cluster whose members all match
    and keeps the pass linear.
    """
    blocks: dict[str, list[int]] = defaultdict(list)
    for position, candidate in enumerate(candidates):
        for key in set(_blocking_keys(candidate, generic)):
            blocks[key].append(position)

    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        if len(members) > MAX_BLOCK_SIZE:
            combinations = zip(members, members[1:])
        else:
            combinations = itertools.combinations(members, 2)
        for left, right in combinations:
            pairs.add((left, right) if left < right else (right, left))
    return pairs


def _blocking_keys(candidate: Candidate, generic: frozenset[str]) -> list[str]:
    keys = [f"id:{value}" for value in candidate.identifiers]
    keys += [f"url:{value}" for value in candidate.urls if value not in generic]
    if candidate.landing_page and candidate.landing_page not in generic:
        keys.append(f"url:{candidate.landing_page}")
    if candidate.origin_name:
        origin = candidate.origin_source or candidate.source_id
        keys.append(f"name:{origin}:{candidate.origin_name}")
    if candidate.tokens:
        keys.append("title:" + " ".join(sorted(candidate.tokens)))
        keys.append("title-head:" + " ".join(sorted(candidate.tokens)[:3]) + f":{len(candidate.tokens)}")
    return keys


def build_clusters(candidates: list[Candidate], decisions: Decisions | None = None) -> list[Cluster]:
    """Group candidates into clusters of duplicates. A record without duplicates is a cluster of one."""
    decisions = decisions or Decisions()
    generic = generic_urls(candidates)
    union_find = _UnionFind()
    matches: dict[frozenset[RecordKey], MatchResult] = {}

    for left, right in sorted(candidate_pairs(candidates, generic)):
        a, b = candidates[left], candidates[right]
        pair = frozenset((a.key, b.key))
        if pair in decisions.split:
            continue
        result = compare(a, b, generic)
        if result.is_match:
            matches[pair] = result
            union_find.union(a.key, b.key)

    for pair in decisions.confirmed:
        left_key, right_key = tuple(pair)
        matches[pair] = MatchResult(1.0, ("confirmed by an operator",))
        union_find.union(left_key, right_key)

    return _collect(candidates, union_find, matches, decisions)


def _collect(candidates: list[Candidate], union_find: _UnionFind,
             matches: dict[frozenset[RecordKey], MatchResult], decisions: Decisions) -> list[Cluster]:
    groups: dict[RecordKey, list[RecordKey]] = defaultdict(list)
    for candidate in candidates:
        groups[union_find.find(candidate.key)].append(candidate.key)

    clusters: list[Cluster] = []
    cluster_of: dict[RecordKey, Cluster] = {}
    for members in groups.values():
        for part in _enforce_splits(members, decisions):
            cluster = Cluster(members=sorted(part), matches={})
            clusters.append(cluster)
            cluster_of.update((key, cluster) for key in part)

    for pair, result in matches.items():
        left, right = tuple(pair)
        if cluster_of[left] is cluster_of[right]:
            cluster_of[left].matches[pair] = result
    return clusters


def _enforce_splits(members: list[RecordKey], decisions: Decisions) -> list[list[RecordKey]]:
    """Split a cluster that transitively joined two records an operator keeps apart."""
    conflicts = [pair for pair in decisions.split if pair <= set(members)]
    if not conflicts:
        return [members]

    parts: list[list[RecordKey]] = []
    for member in sorted(members):
        home = next(
            (part for part in parts
             if all(frozenset((member, other)) not in decisions.split for other in part)),
            None,
        )
        if home is None:
            parts.append([member])
        else:
            home.append(member)
    return parts
