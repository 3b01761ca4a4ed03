"""The `SearchIndex` contract, run on every backend in `tests.index.conftest.BACKENDS`.

Queries here use words exactly as they appear in the documents, so no
expectation depends on a backend's stemmer or synonyms. Analyzer behaviour of
the embedded backend is tested in test_embedded.py.
"""

from __future__ import annotations

import pytest

from harvester.errors import InvalidQueryError
from index.base import FACETS, Labelled, SearchIndex, SearchQuery
from tests.index.corpus import facet_documents, hidden_documents, make_document, real_documents


def load(index: SearchIndex, documents: list) -> None:
    report = index.index(documents)
    assert report.errors == {}
    assert report.indexed == len(documents)
    index.commit()


def ids(result) -> list[str]:
    return [hit.id for hit in result.hits]


def counts(result, facet: str) -> dict[str, int]:
    return {entry.key: entry.count for entry in result.facets[facet]}


# Writing and reading back


def test_index_commit_count_and_get(search_index: SearchIndex) -> None:
    documents = facet_documents()
    load(search_index, documents)

    assert search_index.count() == len(documents)
    stored = search_index.get("doc-1")
    assert stored == documents[0]
    assert search_index.get("missing") is None


def test_index_replaces_by_id(search_index: SearchIndex) -> None:
    load(search_index, [make_document("doc-1", "Jumlah Puskesmas")])
    load(search_index, [make_document("doc-1", "Jumlah Sekolah")])

    assert search_index.count() == 1
    assert search_index.get("doc-1").title == "Jumlah Sekolah"
    assert search_index.search(SearchQuery(text="puskesmas")).total == 0
    assert ids(search_index.search(SearchQuery(text="sekolah"))) == ["doc-1"]


def test_delete_removes_after_commit(search_index: SearchIndex) -> None:
    load(search_index, facet_documents())

    search_index.delete(["doc-1", "doc-2", "not-indexed"])
    search_index.commit()

    assert search_index.count() == 3
    assert search_index.get("doc-1") is None
    assert search_index.search(SearchQuery(text="puskesmas")).total == 0


def test_iter_hashes_lists_every_document(search_index: SearchIndex) -> None:
    load(search_index, facet_documents() + hidden_documents())

    hashes = {document_id: (content_hash, status) for document_id, content_hash, status in search_index.iter_hashes()}

    assert len(hashes) == 10
    assert hashes["doc-1"] == ("hash-doc-1", "active")
    assert hashes["hidden-withdrawn"] == ("hash-hidden-withdrawn", "withdrawn")


def test_rebuild_replaces_content(search_index: SearchIndex) -> None:
    load(search_index, facet_documents())

    count = search_index.rebuild([make_document("new-1", "Indeks Kualitas Air Laut"),
                                  make_document("new-2", "Jumlah Terminal")])

    assert count == 2
    assert search_index.count() == 2
    assert search_index.get("doc-1") is None
    assert ids(search_index.search(SearchQuery(text="terminal"))) == ["new-2"]


def test_rebuild_then_incremental_writes(search_index: SearchIndex) -> None:
    search_index.rebuild(facet_documents())

    load(search_index, [make_document("doc-9", "Jumlah Terminal")])

    assert search_index.count() == 6
    assert ids(search_index.search(SearchQuery(text="terminal"))) == ["doc-9"]


# Access


def test_public_search_hides_non_public(search_index: SearchIndex) -> None:
    load(search_index, facet_documents() + hidden_documents())

    public = search_index.search(SearchQuery(text="puskesmas"))
    everything = search_index.search(SearchQuery(text="puskesmas", public_only=False))
    listing = search_index.search(SearchQuery(rows=100))

    assert ids(public) == ["doc-1"]
    assert everything.total == 6
    assert listing.total == 5
    assert not any(hit.id.startswith("hidden") for hit in listing.hits)


def test_public_facets_count_public_only(search_index: SearchIndex) -> None:
    load(search_index, facet_documents() + hidden_documents())

    result = search_index.search(SearchQuery(facets=["year"]))

    assert sum(counts(result, "year").values()) == 6


def test_suggest_skips_non_public(search_index: SearchIndex) -> None:
    load(search_index, facet_documents() + hidden_documents())

    suggestions = search_index.suggest("jumlah pusk")

    assert [suggestion.id for suggestion in suggestions] == ["doc-1"]
    assert suggestions[0].text == "Jumlah Puskesmas Tahun 2021"


