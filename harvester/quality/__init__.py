"""Metadata quality score of a published dataset, after the EU data portal's assessment.

`score(dataset)` returns a `QualityReport` with points per property check,
grouped in five EU dimensions plus the Satu Data fields, and a fix for every
check that lost points. `quality_measurements(report)` turns a report into
(dqv:Metric URI, value) pairs for DCAT feeds and the API.
"""

from harvester.quality.linkcheck import (
    LinkCheckResult,
    LinkCheckStore,
    check_dataset_links,
    check_url,
    load_link_results,
)
from harvester.quality.model import CheckResult, CheckStatus, Dimension, QualityReport
from harvester.quality.scoring import METRIC_BASE, quality_measurements, score

__all__ = [
    "METRIC_BASE",
    "CheckResult",
    "CheckStatus",
    "Dimension",
    "LinkCheckResult",
    "LinkCheckStore",
    "QualityReport",
    "check_dataset_links",
    "check_url",
    "load_link_results",
    "quality_measurements",
    "score",
]
