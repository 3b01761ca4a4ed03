"""Index fixtures: `search_index` runs each contract test once per backend in `BACKENDS`.

To add a backend, append its name to `BACKENDS` and register a factory in
`BACKEND_FACTORIES`. A factory receives the pytest request (to reach other
fixtures such as a server) and a temporary folder, and returns an empty index.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from index.base import SearchIndex
from index.embedded import EmbeddedIndex
from tests.index.elasticsearch_backend import make_elasticsearch_index

BackendFactory = Callable[[pytest.FixtureRequest, Path], SearchIndex]


def open_embedded_index(request: pytest.FixtureRequest, folder: Path) -> SearchIndex:
    """Open an empty embedded index in `folder`."""
    return EmbeddedIndex(folder / "index")


BACKENDS: list[str] = ["embedded", "elasticsearch"]
BACKEND_FACTORIES: dict[str, BackendFactory] = {"embedded": open_embedded_index,
                                                 "elasticsearch": make_elasticsearch_index}


@pytest.fixture(params=BACKENDS)
def search_index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchIndex]:
    """An empty index of each backend in `BACKENDS`."""
    factory = BACKEND_FACTORIES.get(request.param)
    if factory is None:
        pytest.fail(f"index backend {request.param!r} is listed in BACKENDS but has no factory")
    index = factory(request, tmp_path)
    try:
        yield index
    finally:
        index.close()


@pytest.fixture
def embedded_index(tmp_path: Path) -> Iterator[EmbeddedIndex]:
    """An empty embedded index, for tests of embedded-only behaviour."""
    index = EmbeddedIndex(tmp_path / "index")
    try:
        yield index
    finally:
        index.close()
