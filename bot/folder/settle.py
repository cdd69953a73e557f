"""Is a file done being written? Read it only when it is, never half-way.

An atomic rename (editors, git) is complete at once. A file written in place is
complete when its writer has closed it: Linux tells, cheaply, through a read
lease, which the kernel grants only when no process has the file open for
writing. Where it will not say (another user's file, a network filesystem), a
file is complete once it has been quiet for SETTLE_SECONDS.
"""

from __future__ import annotations

import errno
import fcntl
import os
import signal
import stat
import time
from pathlib import Path

SETTLE_SECONDS = 1.0


def ignore_lease_breaks() -> None:
    """A writer opening a file while we hold a lease sends us SIGIO, whose default
    action ends the process; we hold leases for microseconds and need no signal."""
    signal.signal(signal.SIGIO, signal.SIG_IGN)


def _writers_closed(fd: int) -> bool | None:
    """True when no process has the file open for writing, False when one has, None
    when the kernel will not tell us (a read lease is granted only without writers)."""
    try:
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_RDLCK)
    except OSError as error:
        return False if error.errno == errno.EAGAIN else None
    fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)
    return True


def quiet_long_enough(mtime_ns: int, now: float) -> bool:
    """Where the kernel will not say whether a writer is done: quiet for SETTLE_SECONDS.
    abs(): a file stamped in the future (clock skew, copied times) is not "being written"."""
    return abs(now - mtime_ns / 1e9) >= SETTLE_SECONDS


class NotRegular(OSError):
    """Not a regular file: a FIFO, a device or a socket is never read."""


def read_complete(
    path: Path | str, limit: int, now: float | None = None, *, follow_symlinks: bool = False
) -> tuple[bytes, os.stat_result] | None:
    """The bytes of the file at `path` (at most `limit` + 1 of them) and its (size,
    mtime) when it is complete, read through one descriptor (a first run reads 100,000
    files); None while it is being written, or was written to as we read. OSError: it
    is gone or cannot be read (ELOOP: a symlink, unless `follow_symlinks`); NotRegular:
    it is no regular file. Opened without blocking, so a FIFO is never waited for."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY
    fd = os.open(path, flags if follow_symlinks else flags | os.O_NOFOLLOW)
    try:
        before = os.fstat(fd)
        if not stat.S_ISREG(before.st_mode):  # a FIFO or a device: never read
            raise NotRegular(path)
        closed = _writers_closed(fd)
        if closed is None:
            closed = quiet_long_enough(before.st_mtime_ns, now or time.time())
        if not closed:
            return None
        # At most one byte past the cap, whatever the file claims (a sparse 50 GB file).
        left = limit + 1
        chunks = []
        while left > 0 and (chunk := os.read(fd, ask := min(max(before.st_size, 4096) + 1, left))):
            chunks.append(chunk)
            left -= len(chunk)
            if len(chunk) < ask and limit + 1 - left >= before.st_size:
                break  # all the bytes fstat promised, and no more: no read to see the end
        after = os.fstat(fd)
    finally:
        os.close(fd)
    if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
        return None
    return b"".join(chunks), before
