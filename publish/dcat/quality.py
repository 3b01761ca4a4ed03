"""The metadata quality score of a dataset as W3C DQV quality measurements.

`quality_measurement_nodes` turns the (metric, value) pairs of
`harvester.quality.quality_measurements` into blank `dqv:QualityMeasurement`
nodes that the dataset links with `dqv:hasQualityMeasurement`. Values are
typed `xsd:decimal`: the score is a whole percentage, a dimension a
percentage with one decimal, and a check the points it earned with at most
two decimals, all of which xsd:decimal represents exactly.

Catalog pages carry the score and the six dimensions. The per-check points
would about double the size of a full dump (docs/dcat.md has the figures),
so only single-dataset documents carry them (`with_checks=True`).
"""

from __future__ import annotations

from collections.abc import Mapping

from harvester.model import PublishedDataset
from harvester.quality import METRIC_BASE, LinkCheckResult, quality_measurements, score
from publish.dcat.terms import IRI, RDF_TYPE, Literal, Resource
from publish.dcat.vocabularies import DQV, XSD, term

__all__ = ["HAS_QUALITY_MEASUREMENT", "decimal_lexical", "quality_measurement_nodes"]

HAS_QUALITY_MEASUREMENT = term(DQV, "hasQualityMeasurement")
_QUALITY_MEASUREMENT = term(DQV, "QualityMeasurement")
_IS_MEASUREMENT_OF = term(DQV, "isMeasurementOf")
_VALUE = term(DQV, "value")
_XSD_DECIMAL = XSD + "decimal"


def decimal_lexical(value: float) -> str:
    """Return `value` in the xsd:decimal lexical space, which has no exponent form."""
    text = repr(float(value))
    if "e" in text or "E" in text:
        text = format(value, "f")
    return text


def quality_measurement_nodes(dataset: PublishedDataset, link_results: Mapping[str, LinkCheckResult] | None = None,
                              with_checks: bool = False) -> list[Resource]:
    """Score `dataset` and return its measurements: the score, each dimension, and each check if `with_checks`."""
    report = score(dataset, link_results)
    check_metrics = set() if with_checks else {METRIC_BASE + check.id for check in report.checks}
    nodes: list[Resource] = []
    for metric, value in quality_measurements(report):
        if metric in check_metrics:
            continue
        nodes.append(Resource(None, [
            (RDF_TYPE, _QUALITY_MEASUREMENT),
            (_IS_MEASUREMENT_OF, IRI(metric)),
            (_VALUE, Literal(decimal_lexical(value), _XSD_DECIMAL)),
        ]))
    return nodes
