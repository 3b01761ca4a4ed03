"""Forking beside the embedded index: a child must never keep the writer lock."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from harvester.errors import SearchIndexError
from index.embedded import EmbeddedIndex
from tests.index.corpus import make_document

CHILD_SECONDS = 5.0


@pytest.fixture
def index(tmp_path: Path) -> Iterator[EmbeddedIndex]:
    opened = EmbeddedIndex(tmp_path / "index", writer_lock_timeout=0.5)
    yield opened
    opened.close()


@pytest.fixture
def children() -> Iterator[list[multiprocessing.Process]]:
    started: list[multiprocessing.Process] = []
    yield started
    for child in started:
        child.terminate()
        child.join()


def fork_sleeper(children: list[multiprocessing.Process]) -> None:
    """Fork a child that outlives the test's writes, as a mapping worker outlives a batch."""
    child = multiprocessing.get_context("fork").Process(target=time.sleep, args=(CHILD_SECONDS,), daemon=True)
    child.start()
    children.append(child)


def test_child_forked_in_guard_leaves_writer_free(index: EmbeddedIndex,
                                                 children: list[multiprocessing.Process]) -> None:
    index.index([make_document("a", "Jumlah Penduduk")])  # a writer with a pending change is open

    with index.fork_guard():
        fork_sleeper(children)
    index.index([make_document("b", "Jumlah Sekolah")])
    index.commit()

    assert children[0].is_alive()
    assert index.count() == 2


def test_child_forked_with_open_writer_keeps_lock(index: EmbeddedIndex,
                                                  children: list[multiprocessing.Process]) -> None:
    index.index([make_document("a", "Jumlah Penduduk")])

    fork_sleeper(children)
    index.commit()
    with pytest.raises(SearchIndexError) as raised:
        index.index([make_document("b", "Jumlah Sekolah")])

    assert raised.value.code == "index-locked"
