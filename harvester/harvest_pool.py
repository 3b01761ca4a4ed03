"""A thread pool for scheduled harvests that frees the slot of a run that stops making progress.

A run takes one of `size` slots while it makes progress, which the job
runner reports with `progress()` for every record it lists. A run that
reports nothing for `stall_seconds` (most often a source that accepts the
connection and never responds) gives its slot back and goes on in its own
thread, so the next queued run starts. Such a run waits on the network, not
on the CPU, so it costs a thread and a socket, not a worker.

At most `max_stalled` runs wait outside the slots. Once that many do, a
stalled run keeps its slot, so at most `size + max_stalled` runs are under
way at once and later runs wait in the queue. A stalled run that makes
progress again finishes outside the slots, because taking a slot back could
wait while its database transaction is open.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["StallAwarePool", "progress"]

logger = logging.getLogger(__name__)

_current = threading.local()
_names = itertools.count(1)


def progress() -> None:
    """Tell the pool running this thread's harvest, if any, that the harvest moved on."""
    run = getattr(_current, "run", None)
    if run is not None:
        run.last_progress = time.monotonic()


@dataclass(eq=False)
class _Run:
    function: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    future: concurrent.futures.Future = field(default_factory=concurrent.futures.Future)
    last_progress: float = 0.0


class StallAwarePool(concurrent.futures.Executor):
    """Run submitted calls in threads, `size` at a time, not counting stalled ones."""

    def __init__(self, size: int, *, stall_seconds: float, max_stalled: int, name: str = "harvest") -> None:
        if size < 1 or max_stalled < 0 or stall_seconds <= 0:
            raise ValueError("size must be at least 1, max_stalled at least 0 and stall_seconds positive")
        self.size = size
        self.stall_seconds = stall_seconds
        self.max_stalled = max_stalled
        self.name = name
        self._condition = threading.Condition()
        self._queue: deque[_Run] = deque()
        self._active: set[_Run] = set()
        self._stalled: set[_Run] = set()
        self._shut_down = False
        self._watcher = threading.Thread(target=self._watch, name=f"{name}-stall-watch", daemon=True)
        self._watcher.start()

    @property
    def stalled_count(self) -> int:
        with self._condition:
            return len(self._stalled)

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> concurrent.futures.Future:
        run = _Run(fn, args, kwargs)
        with self._condition:
            if self._shut_down:
                raise RuntimeError(f"the {self.name} pool is shut down and takes no new runs")
            self._queue.append(run)
            self._start_queued()
        return run.future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._condition:
            self._shut_down = True
            if cancel_futures:
                while self._queue:
                    self._queue.popleft().future.cancel()
            self._condition.notify_all()
            while wait and (self._queue or self._active or self._stalled):
                self._condition.wait()

    def _start_queued(self) -> None:
        """Start queued runs while a slot and the thread cap allow; call with the condition held."""
        while (self._queue and len(self._active) < self.size
               and len(self._active) + len(self._stalled) < self.size + self.max_stalled):
            run = self._queue.popleft()
            if not run.future.set_running_or_notify_cancel():
                continue
            run.last_progress = time.monotonic()
            self._active.add(run)
            thread = threading.Thread(target=self._execute, args=(run,), daemon=True,
                                      name=f"{self.name}-{next(_names)}")
            thread.start()

    def _execute(self, run: _Run) -> None:
        _current.run = run
        try:
            result = run.function(*run.args, **run.kwargs)
        except BaseException as error:  # noqa: BLE001 - the future carries it to the submitter
            run.future.set_exception(error)
        else:
            run.future.set_result(result)
        finally:
            _current.run = None
            with self._condition:
                self._active.discard(run)
                self._stalled.discard(run)
                self._start_queued()
                self._condition.notify_all()

    def _watch(self) -> None:
        """Move runs without progress out of the slots, so queued runs can start."""
        interval = min(1.0, self.stall_seconds / 4)
        with self._condition:
            while not (self._shut_down and not (self._queue or self._active or self._stalled)):
                self._condition.wait(timeout=interval)
                self._release_stalled(time.monotonic())

    def _release_stalled(self, now: float) -> None:
        room = self.max_stalled - len(self._stalled)
        stalled = [run for run in self._active if now - run.last_progress >= self.stall_seconds][:max(room, 0)]
        for run in stalled:
            self._active.discard(run)
            self._stalled.add(run)
        if stalled:
            logger.warning("%d harvest(s) made no progress for %g s and gave their worker to queued runs "
                           "(%d stalled now)", len(stalled), self.stall_seconds, len(self._stalled))
            self._start_queued()
