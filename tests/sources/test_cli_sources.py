"""CLI commands given an invalid sources file: a clean bilingual message and exit code 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from cli.main import app
from cli.services import EXIT_INVALID_CONFIG
from harvester.errors import StoreError

INVALID_SOURCES = """\
sources:
  - id: kab-uji
    name: Kabupaten Uji
    family: ckan
    url: not-a-url
    region: "99.99"
    schedule:
      cron: every day
  - id: kab-dua
    name: Kabupaten Dua
    family: ckan
    url: https://data.example.invalid
    options:
      api_pathx: /x
      http:
        max_in_flight: 99
"""

VALID_SOURCES = """\
sources:
  - id: kab-uji
    name: Kabupaten Uji
    family: ckan
    url: https://data.example.invalid
    region: "1809"
    schedule:
      cron: "0 3 * * *"
"""


@pytest.fixture
def sources_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HIMPUN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HIMPUN_DATABASE_URL", f"sqlite:///{tmp_path / 'himpun.sqlite3'}")
    path = tmp_path / "sources.yaml"
    monkeypatch.setenv("HIMPUN_SOURCES_FILE", str(path))
    return path


def _invoke(*arguments: str) -> Result:
    return CliRunner().invoke(app, list(arguments))


def _line_starting(lines: list[str], prefix: str) -> str:
    matches = [line for line in lines if line.startswith(prefix)]
    assert len(matches) == 1, f"expected one line starting with {prefix!r} in {lines}"
    return matches[0]


def _assert_clean_exit(result: Result) -> None:
    assert result.exit_code == EXIT_INVALID_CONFIG, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output


def test_validate_lists_every_problem(sources_file: Path) -> None:
    sources_file.write_text(INVALID_SOURCES, encoding="utf-8")

    result = _invoke("sources", "validate")
    lines = result.output.splitlines()

    _assert_clean_exit(result)
    assert lines[0] == (f"Konfigurasi tidak valid / invalid configuration: {sources_file}: "
                        "5 masalah pada sumber / 5 source problems:")
    assert "(value: 'not-a-url')" in _line_starting(lines, "  source kab-uji: field url: ")
    assert "(value: '99.99')" in _line_starting(lines, "  source kab-uji: field region: ")
    assert "(value: 'every day')" in _line_starting(lines, "  source kab-uji: field schedule.cron: ")
    assert "  source kab-dua: field options.api_pathx: Extra inputs are not permitted (value: '/x')" in lines
    assert ("  source kab-dua: field options.http.max_in_flight: Input should be less than or equal to 8 "
            "(value: 99)") in lines
    assert "[type=" not in result.output
    assert "errors.pydantic.dev" not in result.output


def test_validate_valid_file(sources_file: Path) -> None:
    sources_file.write_text(VALID_SOURCES, encoding="utf-8")

    result = _invoke("sources", "validate")

    assert result.exit_code == 0, result.output
    assert f"1 sumber valid / 1 sources are valid ({sources_file})" in result.output


@pytest.mark.parametrize(("text", "expected"), [
    ("not: a list\n", "missing 'sources' key"),
    ("sources: {id: kab-uji}\n", "'sources' must be a list"),
])
def test_validate_rejects_file_without_list(sources_file: Path, text: str, expected: str) -> None:
    sources_file.write_text(text, encoding="utf-8")

    result = _invoke("sources", "validate")

    _assert_clean_exit(result)
    assert f"Konfigurasi tidak valid / invalid configuration: {sources_file}: " in result.output
    assert expected in result.output
    assert "sources are valid" not in result.output


def test_validate_unknown_family_names_source_and_file(sources_file: Path) -> None:
    sources_file.write_text(VALID_SOURCES.replace("family: ckan", "family: ckan-lama"), encoding="utf-8")

    result = _invoke("sources", "validate")

    _assert_clean_exit(result)
    assert f"{sources_file}: 1 masalah pada sumber / 1 source problem:" in result.output
    assert "source kab-uji: field family: keluarga konektor tidak dikenal / unknown connector family" in result.output


@pytest.mark.parametrize("command", [
    ("sources", "list"),
    ("jobs", "list"),
    ("duplicates", "report"),
    ("duplicates", "overlaps"),
    ("harmonize", "report"),
    ("harvest", "--dry-run"),
    ("quality", "check-links"),
    ("serve",),
])
def test_commands_report_invalid_file(sources_file: Path, command: tuple[str, ...]) -> None:
    sources_file.write_text(INVALID_SOURCES, encoding="utf-8")

    result = _invoke(*command)

    _assert_clean_exit(result)
    assert f"Konfigurasi tidak valid / invalid configuration: {sources_file}: " in result.output
    assert "source kab-uji: field url: " in result.output


def test_sources_list_valid_file(sources_file: Path) -> None:
    sources_file.write_text(VALID_SOURCES, encoding="utf-8")

    result = _invoke("sources", "list")

    assert result.exit_code == 0, result.output
    assert "kab-uji" in result.output
    assert "https://data.example.invalid" in result.output


def test_config_error_reported_as_config(sources_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sources_file.write_text(VALID_SOURCES, encoding="utf-8")
    monkeypatch.setenv("HIMPUN_SECRET_KEY", "bukan-kunci-fernet")

    result = _invoke("jobs", "list")

    _assert_clean_exit(result)
    assert "Konfigurasi tidak valid / invalid configuration: HIMPUN_SECRET_KEY is invalid" in result.output
    assert "failed to open services" not in result.output


def test_store_error_reported_as_open_failure(sources_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sources_file.write_text(VALID_SOURCES, encoding="utf-8")

    def fail(_settings: object) -> None:
        raise StoreError("database is locked")

    monkeypatch.setattr("cli.services.open_services", fail)

    result = _invoke("jobs", "list")

    assert result.exit_code == 2, result.output
    assert "Gagal membuka layanan / failed to open services: database is locked" in result.output
    assert "invalid configuration" not in result.output


def test_run_rejects_stored_bad_cron(sources_file: Path) -> None:
    from harvester.services import open_services
    from harvester.settings import load_settings
    from harvester.sources import Schedule, SourceConfig
    from server.admin.source_store import save_source

    sources_file.write_text("sources: []\n", encoding="utf-8")
    services = open_services(load_settings())
    save_source(services, SourceConfig(id="kab-api", name="Kabupaten API", family="ckan",
                                       url="https://api.example.invalid", schedule=Schedule(cron="every day")))
    services.close()

    result = _invoke("run", "--no-serve")

    _assert_clean_exit(result)
    assert "Konfigurasi tidak valid / invalid configuration: source kab-api: field schedule: " in result.output
    assert "cron expression 'every day' is invalid" in result.output
