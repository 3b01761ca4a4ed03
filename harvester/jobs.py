"""Job states, counts and per-record errors shared by the runner, the store and the API."""

from __future__ import annotations

import datetime as dt
import enum

from pydantic import BaseModel, Field


class JobState(str, enum.Enum):
    """Every job ends in exactly one terminal state; RUNNING is the only other state."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    SUCCEEDED_WITH_ERRORS = "succeeded-with-errors"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    NEEDS_REVIEW = "needs-review"


class JobCounts(BaseModel):
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    rejected: int = 0
    quarantined: int = 0

    @property
    def writes(self) -> int:
        return self.added + self.updated + self.withdrawn


class JobError(BaseModel):
    """One error of a job: a failed record (with `remote_id`) or the source as a whole."""

    code: str
    message: str
    remote_id: str | None = None
    value: str | None = None


class JobReport(BaseModel):
    """What one harvest job did."""

    job_id: int | None = None
    source_id: str
    state: JobState
    dry_run: bool = False
    complete: bool = False
    counts: JobCounts = Field(default_factory=JobCounts)
    errors: list[JobError] = Field(default_factory=list)
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
