from harvester.dedupe.candidate import build_candidate
from harvester.dedupe.matcher import compare

from tests.dedupe.helpers import make_record

UUID = "00003d3a-754f-41f7-91f7-e2ef772354c7"


def test_shared_uuid_matches():
    a = make_record("datagoid", UUID, "Angka kematian ibu (AKI) tahun 2025", identifiers=(UUID,))
    b = make_record("kampar", UUID, "AKI 2025", identifiers=(UUID.upper(),))
    result = compare(build_candidate(a), build_candidate(b))
    assert result.is_match
    assert result.score == 1.0
    assert result.reasons == (f"identifier uuid:{UUID}",)


def test_ckan_slug_alone_not_identity():
    a = make_record("kampar", "1", "Data Penduduk", identifiers=("data-penduduk",), region="14.01")
    b = make_record("batu", "2", "Data Penduduk", identifiers=("data-penduduk",), region="35.79",
                    publisher="Kota Batu")
    assert not compare(build_candidate(a), build_candidate(b)).is_match


def test_shared_download_url_matches():
    a = make_record("prov", "1", "Produksi Padi", urls=("https://data.kamparkab.go.id/dl/padi.xlsx",))
    b = make_record("datagoid", "2", "PRODUKSI PADI KAMPAR", urls=("http://data.kamparkab.go.id/dl/padi.xlsx?utm_source=x",))
    result = compare(build_candidate(a), build_candidate(b))
    assert result.is_match
    assert result.reasons[0].startswith("distribution URL")


def test_generic_url_ignored():
    home = "https://dinkes.kamparkab.go.id/"
    a = make_record("prov", "1", "Jumlah Puskesmas", urls=(home,))
    b = make_record("prov", "2", "Jumlah Bidan", urls=(home,))
    generic = frozenset({"dinkes.kamparkab.go.id/"})
    assert not compare(build_candidate(a), build_candidate(b), generic).is_match


def test_numbered_repeat_matches():
    a = make_record("trenggalek", "7", "DATA ATLET PRESTASI", region="35.03")
    b = make_record("trenggalek", "426", "4. DATA ATLET PRESTASI", region="35.03")
    result = compare(build_candidate(a), build_candidate(b))
    assert result.is_match
    assert "same title words" in result.reasons


def test_typo_in_long_word_matches():
    a = make_record("a", "1", "Jumlah Penduduk Menurut Kecamatan")
    b = make_record("b", "2", "Jumlah Pendudk Menurut Kecamatan")
    assert compare(build_candidate(a), build_candidate(b)).is_match


def test_one_different_word_distinct():
    a = make_record("aceh", "1", "Jumlah Pembangunan Polder Provinsi Aceh", region="11")
    b = make_record("aceh", "2", "Jumlah Peningkatan Polder Provinsi Aceh", region="11")
    assert not compare(build_candidate(a), build_candidate(b)).is_match


def test_different_breakdown_distinct():
    a = make_record("aceh", "1", "Jumlah Kepala Keluarga Menurut Status Kawin dan Jenis Kelamin", region="11")
    b = make_record("aceh", "2", "Jumlah Kepala Keluarga Menurut Status Kawin dan Kelompok Umur", region="11")
    assert not compare(build_candidate(a), build_candidate(b)).is_match


def test_different_year_distinct():
    a = make_record("a", "1", "Jumlah Penduduk Tahun 2022")
    b = make_record("b", "2", "Jumlah Penduduk Tahun 2023")
    result = compare(build_candidate(a), build_candidate(b))
    assert not result.is_match
    assert result.reasons[0].startswith("different period")


def test_different_region_distinct():
    a = make_record("a", "1", "Jumlah Penduduk", region="14.01")
    b = make_record("b", "2", "Jumlah Penduduk", region="14.02", publisher="Kabupaten Siak")
    result = compare(build_candidate(a), build_candidate(b))
    assert not result.is_match
    assert "different region" in result.reasons


def test_different_opd_same_title_distinct():
    a = make_record("aceh", "1", "Persentase Lancarnya Kebutuhan Operasional Perkantoran", creator="DINKES", region="11")
    b = make_record("aceh", "2", "Persentase Lancarnya Kebutuhan Operasional Perkantoran", creator="BPKA", region="11")
    assert not compare(build_candidate(a), build_candidate(b)).is_match


def test_harvest_loop_matches_by_origin_name():
    copy = make_record("datagoid", "x1", "Angka kematian ibu", extras={"name": "angka-kematian-ibu-aki14"})
    origin = make_record("kampar", "y1", "AKI Kampar", extras={"name": "angka-kematian-ibu-aki14"})
    result = compare(build_candidate(copy, origin_source="kampar"), build_candidate(origin))
    assert result.is_match
    assert result.reasons[0].startswith("harvest loop")


def test_shared_capabilities_url_not_identity():
    capabilities = "https://geoportal.lampungprov.go.id/geoserver/ows?service=WMS&request=GetCapabilities"
    a = make_record("csw", "jaringan_jalan", "Jaringan Jalan Pesawaran", urls=(capabilities,))
    b = make_record("csw", "batas_desa", "Batas Desa Lampung", urls=(capabilities,))
    assert not compare(build_candidate(a), build_candidate(b)).is_match


def test_layer_request_still_identity():
    layer = "https://geoportal.lampungprov.go.id/geoserver/ows?service=WMS&request=GetMap&layers=geonode:jalan"
    a = make_record("csw", "1", "Jaringan Jalan", urls=(layer,))
    b = make_record("datagoid", "2", "JARINGAN JALAN PROVINSI", urls=(layer,))
    assert compare(build_candidate(a), build_candidate(b)).is_match
