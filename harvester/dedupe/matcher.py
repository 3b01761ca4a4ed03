"""Pairwise duplicate matching, strongest evidence first.

1. a shared global identifier (UUID or URI: CKAN id, guid, harvest_object_id,
   dct:identifier) or a harvest loop (a record republished from a Himpun
   source, matched by that source's CKAN name);
2. a shared distribution URL or landing page after normalization, unless the
   URL is generic (shared by many records of one source, like a portal's
   home page);
3. a fuzzy match: the same content words in the title (one-letter typos
   allowed in long words), the same period, and no conflicting region or
   organization.

Every result carries a score in [0, 1] and the reasons behind it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein
from rapidfuzz.fuzz import token_sort_ratio

from harvester.dedupe.candidate import Candidate

MATCH_THRESHOLD = 0.9
_TYPO_MIN_LENGTH = 6


@dataclass(frozen=True, slots=True)
class MatchResult:
    score: float
    reasons: tuple[str, ...]

    @property
    def is_match(self) -> bool:
        return self.score >= MATCH_THRESHOLD


def compare(a: Candidate, b: Candidate, generic_urls: frozenset[str] = frozenset()) -> MatchResult:
    """Score how likely `a` and `b` are copies of one dataset."""
    shared_identifiers = a.identifiers & b.identifiers
    if shared_identifiers:
        return MatchResult(1.0, tuple(f"identifier {value}" for value in sorted(shared_identifiers)))

    loop = _harvest_loop(a, b) or _harvest_loop(b, a)
    if loop:
        return MatchResult(1.0, (loop,))

    if a.period != b.period:
        return MatchResult(0.0, (f"different period: {_label(a)} / {_label(b)}",))

    shared_urls = (a.urls & b.urls) - generic_urls
    if shared_urls:
        return MatchResult(0.95, tuple(f"distribution URL {url}" for url in sorted(shared_urls)[:3]))

    if a.landing_page and a.landing_page == b.landing_page and a.landing_page not in generic_urls:
        return MatchResult(0.95, (f"landing page {a.landing_page}",))

    return _fuzzy(a, b)


def _harvest_loop(copy: Candidate, origin: Candidate) -> str | None:
    if copy.origin_source and copy.origin_source == origin.source_id and copy.origin_name:
        if copy.origin_name == origin.origin_name:
            return f"harvest loop: republished from {origin.source_id} as {copy.origin_name}"
    return None


def _fuzzy(a: Candidate, b: Candidate) -> MatchResult:
    similarity = token_sort_ratio(" ".join(a.tokens), " ".join(b.tokens)) / 100.0
    conflict = _context_conflict(a, b)
    if conflict:
        return MatchResult(round(similarity * 0.5, 3), (conflict,))

    if not a.tokens or not _same_words(a.tokens, b.tokens):
        return MatchResult(round(similarity * 0.85, 3), (f"title similarity {similarity:.2f}",))

    reasons = ["same title words", f"same period {_label(a)}"]
    score = 0.9
    if a.publisher and a.publisher == b.publisher:
        score += 0.03
        reasons.append("same publisher")
    if a.creator and a.creator == b.creator:
        score += 0.03
        reasons.append("same creator")
    if a.regions and a.regions == b.regions:
        score += 0.04
        reasons.append("same region")
    return MatchResult(round(min(score, 0.99), 3), tuple(reasons))


def _context_conflict(a: Candidate, b: Candidate) -> str | None:
    if a.regions and b.regions and not (a.regions & b.regions):
        return "different region"

    publishers_differ = bool(a.publisher and b.publisher and a.publisher != b.publisher)
    creators_differ = bool(a.creator and b.creator and a.creator != b.creator)
    creators_agree = bool(a.creator and a.creator == b.creator)
    if publishers_differ and not creators_agree:
        return "different publisher"
    if creators_differ:
        return "different creator"
    return None


def _same_words(left: tuple[str, ...], right: tuple[str, ...]) -> bool:
    """True when both titles have the same words, allowing one-letter typos in long words."""
    if len(left) != len(right):
        return False
    left_only = Counter(left) - Counter(right)
    right_only = Counter(right) - Counter(left)
    if not left_only:
        return True

    unmatched = list(right_only.elements())
    for word in left_only.elements():
        partner = next((other for other in unmatched if _is_typo(word, other)), None)
        if partner is None:
            return False
        unmatched.remove(partner)
    return True


def _is_typo(word: str, other: str) -> bool:
    if min(len(word), len(other)) < _TYPO_MIN_LENGTH:
        return False
    return Levenshtein.distance(word, other, score_cutoff=1) <= 1


def _label(candidate: Candidate) -> str:
    return candidate.period.label() if candidate.period else "none"
