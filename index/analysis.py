"""Indonesian-aware text analysis, done in Python and handed to the index as ready terms.

The chain for indexed text and for queries is the same:

1. unescape HTML entities and drop HTML tags;
2. split into words (runs of letters and digits, so `kabupaten/kota` is two words);
3. fold each word: Unicode compatibility decomposition, combining marks removed,
   case folded (`Kabupaten` and `KABUPATEN` become `kabupaten`, `é` becomes `e`);
4. drop stopwords (a short list of function words, see `config/search/stopwords.txt`);
5. stem with PySastrawi, unless the word is protected (a region name, an OPD word,
   an abbreviation) or contains a digit. Terms are cached per raw word and stems
   per folded word, at most 500,000 entries each.

Synonyms and abbreviations are expanded at query time (`query_units`), so editing
`synonyms.yaml` needs no rebuild; editing the protected words or the stopwords does.
"""

from __future__ import annotations

import functools
import html
import logging
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

from harvester.settings import DEFAULT_CONFIG_DIR
from index.analysis_config import SearchVocabulary, load_vocabulary

logger = logging.getLogger(__name__)

_WORD = re.compile(r"[^\W_]+")
_TAG = re.compile(r"<[^>]{0,2000}>")
_QUOTED = re.compile(r'"([^"]*)"')
_STEM_CACHE_LIMIT = 500_000
_MAX_SYNONYM_WORDS = 12

# One query unit: the alternatives that may satisfy it, each a sequence of
# terms that must appear as a phrase (a single-term alternative is one term).
QueryUnit = tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class WordSpan:
    """A word of the cleaned text: its character offsets and its analyzed term (None for a stopword)."""

    start: int
    end: int
    term: str | None


def clean_text(text: str) -> str:
    """Return `text` with HTML tags dropped and entities unescaped, in NFC form."""
    without_tags = _TAG.sub(" ", text)
    return unicodedata.normalize("NFC", html.unescape(without_tags))


# Titles, names and slugs repeat the same words, so folding each distinct word
# once saves most of the Unicode work.
@functools.lru_cache(maxsize=_STEM_CACHE_LIMIT)
def fold_word(word: str) -> str:
    """Fold one word: compatibility decomposition, combining marks removed, case folded."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


@functools.cache
def _sastrawi_stemmer():  # type: ignore[no-untyped-def]
    # Building the stemmer loads its dictionary of about 30,000 root words, so do it once.
    return StemmerFactory().create_stemmer()


class Analyzer:
    """The analysis chain over one vocabulary: text to index terms, queries to query units."""

    def __init__(self, vocabulary: SearchVocabulary) -> None:
        self.vocabulary = vocabulary
        self.stopwords = frozenset(fold_word(word) for word in vocabulary.stopwords)
        abbreviations = {fold_word(short) for short in vocabulary.abbreviations if " " not in short}
        self.protected = frozenset(fold_word(word) for word in vocabulary.protected) | abbreviations
        self._stems: dict[str, str] = {}
        self._terms: dict[str, str | None] = {}
        self._synonyms = self._build_synonyms(vocabulary)

    @classmethod
    def from_config(cls, config_dir: Path = DEFAULT_CONFIG_DIR) -> Analyzer:
        """Build an analyzer from the word lists in `config_dir/search/`."""
        return cls(load_vocabulary(config_dir))

    def stem(self, word: str) -> str:
        """Return the stem of one folded word, leaving protected words and numbers unchanged."""
        cached = self._stems.get(word)
        if cached is not None:
            return cached

        if word in self.protected or any(char.isdigit() for char in word) or not word.isalpha():
            stem = word
        else:
            stem = _sastrawi_stemmer().stem(word) or word

        if len(self._stems) >= _STEM_CACHE_LIMIT:
            self._stems.clear()
        self._stems[word] = stem
        return stem

    def term(self, word: str) -> str | None:
        """Return the index term for one raw word, or None when it is a stopword."""
        if word in self._terms:
            return self._terms[word]

        folded = fold_word(word)
        term = None if not folded or folded in self.stopwords else self.stem(folded)
        if len(self._terms) >= _STEM_CACHE_LIMIT:
            self._terms.clear()
        self._terms[word] = term
        return term

    def words(self, text: str) -> list[str]:
        """Return the folded words of `text`, stopwords included and nothing stemmed."""
        return [fold_word(match.group()) for match in _WORD.finditer(clean_text(text))]

    def analyze(self, text: str) -> list[str]:
        """Return the index terms of `text`, in order."""
        terms: list[str] = []
        for match in _WORD.finditer(clean_text(text)):
            term = self.term(match.group())
            if term is not None:
                terms.append(term)
        return terms

    def spans(self, cleaned: str) -> Iterator[WordSpan]:
        """Yield each word of already cleaned text with its offsets and term, for highlighting."""
        for match in _WORD.finditer(cleaned):
            yield WordSpan(match.start(), match.end(), self.term(match.group()))

    def query_units(self, text: str) -> list[QueryUnit]:
        """Split a query into units that must all match, expanding synonyms.

        Text in double quotes becomes one phrase unit. Elsewhere each term is a
        unit, except that the longest run of terms found in the synonym table
        becomes one unit whose alternatives are that run and its synonyms.
        """
        units: list[QueryUnit] = []
        position = 0
        for match in _QUOTED.finditer(text):
            units.extend(self._expand(self.analyze(text[position:match.start()])))
            phrase = tuple(self.analyze(match.group(1)))
            if phrase:
                units.append(self._alternatives(phrase))
            position = match.end()
        units.extend(self._expand(self.analyze(text[position:].replace('"', " "))))
        return units

    def _expand(self, terms: list[str]) -> list[QueryUnit]:
        units: list[QueryUnit] = []
        index = 0
        while index < len(terms):
            length = self._longest_synonym(terms, index)
            run = tuple(terms[index:index + length])
            units.append(self._alternatives(run))
            index += length
        return units

    def _longest_synonym(self, terms: list[str], start: int) -> int:
        longest = min(_MAX_SYNONYM_WORDS, len(terms) - start)
        for length in range(longest, 1, -1):
            if tuple(terms[start:start + length]) in self._synonyms:
                return length
        return 1

    def _alternatives(self, run: tuple[str, ...]) -> QueryUnit:
        others = self._synonyms.get(run, ())
        return (run, *(other for other in others if other != run))

    def _build_synonyms(self, vocabulary: SearchVocabulary) -> dict[tuple[str, ...], tuple[tuple[str, ...], ...]]:
        pairs: dict[tuple[str, ...], list[tuple[str, ...]]] = {}

        def link(left: tuple[str, ...], right: tuple[str, ...]) -> None:
            if left and right and right not in pairs.setdefault(left, []):
                pairs[left].append(right)

        for short, expansions in vocabulary.abbreviations.items():
            short_terms = tuple(self.analyze(short))
            for expansion in expansions:
                long_terms = tuple(self.analyze(expansion))
                link(short_terms, long_terms)
                link(long_terms, short_terms)

        for group in vocabulary.groups:
            members = [tuple(self.analyze(phrase)) for phrase in group]
            for left in members:
                for right in members:
                    if left != right:
                        link(left, right)

        logger.debug("search synonyms loaded: %d phrases", len(pairs))
        return {key: tuple(value) for key, value in pairs.items()}


@functools.cache
def default_analyzer() -> Analyzer:
    """Return the analyzer built from the bundled `config/search/` files, shared per process."""
    return Analyzer.from_config(DEFAULT_CONFIG_DIR)
