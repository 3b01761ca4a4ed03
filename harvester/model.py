"""The harvested record model, aligned with DCAT-AP 3.0.

A connector maps one remote record to a `DatasetRecord`. Every value that the
harmonize stage maps onto a reference code is a small value object carrying
both the source's `original` text and the mapped code or URI, so the original
is never lost and unmapped values can be reported. A connector fills
`original` (and whatever it can map with certainty); the harmonize stage fills
the rest.

DCAT-AP 3.0 property for each field:

    title               dct:title
    description         dct:description
    keywords            dcat:keyword
    themes              dcat:theme
    publisher           dct:publisher        (the Walidata)
    creator             dct:creator          (the producing OPD, Produsen Data)
    contact_point       dcat:contactPoint
    spatial             dct:spatial
    temporal            dct:temporal
    issued / modified   dct:issued / dct:modified
    frequency           dct:accrualPeriodicity
    licence             dct:license
    access_level        dct:accessRights
    landing_page        dcat:landingPage
    identifiers         adms:identifier / dct:identifier
    distributions       dcat:distribution
    provenance          dct:source, prov:wasDerivedFrom
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AccessLevel",
    "AccessRights",
    "Agent",
    "Concept",
    "ContactPoint",
    "DatasetRecord",
    "DatasetStatus",
    "Distribution",
    "FileFormat",
    "Licence",
    "Provenance",
    "PublishedDataset",
    "RegionCode",
    "RegionSystem",
    "SourceCopy",
    "Temporal",
]


class _Value(BaseModel):
    """Base for the value objects: immutable-by-convention, unknown keys rejected."""

    model_config = ConfigDict(extra="forbid", frozen=False)


class AccessLevel(str, enum.Enum):
    """Satu Data access level (spektrum data). Only TERBUKA may be published."""

    TERBUKA = "terbuka"
    TERBATAS = "terbatas"
    TERTUTUP = "tertutup"


class RegionSystem(str, enum.Enum):
    """Region code systems. The same number means different regions in each."""

    KEMENDAGRI = "kemendagri"
    BPS = "bps"


class RegionCode(_Value):
    """A region code that always carries its system and edition.

    `code` is in the system's own notation: dotted for Kemendagri (`18.09`),
    plain digits for BPS (`1809`). `edition` is the year of the code list
    (`2025` for the Kemendagri decree of 2025, `2020` for the BPS crosswalk).
    """

    system: RegionSystem
    edition: str
    code: str
    name: str | None = None
    original: str | None = None


class Agent(_Value):
    """A Walidata or OPD. `identifier` is the organization register id once harmonized."""

    name: str
    original: str | None = None
    identifier: str | None = None
    region: RegionCode | None = None
    url: str | None = None


class ContactPoint(_Value):
    """A vCard-like contact: organisation or role name, e-mail, phone, web page."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    url: str | None = None


class Temporal(_Value):
    """Temporal coverage. `label` keeps a period label such as "Triwulan III 2024"."""

    start: dt.date | None = None
    end: dt.date | None = None
    label: str | None = None


class Concept(_Value):
    """A term from a controlled vocabulary (topic, frequency).

    `uri` is the mapped vocabulary URI, `label` its preferred label, and
    `inferred` is true when the value was derived (from the title, say) rather
    than stated by the source.
    """

    uri: str | None = None
    label: str | None = None
    original: str | None = None
    inferred: bool = False


class Licence(_Value):
    """A licence mapped to SPDX. A record without a licence has `None`, never a guess."""

    spdx_id: str | None = None
    uri: str | None = None
    title: str | None = None
    original: str | None = None


class AccessRights(_Value):
    """The access level with the source's own wording and how it was decided.

    `level` is None when the source stated nothing and no per-source default
    applies: such a record is held back from every public output.
    """

    level: AccessLevel | None = None
    original: str | None = None
    defaulted: bool = False


class FileFormat(_Value):
    """A distribution format: free text mapped to an IANA media type and an EU file type."""

    label: str | None = None
    media_type: str | None = None
    file_type_uri: str | None = None
    original: str | None = None
    conflict: str | None = None


class Distribution(_Value):
    """One distribution (CKAN resource). `access_url` is required by DCAT-AP."""

    title: str | None = None
    description: str | None = None
    access_url: str | None = None
    download_url: str | None = None
    format: FileFormat | None = None
    byte_size: int | None = None
    remote_id: str | None = None
    licence: Licence | None = None
    issued: dt.datetime | None = None
    modified: dt.datetime | None = None


class Provenance(_Value):
    """Where a record came from and exactly what the source sent.

    `raw` is the remote record as received: the parsed JSON object for JSON
    sources, or the text of the XML or HTML fragment for the others.
    `content_hash` is the SHA-256 of the canonical form of `raw`, so an
    unchanged remote record is recognised without mapping it again.
    """

    source_id: str
    remote_id: str
    remote_url: str | None = None
    harvested_at: dt.datetime
    content_hash: str
    raw: Any = None
    raw_format: Literal["json", "xml", "html", "text", "row"] = "json"


class DatasetRecord(_Value):
    """One harvested dataset, mapped from one remote record of one source."""

    title: str
    description: str | None = None
    keywords: list[str] = Field(default_factory=list)
    themes: list[Concept] = Field(default_factory=list)
    publisher: Agent | None = None
    creator: Agent | None = None
    contact_point: ContactPoint | None = None
    spatial: list[RegionCode] = Field(default_factory=list)
    spatial_text: str | None = None
    temporal: Temporal | None = None
    issued: dt.datetime | None = None
    modified: dt.datetime | None = None
    frequency: Concept | None = None
    licence: Licence | None = None
    access: AccessRights = Field(default_factory=AccessRights)
    landing_page: str | None = None
    identifiers: list[str] = Field(default_factory=list)
    distributions: list[Distribution] = Field(default_factory=list)
    extras: dict[str, Any] = Field(default_factory=dict)
    provenance: Provenance

    @property
    def is_public(self) -> bool:
        """True only for terbuka records: every public output filters on this."""
        return self.access.level is AccessLevel.TERBUKA


class DatasetStatus(str, enum.Enum):
    """Lifecycle of a published dataset.

    ACTIVE datasets are public when their access level is terbuka. WITHDRAWN
    ones vanished from their source and are announced as tombstones until the
    grace period ends. QUARANTINED ones carry personal data and wait for an
    operator.
    """

    ACTIVE = "active"
    WITHDRAWN = "withdrawn"
    QUARANTINED = "quarantined"


class SourceCopy(_Value):
    """One source's copy of a published dataset, without its raw payload."""

    source_id: str
    remote_id: str
    remote_url: str | None = None
    harvested_at: dt.datetime
    content_hash: str


class PublishedDataset(_Value):
    """A dataset as Himpun publishes it: one per cluster of source copies.

    `id` is the stable Himpun identifier; it survives re-harvests, renames at
    the source, and withdrawal followed by a return. `record` is the merged
    record. `sources` lists every contributing copy, the preferred one first.
    """

    id: str
    record: DatasetRecord
    status: DatasetStatus = DatasetStatus.ACTIVE
    sources: list[SourceCopy] = Field(default_factory=list)
    series_id: str | None = None
    created_at: dt.datetime
    updated_at: dt.datetime
    withdrawn_at: dt.datetime | None = None

    @property
    def is_public(self) -> bool:
        """True when the dataset may appear in any public output."""
        return self.status is DatasetStatus.ACTIVE and self.record.is_public
