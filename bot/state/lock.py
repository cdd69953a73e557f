"""One worker per state database: an OS lock on the database file itself.

The lock belongs to the file, not its name, so a second worker is refused
whatever name it uses (a hard link, a symlink, another relative path). The
kernel releases it when the process ends, however it ends (kill -9 included),
so nothing stale ever blocks a restart. `state.db.lock` beside it only says who
holds it. (flock and SQLite's own fcntl locks do not interact on Linux.)
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path


class AlreadyRunning(RuntimeError):
    """Another process holds the lock; the message says which."""


class WorkerLock:
    """`with WorkerLock(state_db):` holds the database's lock for the block."""

    def __init__(self, state_db: Path) -> None:
        self.state_db = state_db
        self.note = state_db.with_name(state_db.name + ".lock")
        self._fd: int | None = None

    def __enter__(self) -> WorkerLock:
        fd = os.open(self.state_db, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise AlreadyRunning(
                f"another postbode worker ({self._holder()}) is already running on"
                f" {self.state_db}; one worker per state database"
            ) from None
        self._fd = fd
        with contextlib.suppress(OSError):  # the note is for people; the lock is what counts
            self.note.write_text(f"pid {os.getpid()}")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def _holder(self) -> str:
        try:
            return self.note.read_text().strip() or "another process"
        except OSError:
            return "another process"
