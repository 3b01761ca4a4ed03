"""The report and `apply` against a real SQLite store holding Aceh records."""

from __future__ import annotations

import shutil
from pathlib import Path

from harvester.harmonize import Harmonizer
from harvester.harmonize.reapply import reapply
from harvester.harmonize.report import harmonize_report
from harvester.settings import DEFAULT_CONFIG_DIR
from harvester.store import Store
from tests.harmonize.samples import SOURCES, aceh_records


def _stored(sqlite_database: str) -> Store:
    store = Store(sqlite_database)
    store.migrate()
    source = SOURCES["aceh"]
    store.sync_sources([source])
    harmonizer = Harmonizer()
    records = list(aceh_records().values())
    findings = {r.provenance.remote_id: harmonizer.harmonize(r, source) for r in records}
    store.upsert_records(source.id, records, findings)
    return store


def test_report_reads_store(sqlite_database: str) -> None:
    store = _stored(sqlite_database)
    report = harmonize_report(store, "satudata-aceh")
    store.close()

    assert report.records == 113
    assert report.coverage["region"].covered == 113
    assert report.coverage["walidata"].covered == 113
    inferred = [v for v in report.values if v.field == "theme" and v.kind == "inferred"]
    assert sum(v.count for v in inferred) >= 50
    assert all(v.examples for v in report.values)


def test_apply_without_changes(sqlite_database: str) -> None:
    store = _stored(sqlite_database)
    outcome = reapply(store, Harmonizer(), SOURCES["aceh"])
    store.close()

    assert outcome.read == 113
    assert outcome.changed == 0
    assert outcome.failed == 0


def _config_without_bma_alias(tmp_path: Path) -> Path:
    """Copy the reference tables and drop the BMA alias, so one stored Aceh record maps differently."""
    config = tmp_path / "config"
    shutil.copytree(DEFAULT_CONFIG_DIR / "reference", config / "reference")
    shutil.copytree(DEFAULT_CONFIG_DIR / "vocabularies", config / "vocabularies")
    register = config / "reference" / "organizations.yaml"
    register.write_text(register.read_text("utf-8").replace("aliases: [BMA, Baitul Mal]", "aliases: [Baitul Mal]"),
                        "utf-8")
    return config


def test_apply_after_table_edit(sqlite_database: str, tmp_path: Path) -> None:
    store = _stored(sqlite_database)
    config = _config_without_bma_alias(tmp_path)

    outcome = reapply(store, Harmonizer(config), SOURCES["aceh"], dry_run=True)
    store.close()

    assert outcome.read == 113
    assert outcome.changed == 1


def test_apply_writes_changed_records(sqlite_database: str, tmp_path: Path) -> None:
    store = _stored(sqlite_database)
    config = _config_without_bma_alias(tmp_path)
    before = {dataset.id: dataset.record.model_dump_json() for dataset in store.iter_datasets()}

    outcome = reapply(store, Harmonizer(config), SOURCES["aceh"])
    after = {dataset.id: dataset.record.model_dump_json() for dataset in store.iter_datasets()}
    again = reapply(store, Harmonizer(config), SOURCES["aceh"])
    store.close()

    assert outcome.changed == 1
    assert len(outcome.dataset_ids) == 1
    assert [dataset_id for dataset_id in before if before[dataset_id] != after[dataset_id]] == outcome.dataset_ids
    assert again.changed == 0
