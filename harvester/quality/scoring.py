"""Score one published dataset and express the score as DQV measurements."""

from __future__ import annotations

from collections.abc import Mapping

from harvester.model import PublishedDataset
from harvester.quality.checks import CHECKS, NOT_CHECKED_FIX, Check
from harvester.quality.linkcheck import LinkCheckResult
from harvester.quality.model import CheckResult, CheckStatus, QualityReport

# Each dqv:Metric Himpun defines is this prefix plus a check id, a dimension
# name or "score"; docs/web.md lists them.
METRIC_BASE = "https://himpun.id/ns/quality#"


def score(dataset: PublishedDataset,
          link_results: Mapping[str, LinkCheckResult] | None = None) -> QualityReport:
    """Run every check on `dataset`; URL checks use `link_results` keyed by URL when given."""
    links = link_results or {}
    results = [_run(check, dataset, links) for check in CHECKS]
    return QualityReport(
        dataset_id=dataset.id,
        points=round(sum(result.points for result in results), 2),
        max_points=sum(result.max_points for result in results),
        checks=results,
    )


def _run(check: Check, dataset: PublishedDataset, links: Mapping[str, LinkCheckResult]) -> CheckResult:
    share = check.function(dataset, links)
    if share is None:
        status, points, fix = CheckStatus.UNKNOWN, 0.0, NOT_CHECKED_FIX
    elif share >= 1.0:
        status, points, fix = CheckStatus.PASSED, float(check.max_points), ""
    elif share > 0.0:
        status, points, fix = CheckStatus.PARTIAL, round(check.max_points * share, 2), check.fix
    else:
        status, points, fix = CheckStatus.FAILED, 0.0, check.fix

    return CheckResult(id=check.id, dimension=check.dimension, label=check.label, points=points,
                       max_points=check.max_points, status=status, fix=fix)


def quality_measurements(report: QualityReport) -> list[tuple[str, float]]:
    """Return (dqv:Metric URI, value) pairs: the total percentage, each dimension and each check.

    The total and dimension values are percentages (0-100); check values are
    the points earned, out of the check's maximum.
    """
    measurements: list[tuple[str, float]] = [(f"{METRIC_BASE}score", float(report.percent))]
    for dimension in report.dimensions:
        if dimension.max_points:
            percent = round(100 * dimension.points / dimension.max_points, 1)
            measurements.append((f"{METRIC_BASE}{dimension.dimension.value}", percent))
    for check in report.checks:
        measurements.append((f"{METRIC_BASE}{check.id}", check.points))
    return measurements
