"""Region codes of both systems, names with context, and regions read from titles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harvester.harmonize.reference import convert_wilayah_sql
from harvester.harmonize.regions import RegionTable
from harvester.model import RegionSystem
from harvester.settings import DEFAULT_CONFIG_DIR

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def regions() -> RegionTable:
    return RegionTable.from_config(DEFAULT_CONFIG_DIR)


def test_region_list_counts(regions: RegionTable) -> None:
    levels = [row.level for row in regions._by_code.values()]
    assert levels.count("province") == 38
    assert levels.count("regency") + levels.count("city") == 514
    assert levels.count("district") == 7285
    assert levels.count("village") == 83762


def test_convert_sql_quotes() -> None:
    rows = convert_wilayah_sql("VALUES\n('11','Aceh'),\n('11.01.02.2018','Pasi Kuala Ba''u');")
    assert [(r.code, r.name, r.level) for r in rows] == [("11", "Aceh", "province"),
                                                         ("11.01.02.2018", "Pasi Kuala Ba'u", "village")]


@pytest.mark.parametrize(("text", "code", "name"), [
    ("18.09", "18.09", "Kabupaten Pesawaran"),
    ("18.09.01", "18.09.01", "Gedong Tataan"),
    ("18.09.01.2001", "18.09.01.2001", "Padang Ratu"),
    ("18.71", "18.71", "Kota Bandar Lampung"),
])
def test_dotted_kemendagri(regions: RegionTable, text: str, code: str, name: str) -> None:
    parsed = regions.parse_code(text)
    assert parsed.problem is None
    assert parsed.codes[0].system is RegionSystem.KEMENDAGRI
    assert parsed.codes[0].edition == "2025"
    assert (parsed.codes[0].code, parsed.codes[0].name, parsed.codes[0].original) == (code, name, text)


def test_bps_code_differs_from_kemendagri(regions: RegionTable) -> None:
    parsed = regions.parse_code("1801", RegionSystem.BPS)
    assert [(c.system, c.code) for c in parsed.codes] == [(RegionSystem.KEMENDAGRI, "18.04"),
                                                          (RegionSystem.BPS, "1801")]
    assert parsed.codes[1].edition == "2020"


def test_bps_papua_after_split(regions: RegionTable) -> None:
    assert regions.parse_code("9401", RegionSystem.BPS).codes[0].code == "93.01"


def test_bps_district_seven_digits(regions: RegionTable) -> None:
    assert regions.parse_code("1101010").codes[0].code == "11.09.07"


def test_two_digit_code_not_guessed(regions: RegionTable) -> None:
    parsed = regions.parse_code("32")
    assert parsed.codes == ()
    assert parsed.kind == "ambiguous"


def test_undotted_code_differing_is_ambiguous(regions: RegionTable) -> None:
    assert regions.parse_code("1801").kind == "ambiguous"
    assert regions.parse_code("1809").codes[0].code == "18.09"


def test_jabar_rows_bps_codes(regions: RegionTable) -> None:
    page = json.loads((DATA / "opendatajabar_bigdata_banjir_kab_page_skip_0.json").read_text("utf-8"))
    for row in page["data"]:
        parsed = regions.parse_code(str(row["kode_kabupaten_kota"]), RegionSystem.BPS)
        expected = regions.resolve_name(row["nama_kabupaten_kota"]).code
        assert parsed.codes[0].code == expected, row


@pytest.mark.parametrize(("text", "context", "code"), [
    ("Kab. Pesawaran", None, "18.09"),
    ("KABUPATEN PESAWARAN", None, "18.09"),
    ("Pesawaran", None, "18.09"),
    ("Kota Bandar Lampung", None, "18.71"),
    ("Kab Kampar", None, "14.01"),
    ("Kabupaten Solok", None, "13.02"),
    ("Kota Solok", None, "13.72"),
    ("Solok", "13.72", "13.72"),
    ("Solok", "13.02.01", "13.02"),
    ("DKI Jakarta", None, "31"),
])
def test_resolve_name(regions: RegionTable, text: str, context: str | None, code: str) -> None:
    assert regions.resolve_name(text, context).code == code


def test_bare_solok_ambiguous(regions: RegionTable) -> None:
    resolution = regions.resolve_name("Solok", "13")
    assert resolution.ambiguous
    assert resolution.candidates == ("13.02", "13.72")


@pytest.mark.parametrize(("title", "context", "codes"), [
    ("Jumlah Penduduk di Kabupaten Kampar Tahun 2023", None, ["14.01"]),
    ("Jumlah Terminal di Provinsi Aceh", None, ["11"]),
    ("Jumlah Tenaga Kependidikan SMK Menurut Kabupaten/Kota di Provinsi Aceh", "11", ["11"]),
    ("Bayi Berat Badan Lahir Rendah Menurut Jenis Kelamin, Kabupaten/Kota", "11", []),
    ("Jumlah Penduduk Menurut Kecamatan di Kabupaten Pidie", "11", ["11.07"]),
    ("DATA PELAYANAN KECAMATAN DONGKO", "35.03", ["35.03.04"]),
    ("DAFTAR BUM DESA SE-KABUPATEN TRENGGALEK", None, ["35.03"]),
    ("Indeks Risiko Bencana Berdasarkan Kabupaten/Kota di Jawa Barat", None, ["32"]),
])
def test_regions_in_titles(regions: RegionTable, title: str, context: str | None, codes: list[str]) -> None:
    assert [code for code, _ in regions.find_in_text(title, context).found] == codes


def test_organization_slug_and_harvest_title(regions: RegionTable) -> None:
    assert regions.from_slug("kabupaten-kampar") == "14.01"
    assert regions.from_slug("kota-batu") == "35.79"
    assert regions.from_slug("provinsi-jawa-tengah") == "33"
    assert regions.from_harvest_source_title("Kabupaten Kampar - CKAN") == "14.01"
    assert regions.from_harvest_source_title("Provinsi Sumatera Barat - CSW") == "13"
