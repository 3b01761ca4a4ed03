"""Throttle of failed admin authentications per client address, in memory."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

__all__ = ["FailureThrottle"]

WINDOW_SECONDS = 60.0

# Client addresses tracked at once; the oldest entry is dropped beyond this,
# so a flood of spoofed addresses cannot grow memory without bound.
MAX_CLIENTS = 10_000


class FailureThrottle:
    """Counts failures per client over a sliding minute and returns how long a client must wait.

    Each process keeps its own counts, so with several workers a client
    may fail up to `max_failures` times per worker.
    """

    def __init__(self, max_failures: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures = max_failures
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def record_failure(self, client: str) -> None:
        now = self.clock()
        with self._lock:
            times = self._failures.pop(client, None) or deque()
            self._prune(times, now)
            times.append(now)
            self._failures[client] = times
            if len(self._failures) > MAX_CLIENTS:
                del self._failures[next(iter(self._failures))]

    def retry_after(self, client: str) -> int | None:
        """Return the seconds `client` must wait, or None when it may try again now."""
        now = self.clock()
        with self._lock:
            times = self._failures.get(client)
            if not times:
                return None
            self._prune(times, now)
            if len(times) < self.max_failures:
                return None
            return max(1, math.ceil(times[0] + WINDOW_SECONDS - now))

    @staticmethod
    def _prune(times: deque[float], now: float) -> None:
        while times and times[0] <= now - WINDOW_SECONDS:
            times.popleft()
