"""File events from the Linux kernel (inotify), read inside the event loop.

No thread and no timer: a worker waiting for posts costs nothing, and a file is
seen the moment its writer closes it or it is renamed into place (close-write
and moved-to say for free that a file is complete). A file that is only created
(a hard link, a writer still busy) is reported as `opened`, to be checked for
completeness; a folder that comes, goes or moves, or a kernel queue that
overflowed, asks for a comparison of everything.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import errno
import os
import struct
from collections.abc import AsyncGenerator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bot.clock import first_of
from bot.folder.kernel import (
    IN_CLOSE_WRITE,
    IN_CREATE,
    IN_DELETE,
    IN_DELETE_SELF,
    IN_DONT_FOLLOW,
    IN_EXCL_UNLINK,
    IN_IGNORED,
    IN_ISDIR,
    IN_MOVE_SELF,
    IN_MOVED_FROM,
    IN_MOVED_TO,
    IN_ONLYDIR,
    IN_Q_OVERFLOW,
    c_library,
    filesystem,
)
from bot.folder.kernel import (
    available as available,
)
from bot.folder.kernel import (
    network_filesystem as network_filesystem,
)
from bot.jekyll.names import is_post_folder, is_post_path

_MASK = (
    IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE
    | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_EXCL_UNLINK
)  # fmt: skip
_HEADER = struct.Struct("iIII")  # struct inotify_event: wd, mask, cookie, len; then the name
# More distinct paths than this waiting in one batch: comparing everything is cheaper.
MAX_PATHS = 10_000
ROOT_CHECK = 30.0  # seconds between checks that the folder is still the one watched


# Filesystems on which a folder's link count is 2 plus its subfolders (Unix's own rule,
# which find(1) also relies on): ext2/3/4, XFS, tmpfs. Others (btrfs, overlayfs, network
# ones) may say 1 or 2 whatever a folder holds.
_COUNTS_SUBFOLDERS = {0xEF53, 0x58465342, 0x01021994}


class FolderGone(OSError):
    """The watched folder itself was removed, moved away or replaced."""


@dataclass
class Changes:
    """What the kernel said since the last batch."""

    paths: set[str] = field(default_factory=set)  # complete or gone: look at them now
    opened: set[str] = field(default_factory=set)  # created: complete once closed
    everything: bool = False  # folders changed or events were lost: compare all

    def __bool__(self) -> bool:
        return self.everything or bool(self.paths or self.opened)


def _holds_no_folder(path: Path) -> bool:
    """Whether the folder surely has no subfolder, from its link count where the
    filesystem keeps that count. Asked after its watch is added: a folder made later is
    announced by an event."""
    return os.stat(path).st_nlink == 2 and filesystem(path) in _COUNTS_SUBFOLDERS


def parse(buffer: bytes) -> Iterator[tuple[int, int, str]]:
    """(watch descriptor, mask, name) of each event in what read() returned."""
    offset = 0
    while offset + _HEADER.size <= len(buffer):
        wd, mask, _cookie, length = _HEADER.unpack_from(buffer, offset)
        offset += _HEADER.size
        name = buffer[offset : offset + length].rstrip(b"\0")
        offset += length
        yield wd, mask, os.fsdecode(name)


class Watcher:
    """inotify watches on every post folder under `root`, kept up to date as folders
    come and go. Raises OSError where inotify cannot be used (the caller polls)."""

    def __init__(self, root: Path) -> None:
        libc = c_library()
        if libc is None:
            raise OSError(errno.ENOSYS, "inotify is not available")
        self.root = root
        self._libc = libc
        self._fd = self._check(libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC))
        self._folders: dict[int, str] = {}  # watch descriptor -> "" or "a/b/"
        self._pending = Changes()
        self._ready = asyncio.Event()
        self._failure: OSError | None = None  # a watch that could not be added meanwhile
        self.gone = False
        try:
            self._identity = _identity(root)
            self._watch_tree("")
            if not self._folders:
                raise FileNotFoundError(errno.ENOENT, "no such folder", str(root))
        except (FileNotFoundError, NotADirectoryError) as error:
            self.close()
            raise FolderGone(error.errno, error.strerror, str(root)) from error
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    async def changes(self, stop: asyncio.Event) -> AsyncGenerator[Changes, None]:
        """Batches of changes until `stop`; raises FolderGone when the root goes. Events
        that come while the caller handles a batch make up the next one."""
        loop, fd = asyncio.get_running_loop(), self._fd
        loop.add_reader(fd, self._on_readable)
        try:
            while not stop.is_set():
                await first_of(self._ready.wait(), stop.wait(), asyncio.sleep(ROOT_CHECK))
                if not self._ready.is_set():
                    self.check_root()
                self._ready.clear()
                batch, self._pending = self._pending, Changes()
                if batch:
                    yield batch
                if self._failure is not None:  # the watch limit: the caller polls instead
                    raise self._failure
                if self.gone:
                    raise FolderGone(errno.ENOENT, "the watched folder went away", str(self.root))
        finally:
            loop.remove_reader(fd)

    def check_root(self) -> None:
        """A folder replaced under its name (a symlink switched by a deploy) sends no
        event: compare its identity every ROOT_CHECK seconds, and end the watch when it
        changed."""
        try:
            same = _identity(self.root) == self._identity
        except OSError:
            same = False
        if not same:
            self.gone = True
            self._ready.set()

    def _on_readable(self) -> None:
        """Drain the kernel's queue at once, so the descriptor is quiet again while the
        caller works (add_reader is level-triggered)."""
        while True:
            try:
                data = os.read(self._fd, 65536)
            except BlockingIOError:
                break
            for wd, mask, name in parse(data):
                try:
                    self._take(wd, mask, name)
                except OSError as error:  # a new folder beyond the watch limit
                    self._failure = error
        if len(self._pending.paths) + len(self._pending.opened) > MAX_PATHS:
            self._pending = Changes(everything=True)
        self._ready.set()

    def _take(self, wd: int, mask: int, name: str) -> None:
        pending = self._pending
        if mask & IN_Q_OVERFLOW:
            pending.everything = True
            return
        folder = self._folders.get(wd)
        if folder is None:
            return  # a watch we already dropped
        if mask & IN_IGNORED or mask & (IN_DELETE_SELF | IN_MOVE_SELF):
            if folder == "":
                self.gone = True
            if mask & IN_IGNORED:
                del self._folders[wd]
            return
        relative = folder + name
        if mask & IN_ISDIR:
            if is_post_folder(name):
                pending.everything = True  # its files were never announced one by one
                if mask & IN_MOVED_FROM:
                    self._forget(relative + "/")  # its watch would follow it elsewhere
                if mask & (IN_CREATE | IN_MOVED_TO):
                    self._watch_tree(relative + "/")
            return
        if not is_post_path(relative):
            return
        if mask & IN_CREATE:
            pending.opened.add(relative)
        else:
            pending.paths.add(relative)

    def _watch_tree(self, top: str) -> None:
        """Watch `top` and the post folders under it: the folder first, then its
        listing, so a folder made in between is announced by an event."""
        stack = [top]
        while stack:
            relative = stack.pop()
            path = self.root / relative if relative else self.root
            flags = _MASK | (IN_DONT_FOLLOW if relative else 0)  # symlinked folders are not read
            wd = self._libc.inotify_add_watch(self._fd, os.fsencode(path), flags)
            if wd < 0:
                number = ctypes.get_errno()
                if number in (errno.ENOENT, errno.ENOTDIR):
                    continue  # gone already: its parent's event said so
                raise OSError(number, os.strerror(number), str(path))
            self._folders[wd] = relative
            try:
                if _holds_no_folder(path):
                    continue  # a flat posts folder: 100,000 names not read for nothing
                with os.scandir(path) as entries:
                    # The file type first: a folder of 100,000 posts has few folders.
                    stack += [
                        f"{relative}{entry.name}/"
                        for entry in entries
                        if entry.is_dir(follow_symlinks=False) and is_post_folder(entry.name)
                    ]
            except OSError:
                continue  # vanished or unreadable: the reconcile scan says what is there

    def _forget(self, prefix: str) -> None:
        for wd, folder in list(self._folders.items()):
            if folder.startswith(prefix):
                self._libc.inotify_rm_watch(self._fd, wd)
                del self._folders[wd]

    def _check(self, result: int) -> int:
        if result < 0:
            number = ctypes.get_errno()
            raise OSError(number, os.strerror(number))
        return result


def _identity(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_dev, stat.st_ino
