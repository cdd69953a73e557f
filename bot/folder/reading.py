"""Reading changed files: complete ones only, parsed into posts; in parallel for big scans."""

from __future__ import annotations

import collections
import errno
import functools
import hashlib
import itertools
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from bot.folder.settle import NotRegular, ignore_lease_breaks, read_complete
from bot.jekyll.posts import MAX_POST_BYTES, Post, Rejected, read_post
from bot.jekyll.site import Site
from bot.state.rows import FileState

# Files read per batch (and written per transaction): fewer commits, same safety.
BATCH = 500
# From this many changed files on, parsing runs in one process per core.
PARALLEL_FROM = 2000
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
T = TypeVar("T")
NOT_REGULAR = "not a regular file (a FIFO, device or socket)"


@dataclass(frozen=True)
class Loaded:
    """A changed file as read from disk. `result` is None when its bytes are the ones
    already recorded; `file` is None when it is still being written or is gone."""

    path: str
    file: FileState | None
    result: Post | Rejected | None = None
    busy: bool = False


def load(root: Path, relative: str, site: Site, known_hash: str | None) -> Loaded:
    """Read and parse one file, if it is complete (a pure function of the file system:
    big scans run it in worker processes). What cannot be read as a post file comes
    back Rejected with its reason, for `status`, and is read again when it changes."""
    path = root / relative  # pathlib joins in Python: the open takes the plain string
    try:
        try:
            read = read_complete(os.path.join(root, relative), MAX_POST_BYTES)
        except OSError as error:
            if error.errno != errno.ELOOP:
                raise
            # A symlink (the cheap open refuses them): followed only into the folder.
            if not path.resolve().is_relative_to(root.resolve()):
                return _refused(relative, path, "a symlink to a file outside the posts folder")
            read = read_complete(path, MAX_POST_BYTES, follow_symlinks=True)
    except NotRegular:
        return _refused(relative, path, NOT_REGULAR)
    except (FileNotFoundError, NotADirectoryError):
        return Loaded(relative, None)  # gone between listing and reading: settled later
    except OSError as error:
        if error.errno == errno.ENXIO:  # a socket
            return _refused(relative, path, NOT_REGULAR)
        return _refused(relative, path, f"cannot be read: {error.strerror or error}")
    if read is None:
        return Loaded(relative, None, busy=True)  # being written, or written as we read
    raw, stat = read
    file = FileState(stat.st_size, stat.st_mtime_ns, hashlib.sha256(raw).hexdigest())
    if file.content_hash == known_hash:
        return Loaded(relative, file)
    return Loaded(relative, file, read_post(raw, relative, site, stat.st_mtime))


def _refused(relative: str, path: Path, reason: str) -> Loaded:
    """A Rejected with the file's own (size, mtime): refused again only once it changes."""
    try:  # as the listing saw it: through a symlink when it can
        info = path.stat() if path.exists() else path.lstat()
    except OSError:
        return Loaded(relative, None)
    digest = hashlib.sha256(reason.encode()).hexdigest()
    file = FileState(info.st_size, info.st_mtime_ns, digest)
    return Loaded(relative, file, Rejected(relative, "invalid", reason))


def _load_batch(root: Path, site: Site, batch: list[tuple[str, str | None]]) -> list[Loaded]:
    return [load(root, relative, site, known) for relative, known in batch]


def read_changed(
    root: Path, site: Site, items: Iterable[tuple[str, str | None]], count: int
) -> Iterator[list[Loaded]]:
    """The changed files, each `(path, hash of the bytes recorded)`, read and parsed a
    batch at a time, in order. A big scan (a first run over a whole site) parses in
    one process per core. A caller that stops early leaves no work running."""
    return map_batches(functools.partial(_load_batch, root, site), items, count)


def map_batches(
    job: Callable[[list[tuple[str, str | None]]], T],
    items: Iterable[tuple[str, str | None]],
    count: int,
    *,
    fork: bool = False,
) -> Iterator[T]:
    """`job` (picklable) over the items a batch at a time, in order: in one process per
    core from PARALLEL_FROM items on (`preview` renders there too, not only parses).
    `fork`: the caller runs no threads, so the processes may start as copies of it, with
    everything imported (spawning imports it all again: 0.4 CPU s each); checked here."""
    batches = _batches(items)
    cores = os.cpu_count() or 1
    if count < PARALLEL_FROM or cores < 2:
        for batch in batches:
            yield job(batch)
        return
    # Imported here: a restart with nothing to read never needs them.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # spawn: the worker process has threads (watcher, Mastodon), which fork would copy.
    forks = (
        fork and threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()
    )
    context = multiprocessing.get_context("fork" if forks else "spawn")
    pool = ProcessPoolExecutor(
        cores, mp_context=context, initializer=_start_child, initargs=(os.getpid(),)
    )
    try:
        ahead = collections.deque(pool.submit(job, b) for b in itertools.islice(batches, 2 * cores))
        for batch in batches:
            yield ahead.popleft().result()
            ahead.append(pool.submit(job, batch))
        while ahead:
            yield ahead.popleft().result()
    finally:
        pool.shutdown(cancel_futures=True)


def _start_child(parent: int) -> None:
    """In each parsing process: no SIGIO death (leases), and no life after the worker's."""
    ignore_lease_breaks()
    if sys.platform == "linux":
        # The kernel sends SIGKILL when the thread that started us dies, kill -9 included.
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    else:
        threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()
    if os.getppid() != parent:
        os._exit(1)  # the worker died before we could ask to die with it


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


def _batches(items: Iterable[tuple[str, str | None]]) -> Iterator[list[tuple[str, str | None]]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, BATCH)):
        yield batch