def test_get_returns_non_public(search_index: SearchIndex) -> None:
    load(search_index, hidden_documents())

    assert search_index.get("hidden-tertutup").access_level == "tertutup"


# Text search


def test_search_matches_all_words(search_index: SearchIndex) -> None:
    load(search_index, facet_documents())

    assert ids(search_index.search(SearchQuery(text="jumlah puskesmas"))) == ["doc-1"]
    assert search_index.search(SearchQuery(text="jumlah")).total == 2
    assert search_index.search(SearchQuery(text="puskesmas guru")).total == 0


def test_search_ignores_case_and_entities(search_index: SearchIndex) -> None:
    load(search_index, [make_document("doc-1", "JUMLAH PUSKESMAS", description="Data puskesmas &amp; klinik")])

    assert ids(search_index.search(SearchQuery(text="Puskesmas"))) == ["doc-1"]
    assert ids(search_index.search(SearchQuery(text="klinik"))) == ["doc-1"]


def test_search_real_titles(search_index: SearchIndex) -> None:
    load(search_index, real_documents())

    result = search_index.search(SearchQuery(text="Indeks Kualitas Air Laut", rows=5))

    assert result.total >= 1
    assert result.hits[0].document.title == "Indeks Kualitas Air Laut"


def test_search_finds_publisher_name(search_index: SearchIndex) -> None:
    load(search_index, facet_documents())

    result = search_index.search(SearchQuery(text="diskominfo pesawaran"))

    assert sorted(ids(result)) == ["doc-1", "doc-2"]


def test_relevance_ranks_title_match_first(search_index: SearchIndex) -> None:
    load(search_index, [
        make_document("in-description", "Data Fasilitas", description="Jumlah terminal bus per kecamatan"),
        make_document("in-title", "Jumlah Terminal"),
    ])

    result = search_index.search(SearchQuery(text="terminal"))

    assert ids(result) == ["in-title", "in-description"]
    assert result.hits[0].score >= result.hits[1].score


# Facets and filters


def test_facets_count_every_facet_with_labels(search_index: SearchIndex) -> None:
    load(search_index, facet_documents())

    result = search_index.search(SearchQuery())

    assert set(result.facets) == set(FACETS)
    assert counts(result, "publisher") == {"diskominfo-18.09": 2, "diskominfo-18.71": 3}
    assert counts(result, "creator") == {"dinkes-18.09": 2, "dinkes-18.71": 1, "disdik-18.71": 2}
    assert counts(result, "province") == {"18": 5}
    assert counts(result, "regency") == {"18.09": 2, "18.71": 3}
    assert counts(result, "format") == {"CSV": 3, "XLSX": 2}
    assert counts(result, "licence") == {"CC-BY-4.0": 3}
    assert counts(result, "year") == {"2021": 2, "2022": 3, "2023": 1}
    assert counts(result, "theme") == {"https://example.org/theme/kesehatan": 3,
                                       "https://example.org/theme/pendidikan": 3}
    labels = {entry.key: entry.label for entry in result.facets["regency"]}
    assert labels == {"18.09": "Kabupaten Pesawaran", "18.71": "Kota Bandar Lampung"}
    assert [entry.label for entry in result.facets["year"]] == ["2022", "2021", "2023"]


def test_facets_sorted_by_count(search_index: SearchIndex) -> None:
    load(search_index, facet_documents())

    result = search_index.search(SearchQuery(facets=["creator", "year"]))

    assert [entry.key for entry in result.facets["creator"]] == ["dinkes-18.09", "disdik-18.71", "dinkes-18.71"]
    assert [entry.key for entry in result.facets["year"]][0] == "2022"
    assert set(result.facets) == {"creator", "year"}


