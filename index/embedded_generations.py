"""Index generations on disk and the atomic switch between them.

The index folder contains one folder per generation (`gen-<time>-<pid>`) and a
symbolic link `current` naming the generation that searches use. A rebuild
writes a new generation beside the current one and then replaces the link in
one `rename`, so a reader sees either the old or the new index, never an empty
or half-built one. The previous generation is kept until the next switch, so a
reader in another process that still has it open can finish its searches.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from harvester.errors import SearchIndexError

logger = logging.getLogger(__name__)

CURRENT_LINK = "current"
LOCK_FILE = ".switch.lock"
GENERATION_PREFIX = "gen-"


class Generations:
    """The generation folders under one index folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise SearchIndexError(f"cannot create the index folder {root}: {error}") from error

    @contextmanager
    def switch_lock(self) -> Iterator[None]:
        """Hold an exclusive lock on the index folder while creating or switching generations."""
        with open(self.root / LOCK_FILE, "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def current(self) -> Path | None:
        """Return the folder of the current generation, or None before the first one exists."""
        try:
            target = os.readlink(self.root / CURRENT_LINK)
        except FileNotFoundError:
            return None
        return self.root / target

    def create(self) -> Path:
        """Create an empty folder for a new generation and return it."""
        folder = self.root / f"{GENERATION_PREFIX}{time.time_ns()}-{os.getpid()}"
        folder.mkdir()
        return folder

    def activate(self, generation: Path) -> Path | None:
        """Point `current` at `generation` atomically; return the generation it replaced.

        Generations older than the replaced one are deleted. Call this while
        holding `switch_lock()`.
        """
        previous = self.current()
        temporary = self.root / f".{CURRENT_LINK}-{os.getpid()}-{time.time_ns()}"
        os.symlink(generation.name, temporary)
        os.replace(temporary, self.root / CURRENT_LINK)
        self._sync_folder()
        logger.info("search index generation %s is current (previous: %s)",
                    generation.name, previous.name if previous else "none")

        oldest_kept = previous if previous is not None else generation
        self.prune_older_than(oldest_kept)
        return previous

    def prune_older_than(self, generation: Path) -> None:
        """Delete every generation created before `generation`.

        Newer folders are left alone because they may be rebuilds still in
        progress, and so is the current generation.
        """
        cutoff = _created_ns(generation)
        current = self.current()
        for folder in self.root.glob(f"{GENERATION_PREFIX}*"):
            if folder.is_dir() and folder != current and _created_ns(folder) < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
                logger.info("search index generation %s deleted", folder.name)

    def discard(self, generation: Path) -> None:
        """Delete a generation that was never activated (a failed rebuild)."""
        if generation != self.current():
            shutil.rmtree(generation, ignore_errors=True)

    def _sync_folder(self) -> None:
        descriptor = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _created_ns(generation: Path) -> int:
    """Return the creation time encoded in a generation folder name (0 when it has none)."""
    stamp = generation.name.removeprefix(GENERATION_PREFIX).split("-", 1)[0]
    return int(stamp) if stamp.isdigit() else 0
