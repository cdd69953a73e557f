"""Files that are not what they claim: FIFOs, devices, sparse giants, symlinks out of
the folder, names no terminal should print, YAML that expands without end."""

from __future__ import annotations

import os
import resource
import stat
import time
from pathlib import Path

import pytest

from bot.clock import utc_now
from bot.folder.scan import Folder, scan
from bot.jekyll.site import Site
from bot.state.store import Store
from tests.conftest import write_post
from tests.fakes.mastodon import FakeMastodon
from tests.harness import platform_env, worker
from tests.test_worker import drop_post, statuses_titled

FRONT = 'title: Gewoon\nexterne_link: "https://example.nl/g"'


@pytest.fixture
def folder(tmp_path: Path) -> Folder:
    posts = tmp_path / "posts"
    posts.mkdir()
    return Folder(posts, Site(), ("console",))


def scanned(tmp_path: Path, folder: Folder) -> dict[str, tuple[str, str]]:
    """(status, reason) of every path after one scan of the folder."""
    store = Store(tmp_path / "state.db")
    try:
        scan(store, folder, utc_now())
        return {path: (status, reason) for path, status, reason in store.db.execute(
            "select path, status, reason from posts"
        )}  # fmt: skip
    finally:
        store.close()


def test_a_fifo_is_refused_without_hanging(tmp_path: Path, folder: Folder) -> None:
    os.mkfifo(folder.root / "2026-01-01-pipe.md")  # opening it for reading would block
    write_post(folder.root, "2026-01-01-ok.md", FRONT)
    started = time.monotonic()
    found = scanned(tmp_path, folder)
    assert time.monotonic() - started < 10
    assert found["2026-01-01-pipe.md"] == (
        "invalid",
        "not a regular file (a FIFO, device or socket)",
    )
    assert found["2026-01-01-ok.md"][0] == "ready"


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to make a device node")
def test_a_device_is_refused(tmp_path: Path, folder: Folder) -> None:
    os.mknod(folder.root / "2026-01-01-zero.md", stat.S_IFCHR | 0o600, os.makedev(1, 5))
    assert scanned(tmp_path, folder)["2026-01-01-zero.md"][1].startswith("not a regular file")


def test_symlinks_are_followed_only_inside_the_folder(tmp_path: Path, folder: Folder) -> None:
    inside = write_post(folder.root, "2026-01-01-real.md", FRONT)
    (folder.root / "2026-01-02-link.md").symlink_to(inside)
    (tmp_path / "secret.md").write_text(f"---\n{FRONT}\n---\nGeheim.\n")
    (folder.root / "2026-01-03-out.md").symlink_to(tmp_path / "secret.md")
    (folder.root / "2026-01-04-zero.md").symlink_to("/dev/zero")
    found = scanned(tmp_path, folder)
    assert found["2026-01-02-link.md"][0] == "ready"
    for name in ("2026-01-03-out.md", "2026-01-04-zero.md"):
        assert found[name] == ("invalid", "a symlink to a file outside the posts folder")


def test_a_sparse_giant_is_refused_without_reading_it(tmp_path: Path, folder: Folder) -> None:
    with (folder.root / "2026-01-01-huge.md").open("wb") as huge:
        huge.write(b"---\ntitle: Groot\n---\n")
        huge.truncate(50 * 1024**3)  # 50 GB that take no disk
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    found = scanned(tmp_path, folder)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert found["2026-01-01-huge.md"] == ("invalid", "file is larger than the 5 MB a post may be")
    assert grown_mb < 100


def test_yaml_that_expands_without_end_is_refused_within_a_second(
    tmp_path: Path, folder: Folder
) -> None:
    levels = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for n in range(1, 9):
        prev, name = chr(ord("a") + n - 1), chr(ord("a") + n)
        levels.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    write_post(folder.root, "2026-01-01-lol.md", "title: Lach\n" + "\n".join(levels) + "\ndate: *i")
    started = time.monotonic()
    status, reason = scanned(tmp_path, folder)["2026-01-01-lol.md"]
    assert time.monotonic() - started < 1
    assert status == "invalid" and "expands to more than 100,000 values" in reason


def test_names_that_are_not_plain_text(
    tmp_path: Path, folder: Folder, caplog: pytest.LogCaptureFixture
) -> None:
    """A newline in a name is stored as it is; a name that is not UTF-8 is refused with a
    warning (once), and neither stops the scan."""
    write_post(folder.root, "2026-01-01-twee\nregels.md", FRONT)
    (folder.root / os.fsdecode(b"2026-01-02-caf\xe9.md")).write_text(f"---\n{FRONT}\n---\n")
    write_post(folder.root, "2026-01-03-ok.md", FRONT)
    found = scanned(tmp_path, folder)
    assert found["2026-01-01-twee\nregels.md"][0] == "ready"
    assert found["2026-01-03-ok.md"][0] == "ready" and len(found) == 2
    assert "2026-01-02-caf" in caplog.text and "not valid UTF-8" in caplog.text
    assert "2026-01-02-caf\\xe9.md" in caplog.text  # its bytes shown, the line valid text


def test_a_fifo_in_the_folder_neither_hangs_nor_stops_the_worker(
    tmp_path: Path, fake_mastodon: FakeMastodon
) -> None:
    posts = tmp_path / "posts"
    posts.mkdir()
    os.mkfifo(posts / "2026-11-20-pipe.md")
    with worker(tmp_path, platform_env(tmp_path, None, fake_mastodon)) as process:
        process.wait_for_line("watching")
        os.mkfifo(posts / "2026-11-20-pipe-2.md")  # one made while it watches, too
        drop_post(posts, 1)
        fake_mastodon.wait_for(lambda: statuses_titled(fake_mastodon) == ["Post 01"])
        started = time.monotonic()
        assert process.terminate(timeout=10) == 0
        assert time.monotonic() - started < 10


@pytest.mark.skipif(os.geteuid() == 0, reason="needs a user other than root: root reads every file")
def test_an_unreadable_file_is_listed_with_its_reason(tmp_path: Path, folder: Folder) -> None:
    locked = write_post(folder.root, "2026-01-01-locked.md", FRONT)
    locked.chmod(0)
    assert scanned(tmp_path, folder)["2026-01-01-locked.md"] == (
        "invalid",
        "cannot be read: Permission denied",
    )
