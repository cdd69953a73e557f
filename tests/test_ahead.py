"""The folder looked at ahead by a helper process while the worker starts: the listing
it gives is the listing of the folder as it is when the scan takes it, whatever
changed meanwhile (real folders, the real helper process)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.folder import ahead
from bot.folder.listing import Listing, list_post_files, looking_ahead
from tests.conftest import write_post
from tests.test_reconcile import odd_folder

pytestmark = pytest.mark.skipif(
    not ahead.kernel.available(), reason="looked at ahead only where inotify is"
)


def columns(listing: Listing) -> tuple[list[str], list[int], list[int], list[str]]:
    return listing.paths, listing.sizes, listing.mtimes, listing.unknown


@pytest.fixture
def taken(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Each listing that used the helper's work (True) or looked itself (False)."""
    used: list[bool] = []
    real = ahead.Ahead.take

    def take(self: ahead.Ahead) -> ahead.Seen | None:
        seen = real(self)
        used.append(seen is not None)
        return seen

    monkeypatch.setattr(ahead.Ahead, "take", take)
    monkeypatch.setattr(ahead.os, "cpu_count", lambda: 2)
    return used


def helper_done(posts: Path) -> None:
    """Wait until the helper has looked at every file (it then ends by itself)."""
    process = ahead._ahead[posts]._process
    assert process is not None
    process.wait(30)


@pytest.mark.parametrize("chunk", [1, 7, 1000])
@pytest.mark.parametrize("wait", [False, True])
def test_a_folder_looked_at_ahead_lists_as_one_looked_at_now(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, taken: list[bool], chunk: int, wait: bool
) -> None:
    """Folders named like posts, symlinks to folders and to nowhere, a FIFO, subfolders:
    the same columns, whether the helper is done (wait) or this process meets it."""
    posts = tmp_path / "posts"
    odd_folder(posts, 300)
    write_post(posts, "_posts/2026-02-01-sub.md", "title: sub")
    (posts / "2026-01-01-link.md").symlink_to(tmp_path / "outside.md")
    (tmp_path / "outside.md").write_text("outside")
    monkeypatch.setattr(ahead, "CHUNK", chunk)
    now = list_post_files(posts)
    with looking_ahead(posts):
        if wait:
            helper_done(posts)
        looked = list_post_files(posts)
        again = list_post_files(posts)  # once only: then as it is
    assert taken == [True]
    assert columns(looked) == columns(now) == columns(again)
    assert "2026-01-01-p0010.md/2026-01-02-inside.md" in looked.paths
    assert "_posts/2026-02-01-sub.md" in looked.paths


def write(path: Path, text: str, mtime_ns: int | None = None) -> None:
    path.write_text(text)
    if mtime_ns is not None:
        os.utime(path, ns=(mtime_ns, mtime_ns))


CHANGES: dict[str, Callable[[Path], None]] = {
    "rewritten, same size and time": lambda p: write(p / "2026-01-01-p0005.md", "y" * 5, 5),
    "touched": lambda p: os.utime(p / "2026-01-01-p0007.md", ns=(1, 2)),
    "added": lambda p: write(p / "2026-01-02-new.md", "new"),
    "removed": lambda p: (p / "2026-01-01-p0003.md").unlink(),
    "renamed": lambda p: (p / "2026-01-01-p0004.md").rename(p / "2026-01-01-moved.md"),
    "a subfolder made": lambda p: write_post(p, "2026/2026-03-01-in.md", "title: in"),
    "a symlink's target changed": lambda p: write(p.parent / "outside.md", "longer now"),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_what_changes_after_the_helper_looked_is_in_the_listing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, taken: list[bool], change: str
) -> None:
    """The helper has stat'ed every file; then one changes, before the scan lists the
    folder: the listing shows the change (the listing is taken as it is now)."""
    posts = tmp_path / "posts"
    posts.mkdir()
    for number in range(50):
        write(posts / f"2026-01-01-p{number:04d}.md", "x" * number, number)
    (tmp_path / "outside.md").write_text("outside")
    (posts / "2026-01-01-link.md").symlink_to(tmp_path / "outside.md")
    monkeypatch.setattr(ahead, "CHUNK", 7)
    with looking_ahead(posts):
        helper_done(posts)
        CHANGES[change](posts)
        looked = list_post_files(posts)
    assert columns(looked) == columns(list_post_files(posts))
    # A change to a name in the folder: its listing is not used. A symlink's target
    # sends no event here: that file alone is looked at again.
    assert taken == ([True] if change == "a symlink's target changed" else [])


def test_a_folder_replaced_meanwhile_is_listed_as_it_is(tmp_path: Path, taken: list[bool]) -> None:
    """POSTS_DIR moved away and another folder put in its place: the new one is listed."""
    posts = tmp_path / "posts"
    write_post(posts, "2026-01-01-old.md", "title: old")
    with looking_ahead(posts):
        helper_done(posts)
        posts.rename(tmp_path / "away")
        write_post(posts, "2026-01-01-other.md", "title: other")
        looked = list_post_files(posts)
    assert looked.paths == ["2026-01-01-other.md"]
    assert taken == []


def test_a_helper_that_fails_leaves_the_looking_to_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, taken: list[bool]
) -> None:
    posts = tmp_path / "posts"
    odd_folder(posts, 100)
    now = list_post_files(posts)
    for program in ("/bin/false", "/bin/true"):
        monkeypatch.setattr(ahead.sys, "executable", program)
        with looking_ahead(posts):
            looked = list_post_files(posts)
        assert columns(looked) == columns(now)
    assert taken == [False, False]
    monkeypatch.setattr(ahead.sys, "executable", "/nonexistent/python")
    with looking_ahead(posts):  # it cannot even start: no look ahead at all
        assert ahead.take(posts) is None
