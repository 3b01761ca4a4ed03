"""Pinned harmonize results for real records from six portals.

Each row names a record of the bundled samples and the values the harmonize
stage must produce: Kemendagri region codes, Walidata and OPD identifiers,
Himpun topic, SPDX licence, distribution formats, EU frequency code and the
temporal coverage. A change in any table shows up here as a failing row.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import pytest

from harvester.harmonize import Finding, Harmonizer
from harvester.harmonize.report import build_report
from harvester.model import DatasetRecord, RegionSystem
from tests.harmonize.samples import SOURCES, all_records

# (source, record id, regions, walidata, OPD, topic, licence, formats, frequency, temporal start, end)
EXPECTED = [
    ('aceh', 'ebd7c2d0-524b-4368-aac3-889403920290', '11', 'kemendagri:11', '11/dinas-lingkungan-hidup', 'lingkungan-hidup', 'CC-BY-4.0', 'HTML', None, None, None),  # parameter kualitas air laut menurut kabupaten/kota
    ('aceh', 'a2f5d2b7-a4b7-48c1-a36e-2cb5f9187949', '11', 'kemendagri:11', '11/biro-administrasi-pembangunan', 'perencanaan', 'CC-BY-4.0', 'HTML', None, None, None),  # Peningkataan Kualitas Penyelenggaraan Pembangunan
    ('aceh', '22f0c897-0d2f-40d7-852c-78b08c71b87f', '11', 'kemendagri:11', '11/dinas-pemberdayaan-masyarakat-dan-desa', 'pemberdayaan-masyarakat-desa', 'CC-BY-4.0', 'HTML', None, None, None),  # Jumlah Gampong yang Dilakukan Penataan
    ('aceh', '9d6d1872-edee-42f2-a44e-6753692a7022', '11', 'kemendagri:11', '11/dinas-pemberdayaan-masyarakat-dan-desa', 'pemberdayaan-masyarakat-desa', 'CC-BY-4.0', 'HTML', None, None, None),  # Jumlah Lembaga Adat Gampong Aktif dan Sudah Terbentuk Strukt
    ('aceh', 'fc4844b6-eea2-4999-8692-efa85cf2201e', '11', 'kemendagri:11', '11/dinas-pendidikan-dayah', 'pendidikan', 'CC-BY-4.0', 'HTML', None, None, None),  # Indeks Standarisasi Dayah Aceh (ISDA)
    ('aceh', '828e5c12-a0e5-4980-89a8-5bc4ac64061b', '11', 'kemendagri:11', '11/dinas-pemberdayaan-masyarakat-dan-desa', 'pemberdayaan-masyarakat-desa', 'CC-BY-4.0', 'HTML', None, None, None),  # Alokasi dan Realisasi Dana Desa Berdasarkan Kabupaten/Kota d
    ('aceh', 'f0df9325-adc1-4802-aec7-f1c3721d2dcf', '11', 'kemendagri:11', '11/dinas-lingkungan-hidup', 'lingkungan-hidup', 'CC-BY-4.0', 'HTML', None, None, None),  # Indeks Kualitas Air (IKA)
    ('aceh', '2371f09e-8006-486f-a8a7-f5ec66e9d0c1', '11', 'kemendagri:11', '11/dinas-pekerjaan-umum-dan-penataan-ruang', 'pekerjaan-umum-penataan-ruang', 'CC-BY-4.0', 'HTML', None, None, None),  # Persentase Panjang Jalan Provinsi Dalam Kondisi Mantap Provi
    ('aceh', 'eeeaea5f-8115-449b-98c8-78ae4254aff2', '11', 'kemendagri:11', '11/badan-pengelolaan-keuangan-dan-aset-daerah', 'keuangan', 'CC-BY-4.0', 'HTML', None, None, None),  # Return on Asset (ROA) BUMD (%) Aceh
    ('aceh', '7cd2eb51-6707-42a1-b69b-c04857162990', '11', 'kemendagri:11', '11/dinas-pendidikan-dayah', 'pemerintahan', 'CC-BY-4.0', 'HTML', None, None, None),  # Persentase Lancarnya Kebutuhan Operasional perkantoran Provi
    ('aceh', '2934757b-ab20-4188-8a6d-4e91a7035a28', '11', 'kemendagri:11', '11/dinas-energi-dan-sumber-daya-mineral', 'energi-sumber-daya-mineral', 'CC-BY-4.0', 'HTML', None, None, None),  # target dan realisasi Kontribusi Sektor Listrik dan Gas
    ('aceh', '083249ff-e864-4452-afba-0f84ea1972a0', '11', 'kemendagri:11', '11/dinas-pendidikan', 'pendidikan', 'CC-BY-4.0', 'HTML', None, None, None),  # Jumlah Tenaga Kependidikan SMK Menurut Kabupaten/Kota di Pro
    ('aceh', '0d43ba2c-2c1a-4340-9a58-d11d9dd541c2', '11', 'kemendagri:11', '11/dinas-komunikasi-dan-informatika', 'komunikasi-informatika', 'CC-BY-4.0', 'HTML', None, None, None),  # Pengemasan Konten di Komunikasi Tatap Muka Provinsi Aceh
    ('aceh', '87dbd0f6-698d-4065-8b0f-ccff64c50b1f', '11', 'kemendagri:11', '11/dinas-tenaga-kerja', 'tenaga-kerja', 'CC-BY-4.0', 'HTML', None, None, None),  # Rekapitulasi Pelatihan yang Dilaksanakan Dinas Tenaga Kerja 
    ('aceh', 'a95ebedf-e716-4891-b4a0-690dbafd21c6', '11', 'kemendagri:11', '11/dinas-lingkungan-hidup', 'lingkungan-hidup', 'CC-BY-4.0', 'HTML', None, None, None),  # Perumusan Skenario Pembangunan Berkelanjutan menurut Provins
    ('aceh', 'c1007e54-c81c-4a6e-87ab-949c61fb11c0', '11', 'kemendagri:11', '11/dinas-kesehatan', 'kesehatan', 'CC-BY-4.0', 'HTML', None, None, None),  # Bayi Berat Badan Lahir Rendah (BBLR) Menurut Jenis Kelamin, 
    ('aceh', '58e15452-607e-459f-80c3-52ebe2dad742', '11', 'kemendagri:11', '11/dinas-ketahanan-pangan', 'pangan', 'CC-BY-4.0', 'HTML', None, None, None),  # Jumlah Pelaksanaan Gerakan Pangan Murah/Bazar Pangan Murah a
    ('aceh', '1a8b550b-7e39-42eb-8d61-3cc48633ed1a', '11', 'kemendagri:11', '11/dinas-sosial', 'sosial', 'CC-BY-4.0', 'HTML', None, None, None),  # Jumlah Penghuni Lembaga Kesejahteraan Sosial Lanjut Usia (LK
    ('aceh', 'de485321-b4c8-4ad7-b9bc-ffef76655d9b', '11', 'kemendagri:11', '11/dinas-sosial', 'sosial', 'CC-BY-4.0', 'HTML', None, None, None),  # Jumlah Penghuni di Lembaga Kesejahteraan Sosial Lanjut Usia 
    ('aceh', 'e4a7891e-d513-4b5f-a541-09be5afeba45', '11', 'kemendagri:11', '11/dinas-kependudukan-dan-pencatatan-sipil', 'administrasi-kependudukan', 'CC-BY-4.0', 'HTML', None, None, None),  # Jumlah Penduduk Berdasarkan Golongan Darah Provinsi Aceh
    ('aceh', '6b581266-96e3-4dbd-a5b5-9d113a9b8f34', '11', 'kemendagri:11', '11/dinas-kependudukan-dan-pencatatan-sipil', 'administrasi-kependudukan', 'CC-BY-4.0', 'HTML', None, None, None),  # Jumlah Kepala Keluarga Menurut Status Kawin dan Kelompok Umu
    ('aceh', 'abb21958-510c-4061-a8ac-6e4f33f27f17', '11', 'kemendagri:11', '11/dinas-kependudukan-dan-pencatatan-sipil', 'administrasi-kependudukan', 'CC-BY-4.0', 'HTML', None, None, None),  # Jumlah Penduduk Menurut Pekerjaan dan Jenis Kelamin Provinsi
    ('aceh', 'f9e025f1-d93b-40ea-b766-15d579fc6b08', '11', 'kemendagri:11', '11/dinas-sumber-daya-air', 'pertanian', 'CC-BY-4.0', 'HTML', None, None, None),  # Jumlah Lembaga Pengelolaan SDA (eWalidata)
    ('aceh', '0dd2345f-6c8c-4b22-8e60-e882f87a1180', '11', 'kemendagri:11', '11/dinas-sumber-daya-air', 'pertanian', 'CC-BY-4.0', 'HTML', None, None, None),  # Jumlah Revitalisasi Situ Provinsi Aceh (eWalidata)
    ('aceh', 'e8f1d3c7-0701-424f-9b14-8ca7d7e609a5', '11', 'kemendagri:11', '11/dinas-sumber-daya-air', 'pertanian', 'CC-BY-4.0', 'HTML', None, None, None),  # Jumlah Peningkatan Polder Provinsi Aceh (eWalidata)
    ('aceh', 'a676c854-6bbe-49b0-a2d8-82a2aee9c6d5', '11', 'kemendagri:11', '11/dinas-lingkungan-hidup', 'lingkungan-hidup', 'CC-BY-4.0', 'HTML', None, None, None),  # Kontribusi Pembiayaan dari Kerjasama Penanganan Sampah di TP
    ('aceh', '7cccd147-bc89-4dba-bcf1-ca0dfde6c3e6', '11', 'kemendagri:11', '11/dinas-lingkungan-hidup', 'lingkungan-hidup', 'CC-BY-4.0', 'HTML', None, None, None),  # Data hasil Perumusan alternatif penyempurnaan KRP Provinsi A
    ('aceh', 'e11995cb-b7ac-4225-a88a-05664e140f94', '11', 'kemendagri:11', '11/dinas-lingkungan-hidup', 'lingkungan-hidup', 'CC-BY-4.0', 'HTML', None, None, None),  # Data hasil Penyusunan rekomendasi perbaikan untuk pengambila
    ('aceh', '0a721779-de3c-42e1-b449-34e48d265d07', '11', 'kemendagri:11', '11/dinas-pemberdayaan-masyarakat-dan-desa', 'pemberdayaan-masyarakat-desa', 'CC-BY-4.0', 'HTML', None, None, None),  # Luas Lahan Kedelai berdasarkan Produk Unggulan Pangan Kedela
    ('datagoid', 'angka-kematian-ibu-aki14', '14.01', 'kemendagri:14.01', None, 'kesehatan', None, 'XLSX', None, '2025-01-01', '2025-12-31'),  # Angka kematian ibu (AKI) tahun 2025
    ('datagoid', 'skpg-sumatera-barat-april-2023', '13', 'kemendagri:13', None, 'pangan', None, 'JPEG+WFS+WMS', 'MONTHLY', '2023-04-01', '2023-04-30'),  # SKPG SUMATERA BARAT APRIL 2023
    ('muaraenim', 'hasil-evaluasi-akuntabilitas-kinerja-intansi-pemerintah-akip', '16.03', 'kemendagri:16.03', '16.03/dinas-komunikasi-dan-informatika', 'pemerintahan', 'CC-BY-4.0', 'PNG', None, None, None),  # Hasil Evaluasi Akuntabilitas Kinerja Intansi Pemerintah (AKI
    ('garut', '4105', '32.05', 'kemendagri:32.05', '32.05/dinas-pendidikan', 'pendidikan', None, 'XLSX', 'ANNUAL', '2024-01-01', '2024-12-31'),  # Persentase Sekolah Dasar (SD) Berakreditasi Minimal B
    ('garut', '4106', '32.05', 'kemendagri:32.05', '32.05/dinas-pendidikan', 'pendidikan', None, 'XLSX', 'ANNUAL', '2024-01-01', '2024-12-31'),  # Persentase Sekolah Menengah Pertama (SMP) Berakreditasi Mini
    ('garut', '4080', '32.05', 'kemendagri:32.05', '32.05/dinas-pendidikan', 'pendidikan', None, 'XLSX', 'ANNUAL', '2024-01-01', '2024-12-31'),  # Angka Partisipasi Murni (APM) SMP/MTs/PAKET B di Kabupaten G
    ('garut', '4079', '32.05', 'kemendagri:32.05', '32.05/dinas-pendidikan', 'pendidikan', None, 'XLSX', 'ANNUAL', '2024-01-01', '2024-12-31'),  # Angka Partisipasi Murni (APM) SD/MI/Paket A di Kabupaten Gar
    ('garut', '4076', '32.05', 'kemendagri:32.05', '32.05/dinas-pendidikan', 'pendidikan', None, 'XLSX', 'ANNUAL', '2024-01-01', '2024-12-31'),  # Angka Partisipasi Kasar (APK) PAUD/TK di Kabupaten Garut
    ('garut', '3573', '32.05', 'kemendagri:32.05', '32.05/dinas-komunikasi-dan-informatika', 'komunikasi-informatika', None, 'XLSX', 'ANNUAL', '2021-01-01', '2024-12-31'),  # Indeks Sistem Pemerintahan Berbasis Elektronik (SPBE) Kabupa
    ('garut', '3554', '32.05', 'kemendagri:32.05', '32.05/satuan-polisi-pamong-praja', 'ketenteraman-ketertiban-umum', None, None, 'ANNUAL', '2024-01-01', '2024-12-31'),  # Persentase Penanganan Pelanggaran ketertiban, ketentraman, k
    ('garut', '3726', '32.05', 'kemendagri:32.05', '32.05/badan-kepegawaian-daerah', 'kepegawaian', None, 'XLSX', 'ANNUAL', None, None),  # Nilai Sistem Merit
    ('garut', '3967', '32.05', 'kemendagri:32.05', '32.05/badan-perencanaan-pembangunan-daerah', 'perencanaan', None, 'XLSX', 'ANNUAL', '2022-01-01', '2024-12-31'),  # Daftar Tujuan RKPD
    ('garut', '3762', '32.05', 'kemendagri:32.05', '32.05/badan-perencanaan-pembangunan-daerah', 'perencanaan', None, 'XLSX', 'ANNUAL', '2022-01-01', '2024-12-31'),  # Daftar Sasaran RKPD
    ('trenggalek', '751', '35.03.12', 'kemendagri:35.03', None, 'keagamaan', None, 'JSON', None, None, None),  # ALAMAT PONDOK PESANTREN SE KECAMATAN POGALAN
    ('trenggalek', '371', '35.03', 'kemendagri:35.03', None, 'perencanaan', None, 'JSON', None, None, None),  # JUMLAH USULAN MUSRENBANG KECAMATAN
    ('trenggalek', '864', '35.03.12', 'kemendagri:35.03', None, 'pemberdayaan-masyarakat-desa', None, 'JSON', None, None, None),  # KOMPILASI DATA ORGANISASI TATA KELOLA DESA DI KECAMATAN POGA
    ('trenggalek', '128', '35.03', 'kemendagri:35.03', None, 'pertanian', None, 'JSON', None, None, None),  # TANAMAN JAGUNG
    ('trenggalek', '228', '35.03', 'kemendagri:35.03', None, 'kepegawaian', None, 'JSON', None, None, None),  # ASN BERDASARKAN PERANGKAT DAERAH TERKINI
    ('trenggalek', '208', '35.03', 'kemendagri:35.03', None, 'kelautan-perikanan', None, 'JSON', None, None, None),  # DATA PRODUKSI BUDIDAYA TAMBAK
    ('trenggalek', '292', '35.03', 'kemendagri:35.03', None, 'penanaman-modal', None, 'JSON', None, '2021-01-01', '2021-12-31'),  # DATA REALISASI INVESTASI 2021
    ('trenggalek', '820', '35.03', 'kemendagri:35.03', None, 'pangan', None, 'JSON', None, '2020-01-01', '2024-12-31'),  # POLA PANGAN HARAPAN (PPH) TINGKAT KETERSEDIAAN BERDASARKAN N
    ('trenggalek', '269', '35.03.09', 'kemendagri:35.03', None, 'pemberdayaan-masyarakat-desa', None, 'JSON', None, None, None),  # KOMPILASI DATA ORGANISASI TATA KELOLA DESA DI KECAMATAN BEND
    ('trenggalek', '149', '35.03', 'kemendagri:35.03', None, 'keuangan', None, 'JSON', None, None, None),  # DATA ANGGARAN
    ('trenggalek', '172', '35.03', 'kemendagri:35.03', None, 'pemerintahan', None, 'JSON', None, '2014-01-01', '2014-12-31'),  # REKAP DPT PEMILU LEGISLATIF 2014
    ('trenggalek', '570', '35.03.05', 'kemendagri:35.03', None, 'pariwisata', None, 'JSON', None, None, None),  # PARIWISATA DI KECAMATAN TUGU
    ('trenggalek', '83', '35.03', 'kemendagri:35.03', None, 'kebudayaan', None, 'JSON', None, None, None),  # DATA KOMUNITAS SENI
    ('trenggalek', '278', '35.03', 'kemendagri:35.03', None, 'pemberdayaan-masyarakat-desa', None, 'JSON', None, None, None),  # DAFTAR BUM DESA BERSAMA SE-KABUPATEN TRENGGALEK
    ('trenggalek', '66', '35.03', 'kemendagri:35.03', None, 'pengawasan', None, 'JSON', None, None, None),  # PENGAWASAN INTERNAL
    ('trenggalek', '44', '35.03', 'kemendagri:35.03', None, 'perindustrian', None, 'JSON', None, None, None),  # DIREKTORI PERUSAHAAN INDUSTRI KECIL MENENGAH
    ('jabar', 'od_20489', '32', 'kemendagri:32', None, 'lingkungan-hidup', None, None, 'ANNUAL', '2015-01-01', '2024-12-31'),  # Indeks Risiko Bencana Berdasarkan Kabupaten/Kota di Jawa Bar
    ('trenggalek', '26', '35.03', 'kemendagri:35.03', None, 'pemerintahan', None, 'JSON', None, '2019-01-01', '2024-12-31'),  # ANGGOTA FRAKSI ... DI DPRD MASA JABATAN 2019-2024
    ('trenggalek', '283', '35.03', 'kemendagri:35.03', None, 'kebencanaan', None, 'JSON', None, None, None),  # KEJADIAN BENCANA FEBRUARI
    ('trenggalek', '599', '35.03', 'kemendagri:35.03', None, 'kesehatan', None, 'JSON', None, None, None),  # JUMLAH STATUS GIZI BALITA ... MENURUT KECAMATAN
    ('trenggalek', '619', '35.03.04', 'kemendagri:35.03', None, 'pemerintahan', None, 'JSON', None, None, None),  # DATA PELAYANAN KECAMATAN DONGKO
    ('trenggalek', '629', '35.03', 'kemendagri:35.03', None, 'sosial', None, 'JSON', None, '2023-07-01', '2023-07-31'),  # REKAP PBI JKN ... JULI 2023
    ('trenggalek', '838', '35.03', 'kemendagri:35.03', None, 'sosial', None, 'JSON', None, '2025-03-01', '2025-03-31'),  # REKAP DTKS ... MARET 2025
]


@lru_cache(maxsize=1)
def harmonized() -> dict[str, dict[str, tuple[DatasetRecord, list[Finding]]]]:
    harmonizer = Harmonizer()
    result: dict[str, dict[str, tuple[DatasetRecord, list[Finding]]]] = {}
    for key, records in all_records().items():
        result[key] = {rid: (record, harmonizer.harmonize(record, SOURCES[key])) for rid, record in records.items()}
    return result


def test_table_spans_sources() -> None:
    assert len(EXPECTED) >= 60
    assert len({row[0] for row in EXPECTED}) >= 5


@pytest.mark.parametrize(
    ("source", "remote_id", "regions", "walidata", "opd", "topic", "licence", "formats", "frequency", "start", "end"),
    EXPECTED, ids=[f"{row[0]}-{row[1][:12]}" for row in EXPECTED],
)
def test_real_record(source: str, remote_id: str, regions: str, walidata: str | None, opd: str | None,
                     topic: str | None, licence: str | None, formats: str | None, frequency: str | None,
                     start: str | None, end: str | None) -> None:
    record, _findings = harmonized()[source][remote_id]

    assert ",".join(c.code for c in record.spatial if c.system is RegionSystem.KEMENDAGRI) == regions
    assert (record.publisher.identifier if record.publisher else None) == walidata
    assert (record.creator.identifier if record.creator else None) == opd
    assert (record.themes[0].uri.rsplit("/", 1)[-1] if record.themes else None) == topic
    assert (record.licence.spdx_id if record.licence else None) == licence
    labels = sorted({d.format.label for d in record.distributions if d.format and d.format.label})
    assert ("+".join(labels) or None) == formats
    assert (record.frequency.uri.rsplit("/", 1)[-1] if record.frequency and record.frequency.uri else None) == frequency
    assert (str(record.temporal.start) if record.temporal and record.temporal.start else None) == start
    assert (str(record.temporal.end) if record.temporal and record.temporal.end else None) == end


def test_originals_kept() -> None:
    record, _ = harmonized()["aceh"]["ebd7c2d0-524b-4368-aac3-889403920290"]
    assert record.creator is not None
    assert record.creator.original == "DLHK"
    assert record.licence is not None
    assert record.licence.original == "https://creativecommons.org/licenses/by/4.0/"


def test_muaraenim_png_declared_csv() -> None:
    record, findings = harmonized()["muaraenim"]["hasil-evaluasi-akuntabilitas-kinerja-intansi-pemerintah-akip"]
    fmt = record.distributions[0].format
    assert fmt is not None
    assert fmt.original == "CSV"
    assert fmt.media_type == "image/png"
    assert fmt.conflict is not None
    assert [f.kind for f in findings if f.field == "format"] == ["conflict"]


def test_title_region_beats_source_region() -> None:
    records = all_records()["aceh"]
    pidie = next(rid for rid, r in records.items() if "Kabupaten Pidie" in r.title)
    record, findings = harmonized()["aceh"][pidie]
    assert [c.code for c in record.spatial] == ["11.07"]
    assert not [f for f in findings if f.field == "spatial"]


def test_source_region_default_is_reported() -> None:
    record, findings = harmonized()["trenggalek"]["128"]
    assert [c.code for c in record.spatial] == ["35.03"]
    assert [(f.field, f.kind) for f in findings if f.field == "spatial"] == [("spatial", "inferred")]


def test_coverage_over_bundled_sources() -> None:
    items = [pair for records in harmonized().values() for pair in records.values()]
    report = build_report(items)
    coverage = {name: round(c.ratio, 3) for name, c in report.coverage.items()}
    print(f"cakupan / coverage over {report.records} records: {coverage}")

    assert report.coverage["region"].ratio >= 0.95
    assert report.coverage["walidata"].ratio >= 0.95
    assert report.coverage["topic"].ratio >= 0.90
