"""Duplicate clusters, operator decisions and the harmonization report through the admin API."""

from __future__ import annotations

from harvester.job import run_harvest
from harvester.pipeline import dedupe_and_index
from harvester.sources import SourceConfig
from server.admin.source_store import save_source
from tests.admin.conftest import WALIDATA_A, AdminEnv
from tests.job.fake_connector import FAMILY


def _harvest_both(env: AdminEnv) -> None:
    """Harvest sumber-a and a second source of the same Walidata that lists the same five datasets."""
    if not any(source.id == "sumber-c" for source in env.services.sources):
        save_source(env.services, SourceConfig(id="sumber-c", name="sumber-c", family=FAMILY,
                                               url="https://uji.invalid/", walidata=WALIDATA_A,
                                               options={"count": 5}))
    for source in list(env.services.sources):
        if source.id in ("sumber-a", "sumber-c"):
            run_harvest(env.services, source)
    dedupe_and_index(env.services)


def test_duplicates_listed_with_reasons(env: AdminEnv) -> None:
    _harvest_both(env)

    response = env.client().get("/admin/api/duplicates", headers=env.headers("admin"))

    assert response.status_code == 200
    clusters = response.json()
    assert len(clusters) == 5
    first = clusters[0]
    assert sorted(copy.split("/")[0] for copy in first["sources"]) == ["sumber-a", "sumber-c"]
    assert first["pairs"][0]["reasons"][0] == "same title words"


def test_split_decision_survives_reharvest(env: AdminEnv) -> None:
    _harvest_both(env)
    decision = {"left": "sumber-a/rec-000000", "right": "sumber-c/rec-000000", "decision": "split"}

    response = env.client().post("/admin/api/duplicates/decisions", json=decision, headers=env.headers("admin"))
    _harvest_both(env)
    clusters = env.client().get("/admin/api/duplicates", headers=env.headers("admin")).json()

    assert response.status_code == 201
    assert response.json()["changed"] >= 1
    assert len(clusters) == 4
    assert env.services.store.count_datasets(public_only=True) == 6


def test_operator_cannot_decide_other_walidata(env: AdminEnv) -> None:
    decision = {"left": "sumber-b/rec-000000", "right": "sumber-b/rec-000001", "decision": "confirm"}

    response = env.client().post("/admin/api/duplicates/decisions", json=decision, headers=env.headers("operator"))

    assert response.status_code == 404


def test_invalid_record_reference_rejected(env: AdminEnv) -> None:
    decision = {"left": "tanpa-garis-miring", "right": "sumber-a/rec-000001", "decision": "split"}

    response = env.client().post("/admin/api/duplicates/decisions", json=decision, headers=env.headers("admin"))

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid-record-reference"


def test_harmonization_report_for_source(env: AdminEnv) -> None:
    _harvest_both(env)

    response = env.client().get("/admin/api/harmonization", params={"source_id": "sumber-a"},
                                headers=env.headers("operator"))
    everything = env.client().get("/admin/api/harmonization", headers=env.headers("operator"))

    assert response.status_code == 200
    assert response.json()["records"] == 5
    assert everything.status_code == 403
