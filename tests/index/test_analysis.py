"""The Indonesian analysis chain, its word lists and the highlighter."""

from __future__ import annotations

from pathlib import Path

import pytest

from harvester.errors import ConfigError
from harvester.settings import DEFAULT_CONFIG_DIR
from index.analysis import Analyzer, default_analyzer
from index.analysis_config import load_vocabulary, read_word_list
from index.analysis_highlight import highlight_fragment, highlight_text


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return default_analyzer()


@pytest.mark.parametrize(("word", "term"), [
    ("Pesawaran", "pesawaran"),
    ("Kecamatan", "kecamatan"),
    ("Kelurahan", "kelurahan"),
    ("Peternakan", "peternakan"),
    ("Mentawai", "mentawai"),
    ("Bekasi", "bekasi"),
    ("Kepulauan", "kepulauan"),
])
def test_protected_words_unchanged(analyzer: Analyzer, word: str, term: str) -> None:
    assert analyzer.analyze(word) == [term]


@pytest.mark.parametrize(("word", "term"), [
    ("Kesehatan", "sehat"),
    ("Pendidikan", "didik"),
    ("Penduduk", "duduk"),
    ("Kependudukan", "duduk"),
    ("Perikanan", "ikan"),
])
def test_other_words_stemmed(analyzer: Analyzer, word: str, term: str) -> None:
    assert analyzer.analyze(word) == [term]


def test_title_words_not_stopwords(analyzer: Analyzer) -> None:
    terms = analyzer.analyze("Jumlah Penduduk Menurut Bulan per Kecamatan")

    assert terms == ["jumlah", "duduk", "turut", "bulan", "per", "kecamatan"]


def test_function_words_dropped(analyzer: Analyzer) -> None:
    assert analyzer.analyze("Data yang di dan dari Kabupaten") == ["data", "kabupaten"]


def test_html_entities_and_tags(analyzer: Analyzer) -> None:
    assert analyzer.analyze("<p>Air &amp; Laut</p>&nbsp;") == ["air", "laut"]


def test_folding_case_and_accents(analyzer: Analyzer) -> None:
    assert analyzer.analyze("CAFÉ Ｄａｔａ") == ["cafe", "data"]


def test_split_on_punctuation_keeps_numbers(analyzer: Analyzer) -> None:
    assert analyzer.analyze("kabupaten/kota 2021-2022 (AKI)") == ["kabupaten", "kota", "2021", "2022", "aki"]


def test_abbreviations_never_stemmed(analyzer: Analyzer) -> None:
    assert analyzer.analyze("DINKES Disdukcapil BPKAD") == ["dinkes", "disdukcapil", "bpkad"]


def test_query_expands_abbreviation(analyzer: Analyzer) -> None:
    units = analyzer.query_units("dinkes pesawaran")

    assert units == [(("dinkes",), ("dinas", "sehat")), (("pesawaran",),)]


def test_query_expands_written_out_form(analyzer: Analyzer) -> None:
    units = analyzer.query_units("Dinas Kesehatan 2023")

    assert units[0] == (("dinas", "sehat"), ("dinkes",))
    assert units[1] == (("2023",),)


def test_query_two_expansions_not_equal(analyzer: Analyzer) -> None:
    units = analyzer.query_units("pekerjaan umum dan perumahan rakyat")

    assert ("pupr",) in units[0]
    assert ("kerja", "umum", "tata", "ruang") not in units[0]


def test_query_quoted_phrase(analyzer: Analyzer) -> None:
    units = analyzer.query_units('"air laut" aceh')

    assert units == [(("air", "laut"),), (("aceh",),)]


def test_query_unbalanced_quote(analyzer: Analyzer) -> None:
    assert analyzer.query_units('"air laut') == [(("air",),), (("laut",),)]


def test_query_only_stopwords_is_empty(analyzer: Analyzer) -> None:
    assert analyzer.query_units("yang dan di") == []


def test_region_list_covers_regency_names(analyzer: Analyzer) -> None:
    labels_file = DEFAULT_CONFIG_DIR / "search" / "kemendagri_regions_2025.tsv"
    protected = read_word_list(DEFAULT_CONFIG_DIR / "search" / "protected_regions.txt")
    names = [line.split("\t")[1] for line in labels_file.read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]

    assert len(names) == 38 + 514
    missing = {word for name in names for word in analyzer.words(name) if len(word) >= 3 and word not in protected}
    assert missing == set()


def test_custom_vocabulary(tmp_path: Path) -> None:
    folder = tmp_path / "search"
    folder.mkdir()
    (folder / "protected_regions.txt").write_text("# regions\npesawaran\n", encoding="utf-8")
    (folder / "protected_terms.txt").write_text("kesehatan\n", encoding="utf-8")
    (folder / "stopwords.txt").write_text("jumlah\n", encoding="utf-8")
    (folder / "synonyms.yaml").write_text("abbreviations:\n  rs: rumah sakit\ngroups:\n  - [ruang, kamar]\n",
                                          encoding="utf-8")

    custom = Analyzer.from_config(tmp_path)

    assert custom.analyze("Jumlah Kesehatan") == ["kesehatan"]
    assert custom.query_units("rs") == [(("rs",), ("rumah", "sakit"))]
    assert custom.query_units("kamar") == [(("kamar",), ("ruang",))]


def test_invalid_synonyms_rejected(tmp_path: Path) -> None:
    folder = tmp_path / "search"
    folder.mkdir()
    for name in ("protected_regions.txt", "protected_terms.txt", "stopwords.txt"):
        (folder / name).write_text("", encoding="utf-8")
    (folder / "synonyms.yaml").write_text("groups: [unclosed\n", encoding="utf-8")

    with pytest.raises(ConfigError, match="invalid YAML"):
        load_vocabulary(tmp_path)

    (folder / "synonyms.yaml").write_text("abbreviations:\n  rs: {a: b}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="abbreviation 'rs'"):
        load_vocabulary(tmp_path)


def test_missing_word_list_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_vocabulary(tmp_path)


# Highlighting


def test_highlight_text_marks_analyzed_matches(analyzer: Analyzer) -> None:
    marked = highlight_text(analyzer, "Data KESEHATAN & Sehat <b>Aceh</b> 5 < 7", {"sehat"})

    assert marked == "Data <mark>KESEHATAN</mark> &amp; <mark>Sehat</mark> Aceh 5 &lt; 7"


def test_highlight_text_none_without_match(analyzer: Analyzer) -> None:
    assert highlight_text(analyzer, "Data Penyawaran", {"pesawaran"}) is None


def test_highlight_fragment_cuts_with_ellipsis(analyzer: Analyzer) -> None:
    text = " ".join(["awal"] * 200 + ["puskesmas"] + ["akhir"] * 200)

    fragment = highlight_fragment(analyzer, text, {"puskesmas"}, max_chars=80)

    assert fragment.startswith("…")
    assert fragment.endswith("…")
    assert "<mark>puskesmas</mark>" in fragment
    assert len(fragment) < 120


def test_highlight_fragment_unescapes_entities_once(analyzer: Analyzer) -> None:
    fragment = highlight_fragment(analyzer, "Air &amp; <i>laut</i> &lt;b&gt;", {"laut"})

    assert fragment == "Air &amp; <mark>laut</mark> &lt;b&gt;"
