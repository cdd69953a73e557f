"""Looking at many files of one folder at once: half of them in a helper process.

os.stat releases the GIL, but two threads hand it back and forth at every call, and
that costs more than the call (measured: two threads over 100,000 files were slower
than one). A second process has an interpreter of its own: it is started bare
(`python -S -E`: no site, no imports, ~20 ms), looks at its half of the names through
the folder's own descriptor while this process looks at the other half, and sends
back (size, mtime_ns, mode) for each as 64-bit integers.
"""

from __future__ import annotations

import array
import contextlib
import os
import subprocess
import sys

# Files of one folder from which a helper takes half: below, its start costs more than
# it saves (a stat is about 5 µs; the helper's start and answer some 30 ms).
SPLIT_FROM = 20_000

_HELPER = """
import array, os, sys
folder, found = int(sys.argv[1]), array.array("q")
for name in sys.stdin.buffer.read().split(b"\\0"):
    try:
        info = os.stat(name, dir_fd=folder)
    except OSError:
        found.extend((-1, 0, 0))
    else:
        found.extend((info.st_size, info.st_mtime_ns, info.st_mode))
sys.stdout.buffer.write(found.tobytes())
"""


class Helper:
    """A process looking at `names` in the open `folder` (os.stat, symlinks followed)."""

    def __init__(self, folder: int, names: list[str]) -> None:
        self.names = names
        self._process: subprocess.Popen[bytes] | None = None
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-S", "-E", "-c", _HELPER, str(folder)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                pass_fds=(folder,),
            )  # fmt: skip
            assert self._process.stdin is not None
            with self._process.stdin as stdin:  # read whole before it answers: no deadlock
                stdin.write(os.fsencode("\0".join(names)))
        except OSError:
            self._stop()

    def results(self) -> tuple[list[int], list[int], list[int]] | None:
        """Each name's size (-1: it could not be looked at), mtime_ns and mode, at the
        name's index; None when the helper failed (the caller looks itself)."""
        if self._process is None:
            return None
        assert self._process.stdout is not None
        with self._process.stdout as stdout:
            answer = stdout.read()
        if self._process.wait() != 0 or len(answer) != 3 * 8 * len(self.names):
            return None
        found = array.array("q", answer)
        return found[0::3].tolist(), found[1::3].tolist(), found[2::3].tolist()

    def _stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            for pipe in (self._process.stdin, self._process.stdout):
                if pipe is not None:
                    with contextlib.suppress(OSError):  # a broken pipe fails its last flush
                        pipe.close()
            self._process.wait()
            self._process = None
