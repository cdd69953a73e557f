"""The Linux kernel's inotify and statfs, through the C library (ctypes): no event loop
here, so that the start can make a watch before anything else is imported."""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import functools
import os
import sys
from pathlib import Path

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


# Filesystems whose files can change on another machine, which sends this one no event
# (statfs f_type values from linux/magic.h).
_NETWORK = {
    0x6969: "nfs", 0x517B: "smb", 0xFF534D42: "cifs", 0xFE534D42: "smb2",
    0x65735546: "fuse", 0x01021997: "9p", 0x6A656A63: "virtiofs", 0x5346414F: "afs",
    0x00C36400: "ceph", 0x0BD00BD0: "lustre", 0x47504653: "gpfs",
}  # fmt: skip


def available() -> bool:
    return sys.platform.startswith("linux") and c_library() is not None


@functools.cache
def c_library() -> ctypes.CDLL | None:
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
    libc = c_library()
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
    kind = filesystem(path)
    return None if kind is None else _NETWORK.get(kind)


def filesystem(path: Path) -> int | None:
    """statfs's f_type of the filesystem `path` is on; None when the kernel will not say."""
    libc = c_library()
    buffer = ctypes.create_string_buffer(256)  # struct statfs; f_type comes first
    if libc is None or libc.statfs(os.fsencode(path), buffer) != 0:
        return None
    return ctypes.c_long.from_buffer(buffer).value & 0xFFFFFFFF
