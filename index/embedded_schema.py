"""The tantivy schema of the embedded index and the mapping from `IndexDocument` to it.

Text fields hold terms that `index.analysis` produced, joined by spaces, and use
tantivy's `whitespace` tokenizer, so tantivy never analyzes text itself.

Each facet has a `raw` keyword field with the keys, for filtering, and one
single-valued fast field holding the document's whole set of values, each
encoded as `key<US>label` and joined by `<RS>` (`""` when there is none). A
terms aggregation over that field returns one bucket per distinct set, and
the counts are summed per value in Python. tantivy 0.27 aggregates a
multi-valued fast field 30 to 80 times slower than a single-valued one, and
a sparse field several times slower than a dense one (both measured over
100,000 documents on 2 cores). So every document gets exactly one value.
Multi-valued facets also keep a plain multi-valued fast field
(`facet_<name>_all`), used only when a result holds more distinct sets than
one aggregation returns.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import orjson
import tantivy

from index.analysis import Analyzer, fold_word
from index.base import FACETS, IndexDocument, Labelled

# Increase when a field is added, removed or changed. A generation built with
# another version must be rebuilt before it is searched or written.
SCHEMA_VERSION = 2
MARKER_FILE = "himpun-index.json"

# Field names.
ID = "id"
TITLE = "title"
TITLE_WORDS = "title_words"
KEYWORDS = "keywords"
NAMES = "names"
DESCRIPTION = "description"
STATUS = "status"
# Contains HIDDEN_TERM for every document that is not public (terbuka and active).
# Public searches exclude these. The index normally contains public documents
# only, so this posting list is short and the exclusion is cheap, where a
# required "is public" term would be intersected with almost every document.
HIDDEN = "hidden"
HIDDEN_TERM = "1"
PUBLIC_ACCESS_LEVEL = "terbuka"
ACTIVE_STATUS = "active"
CONTENT_HASH = "content_hash"
MODIFIED_DESC = "modified_desc"
MODIFIED_ASC = "modified_asc"
TITLE_SORT = "title_sort"
SOURCE = "source"
YEAR = "year"

# Searched text fields with their boosts.
TEXT_FIELDS: tuple[tuple[str, float], ...] = ((TITLE, 3.0), (KEYWORDS, 2.0), (NAMES, 1.5), (DESCRIPTION, 1.0))

KEYWORD_FACETS = tuple(name for name in FACETS if name != YEAR)
# Facets whose documents may hold several values.
MULTI_VALUED_FACETS = ("province", "regency", "theme", "format", "year")
LABEL_SEPARATOR = "\x1f"
VALUE_SEPARATOR = "\x1e"
TITLE_SORT_CHARS = 120

# Documents without `modified` sort last in both directions.
_MISSING_FIRST = -(2**62)
_MISSING_LAST = 2**62


def write_marker(generation: Path) -> None:
    """Record the schema version in a generation folder."""
    (generation / MARKER_FILE).write_text(json.dumps({"schema_version": SCHEMA_VERSION}), encoding="utf-8")


def marker_problem(generation: Path) -> str | None:
    """Return why the generation cannot be used with this schema, or None when it can."""
    try:
        marker = json.loads((generation / MARKER_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return f"the search index at {generation} has no readable {MARKER_FILE}; rebuild it with `himpun index rebuild`"
    version = marker.get("schema_version") if isinstance(marker, dict) else None
    if version != SCHEMA_VERSION:
        return (f"the search index at {generation} has schema version {version}, this Himpun uses "
                f"{SCHEMA_VERSION}; rebuild it with `himpun index rebuild`")
    return None


def facet_value_field(facet: str) -> str:
    """Return the single-valued fast field that contains the encoded value set of `facet`."""
    return f"facet_{facet}"


def facet_all_field(facet: str) -> str:
    """Return the multi-valued fast field with one encoded value per entry of a multi-valued facet."""
    return f"facet_{facet}_all"


def encode_values(values: list[Labelled]) -> str:
    """Return the value set as one string: `key<US>label` entries joined by `<RS>`."""
    return VALUE_SEPARATOR.join(encode_value(value) for value in values)


def encode_value(value: Labelled) -> str:
    """Return `key<US>label`, the form of a value in the facet fast fields."""
    return f"{value.key}{LABEL_SEPARATOR}{value.label}"


def build_schema() -> tantivy.Schema:
    """Build the schema of one index generation."""
    builder = tantivy.SchemaBuilder()
    builder.add_text_field(ID, stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field(TITLE, tokenizer_name="whitespace")
    builder.add_text_field(TITLE_WORDS, tokenizer_name="whitespace")
    builder.add_text_field(KEYWORDS, tokenizer_name="whitespace")
    builder.add_text_field(NAMES, tokenizer_name="whitespace")
    builder.add_text_field(DESCRIPTION, tokenizer_name="whitespace")

    for facet in KEYWORD_FACETS:
        builder.add_text_field(facet, tokenizer_name="raw", index_option="basic")
    builder.add_integer_field(YEAR, indexed=True)
    for facet in FACETS:
        builder.add_text_field(facet_value_field(facet), fast=True, tokenizer_name="raw", index_option="basic")
    for facet in MULTI_VALUED_FACETS:
        builder.add_text_field(facet_all_field(facet), fast=True, tokenizer_name="raw", index_option="basic")

    builder.add_text_field(STATUS, stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field(HIDDEN, tokenizer_name="raw", index_option="basic")
    builder.add_text_field(CONTENT_HASH, stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_integer_field(MODIFIED_DESC, fast=True)
    builder.add_integer_field(MODIFIED_ASC, fast=True)
    builder.add_text_field(TITLE_SORT, fast=True, tokenizer_name="raw", index_option="basic")
    builder.add_bytes_field(SOURCE, stored=True)
    return builder.build()


def facet_values(document: IndexDocument, facet: str) -> list[Labelled]:
    """Return the distinct labelled values of one facet of `document`, in order."""
    if facet == YEAR:
        return [Labelled(key=str(year), label=str(year)) for year in sorted(set(document.year))]
    value = getattr(document, facet)
    if value is None:
        return []
    if isinstance(value, Labelled):
        return [value]
    return list({item.key: item for item in value}.values())


# One tantivy field value: text, an integer or bytes. A list of (field, value)
# pairs pickles cheaply, so mapping workers can analyze documents for the runner.
FieldValues = list[tuple[str, str | int | bytes]]


def to_tantivy(document: IndexDocument, analyzer: Analyzer) -> tantivy.Document:
    """Map one `IndexDocument` to a tantivy document with analyzed text."""
    return document_from_fields(tantivy_fields(document, analyzer))


def tantivy_fields(document: IndexDocument, analyzer: Analyzer) -> FieldValues:
    """Return the analyzed field values of `document`, in the order `document_from_fields` adds them."""
    values: FieldValues = [(ID, document.id)]
    _add_text(values, analyzer, document)
    _add_facets(values, document)

    values.append((STATUS, document.status))
    if not is_public(document):
        values.append((HIDDEN, HIDDEN_TERM))
    values.append((CONTENT_HASH, document.content_hash))

    timestamp = _epoch_seconds(document.modified)
    values.append((MODIFIED_DESC, _MISSING_FIRST if timestamp is None else timestamp))
    values.append((MODIFIED_ASC, _MISSING_LAST if timestamp is None else timestamp))
    values.append((TITLE_SORT, title_sort_key(document.title)))
    values.append((SOURCE, orjson.dumps(document.model_dump(mode="json"))))
    return values


def document_from_fields(values: FieldValues) -> tantivy.Document:
    """Build the tantivy document from the output of `tantivy_fields`."""
    target = tantivy.Document()
    add_text, add_integer, add_bytes = target.add_text, target.add_integer, target.add_bytes
    for name, value in values:
        if isinstance(value, str):
            add_text(name, value)
        elif isinstance(value, bytes):
            add_bytes(name, value)
        else:
            add_integer(name, value)
    return target


def is_public(document: IndexDocument) -> bool:
    """Return True only for a document whose access level is terbuka and whose status is active."""
    return document.access_level == PUBLIC_ACCESS_LEVEL and document.status == ACTIVE_STATUS


def title_sort_key(title: str) -> str:
    """Return the folded title used for `title_asc` sorting."""
    return " ".join(fold_word(word) for word in title.split())[:TITLE_SORT_CHARS]


def _add_text(target: FieldValues, analyzer: Analyzer, document: IndexDocument) -> None:
    target.append((TITLE, " ".join(analyzer.analyze(document.title))))
    target.append((TITLE_WORDS, " ".join(analyzer.words(document.title))))
    target.append((KEYWORDS, " ".join(analyzer.analyze(" ".join(document.keywords)))))
    target.append((DESCRIPTION, " ".join(analyzer.analyze(document.description))))

    names: list[str] = []
    for facet in ("publisher", "creator", "province", "regency", "theme"):
        names.extend(value.label for value in facet_values(document, facet))
    target.append((NAMES, " ".join(analyzer.analyze(" ".join(names)))))


def _add_facets(target: FieldValues, document: IndexDocument) -> None:
    for facet in KEYWORD_FACETS:
        for value in facet_values(document, facet):
            target.append((facet, value.key))
    for year in sorted(set(document.year)):
        target.append((YEAR, year))

    for facet in FACETS:
        values = facet_values(document, facet)
        target.append((facet_value_field(facet), encode_values(sorted(values, key=lambda value: value.key))))
        if facet in MULTI_VALUED_FACETS:
            for value in values:
                target.append((facet_all_field(facet), encode_value(value)))


def _epoch_seconds(moment: dt.datetime | None) -> int | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return int(moment.timestamp())
