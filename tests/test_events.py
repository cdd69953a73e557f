"""The native watcher against the real kernel: real folders, real inotify, events awaited."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncGenerator, Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

from bot.folder import events
from bot.folder.events import Changes, FolderGone, Watcher

pytestmark = pytest.mark.skipif(not events.available(), reason="needs Linux inotify")

Batches = AsyncGenerator[Changes, None]


def watching(root: Path, body: Callable[[Watcher, Batches], Coroutine[Any, Any, None]]) -> None:
    """Run `body` with a watcher on `root` and its stream of batches."""

    async def main() -> None:
        watcher = Watcher(root)
        stop = asyncio.Event()
        batches = watcher.changes(stop)
        try:
            await asyncio.wait_for(body(watcher, batches), timeout=20)
        finally:
            await batches.aclose()
            watcher.close()

    asyncio.run(main())


async def collect(batches: Batches, until: Callable[[Changes], bool]) -> Changes:
    """Merge batches until `until` holds for what came so far."""
    seen = Changes()
    while not until(seen):
        batch = await anext(batches)
        seen.paths |= batch.paths
        seen.opened |= batch.opened
        seen.everything |= batch.everything
    return seen


def test_a_closed_file_and_a_rename_into_place_are_complete(tmp_path: Path) -> None:
    async def body(watcher: Watcher, batches: Batches) -> None:
        (tmp_path / "2026-01-01-a.md").write_text("a")
        (tmp_path / ".b.md.tmp").write_text("b")
        os.replace(tmp_path / ".b.md.tmp", tmp_path / "2026-01-01-b.md")
        seen = await collect(batches, lambda c: "2026-01-01-b.md" in c.paths)
        assert seen.paths == {"2026-01-01-a.md", "2026-01-01-b.md"}  # no temp, no swap
        assert seen.opened == {"2026-01-01-a.md"} and not seen.everything

    watching(tmp_path, body)


def test_a_file_still_open_is_only_opened_and_a_hard_link_too(tmp_path: Path) -> None:
    async def body(watcher: Watcher, batches: Batches) -> None:
        with (tmp_path / "2026-01-01-open.md").open("w") as writer:
            writer.write("half")
            writer.flush()
            seen = await collect(batches, lambda c: bool(c.opened))
            assert seen.opened == {"2026-01-01-open.md"} and seen.paths == set()
        os.link(tmp_path / "2026-01-01-open.md", tmp_path / "2026-01-01-link.md")
        seen = await collect(batches, lambda c: "2026-01-01-link.md" in c.opened)
        assert "2026-01-01-open.md" in seen.paths  # its writer closed it

    watching(tmp_path, body)


def test_new_folders_are_watched_and_folders_moved_away_are_not(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "posts"
    root.mkdir()

    async def body(watcher: Watcher, batches: Batches) -> None:
        (root / "world" / "_posts").mkdir(parents=True)  # two levels at once
        seen = await collect(batches, lambda c: c.everything)
        (root / "world" / "_posts" / "2026-01-01-a.md").write_text("a")
        (root / "_drafts").mkdir()  # not a post folder: nothing to say
        (root / "_drafts" / "2026-01-01-d.md").write_text("d")
        seen = await collect(batches, lambda c: bool(c.paths))
        assert seen.paths == {"world/_posts/2026-01-01-a.md"}
        os.rename(root / "world", outside / "world")  # the watch would follow the folder
        seen = await collect(batches, lambda c: c.everything)
        (outside / "world" / "_posts" / "2026-01-01-b.md").write_text("b")
        (root / "2026-01-01-marker.md").write_text("m")
        seen = await collect(batches, lambda c: bool(c.paths))
        assert seen.paths == {"2026-01-01-marker.md"}

    watching(root, body)


def test_the_folders_there_at_the_start_are_watched_at_any_depth(tmp_path: Path) -> None:
    """Beside a flat folder's files (whose link count says it holds no folder, and which
    is then not read), the folders found at the start are watched, down to a leaf."""
    root = tmp_path / "posts"
    for name in ("2026-01-01-a.md", "sport/_posts/2026-01-01-b.md", "x/y/z/2026-01-01-c.md"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("old")

    async def body(watcher: Watcher, batches: Batches) -> None:
        for name in ("sport/_posts/2026-01-02-d.md", "x/y/z/2026-01-02-e.md", "2026-01-02-f.md"):
            (root / name).write_text("new")
        seen = await collect(batches, lambda c: len(c.paths) == 3)
        assert seen.paths == {
            "sport/_posts/2026-01-02-d.md", "x/y/z/2026-01-02-e.md", "2026-01-02-f.md"
        }  # fmt: skip

    watching(root, body)


def test_symlinked_folders_are_not_followed(tmp_path: Path) -> None:
    elsewhere, root = tmp_path / "elsewhere", tmp_path / "posts"
    elsewhere.mkdir()
    root.mkdir()
    (root / "linked").symlink_to(elsewhere)

    async def body(watcher: Watcher, batches: Batches) -> None:
        (elsewhere / "2026-01-01-x.md").write_text("x")
        (root / "2026-01-01-marker.md").write_text("m")
        seen = await collect(batches, lambda c: bool(c.paths))
        assert seen.paths == {"2026-01-01-marker.md"}

    watching(root, body)


def test_a_queue_overflow_asks_for_everything(tmp_path: Path) -> None:
    limit = int(Path("/proc/sys/fs/inotify/max_queued_events").read_text())
    if limit > 50_000:
        pytest.skip(f"the kernel queues {limit} events: too many to overflow quickly")

    async def body(watcher: Watcher, batches: Batches) -> None:
        # Events pile up unread while this coroutine does not yield to the loop: a rename
        # is two of them (moved-from, moved-to), and cheaper than making a file.
        names = [tmp_path / "2026-01-01-a.md", tmp_path / "2026-01-01-b.md"]
        names[0].touch()
        for n in range(limit // 2 + 10):
            os.rename(names[n % 2], names[(n + 1) % 2])
        seen = await collect(batches, lambda c: c.everything)
        assert seen.everything

    watching(tmp_path, body)


def test_the_root_going_away_ends_the_watch(tmp_path: Path) -> None:
    root = tmp_path / "posts"
    root.mkdir()

    async def body(watcher: Watcher, batches: Batches) -> None:
        shutil.rmtree(root)
        with pytest.raises(FolderGone):
            await collect(batches, lambda c: False)

    watching(root, body)


def test_a_root_replaced_under_its_name_ends_the_watch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A deploy that switches a symlink sends no event: the periodic check sees it."""
    monkeypatch.setattr(events, "ROOT_CHECK", 0.05)
    (tmp_path / "release-1").mkdir()
    (tmp_path / "release-2").mkdir()
    root = tmp_path / "current"
    root.symlink_to(tmp_path / "release-1")

    async def body(watcher: Watcher, batches: Batches) -> None:
        (root / "2026-01-01-a.md").write_text("a")
        seen = await collect(batches, lambda c: bool(c.paths))
        (tmp_path / "next").symlink_to(tmp_path / "release-2")
        os.replace(tmp_path / "next", root)
        with pytest.raises(FolderGone):
            await collect(batches, lambda c: False)
        assert seen.paths == {"2026-01-01-a.md"}

    watching(root, body)


def test_a_missing_root_is_gone_from_the_start(tmp_path: Path) -> None:
    with pytest.raises(FolderGone):
        Watcher(tmp_path / "nowhere")


def test_events_are_parsed_as_the_kernel_packs_them() -> None:
    import struct

    packed = struct.pack("iIII", 1, events.IN_CLOSE_WRITE, 0, 16) + b"a.md".ljust(16, b"\0")
    packed += struct.pack("iIII", -1, events.IN_Q_OVERFLOW, 0, 0)
    assert list(events.parse(packed)) == [
        (1, events.IN_CLOSE_WRITE, "a.md"),
        (-1, events.IN_Q_OVERFLOW, ""),
    ]


def test_a_local_folder_is_not_on_a_network_filesystem(tmp_path: Path) -> None:
    assert events.network_filesystem(tmp_path) is None
    assert events.network_filesystem(tmp_path / "nowhere") is None  # the kernel will not say
