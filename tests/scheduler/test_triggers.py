"""Source schedules become APScheduler triggers."""

from __future__ import annotations

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from harvester.sources import Schedule
from scheduler import trigger_for


def test_cron_schedule_wins() -> None:
    trigger = trigger_for(Schedule(cron="30 2 * * *", interval_minutes=5, jitter_seconds=60))

    assert isinstance(trigger, CronTrigger)
    assert trigger.jitter == 60
    assert "hour='2'" in str(trigger)


def test_interval_schedule() -> None:
    trigger = trigger_for(Schedule(interval_minutes=90, jitter_seconds=0))

    assert isinstance(trigger, IntervalTrigger)
    assert trigger.interval.total_seconds() == 5400
    assert trigger.jitter is None


def test_malformed_cron_rejected() -> None:
    import pytest

    from harvester.errors import ConfigError

    with pytest.raises(ConfigError):
        trigger_for(Schedule(cron="30 2 * *"))
