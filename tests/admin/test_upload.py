"""Uploading an OPD data inventory through the admin API harvests it into a spreadsheet source."""

from __future__ import annotations

from pathlib import Path

from harvester.sources import SourceConfig
from server.admin.source_store import save_source
from tests.admin.conftest import WALIDATA_A, AdminEnv

WORKBOOK = Path(__file__).resolve().parents[1] / "fixtures" / "spreadsheet" / "keerom_daftar_data.xlsx"


def _spreadsheet_source(env: AdminEnv) -> None:
    save_source(env.services, SourceConfig(id="daftar-data", name="Daftar Data OPD", family="spreadsheet",
                                           url="https://uji.invalid/daftar-data.xlsx", walidata=WALIDATA_A,
                                           access_default="terbuka"))


def test_upload_harvests_workbook(env: AdminEnv) -> None:
    _spreadsheet_source(env)
    with WORKBOOK.open("rb") as handle:
        response = env.client().post("/admin/api/sources/daftar-data/upload", headers=env.headers("operator"),
                                     files={"file": ("keerom.xlsx", handle, "application/octet-stream")})

    assert response.status_code == 200, response.text
    job = response.json()
    assert job["state"] == "succeeded"
    assert job["counts"]["added"] > 0
    assert env.services.store.count_datasets(public_only=True) == job["counts"]["added"]


def test_upload_to_other_family_rejected(env: AdminEnv) -> None:
    response = env.client().post("/admin/api/sources/sumber-a/upload", headers=env.headers("operator"),
                                 files={"file": ("x.csv", b"judul\nA\n", "text/csv")})

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "not-spreadsheet"


def test_upload_needs_writer(env: AdminEnv) -> None:
    _spreadsheet_source(env)
    response = env.client().post("/admin/api/sources/daftar-data/upload", headers=env.headers("viewer"),
                                 files={"file": ("x.csv", b"judul\nA\n", "text/csv")})

    assert response.status_code == 403
