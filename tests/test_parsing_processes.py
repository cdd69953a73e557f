"""A big first run parses in child processes: a worker killed mid-scan, by SIGTERM or by
kill -9, leaves none of them running (the real worker process, a real folder)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from bot.folder.reading import PARALLEL_FROM
from tests.conftest import write_post
from tests.harness import WorkerProcess

BODY = "\n\n".join(
    f"Paragraph {n} of a **long** post with a [link](https://example.nl/{n})." for n in range(60)
)


def descendants(pid: int) -> set[int]:
    """The children of every thread of `pid` (the pool is started by the scan thread)."""
    found: set[int] = set()
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            found |= {int(c) for c in Path(f"/proc/{pid}/task/{task}/children").read_text().split()}
    except OSError:
        pass
    return found


def alive(pid: int) -> bool:
    try:
        state = next(
            line for line in Path(f"/proc/{pid}/status").read_text().splitlines()
            if line.startswith("State:")
        )  # fmt: skip
    except (OSError, StopIteration):
        return False
    return " Z " not in state + " "  # a zombie has exited; its new parent reaps it


@pytest.fixture(scope="module")
def big_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A first run big enough to parse in processes; only read, so written once for both
    signals (each worker has a state database of its own)."""
    posts = tmp_path_factory.mktemp("big-site")
    for n in range(3 * PARALLEL_FROM):
        write_post(
            posts,
            f"2026-11-{n % 28 + 1:02d}-post-{n:05d}.md",
            f'title: Post {n}\nexterne_link: "https://example.nl/{n}"',
            BODY,
        )
    return posts


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM])
def test_no_parsing_process_outlives_a_worker_stopped_mid_first_run(
    tmp_path: Path, big_site: Path, signum: signal.Signals
) -> None:
    env = {"POSTS_DIR": str(big_site), "STATE_DB": str(tmp_path / "state.db")}
    process = WorkerProcess(tmp_path, env).start()
    assert process.process is not None
    pid = process.process.pid
    deadline = time.monotonic() + 30
    children: set[int] = set()
    # Parsing processes at work: the worker's children that are not its resource tracker.
    while len(children) < 2 and time.monotonic() < deadline and not process.exited:
        children = {c for c in descendants(pid) if b"spawn_main" in _command_line(c)}
        time.sleep(0.01)
    assert not any("first run" in line for line in process.lines), "the scan ended too soon"
    assert len(children) >= 2, "\n".join(process.lines)
    everything = descendants(pid)
    if signum == signal.SIGKILL:
        process.kill()
    else:
        process.terminate(timeout=20)
    deadline = time.monotonic() + 10
    while any(alive(c) for c in everything) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [c for c in everything if alive(c)]


def _command_line(pid: int) -> bytes:
    """A process's command line; empty when it is gone meanwhile (a short-lived helper,
    such as the one that looks at the folder ahead)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError):
        return b""
