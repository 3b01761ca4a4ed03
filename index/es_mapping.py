"""Index settings, field mapping and document encoding for the Elasticsearch backend.

An `IndexDocument` is stored as its own JSON plus derived fields:

    facet_keys.<facet>   keyword  the facet keys, for filters
    facet_pairs.<facet>  keyword  "key<US>label" pairs, so one terms
                                  aggregation returns each key with its label
    labels               text     publisher, creator, region and theme labels,
                                  so a search for "Pesawaran" finds datasets of
                                  that regency even when the title omits it
    title_sort           keyword  the title case- and accent-folded in
                                  Python, for sorting and for `suggest`
                                  prefix queries; normalizers are not
                                  applied by every compatible server

`<US>` is the ASCII unit separator (U+001F), which never occurs in a key.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from harvester.settings import DEFAULT_CONFIG_DIR
from index.base import FACETS, IndexDocument, Labelled
from index.es_protected_names import OPD_WORDS, REGION_WORDS

# Bump when the mapping or analysis changes. `himpun index check` reports an
# index built with another version, and `himpun index rebuild` replaces it.
MAPPING_VERSION = 1

FACET_SEPARATOR = "\u001f"
TEXT_ANALYZER = "himpun_indonesian"
DERIVED_FIELDS = ("facet_keys", "facet_pairs", "labels", "title_sort")

# Word lists under config/search/, shared with the embedded index: one word a
# line, `#` starts a comment. Their words are protected from stemming in
# addition to the built-in lists.
PROTECTED_WORD_FILES = ("protected_regions.txt", "protected_terms.txt")


def load_protected_words(config_dir: Path | None = DEFAULT_CONFIG_DIR) -> list[str]:
    """Return the sorted words the analyzer must not stem: built-in lists plus config/search/ files."""
    words = set(REGION_WORDS) | set(OPD_WORDS)
    search_dir = config_dir / "search" if config_dir else None

    for name in PROTECTED_WORD_FILES:
        path = search_dir / name if search_dir else None
        if path is None or not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip().lower()
            words.update(word for word in line.split() if word)

    return sorted(words)


def index_body(protected_words: Iterable[str], *, max_result_window: int) -> dict[str, Any]:
    """Return the `settings` and `mappings` of a new Himpun index."""
    settings = {
        "max_result_window": max_result_window,
        "analysis": {
            "analyzer": {
                TEXT_ANALYZER: {"type": "indonesian", "stem_exclusion": list(protected_words)},
            },
        },
    }
    return {"settings": settings, "mappings": _mappings()}


def _mappings() -> dict[str, Any]:
    text = {"type": "text", "analyzer": TEXT_ANALYZER}
    labelled = {"properties": {"key": {"type": "keyword"}, "label": {"type": "keyword"}}}
    facet_fields = {name: {"type": "keyword"} for name in FACETS}

    properties: dict[str, Any] = {
        "id": {"type": "keyword"},
        "title": text,
        "title_sort": {"type": "keyword"},
        "description": text,
        "keywords": {**text, "fields": {"raw": {"type": "keyword"}}},
        "publisher": labelled,
        "creator": labelled,
        "province": labelled,
        "regency": labelled,
        "theme": labelled,
        "format": labelled,
        "licence": labelled,
        "year": {"type": "integer"},
        "issued": {"type": "date"},
        "modified": {"type": "date"},
        "access_level": {"type": "keyword"},
        "status": {"type": "keyword"},
        "series_id": {"type": "keyword"},
        "content_hash": {"type": "keyword", "index": False},
        "facet_keys": {"properties": facet_fields},
        "facet_pairs": {"properties": dict(facet_fields)},
        "labels": text,
    }
    return {"dynamic": "strict", "_meta": {"himpun_mapping_version": MAPPING_VERSION}, "properties": properties}


def facet_values(document: IndexDocument, facet: str) -> list[Labelled]:
    """Return the labelled values of one facet of `document`."""
    if facet == "year":
        return [Labelled(key=str(year), label=str(year)) for year in document.year]

    value = getattr(document, facet)
    if value is None:
        return []
    if isinstance(value, Labelled):
        return [value]
    return list(value)


def to_source(document: IndexDocument) -> dict[str, Any]:
    """Encode `document` as the `_source` of an Elasticsearch document."""
    source = document.model_dump(mode="json")
    facet_keys: dict[str, list[str]] = {}
    facet_pairs: dict[str, list[str]] = {}
    labels: list[str] = []

    for facet in FACETS:
        values = facet_values(document, facet)
        facet_keys[facet] = [value.key for value in values]
        facet_pairs[facet] = [f"{value.key}{FACET_SEPARATOR}{value.label}" for value in values]
        if facet not in ("year", "format", "licence"):
            labels.extend(value.label for value in values)

    source["facet_keys"] = facet_keys
    source["facet_pairs"] = facet_pairs
    source["labels"] = labels
    source["title_sort"] = fold_title(document.title)
    return source


def from_source(source: dict[str, Any]) -> IndexDocument:
    """Decode an `_source` written by `to_source` back into an `IndexDocument`."""
    fields = {name: value for name, value in source.items() if name not in DERIVED_FIELDS}
    return IndexDocument.model_validate(fields)


def fold_title(text: str) -> str:
    """Return `text` case-folded, without accents and with single spaces, for sorting and prefixes."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(character for character in decomposed if not unicodedata.combining(character))
    return " ".join(stripped.casefold().split())


def split_facet_pair(pair: str) -> tuple[str, str]:
    """Split a "key<US>label" aggregation bucket key into key and label."""
    key, _, label = pair.partition(FACET_SEPARATOR)
    return key, label or key
