"""The harvest pool: slots for runs that make progress, and stalled runs moved out of the way."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from harvester.harvest_pool import StallAwarePool, progress

STALL_SECONDS = 0.2


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Set at teardown so no run of a failed test keeps its thread."""
    event = threading.Event()
    yield event
    event.set()


def silent(release: threading.Event) -> str:
    """A run that never reports progress, like a harvest waiting on a source that never responds."""
    release.wait(10)
    return "silent"


def busy(release: threading.Event, started: list[str], name: str) -> str:
    """A run that reports progress every 20 ms until released."""
    started.append(name)
    while not release.is_set():
        progress()
        time.sleep(0.02)
    return name


def test_stalled_run_gives_its_slot_to_the_queue(release: threading.Event) -> None:
    pool = StallAwarePool(1, stall_seconds=STALL_SECONDS, max_stalled=4)
    started: list[str] = []
    hung = pool.submit(silent, release)
    healthy = pool.submit(busy, release, started, "healthy")

    deadline = time.monotonic() + 5
    while not started and time.monotonic() < deadline:
        time.sleep(0.01)

    assert started == ["healthy"]
    assert pool.stalled_count == 1
    assert not hung.done()
    release.set()
    assert healthy.result(timeout=5) == "healthy"
    assert hung.result(timeout=5) == "silent"
    pool.shutdown()


def test_runs_with_progress_keep_their_slots(release: threading.Event) -> None:
    pool = StallAwarePool(2, stall_seconds=STALL_SECONDS, max_stalled=4)
    started: list[str] = []
    futures = [pool.submit(busy, release, started, f"run-{number}") for number in range(3)]

    time.sleep(4 * STALL_SECONDS)

    assert started == ["run-0", "run-1"]
    assert pool.stalled_count == 0
    release.set()
    assert [future.result(timeout=5) for future in futures] == ["run-0", "run-1", "run-2"]
    pool.shutdown()


def test_stalled_runs_are_capped(release: threading.Event) -> None:
    pool = StallAwarePool(1, stall_seconds=STALL_SECONDS, max_stalled=1)
    started: list[str] = []
    first, second = pool.submit(silent, release), pool.submit(silent, release)
    third = pool.submit(busy, release, started, "third")

    time.sleep(5 * STALL_SECONDS)

    assert pool.stalled_count == 1
    assert started == []  # one stalled and one in the slot: the cap of two is reached
    release.set()
    assert third.result(timeout=5) == "third"
    assert first.result(timeout=5) == second.result(timeout=5) == "silent"
    pool.shutdown()


def test_error_reaches_the_future_and_the_slot_frees() -> None:
    pool = StallAwarePool(1, stall_seconds=STALL_SECONDS, max_stalled=0)

    def broken() -> None:
        raise RuntimeError("source sent an invalid page")

    failed = pool.submit(broken)
    after = pool.submit(lambda: "next")

    with pytest.raises(RuntimeError, match="invalid page"):
        failed.result(timeout=5)
    assert after.result(timeout=5) == "next"
    pool.shutdown()


def test_shutdown_waits_and_refuses_new_runs(release: threading.Event) -> None:
    pool = StallAwarePool(1, stall_seconds=STALL_SECONDS, max_stalled=0)
    running = pool.submit(busy, release, [], "running")
    threading.Timer(0.3, release.set).start()

    pool.shutdown(wait=True)

    assert running.done()
    with pytest.raises(RuntimeError, match="shut down"):
        pool.submit(lambda: None)


def test_progress_outside_a_pool_is_ignored() -> None:
    progress()  # the CLI runs harvests outside any pool; reporting progress there must be harmless
