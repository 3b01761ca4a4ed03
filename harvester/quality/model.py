"""Result types of the metadata quality score."""

from __future__ import annotations

import enum

from pydantic import BaseModel, Field


class Dimension(str, enum.Enum):
    """Quality dimensions: the five of the EU metadata quality assessment plus Satu Data."""

    FINDABILITY = "findability"
    ACCESSIBILITY = "accessibility"
    INTEROPERABILITY = "interoperability"
    REUSABILITY = "reusability"
    CONTEXTUALITY = "contextuality"
    SATU_DATA = "satu-data"


class CheckStatus(str, enum.Enum):
    PASSED = "passed"
    PARTIAL = "partial"
    FAILED = "failed"
    UNKNOWN = "unknown"


class CheckResult(BaseModel):
    """One property check.

    `label` and `fix` are English gettext message ids; pages translate them
    through the catalogs in web/locale. `fix` is empty when the check passed.
    """

    id: str
    dimension: Dimension
    label: str
    points: float
    max_points: int
    status: CheckStatus
    fix: str = ""


class DimensionScore(BaseModel):
    dimension: Dimension
    points: float
    max_points: int


class QualityReport(BaseModel):
    """The quality score of one published dataset."""

    dataset_id: str
    points: float
    max_points: int
    checks: list[CheckResult] = Field(default_factory=list)

    @property
    def percent(self) -> int:
        """The score as a whole percentage of the maximum."""
        if self.max_points == 0:
            return 0
        return round(100 * self.points / self.max_points)

    @property
    def rating(self) -> str:
        """A rating with the EU assessment's bands (87, 55 and 30 percent of the maximum)."""
        if self.percent >= 87:
            return "excellent"
        if self.percent >= 55:
            return "good"
        if self.percent >= 30:
            return "sufficient"
        return "bad"

    @property
    def dimensions(self) -> list[DimensionScore]:
        """Points per dimension, in the order of `Dimension`."""
        totals: list[DimensionScore] = []
        for dimension in Dimension:
            checks = [check for check in self.checks if check.dimension is dimension]
            totals.append(DimensionScore(
                dimension=dimension,
                points=sum(check.points for check in checks),
                max_points=sum(check.max_points for check in checks),
            ))
        return totals

    @property
    def fixes(self) -> list[CheckResult]:
        """Checks that lost points, the ones worth most first."""
        lost = [check for check in self.checks if check.points < check.max_points]
        return sorted(lost, key=lambda check: check.points - check.max_points)
