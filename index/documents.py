"""Build the `IndexDocument` that the search index stores for one published dataset.

Facet keys are stable identifiers and labels are what people read:

    publisher, creator  Agent.identifier, or a slug of the name before harmonizing
    province, regency   Kemendagri codes (`18`, `18.09`); a district or village
                        code counts for its province and regency
    theme               the concept URI, or a slug of its label
    format              the upper-case format label (`CSV`, `XLSX`)
    licence             the SPDX id, or the licence URI or title
    year                the years from the temporal coverage, or the years named
                        in the title when there is no coverage

`content_hash` is the SHA-256 of the document's own canonical JSON, so a drift
check rebuilds the document from the store and compares one string.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from pathlib import Path

import orjson

from harvester.harmonize.topics import EU_DATA_THEME, displayed_themes, eu_theme_label
from harvester.model import Agent, Concept, Licence, PublishedDataset, RegionCode, RegionSystem
from harvester.settings import DEFAULT_CONFIG_DIR
from index.analysis import fold_word
from index.base import IndexDocument, Labelled

REGION_LABELS_FILE = DEFAULT_CONFIG_DIR / "search" / "kemendagri_regions_2025.tsv"
EARLIEST_YEAR = 1900
LATEST_YEAR = 2100
# Portals put 1970-01-01 where they have no start date.
EPOCH = dt.date(1970, 1, 1)
# A coverage longer than this is a placeholder (an epoch start date, say), not data.
MAX_COVERAGE_YEARS = 100

_TITLE_YEAR = re.compile(r"(?<!\d)(1[9]\d\d|20\d\d)(?:\s*[-–/]\s*(1[9]\d\d|20\d\d))?(?!\d)")
_SLUG_SEPARATOR = re.compile(r"[^a-z0-9]+")


def build_document(dataset: PublishedDataset) -> IndexDocument:
    """Return the index document of `dataset`."""
    record = dataset.record
    provinces, regencies = region_facets(record.spatial, record.publisher)
    document = IndexDocument(
        id=dataset.id,
        title=record.title,
        description=record.description or "",
        keywords=list(record.keywords),
        publisher=agent_label(record.publisher),
        creator=agent_label(record.creator),
        province=provinces,
        regency=regencies,
        theme=theme_labels(record.themes),
        format=format_labels(dataset),
        licence=licence_label(record.licence),
        year=coverage_years(dataset),
        issued=record.issued,
        modified=record.modified,
        access_level=record.access.level.value if record.access.level is not None else None,
        status=dataset.status.value,
        series_id=dataset.series_id,
    )
    document.content_hash = document_hash(document)
    return document


def document_hash(document: IndexDocument) -> str:
    """Return the SHA-256 of the document's canonical JSON, leaving out `content_hash` itself."""
    payload = document.model_dump(mode="json", exclude={"content_hash"})
    return hashlib.sha256(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)).hexdigest()


def slugify(text: str) -> str:
    """Return a lower-case ASCII slug of `text` (`Dinas Kesehatan` -> `dinas-kesehatan`)."""
    folded = " ".join(fold_word(word) for word in text.split())
    return _SLUG_SEPARATOR.sub("-", folded).strip("-")


def agent_label(agent: Agent | None) -> Labelled | None:
    """Return the facet value of a publisher or creator."""
    if agent is None or not agent.name.strip():
        return None
    key = agent.identifier or slugify(agent.name)
    return Labelled(key=key, label=agent.name.strip())


