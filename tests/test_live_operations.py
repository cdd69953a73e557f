"""SPEC §12 as operators meet it: the worker and `run --once` against the Telegram fake
and a loopback site whose pages answer 404 until deployed; `status` and `preview` say
which posts wait for their page; the console run never waits, never asks the network."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import logging
from pathlib import Path

import pytest

from bot import app
from bot.chat.replies import status_reply
from bot.config import load_settings
from bot.preview import as_text, preview_paths, status_text
from bot.state.catalog import Catalog
from bot.state.store import Store
from tests.conftest import write_post
from tests.fakes.site import FakeSite
from tests.fakes.telegram import DEFAULT_CHANNEL_ID, FakeTelegram
from tests.harness import CHANNEL, platform_env, worker
from tests.test_cli import run_cli

YESTERDAY = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S +0000")


def news(posts: Path, slug: str, title: str, minute: int = 0) -> Path:
    """A post of today's news whose page is `/slug/` on the site."""
    date = YESTERDAY[:14] + f"{minute:02d}" + YESTERDAY[16:]
    return write_post(posts, f"{slug}.md", f"title: {title}\ndate: {date}\npermalink: /{slug}/")


def test_run_once_announces_a_post_when_a_later_run_finds_its_page(
    tmp_path: Path,
    fake_telegram: FakeTelegram,
    fake_site: FakeSite,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Cron: a run before the deploy sends nothing and says why (log, status, preview);
    the first run after it (the command itself) sends the post."""
    posts = tmp_path / "posts"
    posts.mkdir()
    env = platform_env(tmp_path, fake_telegram, None, SITE_URL=fake_site.url, WAIT_FOR_LIVE="on")
    settings = load_settings(env, tmp_path)
    store = Store(settings.state_db)
    channels = app.build_channels(settings)
    app.index(store, app.folder_of(settings, channels))  # the first run
    news(posts, "storm", "Storm")
    app.index(store, app.folder_of(settings, channels))
    with caplog.at_level(logging.INFO, logger="bot.live.checker"):
        assert asyncio.run(app.deliver(store, channels, settings)) == 0
    assert f"storm.md waits for its page {fake_site.url}/storm/ (answered 404)" in caplog.text
    assert fake_telegram.sent_messages(DEFAULT_CHANNEL_ID) == []
    report = Catalog(store.db).report()
    store.close()
    counts = report["channels"]["telegram:" + CHANNEL]
    assert (counts["waiting"], counts["last_error"]) == (1, None)  # a 404 is not a failure
    assert "waiting for their page 1" in status_reply(report, "en").text  # /status
    (waiting,) = report["waiting"]
    assert (waiting["path"], waiting["checks"], waiting["last_answer"]) == (
        "storm.md", 1, "answered 404",
    )  # fmt: skip
    assert f"waiting for its page: storm.md {fake_site.url}/storm/ since" in status_text(report)
    (shown,) = preview_paths(posts / "storm.md", settings, dt.datetime.now(dt.UTC))
    assert shown["waits_for_page"] is True and shown["waiting"] == waiting
    assert "-- waiting for its page: " in as_text(shown)

    fake_site.deploy("/storm/")
    after = run_cli("run", "--once", cwd=tmp_path, **env)
    assert after.returncode == 0, after.stderr
    assert "storm.md: its page answered 200" in after.stdout
    (message,) = fake_telegram.sent_messages(DEFAULT_CHANNEL_ID)
    assert message.raw.startswith("<b>Storm</b>")
    assert fake_site.hits == ["/storm/", "/storm/"]


def test_the_worker_sends_a_later_post_while_one_waits_then_the_first_at_live_timeout(
    tmp_path: Path, fake_telegram: FakeTelegram, fake_site: FakeSite
) -> None:
    """A page that never comes holds up neither the channel nor, past LIVE_TIMEOUT, itself."""
    posts = tmp_path / "posts"
    posts.mkdir()
    env = platform_env(
        tmp_path, fake_telegram, None, SITE_URL=fake_site.url, WAIT_FOR_LIVE="on", LIVE_TIMEOUT="2"
    )
    fake_site.deploy("/later/")
    with worker(tmp_path, env) as running:
        running.wait_for_line("watching")
        news(posts, "stuck", "Stuck", minute=1)
        news(posts, "later", "Later", minute=2)
        (first,) = fake_telegram.wait_for_messages(DEFAULT_CHANNEL_ID, 1)
        assert first.raw.startswith("<b>Later</b>")
        running.wait_for_line("stuck.md waits for its page")
        running.wait_for_line("the page of stuck.md did not go live within LIVE_TIMEOUT")
        second = fake_telegram.wait_for_messages(DEFAULT_CHANNEL_ID, 2)[1]
        assert second.raw.startswith("<b>Stuck</b>")
        assert running.terminate() == 0
    assert set(fake_site.hits) == {"/stuck/", "/later/"}


def test_the_console_run_never_waits_even_with_a_site_url(tmp_path: Path) -> None:
    """The README's first command: no platform, so no link preview to protect and no
    request to the site (this test may only connect to 127.0.0.1)."""
    posts = tmp_path / "posts"
    posts.mkdir()
    env = {"POSTS_DIR": str(posts), "STATE_DB": str(tmp_path / "state.db")}
    settings = load_settings({**env, "SITE_URL": "https://example.org"}, tmp_path)
    printed = io.StringIO()
    channels = app.build_channels(settings, printed)
    store = Store(settings.state_db)
    folder = app.folder_of(settings, channels)
    app.index(store, folder)  # the first run
    news(posts, "storm", "Storm")
    app.index(store, folder)
    assert asyncio.run(app.deliver(store, channels, settings)) == 1
    store.close()
    assert "https://example.org/storm/" in printed.getvalue()