def test_facets_count_many_values_per_document(search_index: SearchIndex) -> None:
    regencies = [Labelled(key=f"18.{number:02d}", label=f"Kabupaten {number}") for number in range(1, 9)]
    formats = [Labelled(key=name, label=name) for name in ("CSV", "XLSX", "PDF", "JSON", "HTML", "XML")]
    load(search_index, [
        make_document("wide-1", "Jumlah Sekolah", regency=regencies, format=formats, year=list(range(2010, 2025))),
        make_document("wide-2", "Jumlah Guru", regency=regencies[5:], format=formats[4:], year=[2023, 2024]),
        make_document("narrow", "Jumlah Murid", regency=regencies[:1], format=formats[:1], year=[2024]),
    ])

    result = search_index.search(SearchQuery(facet_limit=50))
    filtered = search_index.search(SearchQuery(filters={"regency": ["18.08"]}, facet_limit=50))

    assert counts(result, "regency") == {
        "18.01": 2, "18.02": 1, "18.03": 1, "18.04": 1, "18.05": 1, "18.06": 2, "18.07": 2, "18.08": 2}
    assert counts(result, "format") == {"CSV": 2, "XLSX": 1, "PDF": 1, "JSON": 1, "HTML": 2, "XML": 2}
    assert counts(result, "year")["2024"] == 3
    assert counts(result, "year")["2010"] == 1
    assert len(result.facets["year"]) == 15
    assert sorted(ids(filtered)) == ["wide-1", "wide-2"]
    assert counts(filtered, "year")["2023"] == 2


def test_facet_limit_cuts_values(search_index: SearchIndex) -> None:
    load(search_index, facet_documents())

    result = search_index.search(SearchQuery(facets=["year"], facet_limit=1))

    assert [(entry.key, entry.count) for entry in result.facets["year"]] == [("2022", 3)]


def test_facets_follow_query_text(search_index: SearchIndex) -> None:
    load(search_index, facet_documents())

    result = search_index.search(SearchQuery(text="jumlah"))

    assert counts(result, "regency") == {"18.09": 2}
    assert counts(result, "year") == {"2021": 1, "2022": 1}


def test_filter_or_within_facet(search_index: SearchIndex) -> None:
    load(search_index, facet_documents())

    result = search_index.search(SearchQuery(filters={"year": ["2021", "2023"]}))

    assert sorted(ids(result)) == ["doc-1", "doc-4", "doc-5"]
    assert result.total == 3


def test_filter_and_across_facets(search_index: SearchIndex) -> None:
    load(search_index, facet_documents())

    result = search_index.search(SearchQuery(filters={
        "creator": ["dinkes-18.71", "disdik-18.71"],
        "theme": ["https://example.org/theme/kesehatan"],
    }))

    assert ids(result) == ["doc-4"]
    assert counts(result, "format") == {"CSV": 1}


def test_filter_on_multivalued_facet(search_index: SearchIndex) -> None:
    load(search_index, facet_documents())

    result = search_index.search(SearchQuery(filters={"theme": ["https://example.org/theme/pendidikan"],
                                                      "format": ["CSV"]}))

    assert ids(result) == ["doc-4"]


def test_filter_with_text(search_index: SearchIndex) -> None:
    load(search_index, facet_documents())

    result = search_index.search(SearchQuery(text="tahun", filters={"licence": ["CC-BY-4.0"], "year": ["2022"]}))

    assert ids(result) == ["doc-2"]


def test_filter_unknown_key_matches_nothing(search_index: SearchIndex) -> None:
    load(search_index, facet_documents())

    assert search_index.search(SearchQuery(filters={"publisher": ["no-such-publisher"]})).total == 0


def test_filter_empty_list_filters_nothing(search_index: SearchIndex) -> None:
    load(search_index, facet_documents())

    assert search_index.search(SearchQuery(filters={"publisher": []})).total == 5


def test_unknown_facet_rejected(search_index: SearchIndex) -> None:
    load(search_index, facet_documents())

    with pytest.raises(InvalidQueryError):
        search_index.search(SearchQuery(filters={"colour": ["red"]}))
    with pytest.raises(InvalidQueryError):
        search_index.search(SearchQuery(facets=["colour"]))


# Sort and paging


def test_sort_modified_desc_puts_missing_last(search_index: SearchIndex) -> None:
    load(search_index, facet_documents())

    result = search_index.search(SearchQuery(sort="modified_desc"))

    assert ids(result) == ["doc-5", "doc-2", "doc-1", "doc-3", "doc-4"]


def test_sort_modified_asc_puts_missing_last(search_index: SearchIndex) -> None:
    load(search_index, facet_documents())

    result = search_index.search(SearchQuery(sort="modified_asc"))

    assert ids(result) == ["doc-3", "doc-1", "doc-2", "doc-5", "doc-4"]