def region_facets(spatial: list[RegionCode], publisher: Agent | None) -> tuple[list[Labelled], list[Labelled]]:
    """Return the province and regency facet values of the Kemendagri codes in `spatial`.

    When `spatial` has no Kemendagri code, the publisher's region is used, because
    a Walidata publishes data about its own region.
    """
    codes = [code for code in spatial if code.system is RegionSystem.KEMENDAGRI]
    if not codes and publisher is not None and publisher.region is not None:
        if publisher.region.system is RegionSystem.KEMENDAGRI:
            codes = [publisher.region]
    # TODO: map BPS region codes through the crosswalk when a record has only BPS codes.

    provinces: dict[str, Labelled] = {}
    regencies: dict[str, Labelled] = {}
    for region in codes:
        parts = region.code.strip().split(".")
        if not parts[0]:
            continue
        province = parts[0]
        provinces.setdefault(province, Labelled(key=province, label=_region_name(province, region)))
        if len(parts) >= 2:
            regency = f"{parts[0]}.{parts[1]}"
            regencies.setdefault(regency, Labelled(key=regency, label=_region_name(regency, region)))
    return list(provinces.values()), list(regencies.values())


def theme_labels(themes: list[Concept]) -> list[Labelled]:
    """Return the theme facet values, one per distinct URI or label.

    EU data themes are left out when the record has a theme of another scheme.
    """
    values: dict[str, Labelled] = {}
    for concept in displayed_themes(themes):
        if concept.uri and concept.uri.startswith(EU_DATA_THEME) and (not concept.label or concept.label == concept.uri):
            concept = concept.model_copy(update={"label": eu_theme_label(concept.uri)})
        label = concept.label or concept.original or concept.uri
        key = concept.uri or (slugify(label) if label else None)
        if key and label:
            values.setdefault(key, Labelled(key=key, label=label))
    return list(values.values())


def format_labels(dataset: PublishedDataset) -> list[Labelled]:
    """Return the distinct upper-case format labels of the distributions."""
    values: dict[str, Labelled] = {}
    for distribution in dataset.record.distributions:
        if distribution.format is None or not distribution.format.label:
            continue
        label = distribution.format.label.strip().upper()
        if label:
            values.setdefault(label, Labelled(key=label, label=label))
    return list(values.values())


def licence_label(licence: Licence | None) -> Labelled | None:
    """Return the licence facet value, or None for a record without a licence."""
    if licence is None:
        return None
    key = licence.spdx_id or licence.uri or (slugify(licence.title) if licence.title else None)
    if not key:
        return None
    return Labelled(key=key, label=licence.title or licence.spdx_id or key)


def coverage_years(dataset: PublishedDataset) -> list[int]:
    """Return the years the data covers, from the temporal coverage or else from the title."""
    temporal = dataset.record.temporal
    start = temporal.start if temporal is not None and temporal.start != EPOCH else None
    end = temporal.end if temporal is not None else None
    if start is not None or end is not None:
        first = (start or end).year  # type: ignore[union-attr]
        last = (end or start).year  # type: ignore[union-attr]
        years = _year_range(min(first, last), max(first, last))
        if years:
            return years

    text = dataset.record.title
    if temporal is not None and temporal.label:
        text = f"{text} {temporal.label}"
    return years_in_text(text)


def years_in_text(text: str) -> list[int]:
    """Return the years named in `text`; `2020-2023` counts as each year of the range."""
    years: set[int] = set()
    for match in _TITLE_YEAR.finditer(text):
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) else first
        years.update(_year_range(min(first, last), max(first, last)) or [first])
    return sorted(year for year in years if EARLIEST_YEAR <= year <= LATEST_YEAR)


def _year_range(first: int, last: int) -> list[int]:
    first = max(first, EARLIEST_YEAR)
    last = min(last, LATEST_YEAR)
    if first > last or last - first >= MAX_COVERAGE_YEARS:
        return []
    return list(range(first, last + 1))


def _region_name(code: str, region: RegionCode) -> str:
    if region.code.strip() == code and region.name:
        return region.name
    return region_labels().get(code, code)


@functools.cache
def region_labels(path: Path = REGION_LABELS_FILE) -> dict[str, str]:
    """Return the Kemendagri province and regency names by code."""
    labels: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        code, _, name = line.partition("\t")
        labels[code] = name
    return labels
