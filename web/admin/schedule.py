"""The next scheduled run of a source, for display on the sources page."""

from __future__ import annotations

import datetime as dt

from apscheduler.triggers.cron import CronTrigger

from harvester.jobs import JobReport
from harvester.sources import SourceConfig


def next_run(source: SourceConfig, last_job: JobReport | None, now: dt.datetime) -> dt.datetime | None:
    """Return when the source runs next, before jitter, or None when it has no schedule or is disabled."""
    schedule = source.schedule
    if schedule is None or not source.enabled:
        return None
    if schedule.cron:
        return CronTrigger.from_crontab(schedule.cron, timezone=dt.UTC).get_next_fire_time(None, now)
    if schedule.interval_minutes:
        if last_job is None:
            return now
        return max(now, last_job.started_at + dt.timedelta(minutes=schedule.interval_minutes))
    return None
