"""A long scan runs on the worker's scan thread: readers are answered and a stop is
honoured while it runs (the real worker, the real bot client, the fake Bot API)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from bot import app
from bot.config import load_settings
from bot.folder.reading import BATCH
from bot.state.store import Store
from bot.worker import Worker
from tests.conftest import write_post
from tests.fakes.telegram import FakeTelegram, FakeUser
from tests.harness import platform_env

READER = FakeUser(id=1001)


def test_a_reader_is_answered_and_a_stop_honoured_in_the_middle_of_a_scan(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    """While the start-up scan is held half-way, /latest gets its answer and a stop
    ends the worker at the next batch, leaving the scan to be finished next time."""
    posts = tmp_path / "posts"
    total = 2 * BATCH + 100
    for n in range(total):
        write_post(
            posts,
            f"2026-11-{n % 28 + 1:02d}-post-{n:04d}.md",
            f'title: Post {n:04d}\nexterne_link: "https://example.nl/{n}"',
        )
    settings = load_settings(platform_env(tmp_path, fake_telegram, None), tmp_path)
    store = Store(settings.state_db)
    reached, release = threading.Event(), threading.Event()

    def progress(done: int, to_do: int) -> None:
        """Runs on the scan thread after each batch: hold it after the first."""
        reached.set()
        assert release.wait(20)

    worker = Worker(settings, store, app.build_channels(settings), progress=progress)

    async def main() -> int:
        loop = asyncio.get_running_loop()
        run = asyncio.create_task(worker.run())
        assert await loop.run_in_executor(None, reached.wait, 20)
        fake_telegram.inject_message(READER.id, READER, "/latest 2")
        await loop.run_in_executor(
            None, lambda: fake_telegram.wait_for(lambda f: f.replies_to(READER.id), timeout=20)
        )
        worker.request_stop()  # what SIGTERM's handler calls
        release.set()
        return await asyncio.wait_for(run, 20)

    assert asyncio.run(main()) == 0
    answer = fake_telegram.replies_to(READER.id)[-1].raw
    assert "Post" in answer  # the posts of the first batch, read from the database
    recorded = store.db.execute("select count(*) from posts").fetchone()[0]
    assert recorded == BATCH  # it stopped after the batch it was in
    assert not store.baselined  # the first run is not over: the next start goes on with it
    store.close()
