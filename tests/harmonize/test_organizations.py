"""The organization register over the seeded OPD lists and common abbreviations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harvester.harmonize.organizations import OrganizationRegister
from harvester.harmonize.regions import RegionTable
from harvester.settings import DEFAULT_CONFIG_DIR
from tests.harmonize.samples import denpasar_offices, keerom_tables

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def register() -> OrganizationRegister:
    return OrganizationRegister.from_config(DEFAULT_CONFIG_DIR, RegionTable.from_config(DEFAULT_CONFIG_DIR))


@pytest.mark.parametrize(("name", "context", "identifier"), [
    ("Diskominfo", "18.09", "18.09/dinas-komunikasi-dan-informatika"),
    ("DKIS", "51.71", "51.71/dinas-komunikasi-dan-informatika"),
    ("Diskominfo SP", "18.09", "18.09/dinas-komunikasi-dan-informatika"),
    ("Dinas Komunikasi Informatika dan Statistik", "18.09", "18.09/dinas-komunikasi-dan-informatika"),
    ("Dinkes Kab. Garut", None, "32.05/dinas-kesehatan"),
    ("  DINAS KESEHATAN  Kabupaten Kampar ", None, "14.01/dinas-kesehatan"),
    ("Disdik", "11", "11/dinas-pendidikan"),
    ("Dishub", "11", "11/dinas-perhubungan"),
    ("Disdukcapil", "32.05", "32.05/dinas-kependudukan-dan-pencatatan-sipil"),
    ("DLH", "32.05", "32.05/dinas-lingkungan-hidup"),
    ("DLHK", "11", "11/dinas-lingkungan-hidup"),
    ("DPUPR", "32.05", "32.05/dinas-pekerjaan-umum-dan-penataan-ruang"),
    ("DPMPTSP", "32.05", "32.05/dinas-penanaman-modal-dan-pelayanan-terpadu-satu-pintu"),
    ("DP3A", "32.05", "32.05/dinas-pemberdayaan-perempuan-dan-perlindungan-anak"),
    ("Bappelitbangda", "32.05", "32.05/badan-perencanaan-pembangunan-daerah"),
    ("Bapperida", "32.05", "32.05/badan-perencanaan-pembangunan-daerah"),
    ("BPKAD", "32.05", "32.05/badan-pengelolaan-keuangan-dan-aset-daerah"),
    ("BPBD", "32.05", "32.05/badan-penanggulangan-bencana-daerah"),
    ("Diskominfo Muara Enim", None, "16.03/dinas-komunikasi-dan-informatika"),
    ("Dinas Pangan Provinsi Sumatera Barat", None, "13/dinas-ketahanan-pangan"),
    ("Kecamatan Banjarwangi", "32.05", "32.05.23/kecamatan"),
    ("Dinas Komunikasi Informastika Statistik dan Persandian", "16.03", "16.03/dinas-komunikasi-dan-informatika"),
])
def test_opd_identifiers(register: OrganizationRegister, name: str, context: str | None, identifier: str) -> None:
    match = register.resolve(name, context)
    assert match is not None
    assert match.kind == "opd"
    assert match.identifier == identifier


@pytest.mark.parametrize(("name", "identifier"), [
    ("kemendagri:18.09", "kemendagri:18.09"),
    ("kabupaten-pesawaran", "kemendagri:18.09"),
    ("Pemerintah Kabupaten Pesawaran", "kemendagri:18.09"),
    ("Kabupaten Kampar", "kemendagri:14.01"),
    ("provinsi-jawa-tengah", "kemendagri:33"),
    ("BPS", "kl:badan-pusat-statistik"),
])
def test_walidata_identifiers(register: OrganizationRegister, name: str, identifier: str) -> None:
    match = register.resolve(name)
    assert match is not None
    assert match.kind == "walidata"
    assert match.identifier == identifier


def test_unknown_not_merged(register: OrganizationRegister) -> None:
    assert register.resolve("Dinas Kesehatan Hewan", "32.05") is None
    assert register.resolve("INSTANSI VERTIKAL DAN KEMENTERIAN", "32") is None


def test_garut_opds_all_resolve(register: OrganizationRegister) -> None:
    opds = json.loads((DATA / "satudata_garutkab_api_opds_75.json").read_text("utf-8"))["data"]
    unresolved = [item["name"] for item in opds if register.resolve(item["name"], "32.05") is None]
    assert unresolved == []


def test_keerom_offices_resolve(register: OrganizationRegister) -> None:
    _affairs, offices = keerom_tables()
    unresolved = [name for name, _short in offices if register.resolve(name, "91.11") is None]
    assert unresolved == []


def test_denpasar_offices_resolve(register: OrganizationRegister) -> None:
    skipped = {"Seluruh Perangkat Daerah", "Walikota", "Wakil Walikota", "Staf Ahli", "Seluruh Desa/Kelurahan"}
    unresolved = [name for name, _short in denpasar_offices()
                  if name not in skipped and not name.startswith("Kelurahan")
                  and register.resolve(name, "51.71") is None]
    # TODO: resolve village offices (Kelurahan X) once villages are indexed by name.
    assert unresolved == []
