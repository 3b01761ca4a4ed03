"""Public outputs: restricted, unclassified and personal data never leak; exports stay inert.

A CKAN simulator on 127.0.0.1 serves open records next to records that must
stay hidden: restricted, private, unclassified, and records whose text
carries a NIK, a mobile number or a personal e-mail address. The real
pipeline harvests them into SQLite and the embedded index, and the canary
scanner then reads every public endpoint, both exports, the index
documents, the stored findings and the job reports.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from demo.portals import CkanPortal, PortalConfig, serve_portals
from harvester.harmonize import Harmonizer
from harvester.job import run_harvest
from harvester.jobs import JobReport
from harvester.model import AccessLevel, AccessRights, DatasetRecord, DatasetStatus, Provenance
from harvester.pipeline import make_indexer
from harvester.privacy import PersonalDataDetector
from harvester.services import Services
from harvester.settings import Settings
from harvester.store import Store
from index.documents import build_document
from index.embedded import EmbeddedIndex
from publish.export import COLUMNS, safe_cell
from server.app import create_app
from tests.reliability.conftest import OPEN_RATE_LIMIT, ckan_source, client_for, package
from tests.reliability.harness import scan_for_canaries, xlsx_text

RESTRICTED_CANARY = "KANARI-TERBATAS-5521"
PRIVATE_CANARY = "KANARI-PRIVAT-5522"
UNCLASSIFIED_CANARY = "KANARI-TANPA-KELAS-5523"
PHONE_CANARY = "+62 812-7731-0045"
EMAIL_CANARY = "siti.rahma.kanari@gmail.com"
NIP_CANARY = "198005122006042003"


def make_nik(district: str, day: int, month: int, year: int, serial: int, *, female: bool = False) -> str:
    """Return a NIK with a valid structure: district code, birth date (day + 40 for women), serial."""
    return f"{district}{day + (40 if female else 0):02d}{month:02d}{year % 100:02d}{serial:04d}"


DETECTOR = PersonalDataDetector.from_config()
PESAWARAN_DISTRICT = sorted(code for code in DETECTOR.district_codes if code.startswith("1809"))[0]
NIK_CANARY = make_nik(PESAWARAN_DISTRICT, 17, 8, 1985, 3, female=True)
CANARIES = (RESTRICTED_CANARY, PRIVATE_CANARY, UNCLASSIFIED_CANARY)
PERSONAL_CANARIES = (NIK_CANARY, PHONE_CANARY, EMAIL_CANARY, NIP_CANARY)

# Numbers and addresses that look like personal data but are not.
NEAR_MISSES = (
    "9999999999999999",
    "0000000000000000",
    "9901015708900003",  # province 99 does not exist
    f"{PESAWARAN_DISTRICT}011385 0003".replace(" ", ""),  # month 13
    f"{PESAWARAN_DISTRICT}720885 0003".replace(" ", ""),  # day 72 is past 31 + 40
    f"{PESAWARAN_DISTRICT}170885 0000".replace(" ", ""),  # serial 0000
    f"{PESAWARAN_DISTRICT}300285 0001".replace(" ", ""),  # 30 February
    "18090157089000031",  # 17 digits
    "180901570890003",  # 15 digits
    "(0721) 481234",  # landline
    "021-5551234",
    "05082025092349_Format Data Jumlah Tujuan RKPD.xlsx",  # upload timestamp
    "198005122006043003",  # NIP with sex digit 3
    "198005122096042003",  # NIP appointed in the future
    "diskominfo@acehprov.go.id",
    "dinkes.garut@gmail.com",
    "dispangan.sumbar@gmail.com",
    "ppid@universitas.ac.id",
    "Jumlah penduduk 2023: 1234567890123",
)


# -- detector ------------------------------------------------------------------------


@pytest.mark.parametrize("text, kind", [
    (NIK_CANARY, "nik"),
    (make_nik(PESAWARAN_DISTRICT, 29, 2, 2000, 17), "nik"),
    (make_nik(PESAWARAN_DISTRICT, 31, 12, 1999, 9999, female=True), "nik"),
    (f"NIK: {make_nik('317405', 5, 6, 1990, 12)}.", "nik"),
    (NIP_CANARY, "nip"),
    ("NIP. 19800512 200604 2 003", "nip"),
    ("hubungi 081277310045", "phone"),
    ("WA +6281277310045", "phone"),
    ("Telp. 0812-7731-0045", "phone"),
    ("+62 878 1234 5678", "phone"),
    (EMAIL_CANARY, "email"),
    ("Kontak: budi_santoso88@yahoo.co.id", "email"),
])
def test_detector_flags_valid_structure(text: str, kind: str) -> None:
    hits = list(DETECTOR.scan_text(text, "description"))

    assert [hit.kind for hit in hits] == [kind]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_detector_ignores_near_misses(text: str) -> None:
    assert list(DETECTOR.scan_text(text, "description")) == []


def test_detector_masks_detected_value() -> None:
    hit = next(DETECTOR.scan_text(f"NIK {NIK_CANARY}", "description"))

    assert NIK_CANARY not in hit.masked
    assert hit.masked.startswith(NIK_CANARY[:2])
    assert len(hit.masked) == len(NIK_CANARY)


# -- harvested site with canaries ------------------------------------------------------


@dataclass
class CanarySite:
    services: Services
    client: TestClient
    portal: CkanPortal
    report: JobReport


def canary_packages() -> list[dict]:
    open_records = [package(number) for number in range(1, 6)]
    hidden = [
        package(10, title=f"Data {RESTRICTED_CANARY} Pegawai",
                extras=[{"key": "accesslevel", "value": "terbatas"}]),
        package(11, title=f"Data {PRIVATE_CANARY} Internal", private=True),
        package(12, title=f"Data {UNCLASSIFIED_CANARY} Desa", extras=[]),
        package(13, title="Penerima Bantuan Sosial 2024", notes=f"Penanggung jawab: Siti, NIK {NIK_CANARY}."),
        package(14, title="Jadwal Posyandu", notes=f"Informasi hubungi {PHONE_CANARY} (bidan desa)."),
        package(15, title="Daftar Pelatihan", maintainer="Siti Rahma", maintainer_email=EMAIL_CANARY),
        package(16, title="Rekap Kehadiran Pegawai", notes=f"Disusun oleh NIP {NIP_CANARY}."),
    ]
    near_miss = package(20, title="Rekap Data Umum", notes=" ".join(NEAR_MISSES))
    return open_records + hidden + [near_miss]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CanarySite]:
    data_dir: Path = tmp_path_factory.mktemp("canary-site")
    settings = Settings(data_dir=data_dir, harvest_batch_size=5, contact_url="https://example.invalid/kontak",
                        **OPEN_RATE_LIMIT)
    store = Store(settings.resolved_database_url)
    store.migrate()
    services = Services(settings=settings, store=store, index=EmbeddedIndex(settings.index_dir),
                        harmonizer=Harmonizer(), sources=[])
    portal = CkanPortal(canary_packages())

    with serve_portals(PortalConfig({"/ckan": portal})) as base_url:
        source = ckan_source(f"{base_url}/ckan")
        with client_for(services, source) as http:
            report = run_harvest(services, source, http=http, indexer=make_indexer(services))
        client = TestClient(create_app(services), base_url="http://127.0.0.1:8000")
        yield CanarySite(services=services, client=client, portal=portal, report=report)
    services.close()


def status_of(services: Services, remote_number: int) -> str:
    remote_id = package(remote_number)["id"]
    for dataset in services.store.iter_datasets():
        if any(copy.remote_id == remote_id for copy in dataset.sources):
            return dataset.status.value
    raise AssertionError(f"record {remote_id} was not stored")


def test_hidden_records_absent_everywhere(site: CanarySite, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    queries = ("Penerima Bantuan", "Jadwal Posyandu", "Daftar Pelatihan", "Rekap Kehadiran Pegawai", "siti")
    leaks = scan_for_canaries(site.client, site.services, CANARIES, queries, personal=PERSONAL_CANARIES,
                              log_text=caplog.text)

    assert leaks == []


def test_scanner_reports_planted_canary(site: CanarySite) -> None:
    public_title = site.services.store.get_dataset(next(
        dataset.id for dataset in site.services.store.iter_datasets(public_only=True))).record.title
    planted = public_title.split()[-1]

    leaks = scan_for_canaries(site.client, site.services, [planted], ["Jumlah Penduduk"])

    assert any(leak.where == "/api/export.csv" for leak in leaks)
    assert any(leak.where.startswith("index document") for leak in leaks)


def test_personal_data_records_quarantined(site: CanarySite) -> None:
    for number in (13, 14, 15, 16):
        assert status_of(site.services, number) == DatasetStatus.QUARANTINED.value
    assert site.report.counts.quarantined == 4


def test_near_misses_stay_public(site: CanarySite) -> None:
    assert status_of(site.services, 20) == DatasetStatus.ACTIVE.value
    response = site.client.get("/api/search", params={"q": "Rekap Data Umum"})
    assert response.json()["total"] >= 1


def test_findings_name_kind_and_mask(site: CanarySite) -> None:
    remote_id = package(13)["id"]
    with site.services.store.engine.connect() as connection:
        findings = connection.execute(sa.text("SELECT findings FROM record WHERE remote_id = :id"),
                                      {"id": remote_id}).scalar_one()

    assert '"personal-data"' in findings
    assert "nik" in findings
    assert NIK_CANARY not in findings


def test_unclassified_record_is_held(site: CanarySite) -> None:
    dataset_id = next(dataset.id for dataset in site.services.store.iter_datasets()
                      if UNCLASSIFIED_CANARY in dataset.record.title)
    dataset = site.services.store.get_dataset(dataset_id)

    assert dataset.record.access.level is None
    assert not dataset.is_public
    assert site.client.get(f"/api/datasets/{dataset_id}").status_code == 404


def test_reclassified_record_hidden_after_commit(site: CanarySite) -> None:
    target = package(3)
    dataset_id = next(dataset.id for dataset in site.services.store.iter_datasets()
                      if any(copy.remote_id == target["id"] for copy in dataset.sources))
    assert site.client.get(f"/api/datasets/{dataset_id}").status_code == 200

    for stored in site.portal.packages:
        if stored["id"] == target["id"]:
            stored["extras"] = [{"key": "accesslevel", "value": "tertutup"}]
            stored["metadata_modified"] = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat()
    with serve_portals(PortalConfig({"/ckan": site.portal})) as url:
        source = ckan_source(f"{url}/ckan")
        with client_for(site.services, source) as http:
            rerun = run_harvest(site.services, source, http=http, indexer=make_indexer(site.services))

    assert rerun.counts.updated == 1
    assert site.client.get(f"/api/datasets/{dataset_id}").status_code == 404
    titles = [hit["title"] for hit in site.client.get("/api/search", params={"rows": 100}).json()["hits"]]
    assert target["title"] not in titles
    assert site.services.index.get(dataset_id) is None


# -- exports ---------------------------------------------------------------------------

FORMULA_TITLES = ("=HYPERLINK(\"http://x.invalid\",\"klik\")", "+1+2 Jumlah", "-3+4 Jumlah", "@SUM(A1:A3)",
                  "\tTab Jumlah", "\rCR Jumlah", "\0NUL Jumlah")
QUOTING_TITLE = 'Jumlah "Penduduk", per\nKecamatan'


@pytest.fixture
def export_client(services: Services) -> TestClient:
    now = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    records = []
    for number, title in enumerate((*FORMULA_TITLES, QUOTING_TITLE)):
        provenance = Provenance(source_id="kab-uji", remote_id=f"r{number}", harvested_at=now,
                                content_hash=f"h{number}")
        records.append(DatasetRecord(title=title, description=title, keywords=[title],
                                     access=AccessRights(level=AccessLevel.TERBUKA), provenance=provenance))
    services.store.upsert_records("kab-uji", records)
    services.index.rebuild(build_document(dataset) for dataset in services.store.iter_datasets())
    return TestClient(create_app(services), base_url="http://127.0.0.1:8000")


def test_safe_cell_prefixes_formula_starts() -> None:
    for title in FORMULA_TITLES:
        assert safe_cell(title) == "'" + title
    assert safe_cell("Jumlah = 3") == "Jumlah = 3"
    assert safe_cell(None) == ""


def test_csv_export_quotes_and_defuses(export_client: TestClient) -> None:
    response = export_client.get("/api/export.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "\r\n" in response.text

    rows = list(csv.reader(io.StringIO(response.text, newline="")))
    assert tuple(rows[0]) == COLUMNS
    titles = {row[1] for row in rows[1:]}
    for title in FORMULA_TITLES:
        assert "'" + title in titles
    assert QUOTING_TITLE in titles
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\0"))


def test_xlsx_export_reads_back_as_text(export_client: TestClient) -> None:
    response = export_client.get("/api/export.xlsx")
    assert response.status_code == 200

    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert cells
    for cell in cells:
        assert cell.data_type != "f"
        assert not str(cell.value or "").startswith(("=", "+", "-", "@", "\t", "\r", "\0"))
    titles = {row[1].value for row in sheet.iter_rows(min_row=2)}
    assert "'=HYPERLINK(\"http://x.invalid\",\"klik\")" in titles
    assert "'NUL Jumlah" in titles


def test_export_search_filters_and_limits(export_client: TestClient) -> None:
    response = export_client.get("/api/export.csv", params={"q": "Penduduk"})
    rows = list(csv.reader(io.StringIO(response.text, newline="")))

    assert [row[1] for row in rows[1:]] == [QUOTING_TITLE]
    assert export_client.get("/api/export.csv", params={"q": "x" * 201}).status_code == 422
    assert "<function" not in xlsx_text(export_client.get("/api/export.xlsx", params={"q": "Jumlah"}).content)
