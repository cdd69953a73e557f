"""What operators rely on: logs without secrets, JSON logs, one worker per database,
reading files only when their writer is done."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import logs
from bot.channels.base import Sent
from bot.clock import utc_now
from bot.config import load_settings
from bot.folder.scan import Folder, scan
from bot.folder.settle import SETTLE_SECONDS, quiet_long_enough, read_complete
from bot.jekyll.posts import Post
from bot.jekyll.site import Site
from bot.outbox import Backoff, Outbox
from bot.state.lock import AlreadyRunning, WorkerLock
from bot.state.store import Store
from bot.worker import Worker
from tests.conftest import write_post

TOKEN = "123456:ABC-secret-token"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """The product's own logging configuration, writing into a buffer."""
    stream = io.StringIO()
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield stream
    root.handlers[:] = handlers
    root.setLevel(level)


def test_tokens_never_reach_the_log(captured: io.StringIO) -> None:
    """Known secrets and Bot API URL tokens are replaced, in messages and tracebacks."""
    logs.configure("text", [TOKEN, "mastodon-secret"], captured)
    log = logging.getLogger("bot.test")
    log.info("calling https://api.telegram.org/bot%s/getMe with %s", TOKEN, "mastodon-secret")
    log.info("an unknown token in a URL: /bot987:XYZ-other/sendMessage")
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected")
    except RuntimeError:
        log.exception("failed")
    text = captured.getvalue()
    assert "secret" not in text and "XYZ-other" not in text
    assert text.count("[redacted]") >= 4
    assert "RuntimeError" in text  # the traceback itself is kept


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_file_names_cannot_forge_or_repaint_log_lines(
    captured: io.StringIO, log_format: str
) -> None:
    """A newline, an ANSI escape, a direction override or a byte that is not UTF-8 in a
    file name is shown escaped, on the one line of its event."""
    logs.configure(log_format, [], captured)
    name = os.fsdecode(
        b"2026-01-01-a\n2026-01-01T00:00:00Z CRITICAL forged\x1b[2J\xff\xe2\x80\xae.md"
    )
    logging.getLogger("bot.test").warning("invalid post %s: no title", name)
    try:
        raise ValueError(name)
    except ValueError:
        logging.getLogger("bot.test").exception("while reading")
    text = captured.getvalue()
    assert "\x1b" not in text and "\u202e" not in text
    if log_format == "text":
        assert text.splitlines()[0].endswith(
            "a\\x0a2026-01-01T00:00:00Z CRITICAL forged\\x1b[2J\\xff\\u202e.md: no title"
        )
        assert not any(line.startswith("2026-01-01T00:00:00Z") for line in text.splitlines())
    else:
        assert len(text.splitlines()) == 2 and all(json.loads(line) for line in text.splitlines())


def test_httpx_request_lines_are_silenced(captured: io.StringIO) -> None:
    """httpx logs each request URL at INFO; with our configuration it does not."""
    logs.configure("text", [], captured)
    logging.getLogger("httpx").info("HTTP Request: POST https://api.telegram.org/bot1:A/getMe")
    assert captured.getvalue() == ""


def test_json_logs_are_one_object_per_line(captured: io.StringIO) -> None:
    """LOG_FORMAT=json: each line parses, with time, level, logger and message."""
    logs.configure("json", [TOKEN], captured)
    logging.getLogger("bot.worker").warning("posted %s with token %s", "a.md", TOKEN)
    (line,) = captured.getvalue().splitlines()
    entry = json.loads(line)
    assert entry["level"] == "warning" and entry["logger"] == "bot.worker"
    assert entry["message"] == "posted a.md with token [redacted]"


def test_one_worker_per_database(tmp_path: Path) -> None:
    """A second lock on the same state database is refused, naming the holder."""
    db = tmp_path / "state.db"
    with WorkerLock(db), pytest.raises(AlreadyRunning, match=f"pid {os.getpid()}"), WorkerLock(db):
        pass
    with WorkerLock(db):  # released: the next worker may start
        pass


