"""The metadata quality score, its DQV measurements and the link check against loopback servers."""

from __future__ import annotations

import datetime as dt

from harvester.http import HttpClient, HttpPolicy
from harvester.model import (
    AccessLevel, AccessRights, Agent, Concept, ContactPoint, DatasetRecord, Distribution, FileFormat, Licence,
    Provenance, PublishedDataset, RegionCode, RegionSystem, Temporal,
)
from harvester.quality import (
    METRIC_BASE, CheckStatus, LinkCheckStore, check_dataset_links, quality_measurements, score,
)
from harvester.quality.checks import CHECKS
from harvester.quality.history import QualityHistory, compute_snapshot
from harvester.settings import Settings
from tests.web.catalog import Catalog, serve

NOW = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
CSV = FileFormat(label="CSV", media_type="text/csv",
                 file_type_uri="http://publications.europa.eu/resource/authority/file-type/CSV")


def dataset(**fields: object) -> PublishedDataset:
    provenance = Provenance(source_id="s", remote_id="r", harvested_at=NOW, content_hash="0" * 64)
    record = DatasetRecord(title="Jumlah Penduduk Menurut Kecamatan di Kabupaten Pesawaran Tahun 2024",
                           provenance=provenance, **fields)  # type: ignore[arg-type]
    return PublishedDataset(id="d1", record=record, created_at=NOW, updated_at=NOW)


def complete_dataset(url: str = "https://data.example.id/a.csv") -> PublishedDataset:
    return dataset(
        keywords=["penduduk"], themes=[Concept(uri="https://himpun.id/tema/kependudukan", label="Kependudukan")],
        publisher=Agent(name="Diskominfo Pesawaran", identifier="18.09-diskominfo"),
        creator=Agent(name="Disdukcapil Pesawaran", identifier="18.09-disdukcapil"),
        contact_point=ContactPoint(email="data@pesawarankab.go.id"),
        spatial=[RegionCode(system=RegionSystem.KEMENDAGRI, edition="2025", code="18.09")],
        temporal=Temporal(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31)),
        issued=NOW, modified=NOW,
        frequency=Concept(uri="http://publications.europa.eu/resource/authority/frequency/ANNUAL"),
        licence=Licence(spdx_id="CC-BY-4.0", uri="https://spdx.org/licenses/CC-BY-4.0"),
        access=AccessRights(level=AccessLevel.TERBUKA, original="terbuka"),
        distributions=[Distribution(access_url=url, download_url=url, format=CSV, byte_size=1200)],
        extras={"rights": "Hak cipta Pemerintah Kabupaten Pesawaran"},
    )


def test_empty_record_scores_zero() -> None:
    report = score(dataset())
    assert report.points == 0
    assert report.rating == "bad"
    assert all(check.fix for check in report.checks)


def test_complete_record_misses_only_unchecked_links() -> None:
    report = score(complete_dataset())
    unknown = {check.id for check in report.checks if check.status is CheckStatus.UNKNOWN}
    assert unknown == {"access-url-reachable", "download-url-reachable"}
    assert all(check.status is CheckStatus.PASSED for check in report.checks if check.id not in unknown)


def test_placeholder_epoch_date_fails() -> None:
    report = score(dataset(issued=dt.datetime(1970, 1, 1, tzinfo=dt.UTC)))
    issued = next(check for check in report.checks if check.id == "issued")
    assert issued.status is CheckStatus.FAILED


def test_partial_distribution_share() -> None:
    half = dataset(distributions=[Distribution(access_url="https://a.id/x", format=CSV), Distribution()])
    media = next(check for check in score(half).checks if check.id == "media-type")
    assert media.status is CheckStatus.PARTIAL
    assert media.points == media.max_points / 2


def test_checks_have_unique_ids_and_fixes() -> None:
    ids = [check.id for check in CHECKS]
    assert len(ids) == len(set(ids))
    assert all(check.fix and check.label for check in CHECKS)


def test_measurements_use_metric_uris() -> None:
    report = score(complete_dataset())
    measurements = dict(quality_measurements(report))
    assert measurements[f"{METRIC_BASE}score"] == report.percent
    assert measurements[f"{METRIC_BASE}keywords"] == 30
    assert f"{METRIC_BASE}findability" in measurements
    assert all(uri.startswith(METRIC_BASE) for uri in measurements)


def test_link_check_through_http_client(tmp_path) -> None:
    routes = {"/ada.csv": ("text/csv", b"a,b\n1,2\n")}
    with serve(routes) as base_url:
        port = base_url.rsplit(":", 1)[1]
        policy = HttpPolicy(allowlist=(f"127.0.0.1:{port}",), min_delay_per_host=0.0, max_retries=0)
        target = complete_dataset(f"{base_url}/ada.csv")
        broken = complete_dataset(f"{base_url}/hilang.csv").model_copy(update={"id": "d2"})
        with HttpClient(Settings(data_dir=tmp_path), policy=policy) as client:
            results = check_dataset_links(client, [target, broken])

    by_url = {result.url: result for result in results}
    assert by_url[f"{base_url}/ada.csv"].ok
    assert not by_url[f"{base_url}/hilang.csv"].ok
    assert by_url[f"{base_url}/hilang.csv"].status == 404

    store = LinkCheckStore(tmp_path / "linkcheck.json")
    store.save(results)
    reachable = next(check for check in score(target, store.load()).checks if check.id == "access-url-reachable")
    assert reachable.status is CheckStatus.PASSED


def test_link_check_blocks_unlisted_loopback(tmp_path) -> None:
    with serve({"/x": ("text/plain", b"x")}) as base_url:
        with HttpClient(Settings(data_dir=tmp_path), policy=HttpPolicy(min_delay_per_host=0.0)) as client:
            results = check_dataset_links(client, [complete_dataset(f"{base_url}/x")])
    assert not results[0].ok
    assert results[0].error == "blocked-address"


def test_history_keeps_one_snapshot_per_day(tmp_path, catalog: Catalog) -> None:
    history = QualityHistory(tmp_path / "history.json")
    datasets = list(catalog.services.store.iter_datasets(public_only=True))
    history.record(compute_snapshot(datasets, dt.date(2025, 1, 1)))
    history.record(compute_snapshot(datasets, dt.date(2025, 1, 2)))
    history.record(compute_snapshot(datasets[:3], dt.date(2025, 1, 2)))
    snapshots = history.load()
    assert [snapshot.day for snapshot in snapshots] == [dt.date(2025, 1, 1), dt.date(2025, 1, 2)]
    assert snapshots[-1].datasets == 3


def test_snapshot_skips_withdrawn_datasets() -> None:
    from harvester.model import DatasetStatus

    public = complete_dataset()
    withdrawn = complete_dataset().model_copy(update={"id": "d2", "status": DatasetStatus.WITHDRAWN})
    snapshot = compute_snapshot([public, withdrawn], dt.date(2025, 1, 1))
    assert snapshot.datasets == 1
    assert snapshot.public_only
    assert [group.datasets for group in snapshot.by_publisher] == [1]
