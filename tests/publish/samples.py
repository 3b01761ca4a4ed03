"""Published datasets built from real portal replies, plus hand-made edge cases.

The mapping here is a test stand-in for the connectors and the harmonize
stage: it fills the harmonized values (region codes, EU vocabulary URIs,
organization identifiers) the way those stages do, so the publishing layer
sees realistic records.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from harvester.model import (
    AccessLevel,
    AccessRights,
    Agent,
    Concept,
    ContactPoint,
    DatasetRecord,
    DatasetStatus,
    Distribution,
    FileFormat,
    Licence,
    Provenance,
    PublishedDataset,
    RegionCode,
    RegionSystem,
    SourceCopy,
    Temporal,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "publish"

EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
EU_FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
EU_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
HARVESTED_AT = dt.datetime(2026, 9, 10, 3, 0, tzinfo=dt.timezone.utc)

_FORMATS = {
    "html": ("text/html", "HTML"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
    "csv": ("text/csv", "CSV"),
    "pdf": ("application/pdf", "PDF"),
    "wms": (None, "WMS_SRVC"),
}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _parse_time(value: str | None) -> dt.datetime | None:
    if not value or value == "-":
        return None
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def _file_format(label: str | None) -> FileFormat | None:
    if not label:
        return None
    media_type, file_type = _FORMATS.get(label.lower(), (None, None))
    return FileFormat(label=label.upper(), original=label, media_type=media_type,
                      file_type_uri=EU_FILE_TYPE + file_type if file_type else None)


def _provenance(source_id: str, remote_id: str, url: str | None, raw: Any) -> Provenance:
    digest = hashlib.sha256(json.dumps(raw, sort_keys=True).encode()).hexdigest()
    return Provenance(source_id=source_id, remote_id=remote_id, remote_url=url, harvested_at=HARVESTED_AT,
                      content_hash=digest, raw=raw)


def _publish(record: DatasetRecord, dataset_id: str, updated: dt.datetime | None = None,
             **fields: Any) -> PublishedDataset:
    provenance = record.provenance
    copy = SourceCopy(source_id=provenance.source_id, remote_id=provenance.remote_id,
                      remote_url=provenance.remote_url, harvested_at=provenance.harvested_at,
                      content_hash=provenance.content_hash)
    updated = updated or record.modified or HARVESTED_AT
    return PublishedDataset(id=dataset_id, record=record, sources=[copy], created_at=HARVESTED_AT,
                            updated_at=updated, **fields)


def aceh_datasets() -> list[PublishedDataset]:
    """Map the 113 DCAT-US records of Satu Data Aceh, with harmonized values filled in."""
    catalog = json.loads((FIXTURES / "satudata_acehprov_data_json_dcat_us_SAMPLED.json").read_text())
    aceh = RegionCode(system=RegionSystem.KEMENDAGRI, edition="2025", code="11", name="Aceh", original="Aceh")
    datasets = []
    for position, item in enumerate(catalog["dataset"]):
        year = re.search(r"\b(20\d{2})\b", item.get("description") or "")
        temporal = Temporal(start=dt.date(int(year.group(1)), 1, 1), end=dt.date(int(year.group(1)), 12, 31)) if year else None
        publisher_name = item["publisher"]["name"]
        distributions = [
            Distribution(title=d.get("title"), description=d.get("description"), access_url=d.get("accessURL"),
                         download_url=d.get("downloadURL"), format=_file_format(d.get("format")))
            for d in item["distribution"]
        ]
        themes = [] if item["kategori"] == "Uncategorized" else [
            Concept(uri=EU_THEME + "GOVE", label="Pemerintahan dan sektor publik", original=item["kategori"])]
        record = DatasetRecord(
            title=item["title"],
            description=item["description"],
            keywords=item["keyword"],
            themes=themes,
            publisher=Agent(name="Dinas Komunikasi, Informatika dan Persandian Aceh", identifier="11-diskominfo"),
            creator=Agent(name=publisher_name, original=publisher_name, identifier=f"11-{_slug(publisher_name)}"),
            contact_point=ContactPoint(name=item["contactPoint"]["fn"], email=item["contactPoint"]["hasEmail"]),
            spatial=[aceh],
            temporal=temporal,
            issued=_parse_time(item["issued"]),
            modified=_parse_time(item["modified"]),
            frequency=Concept(uri=EU_FREQUENCY + "ANNUAL", label="Tahunan", original="tahunan") if position % 2 else None,
            licence=Licence(spdx_id="CC-BY-4.0", uri=item["license"], title="Creative Commons Attribution 4.0",
                            original=item["license"]),
            access=AccessRights(level=AccessLevel.TERBUKA, original=item["accessLevel"]),
            landing_page=item["landingPage"],
            identifiers=[item["identifier"]],
            distributions=distributions,
            provenance=_provenance("aceh-prov", item["identifier"], item["landingPage"], item),
        )
        datasets.append(_publish(record, f"aceh-{item['identifier'][:8]}"))
    return datasets


def ckan_dataset(package: dict[str, Any], source_id: str, region: RegionCode | None) -> PublishedDataset:
    """Map one CKAN package dict, as the CKAN connector and the harmonize stage would."""
    organization = package.get("organization") or {}
    licence = None
    if package.get("license_id"):
        licence = Licence(spdx_id="CC-BY-4.0", uri="https://creativecommons.org/licenses/by/4.0/",
                          title=package.get("license_title"), original=package["license_id"])
    resources = [
        Distribution(title=r.get("name"), description=r.get("description"), access_url=r.get("url"),
                     download_url=r.get("url"), format=_file_format(r.get("format")), byte_size=r.get("size"),
                     remote_id=r.get("id"), modified=_parse_time(r.get("last_modified")))
        for r in package.get("resources", [])
    ]
    record = DatasetRecord(
        title=package["title"],
        description=package.get("notes"),
        keywords=[tag["name"] for tag in package.get("tags", [])],
        publisher=Agent(name=organization.get("title") or "?", original=organization.get("name"),
                        identifier=organization.get("name")) if organization else None,
        spatial=[region] if region else [],
        issued=_parse_time(package.get("metadata_created")),
        modified=_parse_time(package.get("metadata_modified")),
        licence=licence,
        access=AccessRights(level=AccessLevel.TERBUKA, defaulted=True),
        landing_page=package.get("url") or None,
        distributions=resources,
        provenance=_provenance(source_id, package["id"], f"https://data.go.id/dataset/{package['name']}", package),
    )
    return _publish(record, f"ckan-{package['id'][:8]}")


def ckan_datasets() -> list[PublishedDataset]:
    """Map the CKAN records of data.go.id and Muara Enim."""
    kampar = RegionCode(system=RegionSystem.KEMENDAGRI, edition="2025", code="14.01", name="Kabupaten Kampar")
    muara_enim = RegionCode(system=RegionSystem.KEMENDAGRI, edition="2025", code="16.03", name="Kabupaten Muara Enim")
    show = json.loads((FIXTURES / "datagoid_proxy_package_show_kampar.json").read_text())["result"]
    search = json.loads((FIXTURES / "datagoid_proxy_package_search_rows2.json").read_text())["result"]["results"]
    local = json.loads((FIXTURES / "ckan_satudata_muaraenim_package_search_example.json").read_text())["result"]["results"]
    datasets = [ckan_dataset(show, "datagoid", kampar)]
    datasets += [ckan_dataset(package, "datagoid", None) for package in search if package["id"] != show["id"]]
    datasets += [ckan_dataset(package, "muaraenim", muara_enim) for package in local]
    return datasets


def edge_case_dataset() -> PublishedDataset:
    """A public dataset whose text and URLs need escaping in every syntax."""
    record = DatasetRecord(
        title='Data "kutip" <b>&amp;</b> \\ garis\tmiring\r\nbaris baru ✓ 𝔸',
        description="Baris satu\nBaris dua \x01kontrol\x0b dan ]]> serta '<script>'",
        keywords=["a\"b", "ç", "a\"b", "  "],
        publisher=Agent(name="Dinas & Kominfo <Uji>", identifier="99 99/ä"),
        contact_point=ContactPoint(name="Kontak", email="data@example.go.id", url="https://example.go.id/k o n"),
        issued=dt.datetime(2024, 1, 2, 3, 4, 5),
        modified=dt.datetime(2024, 2, 3, 4, 5, 6, 123456, tzinfo=dt.timezone(dt.timedelta(hours=7))),
        access=AccessRights(level=AccessLevel.TERBUKA),
        landing_page="https://example.go.id/data?id=1&x=\"y\"<z>{a}|b^c`d",
        distributions=[Distribution(title="Tanpa URL", byte_size=0),
                       Distribution(access_url="not a url", download_url="ftp://example.go.id/ä ö.csv",
                                    format=FileFormat(label="CSV", media_type="text/csv"))],
        provenance=_provenance("uji", "uji/1", "https://example.go.id/api?id=uji/1", {"id": "uji/1"}),
    )
    return _publish(record, "uji:1 ä", series_id="seri-uji")


def hidden_datasets() -> list[PublishedDataset]:
    """Datasets that must never appear publicly: terbatas, tertutup, unset access, withdrawn, quarantined."""
    base = aceh_datasets()[0]
    hidden = []
    for name, level, status in [
        ("terbatas", AccessLevel.TERBATAS, DatasetStatus.ACTIVE),
        ("tertutup", AccessLevel.TERTUTUP, DatasetStatus.ACTIVE),
        ("unset", None, DatasetStatus.ACTIVE),
        ("withdrawn", AccessLevel.TERBUKA, DatasetStatus.WITHDRAWN),
        ("quarantined", AccessLevel.TERBUKA, DatasetStatus.QUARANTINED),
    ]:
        record = base.record.model_copy(deep=True)
        record.title = f"Rahasia {name} air bersih"
        record.access = AccessRights(level=level)
        withdrawn_at = HARVESTED_AT if status is DatasetStatus.WITHDRAWN else None
        hidden.append(base.model_copy(update={"id": f"hidden-{name}", "record": record, "status": status,
                                              "withdrawn_at": withdrawn_at}))
    return hidden