def test_sort_title_asc_ignores_case(search_index: SearchIndex) -> None:
    load(search_index, facet_documents() + [make_document("doc-6", "indeks pembangunan manusia")])

    result = search_index.search(SearchQuery(sort="title_asc"))

    assert [hit.document.title for hit in result.hits] == [
        "Angka Partisipasi Sekolah Tahun 2022",
        "Balita Gizi Buruk Tahun 2021-2022",
        "indeks pembangunan manusia",
        "Jumlah Puskesmas Tahun 2021",
        "Jumlah Tenaga Medis Tahun 2022",
        "Rasio Guru dan Murid Tahun 2023",
    ]


def test_paging_with_offset_and_rows(search_index: SearchIndex) -> None:
    load(search_index, facet_documents())

    first = search_index.search(SearchQuery(sort="modified_desc", rows=2))
    second = search_index.search(SearchQuery(sort="modified_desc", rows=2, offset=2))
    last = search_index.search(SearchQuery(sort="modified_desc", rows=2, offset=4))

    assert ids(first) == ["doc-5", "doc-2"]
    assert ids(second) == ["doc-1", "doc-3"]
    assert ids(last) == ["doc-4"]
    assert first.total == second.total == last.total == 5


def test_rows_zero_returns_total_and_facets(search_index: SearchIndex) -> None:
    load(search_index, facet_documents())

    result = search_index.search(SearchQuery(rows=0))

    assert result.hits == []
    assert result.total == 5
    assert counts(result, "year")["2022"] == 3


def test_offset_past_end_is_empty(search_index: SearchIndex) -> None:
    load(search_index, facet_documents())

    result = search_index.search(SearchQuery(offset=50))

    assert result.hits == []
    assert result.total == 5


def test_paging_covers_large_result(search_index: SearchIndex) -> None:
    documents = real_documents()
    load(search_index, documents)

    seen: list[str] = []
    for offset in range(0, len(documents), 100):
        seen.extend(ids(search_index.search(SearchQuery(sort="title_asc", rows=100, offset=offset, facets=[]))))

    assert len(seen) == len(documents)
    assert len(set(seen)) == len(documents)


# Highlighting


def test_highlight_marks_title_words(search_index: SearchIndex) -> None:
    load(search_index, facet_documents())

    hit = search_index.search(SearchQuery(text="puskesmas")).hits[0]

    assert hit.highlights["title"] == "Jumlah <mark>Puskesmas</mark> Tahun 2021"


def test_highlight_escapes_html(search_index: SearchIndex) -> None:
    title = 'Data <script>alert("x")</script> Terminal & Halte'
    load(search_index, [make_document("doc-1", title, description="Lokasi terminal <b>bus</b> & halte")])

    hit = search_index.search(SearchQuery(text="terminal")).hits[0]

    assert "<script>" not in hit.highlights["title"]
    assert "<mark>Terminal</mark>" in hit.highlights["title"]
    assert "&amp;" in hit.highlights["title"]
    assert "<mark>terminal</mark>" in hit.highlights["description"]
    assert "<b>" not in hit.highlights["description"]


def test_highlight_off(search_index: SearchIndex) -> None:
    load(search_index, facet_documents())

    hit = search_index.search(SearchQuery(text="puskesmas", highlight=False)).hits[0]

    assert hit.highlights == {}


def test_highlight_long_description_is_cut(search_index: SearchIndex) -> None:
    description = "Pendahuluan " * 100 + "jumlah terminal bus" + " penutup" * 100
    load(search_index, [make_document("doc-1", "Data Angkutan", description=description)])

    snippet = search_index.search(SearchQuery(text="terminal")).hits[0].highlights["description"]

    assert "<mark>terminal</mark>" in snippet
    assert len(snippet) < len(description) / 2


# Suggestions


def test_suggest_completes_prefix(search_index: SearchIndex) -> None:
    load(search_index, real_documents())

    suggestions = search_index.suggest("indeks kualitas a")

    assert "Indeks Kualitas Air Laut" in [suggestion.text for suggestion in suggestions]


def test_suggest_respects_limit(search_index: SearchIndex) -> None:
    load(search_index, real_documents())

    suggestions = search_index.suggest("jumlah", limit=3)

    assert len(suggestions) == 3
    assert all(suggestion.text.lower().startswith("jumlah") for suggestion in suggestions)


def test_suggest_empty_prefix(search_index: SearchIndex) -> None:
    load(search_index, facet_documents())

    assert search_index.suggest("") == []
    assert search_index.suggest("zzzzqqq") == []
