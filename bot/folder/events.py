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
import functools
import os
import struct
import sys
from collections.abc import AsyncGenerator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bot.clock import first_of
from bot.jekyll.names import is_post_folder, is_post_path

IN_MODIFY = 0x2
IN_ATTRIB = 0x4
IN_CLOSE_WRITE = 0x8
IN_MOVED_FROM = 0x40
IN_MOVED_TO = 0x80
IN_CREATE = 0x100
IN_DELETE = 0x200
IN_DELETE_SELF = 0x400
IN_MOVE_SELF = 0x800
IN_Q_OVERFLOW = 0x4000
IN_IGNORED = 0x8000
IN_ONLYDIR = 0x1000000
IN_DONT_FOLLOW = 0x2000000
IN_EXCL_UNLINK = 0x4000000
IN_ISDIR = 0x40000000

_MASK = (
    IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE
    | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_EXCL_UNLINK
)  # fmt: skip
_HEADER = struct.Struct("iIII")  # struct inotify_event: wd, mask, cookie, len; then the name
# More distinct paths than this waiting in one batch: comparing everything is cheaper.
MAX_PATHS = 10_000
ROOT_CHECK = 30.0  # seconds between checks that the folder is still the one watched
# Filesystems whose files can change on another machine, which sends this one no event
# (statfs f_type values from linux/magic.h).
_NETWORK = {
    0x6969: "nfs", 0x517B: "smb", 0xFF534D42: "cifs", 0xFE534D42: "smb2",
    0x65735546: "fuse", 0x01021997: "9p", 0x6A656A63: "virtiofs", 0x5346414F: "afs",
    0x00C36400: "ceph", 0x0BD00BD0: "lustre", 0x47504653: "gpfs",
}  # fmt: skip


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


def available() -> bool:
    return sys.platform.startswith("linux") and _libc() is not None


@functools.cache
def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    except OSError:
        return None
    if not hasattr(libc, "inotify_init1"):
        return None
    libc.inotify_init1.argtypes = [ctypes.c_int]
    libc.inotify_add_watch.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
    libc.inotify_rm_watch.argtypes = [ctypes.c_int, ctypes.c_int]
    return libc


def watch_descriptor(folder: Path, mask: int) -> int:
    """A non-blocking inotify descriptor watching `folder` (not its subfolders) for
    `mask`: what happened since is read from it. OSError where that cannot be."""
    libc = _libc()
    if libc is None:
        raise OSError(errno.ENOSYS, "inotify is not available")
    fd: int = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
    if fd < 0 or libc.inotify_add_watch(fd, os.fsencode(folder), mask | IN_ONLYDIR) < 0:
        number = ctypes.get_errno()
        if fd >= 0:
            os.close(fd)
        raise OSError(number, os.strerror(number))
    return fd


def network_filesystem(path: Path) -> str | None:
    """The name of the network filesystem `path` is on, None when it is local (or the
    kernel will not say)."""
    kind = _filesystem(path)
    return None if kind is None else _NETWORK.get(kind)


def _filesystem(path: Path) -> int | None:
    """statfs's f_type of the filesystem `path` is on; None when the kernel will not say."""
    libc = _libc()
    buffer = ctypes.create_string_buffer(256)  # struct statfs; f_type comes first
    if libc is None or libc.statfs(os.fsencode(path), buffer) != 0:
        return None
    return ctypes.c_long.from_buffer(buffer).value & 0xFFFFFFFF


def _holds_no_folder(path: Path) -> bool:
    """Whether the folder surely has no subfolder, from its link count where the
    filesystem keeps that count. Asked after its watch is added: a folder made later is
    announced by an event."""
    return os.stat(path).st_nlink == 2 and _filesystem(path) in _COUNTS_SUBFOLDERS


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
        libc = _libc()
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
