"""Build the `IndexDocument` of a published dataset.

`content_hash` is the SHA-256 of the document itself (every other field), so
a drift check sees any change the index would show: a new title, a new
label, a status or access level change.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from harvester.model import Agent, Concept, DatasetRecord, FileFormat, PublishedDataset, RegionSystem
from harvester.settings import DEFAULT_CONFIG_DIR
from index.base import IndexDocument, Labelled

REGION_NAMES_FILE = DEFAULT_CONFIG_DIR / "search" / "kemendagri_regions_2025.tsv"

# A temporal range wider than this is treated as a data error, not as that
# many facet years.
MAX_YEAR_SPAN = 100


def dataset_document(dataset: PublishedDataset) -> IndexDocument:
    """Return the index document of `dataset`, with its content hash."""
    record = dataset.record
    provinces, regencies = _regions(record)
    document = IndexDocument(
        id=dataset.id,
        title=record.title,
        description=record.description or "",
        keywords=list(record.keywords),
        publisher=_agent(record.publisher),
        creator=_agent(record.creator),
        province=provinces,
        regency=regencies,
        theme=_unique(_theme(concept) for concept in record.themes),
        format=_unique(_format(distribution.format) for distribution in record.distributions),
        licence=_licence(record),
        year=_years(record),
        issued=record.issued,
        modified=record.modified,
        access_level=record.access.level.value if record.access.level else None,
        status=dataset.status.value,
        series_id=dataset.series_id,
    )
    return document.model_copy(update={"content_hash": document_hash(document)})


def document_hash(document: IndexDocument) -> str:
    """Return the SHA-256 of every field of `document` except `content_hash`."""
    fields = document.model_dump(mode="json", exclude={"content_hash"})
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@functools.cache
def region_names(path: Path = REGION_NAMES_FILE) -> dict[str, str]:
    """Return Kemendagri province and regency names by code, read once from a TSV file."""
    names: dict[str, str] = {}
    if not path.is_file():
        return names
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, _, name = line.partition("\t")
        names[code.strip()] = name.strip()
    return names


def _agent(agent: Agent | None) -> Labelled | None:
    if agent is None:
        return None
    return Labelled(key=agent.identifier or agent.name, label=agent.name)


def _regions(record: DatasetRecord) -> tuple[list[Labelled], list[Labelled]]:
    """Split Kemendagri codes into province and regency facet values; a district adds its regency."""
    names = region_names()
    provinces: list[Labelled] = []
    regencies: list[Labelled] = []

    for region in record.spatial:
        if region.system is not RegionSystem.KEMENDAGRI:
            continue
        parts = region.code.split(".")
        province_code = parts[0]
        provinces.append(Labelled(key=province_code, label=names.get(province_code, province_code)))
        if len(parts) >= 2:
            regency_code = ".".join(parts[:2])
            label = names.get(regency_code) or (region.name if len(parts) == 2 and region.name else regency_code)
            regencies.append(Labelled(key=regency_code, label=label))

    return _unique(provinces), _unique(regencies)


def _theme(concept: Concept) -> Labelled | None:
    label = concept.label or concept.original
    key = concept.uri or label
    if not key:
        return None
    return Labelled(key=key, label=label or key)


def _format(file_format: FileFormat | None) -> Labelled | None:
    if file_format is None:
        return None
    label = file_format.label or file_format.original
    key = file_format.media_type or label
    if not key:
        return None
    return Labelled(key=key, label=label or key)


def _licence(record: DatasetRecord) -> Labelled | None:
    licence = record.licence
    if licence is None:
        return None
    key = licence.spdx_id or licence.uri
    if not key:
        return None
    return Labelled(key=key, label=licence.title or licence.spdx_id or key)


def _years(record: DatasetRecord) -> list[int]:
    temporal = record.temporal
    if temporal is None:
        return []
    start = temporal.start.year if temporal.start else None
    end = temporal.end.year if temporal.end else None
    if start is None and end is None:
        return []
    first = start if start is not None else end
    last = end if end is not None else start
    assert first is not None and last is not None
    if last < first or last - first > MAX_YEAR_SPAN:
        return [first]
    return list(range(first, last + 1))


def _unique(values: Iterable[Labelled | None]) -> list[Labelled]:
    unique: dict[str, Labelled] = {}
    for value in values:
        if value is not None and value.key not in unique:
            unique[value.key] = value
    return list(unique.values())
