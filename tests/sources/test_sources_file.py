"""Loading a sources file: URL, region, cron and family checks, the document shape and the problem lines."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from harvester.errors import ConfigError
from harvester.sources import check_sources, load_sources, parse_sources

ORIGIN = "config/uji.yaml"


def _document(*entries: str) -> str:
    return "sources:\n" + "".join(entries)


def _entry(source_id: str = "kab-uji", *, family: str = "ckan", url: str = "https://data.example.invalid",
           extra: str = "") -> str:
    return (f"  - id: {source_id}\n    name: Kabupaten Uji\n    family: {family}\n"
            f"    url: '{url}'\n{extra}")


def _problems(text: str) -> list[str]:
    return check_sources(text, ORIGIN).problems


@pytest.mark.parametrize("url", ["not-a-url", "ftp://data.example.invalid/", "https://", "file:///srv/data.xlsx",
                                 "http://data.example.invalid:99999/", "http://data example.invalid/"])
def test_url_invalid_rejected(url: str) -> None:
    problems = _problems(_document(_entry(url=url)))

    assert len(problems) == 1
    assert problems[0].startswith("source kab-uji: field url: ")
    assert f"(value: {url!r})" in problems[0]
    assert "http" in problems[0]


@pytest.mark.parametrize("url", ["https://data.example.invalid", "http://127.0.0.1:8900/muaraenim",
                                 "HTTPS://Data.Example.invalid/api?x=1"])
def test_url_http_accepted(url: str) -> None:
    assert _problems(_document(_entry(url=url))) == []


def test_spreadsheet_url_path_needs_path_option() -> None:
    without_option = _problems(_document(_entry(family="spreadsheet", url="data/daftar.xlsx")))
    with_option = _problems(_document(_entry(family="spreadsheet", url="data/daftar.xlsx",
                                             extra="    options:\n      path: data/daftar.xlsx\n")))
    file_url = _problems(_document(_entry(family="spreadsheet", url="file:///srv/daftar.xlsx",
                                          extra="    options:\n      path: /srv/daftar.xlsx\n")))
    other_scheme = _problems(_document(_entry(family="spreadsheet", url="ftp://srv/daftar.xlsx",
                                              extra="    options:\n      path: /srv/daftar.xlsx\n")))

    assert len(without_option) == 1
    assert "options.path" in without_option[0]
    assert with_option == []
    assert file_url == []
    assert len(other_scheme) == 1


@pytest.mark.parametrize("region", ["nonsense", "99.99", "99", "18.99.99", ""])
def test_region_unknown_rejected(region: str) -> None:
    problems = _problems(_document(_entry(extra=f"    region: '{region}'\n")))

    assert len(problems) == 1
    assert problems[0].startswith("source kab-uji: field region: ")
    assert "kode wilayah tidak dikenal / unknown region code" in problems[0]
    assert f"(value: {region!r})" in problems[0]


def test_region_ambiguous_code_names_reason() -> None:
    problems = _problems(_document(_entry(extra="    region: '1801'\n")))

    assert len(problems) == 1
    assert "reads differently in BPS and Kemendagri" in problems[0]


@pytest.mark.parametrize(("region", "expected"), [("18.09", "18.09"), ("11", "11"), ("1809", "18.09"),
                                                  ("180901", "18.09.01"), (" 91.11 ", "91.11")])
def test_region_known_code_accepted(region: str, expected: str) -> None:
    sources = parse_sources(_document(_entry(extra=f"    region: '{region}'\n")), ORIGIN)

    assert sources[0].region == expected


@pytest.mark.parametrize("cron", ["every day", "0 3 * *", "61 * * * *", "0 3 * * sometimes", "0 3 32 * *"])
def test_cron_invalid_rejected(cron: str) -> None:
    problems = _problems(_document(_entry(extra=f"    schedule:\n      cron: '{cron}'\n")))

    assert len(problems) == 1
    assert problems[0].startswith("source kab-uji: field schedule.cron: ")
    assert "ekspresi cron tidak valid / invalid cron expression" in problems[0]
    assert f"(value: {cron!r})" in problems[0]


@pytest.mark.parametrize("cron", ["0 3 * * *", "*/30 6-18 * * mon-fri", "15 2 1 */3 *"])
def test_cron_valid_accepted(cron: str) -> None:
    assert _problems(_document(_entry(extra=f"    schedule:\n      cron: '{cron}'\n"))) == []


def test_unknown_family_names_source_and_file() -> None:
    with pytest.raises(ConfigError) as raised:
        parse_sources(_document(_entry(family="ckan-lama")), ORIGIN)
    message = str(raised.value)

    assert message.startswith(f"{ORIGIN}: ")
    assert "source kab-uji: field family: " in message
    assert "unknown connector family" in message
    assert "(value: 'ckan-lama')" in message


@pytest.mark.parametrize("text", ["not: a list\n", "", "# only a comment\n", "- id: kab-uji\n"])
def test_document_without_sources_key_rejected(text: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_sources(text, ORIGIN)

    assert str(raised.value).startswith(f"{ORIGIN}: ")
    assert "missing 'sources' key" in str(raised.value)


@pytest.mark.parametrize("text", ["sources:\n", "sources: 3\n", "sources: {id: kab-uji}\n", "sources: kab-uji\n"])
def test_sources_not_a_list_rejected(text: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_sources(text, ORIGIN)

    assert str(raised.value).startswith(f"{ORIGIN}: ")
    assert "'sources' must be a list" in str(raised.value)


def test_empty_sources_list_accepted() -> None:
    assert parse_sources("sources: []\n", ORIGIN) == []


def test_model_errors_formatted_without_pydantic_text() -> None:
    text = _document(_entry("Kab Uji"), "  - id: kab-dua\n    family: ckan\n    url: https://a.example.invalid\n"
                                        "    priority: tinggi\n    warna: merah\n")

    with pytest.raises(ConfigError) as raised:
        parse_sources(text, ORIGIN)
    lines = str(raised.value).splitlines()

    assert lines[0] == f"{ORIGIN}: 4 masalah pada sumber / 4 source problems:"
    assert "  source Kab Uji: field id: source id 'Kab Uji' is invalid: use 2-63 lowercase letters, digits and " \
           "hyphens (value: 'Kab Uji')" in lines
    assert "  source kab-dua: field name: Field required" in lines
    assert "  source kab-dua: field priority: Input should be a valid integer, unable to parse string as an " \
           "integer (value: 'tinggi')" in lines
    assert "  source kab-dua: field warna: Extra inputs are not permitted (value: 'merah')" in lines
    assert "[type=" not in str(raised.value)
    assert "errors.pydantic.dev" not in str(raised.value)
    assert "Value error," not in str(raised.value)


def test_every_problem_of_every_source_listed() -> None:
    text = _document(
        _entry("kab-satu", url="not-a-url", extra="    region: nonsense\n    schedule:\n      cron: every day\n"),
        _entry("kab-dua", family="ckan-lama", extra="    warna: merah\n"),
        _entry("kab-tiga"),
    )

    result = check_sources(text, ORIGIN)

    assert [problem.split(": ")[0:2] for problem in result.problems] == [
        ["source kab-satu", "field url"],
        ["source kab-satu", "field region"],
        ["source kab-satu", "field schedule.cron"],
        ["source kab-dua", "field warna"],
        ["source kab-dua", "field family"],
    ]
    assert [source.id for source in result.sources] == ["kab-tiga"]


def test_entry_not_a_mapping_named_by_position() -> None:
    problems = _problems(_document(_entry(), "  - kab-dua\n"))

    assert problems == ["source #2: Input should be a valid dictionary or instance of SourceConfig "
                        "(value: 'kab-dua')"]


def test_duplicate_id_rejected() -> None:
    problems = _problems(_document(_entry(), _entry()))

    assert problems == ["source kab-uji: field id: id sumber dipakai dua kali / source id is used twice "
                        "(value: 'kab-uji')"]


def test_secret_values_masked() -> None:
    text = _document(_entry(extra="    api_key: rahasia-sekali\n"),
                     _entry("kab-dua", url="ftp://pengguna:sandi@data.example.invalid/?token=abc"))

    problems = _problems(text)

    assert "source kab-uji: field api_key: Extra inputs are not permitted (value: ***)" in problems
    assert all("rahasia-sekali" not in problem for problem in problems)
    assert all("sandi" not in problem for problem in problems)
    assert all("token=abc" not in problem for problem in problems)


def test_unset_environment_variable_names_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HIMPUN_UJI_TIDAK_ADA", raising=False)

    with pytest.raises(ConfigError) as raised:
        parse_sources(_document(_entry(url="${HIMPUN_UJI_TIDAK_ADA}")), ORIGIN)

    assert str(raised.value).startswith(f"{ORIGIN}: ")
    assert "HIMPUN_UJI_TIDAK_ADA" in str(raised.value)


def test_missing_file_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_sources(tmp_path / "tidak-ada.yaml")

    assert "sources file not found" in str(raised.value)
    assert str(tmp_path / "tidak-ada.yaml") in str(raised.value)


def test_demo_sources_valid() -> None:
    from cli.demo import DEMO_SOURCES

    entries = yaml.safe_load(DEMO_SOURCES.read_text(encoding="utf-8"))["sources"]
    sources = load_sources(DEMO_SOURCES)

    assert [source.id for source in sources] == [entry["id"] for entry in entries]
