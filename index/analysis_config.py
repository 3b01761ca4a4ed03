"""Word lists and synonym tables for the Indonesian analysis, read from `config/search/`.

Operators edit these files; `docs/search.md` describes each one:

    protected_regions.txt   region words the stemmer never changes
    protected_terms.txt     OPD and administrative words the stemmer never changes
    stopwords.txt           function words dropped from text and queries
    synonyms.yaml           abbreviations and synonym groups, expanded at query time
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from harvester.errors import ConfigError
from harvester.settings import DEFAULT_CONFIG_DIR

SEARCH_CONFIG_FOLDER = "search"
PROTECTED_FILES = ("protected_regions.txt", "protected_terms.txt")
STOPWORDS_FILE = "stopwords.txt"
SYNONYMS_FILE = "synonyms.yaml"


@dataclass(frozen=True)
class SearchVocabulary:
    """The raw, not yet analyzed word lists and synonym tables."""

    protected: frozenset[str] = frozenset()
    stopwords: frozenset[str] = frozenset()
    abbreviations: dict[str, list[str]] = field(default_factory=dict)
    groups: list[list[str]] = field(default_factory=list)


def read_word_list(path: Path) -> set[str]:
    """Read one word per line, lower-cased, skipping blank lines and `#` comments."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as error:
        raise ConfigError(f"search word list not found: {path}") from error

    words: set[str] = set()
    for line in lines:
        word = line.strip().lower()
        if word and not word.startswith("#"):
            words.add(word)
    return words


def read_synonyms(path: Path) -> tuple[dict[str, list[str]], list[list[str]]]:
    """Read `abbreviations` (a mapping) and `groups` (a list of lists) from a synonyms YAML file."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError as error:
        raise ConfigError(f"synonyms file not found: {path}") from error
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: invalid YAML: {error}") from error

    if not isinstance(document, dict):
        raise ConfigError(f"{path}: expected a mapping with 'abbreviations' and 'groups'")

    abbreviations = document.get("abbreviations") or {}
    if not isinstance(abbreviations, dict):
        raise ConfigError(f"{path}: 'abbreviations' must map an abbreviation to a list of phrases")
    checked: dict[str, list[str]] = {}
    for short, expansions in abbreviations.items():
        if isinstance(expansions, str):
            expansions = [expansions]
        if not isinstance(expansions, list) or not all(isinstance(item, str) for item in expansions):
            raise ConfigError(f"{path}: abbreviation {short!r} must map to a list of phrases")
        checked[str(short)] = list(expansions)

    groups = document.get("groups") or []
    if not isinstance(groups, list) or not all(
        isinstance(group, list) and all(isinstance(item, str) for item in group) for group in groups
    ):
        raise ConfigError(f"{path}: 'groups' must be a list of lists of phrases")
    return checked, [list(group) for group in groups]


def load_vocabulary(config_dir: Path = DEFAULT_CONFIG_DIR) -> SearchVocabulary:
    """Load every search word list from `config_dir/search/`."""
    folder = config_dir / SEARCH_CONFIG_FOLDER
    protected: set[str] = set()
    for name in PROTECTED_FILES:
        protected |= read_word_list(folder / name)

    stopwords = read_word_list(folder / STOPWORDS_FILE)
    abbreviations, groups = read_synonyms(folder / SYNONYMS_FILE)
    return SearchVocabulary(
        protected=frozenset(protected),
        stopwords=frozenset(stopwords),
        abbreviations=abbreviations,
        groups=groups,
    )