def test_one_worker_per_database_whatever_its_name(tmp_path: Path) -> None:
    """A hard link or a symlink to the state database is the same database."""
    db = tmp_path / "state.db"
    Store(db).close()
    (tmp_path / "other").mkdir()
    os.link(db, tmp_path / "other" / "hard.db")
    (tmp_path / "soft.db").symlink_to(db)
    with WorkerLock(db):
        for name in (tmp_path / "other" / "hard.db", tmp_path / "soft.db"):
            with pytest.raises(AlreadyRunning, match="already running"), WorkerLock(name):
                pass


def test_a_file_open_for_writing_is_not_complete(tmp_path: Path) -> None:
    """While a writer holds the file open it is busy; once closed it is complete."""
    path = tmp_path / "post.md"
    with path.open("w") as writer:
        writer.write("---\ntitle: half")
        writer.flush()
        assert read_complete(path, 1000) is None
    read = read_complete(path, 1000)
    assert read is not None and read[0] == b"---\ntitle: half"


def test_without_leases_a_file_is_complete_after_a_quiet_moment(tmp_path: Path) -> None:
    """Where the kernel cannot tell (no lease), the quiet period decides."""
    now = 1_000_000.0
    recent = int((now - SETTLE_SECONDS / 2) * 1e9)
    quiet = int((now - SETTLE_SECONDS * 2) * 1e9)
    future = int((now + SETTLE_SECONDS * 2) * 1e9)  # clock skew is not "being written"
    assert not quiet_long_enough(recent, now)
    assert quiet_long_enough(quiet, now) and quiet_long_enough(future, now)


class FlakyChannel:
    """A channel (the port, hand-written) whose first send fails with a bug, not a ChannelError."""

    key = "flaky"
    min_interval = 0.0

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.calls = 0

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def check(self) -> str | None:
        return None

    async def publish(self, post: Post, idempotency_key: str) -> Sent:
        self.calls += 1
        if self.calls == 1:
            raise KeyError("a bug in an adapter")
        self.sent.append(post.title)
        return Sent("1")

    async def public_url(self, remote_id: str) -> str | None:
        return None

    async def edit(self, post: Post, remote_id: str) -> None: ...

    async def delete(self, post: Post, remote_id: str) -> None: ...


def test_an_unexpected_error_in_an_adapter_is_retried_not_fatal(
    tmp_path: Path, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug-shaped exception is logged with its traceback and retried with backoff."""
    posts = tmp_path / "posts"
    posts.mkdir()
    scan(store, Folder(posts, Site(), ["flaky"]), utc_now())
    write_post(posts, "a.md", 'title: A\nexterne_link: "https://e.nl/a"')
    scan(store, Folder(posts, Site(), ["flaky"]), utc_now())
    channel = FlakyChannel()
    outbox = Outbox(store, [channel], backoff=Backoff(base=0.01, cap=0.01))

    async def run() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(outbox.run(stop))
        while not channel.sent and not task.done():
            await asyncio.sleep(0.01)
        stop.set()
        await task

    asyncio.run(asyncio.wait_for(run(), 10))
    assert channel.sent == ["A"] and channel.calls == 2
    assert "unexpected error sending a.md to flaky" in caplog.text and "KeyError" in caplog.text


def test_a_part_of_the_worker_that_dies_stops_the_worker(tmp_path: Path, store: Store) -> None:
    """If a task of the worker raises, the worker stops and will exit non-zero."""
    (tmp_path / "posts").mkdir()
    settings = load_settings(
        {"POSTS_DIR": str(tmp_path / "posts"), "STATE_DB": str(tmp_path / "s.db")}, tmp_path
    )

    async def run() -> Worker:
        worker = Worker(settings, store, [])

        async def broken() -> None:
            raise RuntimeError("watcher gone")

        task = asyncio.create_task(broken(), name="watcher")
        task.add_done_callback(worker._on_task_done)
        await asyncio.wait_for(worker.stop.wait(), 5)
        return worker

    assert asyncio.run(run()).failed
