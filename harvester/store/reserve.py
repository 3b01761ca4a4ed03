"""A reserve file beside a SQLite database, deleted when the disk fills so that a job can still end.

SQLite needs free disk space for every commit, including the one that marks
a job failed. When a write fails because the disk is full, the store deletes
`<database>.reserve` to free its space for the job's final state and the WAL
frames of that write. The store creates the file when it opens the database.
While the file is missing, a later successful write creates it again, with
the disk checked at most once a minute. Either way the disk must have at
least twice the reserve size free.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import time
from pathlib import Path

logger = logging.getLogger(__name__)

MIB = 1024 * 1024

# Far more than the final-state write of a job needs (an estimate: a few 4 KiB
# WAL pages), and small enough to take from a disk that is nearly full.
RESERVE_BYTES = 2 * MIB
RESERVE_SUFFIX = ".reserve"

# Seconds after a failed or skipped creation before `ensure` checks the disk again,
# so a store that cannot create the file does not log or call statvfs on every write.
RETRY_SECONDS = 60.0

# Bytes written per call when the file system does not support fallocate.
_WRITE_BLOCK = 64 * 1024


def free_bytes(folder: Path) -> int:
    """Return the bytes an unprivileged process may still write on the file system of `folder`."""
    stats = os.statvfs(folder)
    return stats.f_bavail * stats.f_frsize


class DiskReserve:
    """`size` bytes of allocated disk space in `<database>.reserve`, freed when the disk is full."""

    def __init__(self, database: Path, size: int = RESERVE_BYTES) -> None:
        self.path = database.with_name(database.name + RESERVE_SUFFIX)
        self.size = size
        # time.monotonic() before which `ensure` does not try to create the file.
        self.retry_at = 0.0

    def exists(self) -> bool:
        """Return True when the reserve file is there at its full size."""
        try:
            return self.path.stat().st_size >= self.size
        except OSError:
            return False

    def ensure(self) -> bool:
        """Create the reserve file when it is missing and the disk has twice its size free.

        Returns True when the reserve exists afterwards. A file system error
        is logged and returns False, because the store works without a reserve.
        After a creation that failed or was skipped, it checks again only
        `RETRY_SECONDS` later.
        """
        if self.exists():
            return True
        if time.monotonic() < self.retry_at:
            return False
        created = self._create()
        if not created:
            self.retry_at = time.monotonic() + RETRY_SECONDS
        return created

    def _create(self) -> bool:
        try:
            free = free_bytes(self.path.parent)
        except FileNotFoundError:
            # The folder may be created later, and a later successful write tries again.
            logger.debug("disk reserve %s not created: its folder does not exist yet", self.path)
            return False
        except OSError as error:
            logger.warning("disk reserve %s not created: the free space of its folder could not be read: %s",
                           self.path, error)
            return False
        if free < 2 * self.size:
            logger.debug("disk reserve %s not created: %d bytes free, %d needed", self.path, free, 2 * self.size)
            return False

        temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        try:
            _allocate(temporary, self.size)
            os.replace(temporary, self.path)
        except OSError as error:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
            logger.warning("disk reserve %s not created: %s", self.path, error)
            return False
        logger.info("disk reserve %s created (%d MiB)", self.path, self.size // MIB)
        return True

    def release(self) -> bool:
        """Delete the reserve file; return True when there was one to delete."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        except OSError as error:
            logger.error("disk reserve %s could not be deleted on a full disk: %s", self.path, error)
            return False
        return True


def _allocate(path: Path, size: int) -> None:
    """Write a file of `size` bytes whose blocks are allocated on disk, not sparse."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        try:
            os.posix_fallocate(descriptor, 0, size)
            return
        except OSError as error:
            if error.errno not in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
                raise
        # Random bytes, because a file system that compresses (ZFS, or btrfs with compression on)
        # stores zeros in almost no space.
        remaining = size
        while remaining > 0:
            block = os.urandom(min(_WRITE_BLOCK, remaining))
            remaining -= os.write(descriptor, block)
    finally:
        os.close(descriptor)
