"""A state database on a disk that fills up or turns read-only: one clear line, no
traceback, and nothing lost once the disk is fixed. Real tmpfs mounts (needs root)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.fakes.mastodon import FakeMastodon
from tests.harness import platform_env, worker
from tests.test_worker import drop_post, statuses_titled


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs, unmounted afterwards."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a small tmpfs")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"needs permission to mount a tmpfs: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> Path:
    """Take every free byte of the disk with one file; return it."""
    filler = disk / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass
    return filler


def make_full(disk: Path) -> None:
    fill(disk)


def make_read_only(disk: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)


def fix(disk: Path) -> None:
    subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=True)
    (disk / "filler").unlink(missing_ok=True)


# (A disk cannot be remounted read-only while the worker has the database open for
# writing: the kernel refuses, so the read-only case is the one at start, below.)
@pytest.mark.parametrize("trouble", [make_full], ids=["full"])
def test_a_disk_in_trouble_stops_the_worker_with_one_line_and_loses_nothing(
    tmp_path: Path, small_disk: Path, fake_mastodon: FakeMastodon, trouble: Callable[[Path], None]
) -> None:
    posts = tmp_path / "posts"
    posts.mkdir()
    env = platform_env(tmp_path, None, fake_mastodon, STATE_DB=str(small_disk / "state.db"))
    with worker(tmp_path, env) as process:
        process.wait_for_line("watching")
        drop_post(posts, 1)
        fake_mastodon.wait_for(lambda: len(fake_mastodon.statuses) == 1)
        trouble(small_disk)
        for n in range(2, 40):  # enough new rows to need new pages of the WAL
            drop_post(posts, n)
        process.wait_for_line("cannot write the state database", timeout=30)
        assert process.process is not None and process.process.wait(15) == 1
    assert not any("Traceback" in line for line in process.lines), process.lines
    fix(small_disk)
    with worker(tmp_path, env) as process:  # fixed: what was not recorded is found
        fake_mastodon.wait_for(lambda: len(fake_mastodon.statuses) == 39, timeout=60)
        assert process.terminate() == 0
    assert sorted(statuses_titled(fake_mastodon)) == [f"Post {n:02d}" for n in range(1, 40)]


def test_a_read_only_disk_at_start_is_one_line(tmp_path: Path, small_disk: Path) -> None:
    (tmp_path / "posts").mkdir()
    env = platform_env(tmp_path, None, None, STATE_DB=str(small_disk / "state.db"))
    with worker(tmp_path, env) as process:  # a database from an earlier run
        process.wait_for_line("watching")
        assert process.terminate() == 0
    make_read_only(small_disk)
    with worker(tmp_path, env) as process:
        assert process.process is not None and process.process.wait(30) == 1
    assert not any("Traceback" in line for line in process.lines), process.lines
    assert any("STATE_DB:" in line and "not writable" in line for line in process.lines)
