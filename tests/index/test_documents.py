"""Building index documents from published datasets."""

from __future__ import annotations

import datetime as dt

from harvester.model import (
    AccessLevel,
    AccessRights,
    Agent,
    Concept,
    DatasetRecord,
    DatasetStatus,
    Distribution,
    FileFormat,
    Licence,
    Provenance,
    PublishedDataset,
    RegionCode,
    RegionSystem,
    Temporal,
)
from index.base import Labelled
from index.documents import build_document, slugify, years_in_text

HARVESTED = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)


def kemendagri(code: str, name: str | None = None) -> RegionCode:
    return RegionCode(system=RegionSystem.KEMENDAGRI, edition="2025", code=code, name=name)


def make_dataset(**record_values: object) -> PublishedDataset:
    values: dict[str, object] = {
        "title": "Jumlah Penduduk Menurut Kecamatan di Kabupaten Pesawaran Tahun 2023",
        "access": AccessRights(level=AccessLevel.TERBUKA),
        "provenance": Provenance(source_id="pesawaran", remote_id="r1", harvested_at=HARVESTED, content_hash="abc"),
    }
    values.update(record_values)
    return PublishedDataset(id="ds-1", record=DatasetRecord(**values), created_at=HARVESTED, updated_at=HARVESTED)


def test_agents_use_identifier_or_slug() -> None:
    dataset = make_dataset(
        publisher=Agent(name="Diskominfo Kabupaten Pesawaran", identifier="org:18.09:diskominfo"),
        creator=Agent(name="Dinas Kesehatan Kab. Pesawaran"),
    )

    document = build_document(dataset)

    assert document.publisher == Labelled(key="org:18.09:diskominfo", label="Diskominfo Kabupaten Pesawaran")
    assert document.creator == Labelled(key="dinas-kesehatan-kab-pesawaran", label="Dinas Kesehatan Kab. Pesawaran")


def test_village_code_gives_province_and_regency() -> None:
    document = build_document(make_dataset(spatial=[kemendagri("18.09.01.2001", "Padang Ratu")]))

    assert document.province == [Labelled(key="18", label="Lampung")]
    assert document.regency == [Labelled(key="18.09", label="Kabupaten Pesawaran")]


def test_province_code_gives_province_only() -> None:
    document = build_document(make_dataset(spatial=[kemendagri("18")]))

    assert document.province == [Labelled(key="18", label="Lampung")]
    assert document.regency == []


def test_regions_deduplicated_and_named() -> None:
    spatial = [kemendagri("18.09", "Kab. Pesawaran"), kemendagri("18.71"), kemendagri("18.09.02")]

    document = build_document(make_dataset(spatial=spatial))

    assert document.province == [Labelled(key="18", label="Lampung")]
    assert document.regency == [Labelled(key="18.09", label="Kab. Pesawaran"),
                                Labelled(key="18.71", label="Kota Bandar Lampung")]


def test_bps_codes_ignored_publisher_region_used() -> None:
    bps = RegionCode(system=RegionSystem.BPS, edition="2020", code="1801")
    publisher = Agent(name="Diskominfo Pesawaran", region=kemendagri("18.09"))

    document = build_document(make_dataset(spatial=[bps], publisher=publisher))

    assert [value.key for value in document.regency] == ["18.09"]


def test_themes_formats_licence() -> None:
    dataset = make_dataset(
        themes=[Concept(uri="http://publications.europa.eu/resource/authority/data-theme/HEAL", label="Kesehatan"),
                Concept(label="Kependudukan")],
        distributions=[Distribution(format=FileFormat(label="csv")), Distribution(format=FileFormat(label="CSV ")),
                       Distribution(format=FileFormat(label="xlsx")), Distribution(format=None)],
        licence=Licence(spdx_id="CC-BY-4.0", title="Creative Commons Attribution 4.0"),
    )

    document = build_document(dataset)

    assert [value.key for value in document.theme] == ["kependudukan"]
    assert document.format == [Labelled(key="CSV", label="CSV"), Labelled(key="XLSX", label="XLSX")]
    assert document.licence == Labelled(key="CC-BY-4.0", label="Creative Commons Attribution 4.0")


def test_missing_licence_stays_missing() -> None:
    assert build_document(make_dataset()).licence is None
    assert build_document(make_dataset(licence=Licence(original="Not Specified"))).licence is None


def test_years_from_temporal_range() -> None:
    temporal = Temporal(start=dt.date(2020, 1, 1), end=dt.date(2022, 12, 31))

    assert build_document(make_dataset(temporal=temporal)).year == [2020, 2021, 2022]


def test_years_from_title_without_temporal() -> None:
    assert build_document(make_dataset()).year == [2023]


def test_epoch_start_is_placeholder() -> None:
    temporal = Temporal(start=dt.date(1970, 1, 1), end=dt.date(2024, 12, 31))

    assert build_document(make_dataset(temporal=temporal)).year == [2024]


def test_years_in_text_ranges() -> None:
    assert years_in_text("Data 2019-2021 dan 2023") == [2019, 2020, 2021, 2023]
    assert years_in_text("Kode 12023 dan 20234") == []
    assert years_in_text("Triwulan III 2024") == [2024]


def test_access_status_and_hash() -> None:
    dataset = make_dataset(access=AccessRights(level=AccessLevel.TERBATAS))
    dataset.status = DatasetStatus.WITHDRAWN

    document = build_document(dataset)

    assert document.access_level == "terbatas"
    assert document.status == "withdrawn"
    assert len(document.content_hash) == 64


def test_hash_follows_content() -> None:
    first = build_document(make_dataset())
    same = build_document(make_dataset())
    renamed = build_document(make_dataset(title="Jumlah Sekolah"))

    assert first.content_hash == same.content_hash
    assert first.content_hash != renamed.content_hash


def test_slugify_folds() -> None:
    assert slugify("  Dinas Kesehatan & KB (Café) ") == "dinas-kesehatan-kb-cafe"


def test_eu_theme_kept_when_alone() -> None:
    eu_health = "http://publications.europa.eu/resource/authority/data-theme/HEAL"
    dataset = make_dataset(themes=[Concept(uri=eu_health, label="Kesehatan")])

    assert [value.key for value in build_document(dataset).theme] == [eu_health]


def test_eu_theme_alone_gets_readable_label() -> None:
    eu_population = "http://publications.europa.eu/resource/authority/data-theme/SOCI"
    dataset = make_dataset(themes=[Concept(uri=eu_population)])

    assert build_document(dataset).theme == [Labelled(key=eu_population, label="Kependudukan dan masyarakat")]
