"""Every message of the pages has a translation in the Indonesian and the English catalog."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.conftest import REPOSITORY_ROOT

LOCALE_DIR = REPOSITORY_ROOT / "web" / "locale"


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    template = tmp_path_factory.mktemp("babel") / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "web/babel.cfg", "-k", "N_",
         "-o", str(template), "."],
        cwd=REPOSITORY_ROOT, check=True, capture_output=True,
    )
    with template.open("rb") as file:
        catalog = read_po(file)
    return {message.id if isinstance(message.id, str) else message.id[0] for message in catalog if message.id}


@pytest.mark.parametrize("locale", ["id", "en"])
def test_catalog_translates_every_message(extracted: set[str], locale: str) -> None:
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as file:
        catalog = read_po(file, locale=locale)
    translated = {
        (message.id if isinstance(message.id, str) else message.id[0])
        for message in catalog
        if message.id and all(message.string if isinstance(message.string, tuple) else [message.string])
    }
    missing = sorted(extracted - translated)
    assert not missing, f"{locale}: untranslated messages: {missing}"


def _key(value: object) -> object:
    return tuple(value) if isinstance(value, (list, tuple)) else value


@pytest.mark.parametrize("locale", ["id", "en"])
def test_compiled_catalog_is_current(locale: str) -> None:
    folder = LOCALE_DIR / locale / "LC_MESSAGES"
    with (folder / "messages.po").open("rb") as file:
        source = {_key(message.id): _key(message.string) for message in read_po(file, locale=locale) if message.id}
    with (folder / "messages.mo").open("rb") as file:
        compiled = {_key(message.id): _key(message.string) for message in read_mo(file) if message.id}
    assert source == compiled, f"run web/update-translations.sh to recompile {folder / 'messages.mo'}"


def test_extraction_finds_quality_fixes(extracted: set[str]) -> None:
    assert "State the licence, for example CC BY 4.0." in extracted
    assert "Search datasets" in extracted
