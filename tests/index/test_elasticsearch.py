"""The Elasticsearch backend against osmem-server, an in-memory OpenSearch-compatible server on 127.0.0.1.

osmem-server replaces the `indonesian` analyzer with the standard one, so
stemming is checked in the live suite; here the index settings are checked.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest

from harvester.settings import Settings
from index.base import IndexDocument, Labelled, SearchQuery
from index.elasticsearch import ElasticsearchIndex, IndexUnavailableError
from index.es_mapping import MAPPING_VERSION, TEXT_ANALYZER, index_body, load_protected_words
from tests.index.elasticsearch_backend import PlainJsonNode, make_elasticsearch_index, search_server_url

LAMPUNG = Labelled(key="18", label="Lampung")
PESAWARAN = Labelled(key="18.09", label="Kabupaten Pesawaran")
BANDAR_LAMPUNG = Labelled(key="18.71", label="Kota Bandar Lampung")
DISKOMINFO = Labelled(key="org-18.09-diskominfo", label="Dinas Komunikasi dan Informatika Pesawaran")
DINKES = Labelled(key="org-18.71-dinkes", label="Dinas Kesehatan Kota Bandar Lampung")


def _document(document_id: str, title: str, **fields: object) -> IndexDocument:
    fields.setdefault("access_level", "terbuka")
    fields.setdefault("content_hash", f"hash-{document_id}")
    return IndexDocument(id=document_id, title=title, **fields)


DOCUMENTS = [
    _document("ds-1", "Jumlah Penduduk Menurut Kecamatan di Kabupaten Pesawaran Tahun 2023",
              description="Data <penduduk> & rumah tangga per kecamatan.",
              publisher=DISKOMINFO, province=[LAMPUNG], regency=[PESAWARAN], year=[2023],
              modified=dt.datetime(2024, 3, 1, tzinfo=dt.UTC)),
    _document("ds-2", "Jumlah Penduduk Kota Bandar Lampung Tahun 2022",
              publisher=DINKES, province=[LAMPUNG], regency=[BANDAR_LAMPUNG], year=[2022],
              modified=dt.datetime(2023, 5, 1, tzinfo=dt.UTC)),
    _document("ds-3", "Angka Kematian Bayi Kota Bandar Lampung",
              publisher=DINKES, province=[LAMPUNG], regency=[BANDAR_LAMPUNG], year=[2022, 2023],
              modified=dt.datetime(2024, 1, 1, tzinfo=dt.UTC)),
    _document("ds-closed", "Jumlah Penduduk Rahasia", access_level="tertutup", year=[2023]),
    _document("ds-withdrawn", "Jumlah Penduduk Ditarik", status="withdrawn", year=[2023]),
]


@pytest.fixture
def es_index() -> Iterator[ElasticsearchIndex]:
    index = make_elasticsearch_index()
    report = index.index(DOCUMENTS)
    assert report.errors == {}
    index.commit()
    yield index
    index.close()


def _ids(index: ElasticsearchIndex, query: SearchQuery) -> list[str]:
    return [hit.id for hit in index.search(query).hits]


def test_index_body_protects_region_names() -> None:
    body = index_body(load_protected_words(), max_result_window=10_100)
    analyzer = body["settings"]["analysis"]["analyzer"][TEXT_ANALYZER]

    assert analyzer["type"] == "indonesian"
    assert "pesawaran" in analyzer["stem_exclusion"]
    assert "kecamatan" in analyzer["stem_exclusion"]
    assert "dishub" in analyzer["stem_exclusion"]
    assert body["mappings"]["_meta"]["himpun_mapping_version"] == MAPPING_VERSION


def test_public_search_hides_closed_and_withdrawn(es_index: ElasticsearchIndex) -> None:
    public = _ids(es_index, SearchQuery(text="penduduk"))
    everything = _ids(es_index, SearchQuery(text="penduduk", public_only=False))

    assert sorted(public) == ["ds-1", "ds-2"]
    assert "ds-closed" in everything
    assert "ds-withdrawn" in everything


def test_facets_carry_labels(es_index: ElasticsearchIndex) -> None:
    result = es_index.search(SearchQuery())
    regencies = {facet.key: (facet.label, facet.count) for facet in result.facets["regency"]}
    years = {facet.key: facet.count for facet in result.facets["year"]}

    assert regencies == {"18.71": ("Kota Bandar Lampung", 2), "18.09": ("Kabupaten Pesawaran", 1)}
    assert years == {"2023": 2, "2022": 2}
    assert result.total == 3


def test_filters_or_within_and_across(es_index: ElasticsearchIndex) -> None:
    either_year = SearchQuery(filters={"year": ["2022", "2023"]}, sort="title_asc")
    both_facets = SearchQuery(filters={"year": ["2023"], "regency": ["18.71"]})

    assert _ids(es_index, either_year) == ["ds-3", "ds-2", "ds-1"]
    assert _ids(es_index, both_facets) == ["ds-3"]


def test_facet_counts_ignore_own_filter(es_index: ElasticsearchIndex) -> None:
    result = es_index.search(SearchQuery(filters={"regency": ["18.09"]}))
    regencies = {facet.key: facet.count for facet in result.facets["regency"]}
    years = {facet.key: facet.count for facet in result.facets["year"]}

    assert result.total == 1
    assert regencies == {"18.71": 2, "18.09": 1}
    assert years == {"2023": 1}


def test_sort_orders(es_index: ElasticsearchIndex) -> None:
    assert _ids(es_index, SearchQuery(sort="modified_desc")) == ["ds-1", "ds-3", "ds-2"]
    assert _ids(es_index, SearchQuery(sort="modified_asc")) == ["ds-2", "ds-3", "ds-1"]
    assert _ids(es_index, SearchQuery(sort="title_asc")) == ["ds-3", "ds-2", "ds-1"]


def test_paging_keeps_total(es_index: ElasticsearchIndex) -> None:
    first = es_index.search(SearchQuery(sort="title_asc", rows=2))
    second = es_index.search(SearchQuery(sort="title_asc", rows=2, offset=2))

    assert [hit.id for hit in first.hits] == ["ds-3", "ds-2"]
    assert [hit.id for hit in second.hits] == ["ds-1"]
    assert first.total == second.total == 3


def test_highlights_are_escaped(es_index: ElasticsearchIndex) -> None:
    hit = es_index.search(SearchQuery(text="penduduk pesawaran")).hits[0]

    assert hit.id == "ds-1"
    assert "<mark>Pesawaran</mark>" in hit.highlights["title"]
    assert "&lt;<mark>penduduk</mark>&gt;" in hit.highlights["description"]
    assert "&amp;" in hit.highlights["description"]


def test_text_matches_facet_labels(es_index: ElasticsearchIndex) -> None:
    assert _ids(es_index, SearchQuery(text="komunikasi informatika")) == ["ds-1"]


def test_suggest_public_titles_only(es_index: ElasticsearchIndex) -> None:
    suggestions = es_index.suggest("jumlah pend")

    assert {suggestion.id for suggestion in suggestions} == {"ds-1", "ds-2"}
    assert es_index.suggest("angka kem")[0].text == "Angka Kematian Bayi Kota Bandar Lampung"
    assert es_index.suggest("  ") == []


def test_get_returns_any_document(es_index: ElasticsearchIndex) -> None:
    closed = es_index.get("ds-closed")

    assert closed is not None
    assert closed.access_level == "tertutup"
    assert es_index.get("ds-1") == DOCUMENTS[0]
    assert es_index.get("no-such-id") is None


def test_iter_hashes_pages_every_document(es_index: ElasticsearchIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("index.elasticsearch.HASH_PAGE_SIZE", 2)
    hashes = sorted(es_index.iter_hashes())

    assert len(hashes) == 5
    assert hashes[0] == ("ds-1", "hash-ds-1", "active")
    assert ("ds-withdrawn", "hash-ds-withdrawn", "withdrawn") in hashes


def test_delete_after_commit(es_index: ElasticsearchIndex) -> None:
    es_index.delete(["ds-2", "never-indexed"])
    es_index.commit()

    assert es_index.count() == 4
    assert es_index.get("ds-2") is None


def test_rebuild_swaps_alias_and_drops_old(es_index: ElasticsearchIndex) -> None:
    old_indices = es_index._indices_behind_alias()
    count = es_index.rebuild(DOCUMENTS[:2])
    new_indices = es_index._indices_behind_alias()

    assert count == 2
    assert es_index.count() == 2
    assert len(new_indices) == 1
    assert new_indices != old_indices
    for old in old_indices:
        assert not es_index._client.indices.exists(index=old)
    assert es_index.mapping_outdated() is False


def test_rebuild_under_search_load(es_index: ElasticsearchIndex) -> None:
    query = SearchQuery(text="penduduk")
    totals: list[int] = []
    failures: list[BaseException] = []
    stop = threading.Event()

    def search_loop() -> None:
        while not stop.is_set():
            try:
                totals.append(es_index.search(query).total)
            except BaseException as error:  # noqa: BLE001 - every failure counts
                failures.append(error)

    searchers = [threading.Thread(target=search_loop) for _ in range(3)]
    for searcher in searchers:
        searcher.start()
    try:
        for _ in range(5):
            es_index.rebuild(DOCUMENTS)
    finally:
        stop.set()
        for searcher in searchers:
            searcher.join()

    assert failures == []
    assert len(totals) > 10
    assert min(totals) == 2


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")
def test_mapping_error_recorded_per_document(es_index: ElasticsearchIndex) -> None:
    good = _document("ds-9", "Produksi Padi")
    bad = _document("ds-bad", "Dokumen rusak")
    object.__setattr__(bad, "modified", "bukan tanggal")

    report = es_index.index([good, bad])

    assert report.indexed == 1
    assert list(report.errors) == ["ds-bad"]
    assert "modified" in report.errors["ds-bad"]


def test_from_settings_requires_url() -> None:
    with pytest.raises(IndexUnavailableError, match="HIMPUN_ELASTICSEARCH_URL"):
        ElasticsearchIndex.from_settings(Settings(index_backend="elasticsearch", elasticsearch_url=None))


def test_from_settings_uses_alias_and_auth() -> None:
    settings = Settings(
        index_backend="elasticsearch",
        elasticsearch_url=search_server_url(),
        elasticsearch_username="himpun",
        elasticsearch_password="rahasia",
        elasticsearch_index="himpun-settings-test",
    )
    index = ElasticsearchIndex.from_settings(settings, node_class=PlainJsonNode)

    assert index.alias == "himpun-settings-test"
    assert index._client._headers["authorization"].startswith("Basic ")
    assert index.count() == 0
