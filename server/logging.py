"""Log output: plain text or one JSON object per line, chosen by `settings.log_format`.

JSON lines carry the time, level, logger and message, plus the structured
fields the job runner adds (`event`, `job_id`, `source_id`, `state`,
`counts`, `duration_seconds`). Lines logged on a thread while it runs a job
(HTTP retries, for example) get that job's `job_id` and `source_id` too.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any

import orjson

from harvester.settings import Settings

__all__ = ["JobContextFilter", "JsonFormatter", "apply_log_format", "configure_logging"]

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# LogRecord attributes copied into JSON lines when a log call sets them.
STRUCTURED_FIELDS = ("event", "job_id", "source_id", "state", "dry_run", "counts", "duration_seconds", "code")


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in STRUCTURED_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode("utf-8")


class JobContextFilter(logging.Filter):
    """Adds the running job's ids to records of the thread that runs it.

    It follows the job runner's `job-started` and `job-finished` events, so
    it needs no change in the modules that log.
    """

    def __init__(self) -> None:
        super().__init__()
        self._jobs: dict[int, tuple[Any, Any]] = {}
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        event = getattr(record, "event", None)
        with self._lock:
            if event == "job-started":
                self._jobs[record.thread or 0] = (getattr(record, "job_id", None), getattr(record, "source_id", None))
            elif event == "job-finished":
                self._jobs.pop(record.thread or 0, None)
            elif getattr(record, "job_id", None) is None and record.thread in self._jobs:
                record.job_id, context_source = self._jobs[record.thread]
                if getattr(record, "source_id", None) is None:
                    record.source_id = context_source
        return True


def configure_logging(settings: Settings) -> None:
    """Send log lines to stderr at `settings.log_level`, as text or JSON lines."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(JobContextFilter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())


def apply_log_format(log_format: str) -> None:
    """Switch the root handlers to JSON lines when `log_format` is "json", and add the job context."""
    for handler in logging.getLogger().handlers:
        if log_format == "json":
            handler.setFormatter(JsonFormatter())
        if not any(isinstance(existing, JobContextFilter) for existing in handler.filters):
            handler.addFilter(JobContextFilter())
