"""Embedded backend only: Indonesian analysis in searches, and sharing one index folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from harvester.errors import SearchIndexError
from harvester.settings import load_settings
from index import embedded_facets, open_index
from index.base import SearchQuery
from index.embedded import EmbeddedIndex
from index.embedded_generations import CURRENT_LINK, GENERATION_PREFIX
from index.embedded_schema import MARKER_FILE
from tests.index.corpus import make_document, real_documents

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]


def titles(index: EmbeddedIndex, text: str, rows: int = 100) -> list[str]:
    return [hit.document.title for hit in index.search(SearchQuery(text=text, rows=rows)).hits]


@pytest.fixture
def real_index(embedded_index: EmbeddedIndex) -> EmbeddedIndex:
    embedded_index.index(real_documents())
    embedded_index.index([
        make_document("pesawaran-1", "Jumlah Penduduk Menurut Kecamatan di Kabupaten Pesawaran Tahun 2023"),
        make_document("sawar-1", "Data Penyawaran Hasil Hutan"),
        make_document("dinkes-1", "Jumlah Tenaga Kesehatan", creator=None,
                      description="Data dari Dinas Kesehatan Kabupaten Pesawaran"),
        make_document("ternak-1", "Populasi Ternak Sapi"),
        make_document("peternakan-1", "Produksi Dinas Peternakan"),
    ])
    embedded_index.commit()
    return embedded_index


# Analysis in searches


def test_kependudukan_finds_penduduk(real_index: EmbeddedIndex) -> None:
    found = titles(real_index, "kependudukan")

    assert "Jumlah Penduduk Berdasarkan Golongan Darah Provinsi Aceh" in found
    assert "Cakupan Pengelolaan Profil Kependudukan" in found


def test_dinkes_finds_dinas_kesehatan(real_index: EmbeddedIndex) -> None:
    result = real_index.search(SearchQuery(text="dinkes", rows=100))
    found_ids = [hit.id for hit in result.hits]

    assert "dinkes-1" in found_ids
    publishers = {hit.document.publisher.label for hit in result.hits if hit.document.publisher}
    assert "DINKES" in publishers


def test_dinas_kesehatan_finds_dinkes_publisher(real_index: EmbeddedIndex) -> None:
    result = real_index.search(SearchQuery(text="dinas kesehatan", rows=100))
    publishers = {hit.document.publisher.label for hit in result.hits if hit.document.publisher}

    assert "DINKES" in publishers


def test_pesawaran_not_stemmed_to_sawar(real_index: EmbeddedIndex) -> None:
    found = titles(real_index, "pesawaran")

    assert "Jumlah Penduduk Menurut Kecamatan di Kabupaten Pesawaran Tahun 2023" in found
    assert "Data Penyawaran Hasil Hutan" not in found
    assert titles(real_index, "penyawaran") == ["Data Penyawaran Hasil Hutan"]


def test_air_laut_finds_indeks(real_index: EmbeddedIndex) -> None:
    found = titles(real_index, "air laut")

    assert found[0] == "Indeks Kualitas Air Laut" or found[1] == "Indeks Kualitas Air Laut"
    assert "parameter kualitas air laut menurut kabupaten/kota" in found


def test_peternakan_protected_from_terna(real_index: EmbeddedIndex) -> None:
    assert titles(real_index, "peternakan") == ["Produksi Dinas Peternakan"]


def test_stemmed_words_match_inflections(real_index: EmbeddedIndex) -> None:
    found = titles(real_index, "pendidikan")

    assert any("Pendidikan" in title or "PENDIDIKAN" in title for title in found)
    assert titles(real_index, "kesehatan") == titles(real_index, "KESEHATAN")


def test_quoted_phrase_needs_adjacent_words(real_index: EmbeddedIndex) -> None:
    phrase = titles(real_index, '"air laut"')
    loose = titles(real_index, "air laut")

    assert "Indeks Kualitas Air Laut" in phrase
    assert "Jumlah titik pantau (uji kualitas air, udara, dan laut) (eWalidata)" in loose
    assert "Jumlah titik pantau (uji kualitas air, udara, dan laut) (eWalidata)" not in phrase


def test_highlight_marks_synonym_words(real_index: EmbeddedIndex) -> None:
    hits = real_index.search(SearchQuery(text="dinkes", rows=100)).hits
    dinkes = next(hit for hit in hits if hit.id == "dinkes-1")

    assert "<mark>Dinas</mark> <mark>Kesehatan</mark>" in dinkes.highlights["description"]


def test_highlight_marks_stemmed_words(real_index: EmbeddedIndex) -> None:
    hits = real_index.search(SearchQuery(text="kependudukan", rows=100)).hits
    marked = {
        word.split("</mark>")[0].lower()
        for hit in hits
        for word in hit.highlights.get("title", "").split("<mark>")[1:]
    }

    assert marked == {"penduduk", "kependudukan"}


def test_highlight_skips_sawar_for_pesawaran(real_index: EmbeddedIndex) -> None:
    hits = real_index.search(SearchQuery(text="pesawaran", rows=100)).hits
    first = next(hit for hit in hits if hit.id == "pesawaran-1")

    assert "<mark>Pesawaran</mark>" in first.highlights["title"]
    assert all("<mark>Penyawaran</mark>" not in hit.highlights.get("title", "") for hit in hits)


def test_empty_query_sorts_newest_first(real_index: EmbeddedIndex) -> None:
    hits = real_index.search(SearchQuery(rows=20)).hits
    dates = [hit.document.modified for hit in hits if hit.document.modified is not None]

    assert dates == sorted(dates, reverse=True)


# Sharing one index folder


def test_reader_sees_other_instance_commit(tmp_path: Path) -> None:
    writer = EmbeddedIndex(tmp_path / "index")
    reader = EmbeddedIndex(tmp_path / "index")

    writer.index([make_document("doc-1", "Jumlah Terminal")])
    assert reader.count() == 0
    writer.commit()

    assert reader.count() == 1
    assert reader.get("doc-1").title == "Jumlah Terminal"


def test_second_writer_waits_then_fails(tmp_path: Path) -> None:
    first = EmbeddedIndex(tmp_path / "index")
    second = EmbeddedIndex(tmp_path / "index", writer_lock_timeout=0.3)

    first.index([make_document("doc-1", "Jumlah Terminal")])
    with pytest.raises(SearchIndexError) as raised:
        second.index([make_document("doc-2", "Jumlah Halte")])
    assert raised.value.code == "index-locked"

    first.commit()
    second.index([make_document("doc-2", "Jumlah Halte")])
    second.commit()
    assert first.count() == 2


def test_writer_in_other_process(tmp_path: Path) -> None:
    folder = tmp_path / "index"
    reader = EmbeddedIndex(folder)
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from index.embedded import EmbeddedIndex\n"
        "from tests.index.corpus import make_document\n"
        "index = EmbeddedIndex(Path(sys.argv[1]))\n"
        "index.index([make_document('child-1', 'Jumlah Pelabuhan')])\n"
        "index.commit()\n"
    )
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY_ROOT)}
    subprocess.run([sys.executable, "-c", script, str(folder)], check=True, env=environment, timeout=60)

    assert [hit.id for hit in reader.search(SearchQuery(text="pelabuhan")).hits] == ["child-1"]


def test_rebuild_switches_readers(tmp_path: Path) -> None:
    builder = EmbeddedIndex(tmp_path / "index")
    reader = EmbeddedIndex(tmp_path / "index")
    builder.index([make_document("old-1", "Jumlah Terminal")])
    builder.commit()
    assert reader.count() == 1

    builder.rebuild([make_document("new-1", "Jumlah Halte"), make_document("new-2", "Jumlah Bandara")])

    assert reader.count() == 2
    assert reader.get("old-1") is None
    assert os.path.islink(tmp_path / "index" / CURRENT_LINK)


def test_rebuild_keeps_two_generations(tmp_path: Path) -> None:
    index = EmbeddedIndex(tmp_path / "index")
    for round_number in range(4):
        index.rebuild([make_document(f"doc-{round_number}", "Jumlah Terminal")])

    generations = sorted((tmp_path / "index").glob(f"{GENERATION_PREFIX}*"))
    assert len(generations) == 2
    assert index.count() == 1


def test_readers_never_see_empty_index_during_rebuild(tmp_path: Path) -> None:
    builder = EmbeddedIndex(tmp_path / "index")
    reader = EmbeddedIndex(tmp_path / "index")
    documents = real_documents()
    builder.rebuild(documents)

    observed: list[int] = []
    done = threading.Event()

    def read_until_done() -> None:
        while not done.is_set():
            observed.append(reader.search(SearchQuery(rows=1, facets=[])).total)

    thread = threading.Thread(target=read_until_done)
    thread.start()
    try:
        for _ in range(3):
            builder.rebuild(documents)
    finally:
        done.set()
        thread.join(timeout=30)

    assert observed
    assert min(observed) == len(documents)


def test_failed_rebuild_keeps_current(tmp_path: Path) -> None:
    index = EmbeddedIndex(tmp_path / "index")
    index.rebuild([make_document("doc-1", "Jumlah Terminal")])
    current = os.readlink(tmp_path / "index" / CURRENT_LINK)
    before = sorted(path.name for path in (tmp_path / "index").glob(f"{GENERATION_PREFIX}*"))

    def broken_documents():
        yield make_document("doc-2", "Jumlah Halte")
        raise RuntimeError("store connection lost")

    with pytest.raises(RuntimeError):
        index.rebuild(broken_documents())

    assert index.count() == 1
    assert index.get("doc-1") is not None
    assert os.readlink(tmp_path / "index" / CURRENT_LINK) == current
    assert sorted(path.name for path in (tmp_path / "index").glob(f"{GENERATION_PREFIX}*")) == before


def test_reopen_keeps_documents(tmp_path: Path) -> None:
    first = EmbeddedIndex(tmp_path / "index")
    first.index([make_document("doc-1", "Jumlah Terminal")])
    first.commit()
    first.close()

    again = EmbeddedIndex(tmp_path / "index")

    assert again.get("doc-1").title == "Jumlah Terminal"


def test_close_drops_uncommitted(tmp_path: Path) -> None:
    index = EmbeddedIndex(tmp_path / "index")
    index.index([make_document("doc-1", "Jumlah Terminal")])
    index.close()

    again = EmbeddedIndex(tmp_path / "index")
    assert again.count() == 0
    again.index([make_document("doc-2", "Jumlah Halte")])
    again.commit()
    assert again.count() == 1


def test_facets_fall_back_when_sets_exceed_buckets(embedded_index: EmbeddedIndex,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    documents = [make_document(f"doc-{first}", "Jumlah Sekolah", year=list(range(2000 + first, 2003 + first)))
                 for first in range(10)]
    embedded_index.index(documents)
    embedded_index.commit()
    exact = embedded_index.search(SearchQuery(facets=["year"], facet_limit=50)).facets["year"]

    monkeypatch.setattr(embedded_facets, "SET_BUCKETS", 3)
    fallback = embedded_index.search(SearchQuery(facets=["year"], facet_limit=50)).facets["year"]

    assert fallback == exact
    assert {entry.key: entry.count for entry in exact}["2005"] == 3
    assert len(exact) == 12


def test_facet_cache_cleared_by_commit(tmp_path: Path) -> None:
    writer = EmbeddedIndex(tmp_path / "index")
    reader = EmbeddedIndex(tmp_path / "index")
    writer.index([make_document("doc-1", "Jumlah Sekolah", year=[2023])])
    writer.commit()
    assert reader.search(SearchQuery(facets=["year"])).facets["year"][0].count == 1
    assert reader.search(SearchQuery(facets=["year"], offset=1)).facets["year"][0].count == 1

    writer.index([make_document("doc-2", "Jumlah Guru", year=[2023])])
    writer.commit()

    assert reader.search(SearchQuery(facets=["year"])).facets["year"][0].count == 2
    assert writer.search(SearchQuery(facets=["year"])).facets["year"][0].count == 2


def test_old_schema_needs_rebuild(tmp_path: Path) -> None:
    first = EmbeddedIndex(tmp_path / "index")
    first.index([make_document("doc-1", "Jumlah Terminal")])
    first.commit()
    first.close()
    (tmp_path / "index" / CURRENT_LINK / MARKER_FILE).write_text('{"schema_version": 0}', encoding="utf-8")

    reopened = EmbeddedIndex(tmp_path / "index")
    with pytest.raises(SearchIndexError) as raised:
        reopened.search(SearchQuery(text="terminal"))
    assert raised.value.code == "index-rebuild-needed"
    with pytest.raises(SearchIndexError):
        reopened.index([make_document("doc-2", "Jumlah Halte")])

    reopened.rebuild([make_document("doc-2", "Jumlah Halte")])
    assert [hit.id for hit in reopened.search(SearchQuery(text="halte")).hits] == ["doc-2"]


def test_open_index_uses_config_dir(tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(REPOSITORY_ROOT / "config" / "search", config / "search")
    (config / "search" / "synonyms.yaml").write_text("abbreviations:\n  rs: [rumah sakit]\n", encoding="utf-8")
    settings = load_settings(data_dir=tmp_path / "var", config_dir=config, index_backend="embedded")

    index = open_index(settings)
    index.index([make_document("doc-1", "Jumlah Rumah Sakit")])
    index.commit()

    assert isinstance(index, EmbeddedIndex)
    assert [hit.id for hit in index.search(SearchQuery(text="rs")).hits] == ["doc-1"]
    assert index.search(SearchQuery(text="dinkes")).total == 0


def test_search_while_writer_waits(tmp_path: Path) -> None:
    holder = EmbeddedIndex(tmp_path / "index")
    waiter = EmbeddedIndex(tmp_path / "index", writer_lock_timeout=20)
    holder.index([make_document("doc-1", "Jumlah Terminal")])
    holder.commit()
    holder.index([make_document("doc-2", "Jumlah Halte")])

    waiting = threading.Thread(target=lambda: waiter.index([make_document("doc-3", "Jumlah Bandara")]))
    waiting.start()
    started = time.monotonic()
    found = waiter.search(SearchQuery(text="terminal"))
    elapsed = time.monotonic() - started
    holder.commit()
    waiting.join(timeout=30)
    waiter.commit()

    assert [hit.id for hit in found.hits] == ["doc-1"]
    assert elapsed < 5
    assert not waiting.is_alive()
    assert waiter.count() == 3


def test_search_during_own_rebuild(tmp_path: Path) -> None:
    index = EmbeddedIndex(tmp_path / "index")
    index.rebuild([make_document("doc-1", "Jumlah Terminal")])
    release = threading.Event()

    def slow_documents():
        yield make_document("doc-2", "Jumlah Halte")
        release.wait(timeout=20)

    rebuilding = threading.Thread(target=lambda: index.rebuild(slow_documents()))
    rebuilding.start()
    try:
        time.sleep(0.2)
        during = [hit.id for hit in index.search(SearchQuery(rows=10)).hits]
    finally:
        release.set()
        rebuilding.join(timeout=30)

    assert during == ["doc-1"]
    assert [hit.id for hit in index.search(SearchQuery(rows=10)).hits] == ["doc-2"]
