"""The posts folder looked at ahead: its files' stats taken while the worker starts.

A restart over 100,000 known posts is mostly one stat per file (about 5 µs each). A
helper process (`python -S -E`, no imports of ours) is started as soon as the settings
say where the folder is: it lists the folder and stats its post files from the last
one backwards while this process imports, opens the database and reads its columns.
When the start-up scan comes to the folder, this process stats from the first file
forwards, telling the helper how far it got; they meet where the work is done.

What changes meanwhile is not missed: a kernel watch on the folder is made before the
helper starts, and any event on it by the time the scan takes the listing (when the
worker's own watch is already in place) means the listing is not used. Without
inotify (not Linux) or on a network filesystem (whose changes send no event here),
nothing is looked at ahead. Only the folder itself is; its subfolders are listed
when the scan comes to them.
"""

from __future__ import annotations

import array
import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from bot.folder import kernel

CHUNK = 1000  # files stat'ed between two looks at the other side's progress (~5 ms)
# Any change to a name in the folder, or to the folder itself, and a lost event.
_CHANGES = (
    kernel.IN_CLOSE_WRITE | kernel.IN_MOVED_FROM | kernel.IN_MOVED_TO | kernel.IN_CREATE
    | kernel.IN_DELETE | kernel.IN_DELETE_SELF | kernel.IN_MOVE_SELF
    | kernel.IN_MODIFY | kernel.IN_ATTRIB  # a write under way; a touch, an mtime set
)  # fmt: skip
_WORD = 8  # the protocol's integers: signed 64-bit, little-endian
# A folder's post names in order, its other names, and at each post name's index its
# size (-1: it could not be looked at), mtime_ns and mode.
Seen = tuple[list[str], list[str], tuple[list[int], list[int], list[int]]]

# Lists the folder (post names by the pattern given, sorted; the other names), writes
# them to its names file, says how many, then stats from the end in chunks into its
# stats file (size, mtime_ns, mode; size -1: could not be looked at, -2: a symlink, to
# be looked at by the reader), saying after each chunk from where on all are done. It
# stops where the reader has claimed (its stdin), or when the reader is gone.
_HELPER = r"""
import array, os, re, sys
folder, names_fd, stats_fd, chunk = map(int, sys.argv[1:5])
if sys.getfilesystemencoding() != sys.argv[6]:
    sys.exit(2)
is_post = re.compile(sys.argv[5], re.IGNORECASE).fullmatch
names, links = [], set()
for entry in os.scandir(folder):  # no entry kept: 15 MB at 100,000 files
    names.append(entry.name)
    if entry.is_symlink():
        links.add(entry.name)
posts = sorted(filter(is_post, names))
others = set(names).difference(posts) if len(posts) < len(names) else ()
os.write(names_fd, os.fsencode("\0".join(posts) + "\0\0" + "\0".join(others)))
os.ftruncate(stats_fd, 24 * len(posts))
say = lambda n: os.write(1, n.to_bytes(8, "little", signed=True))
say(len(posts))
os.set_blocking(0, False)
high, claimed, stat = len(posts), 0, os.stat
while True:
    try:
        told = os.read(0, 65536)
    except BlockingIOError:
        told = None
    if told == b"":
        break
    if told:
        claimed = int.from_bytes(told[-8:], "little", signed=True)
    low = max(high - chunk, claimed)
    if low >= high:
        break
    found = array.array("q")
    for name in posts[low:high]:
        if name in links:
            found.extend((-2, 0, 0))
            continue
        try:
            info = stat(name, dir_fd=folder)
        except OSError:
            found.extend((-1, 0, 0))
        else:
            found.extend((info.st_size, info.st_mtime_ns, info.st_mode))
    os.pwrite(stats_fd, found.tobytes(), 24 * low)
    high = low
    say(high)
"""


