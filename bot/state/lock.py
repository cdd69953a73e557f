"""One worker per state database: an OS lock on a file next to it.

The kernel releases the lock when the process ends, however it ends (kill -9
included), so a stale lock file never blocks a restart.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO


class AlreadyRunning(RuntimeError):
    """Another process holds the lock; the message says which."""


class WorkerLock:
    """`with WorkerLock(state_db):` holds `state.db.lock` for the block."""

    def __init__(self, state_db: Path) -> None:
        self.path = state_db.with_name(state_db.name + ".lock")
        self._file: IO[str] | None = None

    def __enter__(self) -> WorkerLock:
        file = self.path.open("a+")
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.seek(0)
            holder = file.read().strip() or "another process"
            file.close()
            raise AlreadyRunning(
                f"another postbode worker ({holder}) is already running on {self.path.with_suffix('')};"
                " one worker per state database"
            ) from None
        file.seek(0)
        file.truncate()
        file.write(f"pid {os.getpid()}")
        file.flush()
        self._file = file
        return self

    def __exit__(self, *exc: object) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
