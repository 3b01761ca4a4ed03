"""Sources created through the admin API survive a restart with a sources file that lacks them."""

from __future__ import annotations

from pathlib import Path

from harvester.services import open_services
from harvester.settings import load_settings
from harvester.sources import SourceConfig
from server.admin.source_store import get_source, save_source

FILE_SOURCE = """
sources:
  - id: dari-berkas
    name: Sumber dari berkas
    family: ckan
    url: https://berkas.example.invalid
"""


def _open(tmp_path: Path, database_url: str):  # noqa: ANN202 - Services
    sources_file = tmp_path / "sources.yaml"
    sources_file.write_text(FILE_SOURCE, encoding="utf-8")
    return open_services(load_settings(data_dir=tmp_path, database_url=database_url, sources_file=sources_file))


def test_api_source_kept_after_restart(tmp_path: Path, database_url: str) -> None:
    services = _open(tmp_path, database_url)
    created = SourceConfig(id="dari-api", name="Sumber dari API", family="ckan", url="https://api.example.invalid")
    save_source(services, created)
    services.close()

    restarted = _open(tmp_path, database_url)
    ids = [source.id for source in restarted.sources]
    stored = get_source(restarted, "dari-api")
    restarted.close()

    assert ids == ["dari-berkas", "dari-api"]
    assert stored is not None
    assert stored.enabled is True


def test_file_source_removed_is_disabled(tmp_path: Path, database_url: str) -> None:
    services = _open(tmp_path, database_url)
    services.close()
    (tmp_path / "sources.yaml").write_text("sources: []\n", encoding="utf-8")

    restarted = open_services(load_settings(data_dir=tmp_path, database_url=database_url,
                                            sources_file=tmp_path / "sources.yaml"))
    stored = get_source(restarted, "dari-berkas")
    restarted.close()

    assert stored is not None
    assert stored.enabled is False