class Ahead:
    """The helper at work on one folder, and the watch that tells whether its listing
    still holds."""

    def __init__(self, root: Path, pattern: str) -> None:
        self.root = root
        self._fds: list[int] = []
        self._process: subprocess.Popen[bytes] | None = None
        try:
            self._watch = self._own(kernel.watch_descriptor(root, _CHANGES))
            self.folder = self._own(os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC))
            self._names = self._own(os.memfd_create("postbode-names", os.MFD_CLOEXEC))
            self._stats = self._own(os.memfd_create("postbode-stats", os.MFD_CLOEXEC))
            fds = (self.folder, self._names, self._stats)
            self._process = subprocess.Popen(
                [sys.executable, "-S", "-E", "-c", _HELPER, *map(str, fds), str(CHUNK),
                 pattern, sys.getfilesystemencoding()],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                pass_fds=fds, bufsize=0,
            )  # fmt: skip
        except BaseException:
            self.close()
            raise

    def _own(self, fd: int) -> int:
        self._fds.append(fd)
        return fd

    def holds(self, folder: int) -> bool:
        """Whether nothing changed in the folder since the helper started, and `folder`
        (open now) is the same one."""
        try:
            changed = os.read(self._watch, 65536)
        except BlockingIOError:
            changed = b""
        before, now = os.fstat(self.folder), os.fstat(folder)
        return not changed and (before.st_dev, before.st_ino) == (now.st_dev, now.st_ino)

    def take(self) -> Seen | None:
        """What is in the folder (None when the helper failed): this process stats from
        the front while the helper goes on from the back."""
        process = self._process
        if process is None or process.stdin is None or process.stdout is None:
            return None
        reader = process.stdout.fileno()
        told = os.read(reader, _WORD)  # the number of post names: they are written
        if len(told) != _WORD:
            return None
        count = int.from_bytes(told, "little", signed=True)
        written = os.pread(self._names, os.fstat(self._names).st_size, 0)
        posts_blob, _, others_blob = written.partition(b"\0\0")
        posts = os.fsdecode(posts_blob).split("\0") if count else []
        others = os.fsdecode(others_blob).split("\0") if others_blob else []
        if len(posts) != count:
            return None
        done, helped = 0, count  # this process has [0, done), the helper [helped, count)
        sizes: list[int] = []
        mtimes: list[int] = []
        modes: list[int] = []
        os.set_blocking(reader, False)
        stdin = process.stdin.fileno()
        while done < helped:
            claim = min(done + CHUNK, helped)
            with contextlib.suppress(OSError):  # a helper gone: this process does the rest
                os.write(stdin, claim.to_bytes(_WORD, "little", signed=True))
            _stat(self.folder, posts[done:claim], sizes, mtimes, modes)
            done = claim
            with contextlib.suppress(BlockingIOError):
                if told := os.read(reader, 65536):
                    helped = max(int.from_bytes(told[-_WORD:], "little", signed=True), done)
        self._stop()
        found = array.array("q", os.pread(self._stats, 24 * (count - done), 24 * done))
        if len(found) != 3 * (count - done):
            return None
        sizes += found[0::3].tolist()
        mtimes += found[1::3].tolist()
        modes += found[2::3].tolist()
        for index in [i for i in range(done, count) if sizes[i] == -2]:  # symlinks: now
            link: tuple[list[int], list[int], list[int]] = ([], [], [])
            _stat(self.folder, posts[index : index + 1], *link)
            sizes[index], mtimes[index], modes[index] = (column[0] for column in link)
        return posts, others, (sizes, mtimes, modes)

    def _stop(self) -> None:
        """The helper stopped: what it said it did is in its file, the rest is not used."""
        process, self._process = self._process, None
        if process is not None:
            process.kill()
            for pipe in (process.stdin, process.stdout):
                if pipe is not None:
                    with contextlib.suppress(OSError):  # a broken pipe fails its last flush
                        pipe.close()
            process.wait()

    def close(self) -> None:
        self._stop()
        for fd in self._fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        self._fds.clear()


def _stat(
    folder: int, names: list[str], sizes: list[int], mtimes: list[int], modes: list[int]
) -> None:
    """Append each name's (size, mtime_ns, mode), size -1 when it cannot be looked at."""
    stat = os.stat
    for name in names:
        try:
            info = stat(name, dir_fd=folder)
        except OSError:
            sizes.append(-1)
            mtimes.append(0)
            modes.append(0)
            continue
        sizes.append(info.st_size)
        mtimes.append(info.st_mtime_ns)
        modes.append(info.st_mode)


_ahead: dict[Path, Ahead] = {}


@contextlib.contextmanager
def looking_ahead(root: Path, pattern: str) -> Iterator[None]:
    """While the block runs, the first listing of `root` (bot.folder.listing) may take
    what the helper found. Nothing is looked at ahead where a change could go unseen."""
    ahead = None
    if kernel.available() and kernel.network_filesystem(root) is None and (os.cpu_count() or 1) > 1:
        with contextlib.suppress(OSError, ValueError):
            ahead = Ahead(root, pattern)
    if ahead is not None:
        _ahead[root] = ahead
    try:
        yield
    finally:
        if ahead is not None and _ahead.get(root) is ahead:  # taken: the listing closes it
            del _ahead[root]
            ahead.close()


def take(root: Path) -> Ahead | None:
    """The look ahead at `root`, once: the next listing is of the folder as it is."""
    return _ahead.pop(root, None)
