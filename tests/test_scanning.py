"""Where the worker's scans run: a new post that lands alone is read in the event loop,
anything big, odd or many on the scan thread; the loop's connection leaves the WAL's
checkpoints to that thread (the real worker, a real folder and database, the fake
Mastodon)."""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from bot import app, scanning
from bot.config import load_settings
from bot.jekyll.posts import Post, read_post
from bot.jekyll.site import Site
from bot.scanning import INLINE_BYTES, INLINE_PATHS, ScanThread, small_files
from bot.state.store import Store
from bot.worker import Worker
from tests.conftest import fresh_python, write_post
from tests.fakes.mastodon import FakeMastodon
from tests.harness import platform_env


def test_only_a_few_small_regular_files_are_read_in_the_loop(tmp_path: Path) -> None:
    write_post(tmp_path, "small.md", "title: Small")
    write_post(tmp_path, "big.md", "title: Big", "<p>x</p>" * (INLINE_BYTES // 8 + 1))
    os.mkfifo(tmp_path / "fifo.md")
    (tmp_path / "link.md").symlink_to(tmp_path / "small.md")
    cases = {
        ("small.md",): True,
        ("gone.md",): True,  # the scan withdraws it
        ("small.md", "gone.md"): True,
        ("big.md",): False,
        ("small.md", "big.md"): False,
        ("fifo.md",): False,
        ("link.md",): False,  # followed into the folder, or not: the scan thread decides
        ("small.md",) * (INLINE_PATHS + 1): False,
    }
    for paths, expected in cases.items():
        assert small_files(tmp_path, paths) is expected, paths


async def until(condition: Callable[[], bool], run: Awaitable[object]) -> None:
    """Wait for the worker to reach a state, failing fast if it stopped instead."""
    task = asyncio.ensure_future(run)
    for _ in range(400):
        if condition():
            return
        assert not task.done(), "the worker stopped"
        await asyncio.sleep(0.025)
    raise AssertionError("the worker never got there")


def drop(posts: Path, name: str, body: str = "<p>Lead.</p>") -> None:
    temp = write_post(posts, f".tmp-{name}", f"title: {name}", body)
    os.replace(temp, posts / f"2026-11-20-{name}.md")


def test_a_post_landing_alone_is_read_in_the_loop_and_a_big_one_on_the_thread(
    tmp_path: Path, fake_mastodon: FakeMastodon
) -> None:
    posts = tmp_path / "posts"
    posts.mkdir()
    settings = load_settings(
        platform_env(tmp_path, None, fake_mastodon, SITE_URL="https://example.nl"), tmp_path
    )
    store = Store(settings.state_db)
    worker = Worker(settings, store, app.build_channels(settings))
    scans = worker._scans

    # An in-process worker of an earlier test here may have left this process's heap
    # frozen: then the count below would say "warmed up" before this worker's warm-up.
    gc.unfreeze()

    async def main() -> None:
        run = asyncio.ensure_future(worker.run())
        # Started: start-up's heap out of the collector's way, the scan thread idle.
        await until(lambda: gc.get_freeze_count() > 0 and worker.watch.reliable, run)
        start_up = scans._last_scan
        assert start_up is not None and start_up.done()
        loop = asyncio.get_running_loop()

        drop(posts, "small")
        await loop.run_in_executor(None, fake_mastodon.wait_for_statuses, 1)
        assert scans._last_scan is start_up  # nothing went to the scan thread

        drop(posts, "big", "<p>Lead.</p>" + "<p>more</p>" * (INLINE_BYTES // 11 + 1))
        await loop.run_in_executor(None, fake_mastodon.wait_for_statuses, 2)
        assert scans._last_scan is not start_up  # too big for the loop: the thread read it

        worker.request_stop()
        assert await asyncio.wait_for(run, 20) == 0

    asyncio.run(main())
    gc.unfreeze()  # the heap of this test process, not a worker's
    assert [s.text.split("\n")[0] for s in fake_mastodon.statuses] == ["small", "big"]
    store.close()


def test_the_loops_connection_leaves_checkpoints_to_the_scan_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the loop's connection writes reaches the database file through the scan
    thread's checkpoint, not its own (SQLite's would fsync in the middle of a send)."""
    monkeypatch.setattr(scanning, "CHECKPOINT_EVERY", 0.02)
    store = Store(tmp_path / "state.db")
    thread = ScanThread(store)
    assert store.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    database = tmp_path / "state.db"

    async def main() -> None:
        stop = asyncio.Event()
        task = asyncio.ensure_future(thread.checkpoints(stop))
        await until(lambda: thread._checkpointed == store.db.conn.total_changes, task)
        await thread.run(lambda _: None)  # after the checkpoint in hand, on the same thread
        size = database.stat().st_size
        for n in range(2000):  # pages enough that the database file grows
            store.set_meta(f"key-{n}", "x" * 200)
        assert database.stat().st_size == size  # all still in the WAL
        await until(lambda: database.stat().st_size > size, task)
        assert thread._checkpointed == store.db.conn.total_changes
        stop.set()
        await task
        await thread.close()

    asyncio.run(main())
    store.close()


def test_the_warm_up_takes_a_real_posts_paths() -> None:
    """Both warm-up posts are posts (a rejected one would warm nothing), and the Markdown
    parser is loaded after it, in a process that had not loaded it yet."""
    site = Site(url="https://example.org")
    for path, raw in scanning._WARM_UP.items():
        assert isinstance(read_post(raw, path, site, 0.0), Post), path
    code = (
        "import sys; from bot.scanning import warm_up; from bot.jekyll.site import Site;"
        "before = 'markdown_it' in sys.modules; warm_up(Site(url='https://example.org'), 'nl');"
        "print(before, 'markdown_it' in sys.modules)"
    )
    assert fresh_python(code).split() == ["False", "True"]
