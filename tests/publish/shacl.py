"""DCAT-AP 3.0 validation with pyshacl, from local shape files only."""

from __future__ import annotations

import functools

from pyshacl import validate
from rdflib import Graph

from tests.publish.samples import FIXTURES

SHAPES = FIXTURES / "dcat-ap-3.0.0"


@functools.cache
def _shapes() -> Graph:
    graph = Graph()
    graph.parse(SHAPES / "shapes.ttl", format="turtle")
    # The class-range shapes need every referenced node typed; the feed types
    # the vocabulary terms it points to, so no EU vocabulary is loaded here.
    graph.parse(SHAPES / "range.ttl", format="turtle")
    return graph


def violations(data: Graph) -> tuple[bool, str]:
    """Return (conforms, report text) for `data` against the shapes and the range shapes."""
    conforms, _, text = validate(data, shacl_graph=_shapes(), inference="none", allow_warnings=True,
                                 do_owl_imports=False)
    return bool(conforms), str(text)
