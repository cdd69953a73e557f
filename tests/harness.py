"""Running the real product against the fake platforms, in this process or as a worker."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.app import build_channels, folder_of
from bot.channels.base import Channel
from bot.clock import utc_now
from bot.config import Settings, load_settings
from bot.folder.scan import scan
from bot.outbox import Backoff, Outbox
from bot.state.store import Store
from tests.conftest import OFFLINE_ENV, REPO
from tests.fakes.mastodon import DEFAULT_TOKEN as MASTODON_TOKEN
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.telegram import DEFAULT_CHANNEL_USERNAME, FakeTelegram
from tests.fakes.telegram import DEFAULT_TOKEN as TELEGRAM_TOKEN

CHANNEL = "@" + DEFAULT_CHANNEL_USERNAME
FAST_BACKOFF = Backoff(base=0.05, factor=2.0, cap=0.4)


def platform_env(
    tmp_path: Path, telegram: FakeTelegram | None, mastodon: FakeMastodon | None, **extra: str
) -> dict[str, str]:
    """The environment an operator would set, pointed at the fakes. A first message does
    not wait for its page unless a test asks (WAIT_FOR_LIVE=on and a site of its own):
    a SITE_URL like https://example.org must never be asked."""
    env = {
        "POSTS_DIR": str(tmp_path / "posts"),
        "STATE_DB": str(tmp_path / "state.db"),
        "WAIT_FOR_LIVE": "off",
    }
    if telegram:
        env |= {
            "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
            "TELEGRAM_CHANNEL": CHANNEL,
            "TELEGRAM_API_URL": telegram.url,
            "TELEGRAM_MAX_PER_MINUTE": "1200",
        }
        telegram.set_rate_limits(per_chat_per_minute=1200)
    if mastodon:
        env |= {"MASTODON_BASE_URL": mastodon.url, "MASTODON_ACCESS_TOKEN": MASTODON_TOKEN}
    return env | extra


class Publisher:
    """The product's own parts, wired as the worker wires them, on one event loop."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = Store(settings.state_db)
        self.channels: list[Channel] = build_channels(settings)
        self.keys = [c.key for c in self.channels]

    @classmethod
    def for_fakes(
        cls,
        tmp_path: Path,
        telegram: FakeTelegram | None,
        mastodon: FakeMastodon | None,
        **extra: str,
    ) -> Publisher:
        (tmp_path / "posts").mkdir(exist_ok=True)
        return cls(load_settings(platform_env(tmp_path, telegram, mastodon, **extra), tmp_path))

    def scan(self, now: dt.datetime | None = None) -> None:
        scan(self.store, folder_of(self.settings, self.channels), now or utc_now())

    def deliver_until(self, done: Callable[[], bool], timeout: float = 30.0) -> None:
        """Run the outbox until `done()` holds (checked whenever a request was answered)."""
        asyncio.run(self._deliver_until(done, timeout))

    async def _deliver_until(self, done: Callable[[], bool], timeout: float) -> None:
        for channel in self.channels:
            await channel.start()
        outbox = Outbox(
            self.store, self.channels, backoff=FAST_BACKOFF, secrets=self.settings.secrets
        )
        stop = asyncio.Event()
        task = asyncio.create_task(outbox.run(stop))
        try:
            async with asyncio.timeout(timeout):
                while not done():
                    if task.done():
                        task.result()
                    await asyncio.sleep(0.01)  # the fakes answer on other threads
        finally:
            stop.set()
            await asyncio.wait_for(task, 10)
            for channel in self.channels:
                await channel.close()

    def close(self) -> None:
        self.store.close()


def assert_no_secrets(
    texts: Iterable[str], db_path: Path, secrets: Iterable[str] = (TELEGRAM_TOKEN, MASTODON_TOKEN)
) -> None:
    """No log line and no state row holds a token."""
    with sqlite3.connect(db_path) as conn:
        rows = [
            repr(row)
            for (table,) in conn.execute("select name from sqlite_master where type = 'table'")
            for row in conn.execute(f'select * from "{table}"')
        ]
    haystack = "\n".join([*texts, *rows])
    for secret in secrets:
        assert secret not in haystack
        assert secret.split(":")[-1] not in haystack


class WorkerProcess:
    """`python -m bot run` as a child process, its output collected line by line."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.cwd = cwd
        self.env = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8", **OFFLINE_ENV, **env}
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> WorkerProcess:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=self.cwd,
            env=self.env | {"PYTHONPATH": str(REPO)},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, args=(self.process,), daemon=True)
        self._reader.start()
        return self

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        with process.stdout:
            for line in process.stdout:
                with self._changed:
                    self.lines.append(line.rstrip("\n"))
                    self._changed.notify_all()
        process.wait()
        with self._changed:
            self._changed.notify_all()

    def wait_for_line(self, text: str, timeout: float = 20.0) -> str:
        """Block until a log line containing `text` appears."""

        def found() -> str | None:
            return next((line for line in self.lines if text in line), None)

        with self._changed:
            if not self._changed.wait_for(lambda: found() is not None or self.exited, timeout):
                raise AssertionError(
                    f"no line with {text!r} in {timeout} s:\n" + "\n".join(self.lines[-30:])
                )
        line = found()
        assert line is not None, f"worker exited before {text!r}:\n" + "\n".join(self.lines[-30:])
        return line

    @property
    def exited(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)
        self._reader.join(10)

    def terminate(self, timeout: float = 15.0) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout)
        self._reader.join(10)
        return code


@contextmanager
def worker(cwd: Path, env: dict[str, str]) -> Iterator[WorkerProcess]:
    """A running worker, killed at the end of the block whatever happened."""
    process = WorkerProcess(cwd, env).start()
    try:
        yield process
    finally:
        if not process.exited:
            process.kill()
