"""Topics, licences, formats, frequencies, access levels and dates."""

from __future__ import annotations

import datetime as dt

import pytest
from rdflib import Graph
from rdflib.namespace import SKOS

from harvester.harmonize import Harmonizer
from harvester.harmonize.dates import parse_datetime, parse_period, temporal_in_text
from harvester.model import AccessLevel, AccessRights
from tests.harmonize.samples import keerom_tables

FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"


@pytest.fixture(scope="module")
def harmonizer() -> Harmonizer:
    return Harmonizer()


def test_keerom_affairs_are_topics(harmonizer: Harmonizer) -> None:
    affairs, _offices = keerom_tables()
    assert [a for a in affairs if harmonizer.topics.by_label(a) is None] == []


def test_topic_skos_parses(harmonizer: Harmonizer) -> None:
    graph = Graph().parse(data=harmonizer.topics.render_skos(), format="turtle")
    concepts = set(graph.subjects(SKOS.inScheme, None))
    assert len(concepts) == len(harmonizer.topics)
    themes = {str(o) for o in graph.objects(None, SKOS.closeMatch)}
    assert all(t.startswith("http://publications.europa.eu/resource/authority/data-theme/") for t in themes)


def test_topic_inferred_from_title(harmonizer: Harmonizer) -> None:
    topic = harmonizer.topics.infer(["Jumlah Kasus Penyakit Tidak Menular Menurut Kecamatan"])
    assert topic is not None
    assert topic.id == "kesehatan"


def test_topic_placeholder(harmonizer: Harmonizer) -> None:
    assert harmonizer.topics.is_placeholder("Uncategorized")
    assert harmonizer.topics.by_label("Pertanian") is not None


@pytest.mark.parametrize(("value", "spdx"), [
    ("cc-by", "CC-BY-4.0"),
    ("https://creativecommons.org/licenses/by/4.0/", "CC-BY-4.0"),
    ("http://www.opendefinition.org/licenses/cc-by", "CC-BY-4.0"),
    ("CC BY-NC-SA 4.0", "CC-BY-NC-SA-4.0"),
    ("odc-odbl", "ODbL-1.0"),
    ("odc-by", "ODC-By-1.0"),
])
def test_licences(harmonizer: Harmonizer, value: str, spdx: str) -> None:
    result = harmonizer.licences.map(value)
    assert result.licence is not None
    assert result.licence.spdx_id == spdx
    assert result.licence.uri is not None
    assert result.licence.original == value


@pytest.mark.parametrize("value", ["Not Specified", "", "notspecified",
                                   "Not Specified: The original author did not specify a license."])
def test_licence_not_specified(harmonizer: Harmonizer, value: str) -> None:
    result = harmonizer.licences.map(value)
    assert result.licence is None
    assert result.mapped


def test_licence_unknown_reported(harmonizer: Harmonizer) -> None:
    assert not harmonizer.licences.map("Lisensi Pemda").mapped


@pytest.mark.parametrize(("declared", "label"), [
    ("xlxs", "XLSX"), ("xslx", "XLSX"), ("Excel", "XLSX"), (".csv", "CSV"), ("CSV ", "CSV"),
    ("text/csv", "CSV"), ("WMS", "WMS"),
])
def test_format_aliases(harmonizer: Harmonizer, declared: str, label: str) -> None:
    result = harmonizer.formats.map(declared)
    assert result.format is not None
    assert result.format.label == label
    assert result.format.file_type_uri.startswith("http://publications.europa.eu/resource/authority/file-type/")


def test_format_conflict_png_as_csv(harmonizer: Harmonizer) -> None:
    result = harmonizer.formats.map("CSV", "https://example.invalid/download/hasil-akip.png", "image/png")
    assert result.format is not None
    assert result.format.label == "PNG"
    assert result.format.original == "CSV"
    assert "png" in (result.format.conflict or "")


def test_format_excel_family_no_conflict(harmonizer: Harmonizer) -> None:
    result = harmonizer.formats.map("Excel", "https://example.invalid/a.xls")
    assert result.format is not None
    assert result.format.conflict is None


def test_format_query_string_ignored(harmonizer: Harmonizer) -> None:
    result = harmonizer.formats.map("WMS", "https://example.invalid/ows?format=image/png")
    assert result.format is not None
    assert result.format.label == "WMS"


@pytest.mark.parametrize(("text", "code"), [
    ("harian", "DAILY"), ("Mingguan", "WEEKLY"), ("bulanan", "MONTHLY"), ("Triwulanan", "QUARTERLY"),
    ("caturwulanan", "ANNUAL_3"), ("Semesteran", "ANNUAL_2"), ("Tahunan", "ANNUAL"),
    ("dua tahunan", "BIENNIAL"), ("tiga tahunan", "TRIENNIAL"), ("lima tahunan", "QUINQUENNIAL"),
    ("sepuluh tahunan", "DECENNIAL"), ("insidental", "IRREG"), ("Sewaktu-waktu", "IRREG"),
    ("tidak tentu", "IRREG"), ("monthly", "MONTHLY"),
    ("dikeluarkan dalam periode 1 tahun sekali", "ANNUAL"), ("2 kali setahun", "ANNUAL_2"),
    ("setiap 3 bulan", "QUARTERLY"), ("R/P1Y", "ANNUAL"), ("R/P1M", "MONTHLY"), ("R/P3M", "QUARTERLY"),
])
def test_frequencies(harmonizer: Harmonizer, text: str, code: str) -> None:
    assert harmonizer.frequencies.code(text) == code


