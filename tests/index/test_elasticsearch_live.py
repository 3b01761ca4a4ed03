"""The Elasticsearch backend against a real Elasticsearch 9 server.

Opt-in: set HIMPUN_TEST_ELASTICSEARCH_URL (for example http://127.0.0.1:9200,
with HIMPUN_TEST_ELASTICSEARCH_USERNAME and _PASSWORD when security is on).
Every test works under its own alias and deletes its indices afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from harvester.settings import Settings
from index.base import IndexDocument, Labelled, SearchQuery
from index.elasticsearch import ElasticsearchIndex
from index.es_mapping import TEXT_ANALYZER

LIVE_URL = os.environ.get("HIMPUN_TEST_ELASTICSEARCH_URL")

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(not LIVE_URL, reason="set HIMPUN_TEST_ELASTICSEARCH_URL to run the live Elasticsearch suite"),
]


@pytest.fixture
def live_index() -> Iterator[ElasticsearchIndex]:
    settings = Settings(
        index_backend="elasticsearch",
        elasticsearch_url=LIVE_URL,
        elasticsearch_username=os.environ.get("HIMPUN_TEST_ELASTICSEARCH_USERNAME"),
        elasticsearch_password=os.environ.get("HIMPUN_TEST_ELASTICSEARCH_PASSWORD"),
        elasticsearch_index=f"himpun-live-{uuid.uuid4().hex[:12]}",
    )
    index = ElasticsearchIndex.from_settings(settings)
    yield index
    for name in index._indices_behind_alias():
        index._client.options(ignore_status=404).indices.delete(index=name)
    index.close()


def _tokens(index: ElasticsearchIndex, text: str) -> list[str]:
    reply = index._client.indices.analyze(index=index.alias, analyzer=TEXT_ANALYZER, text=text)
    return [token["token"] for token in reply.body["tokens"]]


def test_live_region_names_not_stemmed(live_index: ElasticsearchIndex) -> None:
    live_index.count()
    tokens = _tokens(live_index, "Penduduk Kecamatan Kabupaten Pesawaran")

    assert "pesawaran" in tokens
    assert "kecamatan" in tokens
    assert "duduk" in tokens


def test_live_search_and_rebuild(live_index: ElasticsearchIndex) -> None:
    documents = [
        IndexDocument(id="live-1", title="Jumlah Penduduk Kabupaten Pesawaran 2023", access_level="terbuka",
                      regency=[Labelled(key="18.09", label="Kabupaten Pesawaran")], year=[2023], content_hash="a"),
        IndexDocument(id="live-2", title="Jumlah Penduduk Tertutup", access_level="tertutup", content_hash="b"),
    ]
    report = live_index.index(documents)
    live_index.commit()
    result = live_index.search(SearchQuery(text="penduduk pesawaran"))

    assert report.errors == {}
    assert [hit.id for hit in result.hits] == ["live-1"]
    assert result.facets["regency"][0].label == "Kabupaten Pesawaran"
    assert "<mark>Pesawaran</mark>" in result.hits[0].highlights["title"]
    assert live_index.rebuild(documents) == 2
    assert live_index.count() == 2
    assert live_index.suggest("jumlah pen")[0].id == "live-1"
    assert live_index.mapping_outdated() is False