def test_frequency_unknown(harmonizer: Harmonizer) -> None:
    assert harmonizer.frequencies.code("kadang-kadang") is None


@pytest.mark.parametrize(("original", "level"), [
    ("terbuka", AccessLevel.TERBUKA), ("public", AccessLevel.TERBUKA), ("Terbatas", AccessLevel.TERBATAS),
    ("restricted public", AccessLevel.TERBATAS), ("non-public", AccessLevel.TERTUTUP),
    ("tertutup", AccessLevel.TERTUTUP), ("private", AccessLevel.TERTUTUP),
])
def test_access_words(harmonizer: Harmonizer, original: str, level: AccessLevel) -> None:
    result = harmonizer.access.decide(AccessRights(original=original), None)
    assert result.rights.level is level
    assert not result.rights.defaulted


def test_access_default_for_unset(harmonizer: Harmonizer) -> None:
    result = harmonizer.access.decide(AccessRights(), AccessLevel.TERBUKA)
    assert result.rights.level is AccessLevel.TERBUKA
    assert result.rights.defaulted


def test_access_unset_without_default(harmonizer: Harmonizer) -> None:
    assert harmonizer.access.decide(AccessRights(), None).rights.level is None


def test_access_unknown_held_back(harmonizer: Harmonizer) -> None:
    result = harmonizer.access.decide(AccessRights(original="semi"), AccessLevel.TERBUKA)
    assert result.rights.level is None
    assert not result.mapped


REFERENCE = dt.datetime(2025, 8, 7, 9, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-08-12", dt.datetime(2024, 8, 12, tzinfo=dt.timezone.utc)),
    ("2026-05-18T08:46:37.000Z", dt.datetime(2026, 5, 18, 8, 46, 37, tzinfo=dt.timezone.utc)),
    ("12 Agustus 2024", dt.datetime(2024, 8, 12, tzinfo=dt.timezone.utc)),
    ("Senin, 12 Agt 2024", dt.datetime(2024, 8, 12, tzinfo=dt.timezone.utc)),
    ("3 Okt 2023", dt.datetime(2023, 10, 3, tzinfo=dt.timezone.utc)),
    ("24 Des 2023", dt.datetime(2023, 12, 24, tzinfo=dt.timezone.utc)),
    ("1 Mei 2022", dt.datetime(2022, 5, 1, tzinfo=dt.timezone.utc)),
    ("26 May 2025 11:34:30", dt.datetime(2025, 5, 26, 11, 34, 30, tzinfo=dt.timezone.utc)),
    ("4 jam yang lalu", REFERENCE - dt.timedelta(hours=4)),
    ("2 hari yang lalu", REFERENCE - dt.timedelta(days=2)),
    ("12/08/2024", dt.datetime(2024, 8, 12, tzinfo=dt.timezone.utc)),
])
def test_parse_datetime(text: str, expected: dt.datetime) -> None:
    assert parse_datetime(text, REFERENCE) == expected


@pytest.mark.parametrize("text", ["-", "", "1970-01-01", "1970-01-01T00:00:00Z"])
def test_placeholder_dates(text: str) -> None:
    assert parse_datetime(text, REFERENCE) is None


@pytest.mark.parametrize(("text", "start", "end"), [
    ("Triwulan III 2024", dt.date(2024, 7, 1), dt.date(2024, 9, 30)),
    ("TW III 2024", dt.date(2024, 7, 1), dt.date(2024, 9, 30)),
    ("Semester I 2023", dt.date(2023, 1, 1), dt.date(2023, 6, 30)),
    ("Caturwulan II 2023", dt.date(2023, 5, 1), dt.date(2023, 8, 31)),
    ("2021-2024", dt.date(2021, 1, 1), dt.date(2024, 12, 31)),
    ("2024-2024", dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
])
def test_parse_period(text: str, start: dt.date, end: dt.date) -> None:
    period = parse_period(text)
    assert period is not None
    assert (period.start, period.end) == (start, end)


def test_period_placeholder() -> None:
    assert parse_period("-") is None


@pytest.mark.parametrize(("title", "start", "end"), [
    ("Jumlah Penduduk di Kabupaten Kampar Tahun 2023", dt.date(2023, 1, 1), dt.date(2023, 12, 31)),
    ("Angka Kemiskinan Tahun 2019-2023", dt.date(2019, 1, 1), dt.date(2023, 12, 31)),
    ("SKPG SUMATERA BARAT APRIL 2023", dt.date(2023, 4, 1), dt.date(2023, 4, 30)),
])
def test_temporal_in_title(title: str, start: dt.date, end: dt.date) -> None:
    period = temporal_in_text(title)
    assert period is not None
    assert (period.start, period.end) == (start, end)
