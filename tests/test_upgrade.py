"""SPEC §14: a state.db left by release 0.1 (tests/data/release-0.1, made by that
release's own code) keeps working: nothing sent is sent again, nothing pending is lost."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from bot import app
from bot.app import learn_urls
from bot.channels.base import Sent
from bot.channels.mastodon import MastodonChannel
from bot.channels.telegram import TelegramChannel
from bot.config import MastodonSettings, TelegramSettings
from bot.folder.scan import Folder
from bot.jekyll.posts import Post
from bot.jekyll.site import Site
from bot.outbox import Outbox
from bot.state import message_urls
from bot.state.store import Store
from tests.conftest import AMSTERDAM, REPO, write_post
from tests.fakes.mastodon import DEFAULT_TOKEN as MASTODON_TOKEN
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.telegram import DEFAULT_TOKEN as TELEGRAM_TOKEN
from tests.fakes.telegram import FakeTelegram

FIXTURE = REPO / "tests" / "data" / "release-0.1"
MANIFEST: dict[str, Any] = json.loads((FIXTURE / "manifest.json").read_text())
# After every date in the fixture, the post scheduled for New Year's Eve included.
LATER = dt.datetime(2027, 1, 2, tzinfo=dt.UTC)


class Recorder:
    """The port, hand-written: records each request with the post's file name."""

    min_interval = 0.0

    def __init__(self, key: str, calls: list[tuple[str, str, str]]) -> None:
        self.key = key
        self.calls = calls
        self.keys: dict[str, str] = {}

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def check(self) -> str | None:
        return None

    async def publish(self, post: Post, idempotency_key: str) -> Sent:
        self.calls.append((self.key, "publish", post.path))
        self.keys[post.path] = idempotency_key
        return Sent(f"new-{len(self.calls)}")

    async def public_url(self, remote_id: str) -> str | None:
        return None

    async def edit(self, post: Post, remote_id: str) -> None:
        self.calls.append((self.key, "edit", post.path))

    async def delete(self, post: Post, remote_id: str) -> None:
        self.calls.append((self.key, "delete", post.path))


@pytest.fixture
def upgraded(tmp_path: Path) -> tuple[Store, Path]:
    """The release's database and folder, copied (opening migrates in place), with the
    files' times as the release saw them (a git checkout resets them)."""
    shutil.copy(FIXTURE / "state.db", tmp_path / "state.db")
    posts = tmp_path / "posts"
    shutil.copytree(FIXTURE / "posts", posts)
    for name, file in MANIFEST["files"].items():
        os.utime(posts / name, ns=(file["mtime_ns"], file["mtime_ns"]))
    return Store(tmp_path / "state.db"), posts


def deliver(store: Store, channels: list[Recorder]) -> None:
    asyncio.run(Outbox(store, channels, clock=lambda: LATER).drain())


def test_the_release_database_migrates_and_its_pending_work_goes_out_once(
    upgraded: tuple[Store, Path],
) -> None:
    """Every publish, edit and removal the release left pending happens, once; nothing
    that was sent is sent again; a refused one waits for `retry`."""
    store, posts = upgraded
    calls: list[tuple[str, str, str]] = []
    channels = [Recorder(key, calls) for key in MANIFEST["channels"]]
    site = Site(timezone=AMSTERDAM)
    folder = Folder(posts, site, tuple(MANIFEST["channels"]), delete_remote=True)
    report = app.index(store, folder, now=LATER)
    assert report.files == 0 and report.withdrawn == 0  # the folder is as the release left it
    deliver(store, channels)

    expected = {
        (d["channel"], d["pending_work"], d["path"])
        for d in MANIFEST["deliveries"]
        if d["pending_work"]
    }
    assert sorted(calls) == sorted(expected)
    assert len(calls) == len(expected)  # each once
    # A resend after the upgrade carries the key the release used: Mastodon dedupes it.
    tried = [d for d in MANIFEST["deliveries"] if d["pending_work"] == "publish" and d["attempts"]]
    assert tried  # the fixture holds a crash inside a request and a retry
    for d in tried:
        channel = next(c for c in channels if c.key == d["channel"])
        assert channel.keys[d["path"]] == d["idempotency_key"]

    calls.clear()
    store.deliveries.retry_failed(LATER)
    deliver(store, channels)
    failed = [
        (d["channel"], "publish", d["path"])
        for d in MANIFEST["deliveries"]
        if d["state"] == "failed"
    ]
    assert calls == failed
    store.close()


def test_the_release_database_reports_what_it_held(upgraded: tuple[Store, Path]) -> None:
    """`status` after the upgrade counts the release's deliveries as the release did."""
    from bot.state.catalog import Catalog

    store, _ = upgraded
    counts = Catalog(store.db).counts()["channels"]
    for channel in MANIFEST["channels"]:
        rows = [d for d in MANIFEST["deliveries"] if d["channel"] == channel]
        states = {
            state: sum(1 for d in rows if d["state"] == state)
            for state in {d["state"] for d in rows}
        }
        assert {k: v for k, v in counts[channel].items() if k in states} == states
    store.close()


def test_the_release_posts_are_found_by_search_after_the_upgrade(
    upgraded: tuple[Store, Path],
) -> None:
    """m009 indexes the release's published posts: each is found by its title's words,
    the others (withdrawn, unpublished, invalid) by none."""
    from bot.state.catalog import Catalog

    store, _ = upgraded
    catalog = Catalog(store.db)
    for path, info in MANIFEST["posts"].items():
        found = [p.path for p in catalog.search(info.get("title") or "", 20, LATER)]
        assert (path in found) == (info["status"] == "ready"), path
    store.close()


def test_the_release_database_holds_none_of_its_work_for_the_pages(
    upgraded: tuple[Store, Path],
) -> None:
    """m006: what the release queued goes out as it was queued, not held until its page
    answers; a post that arrives after the upgrade waits for its page (SPEC §12)."""
    store, posts = upgraded
    calls: list[tuple[str, str, str]] = []
    channels = [Recorder(key, calls) for key in MANIFEST["channels"]]
    site = "https://nieuws.example.nl"
    keys = tuple(MANIFEST["channels"])
    folder = Folder(posts, Site(timezone=AMSTERDAM), keys, delete_remote=True, live_site=site)
    app.index(store, folder, now=LATER)
    write_post(posts, "2027-01-02-nieuw.md", f"title: Nieuw\npermalink: {site}/2027/01/02/nieuw/")
    app.index(store, folder, now=LATER)
    deliver(store, channels)
    pending = {(d["channel"], d["path"]) for d in MANIFEST["deliveries"] if d["pending_work"]}
    assert {(channel, path) for channel, _, path in calls} == pending
    waiting = store.db.execute(
        "select channel, state from deliveries d join posts p on p.id = d.post_id"
        " where p.path = '2027-01-02-nieuw.md' order by channel"
    ).fetchall()
    assert waiting == [(channel, "waiting") for channel in sorted(MANIFEST["channels"])]


def test_the_release_messages_get_their_public_urls_after_the_upgrade(
    upgraded: tuple[Store, Path], fake_telegram: FakeTelegram, fake_mastodon: FakeMastodon
) -> None:
    """m005 keeps no URL for the release's messages (null); at the first start the real
    adapters derive them (t.me/<channel>/<id>, the account's page and the status id), and
    the links hold every message still on a platform, of a post still on the site."""
    store, _ = upgraded
    assert store.db.execute(
        "select count(*) from deliveries where remote_url is not null"
    ).fetchone() == (0,)
    fake_telegram.add_channel(-1002000000001, "nieuws")
    telegram = TelegramSettings(
        token=TELEGRAM_TOKEN, channels=("@nieuws",), api_url=fake_telegram.url
    )
    mastodon = MastodonChannel(MastodonSettings(fake_mastodon.url, MASTODON_TOKEN), "nl", REPO)
    # The release's real adapter named itself mastodon:<URL>; the fixture's is `mastodon`.
    store.db.execute("update deliveries set channel = ? where channel = 'mastodon'", [mastodon.key])
    channels = [TelegramChannel(telegram, "@nieuws", "nl"), mastodon]

    async def start_and_learn() -> int:
        for channel in channels:
            await channel.start()
        try:
            return await learn_urls(store, channels) + await learn_urls(store, channels)
        finally:
            for channel in channels:
                await channel.close()

    learned = asyncio.run(start_and_learn())
    account = f"{fake_mastodon.url}/@{fake_mastodon.default_username}"
    url = {"telegram:@nieuws": "https://t.me/nieuws/{}", "mastodon": account + "/{}"}
    expected = sorted(
        (
            d["path"],
            d["channel"].replace("mastodon", mastodon.key),
            url[d["channel"]].format(d["remote_id"]),
        )
        for d in MANIFEST["deliveries"]
        if d["message_on_platform"]
        and d["pending_work"] != "delete"
        and MANIFEST["posts"][d["path"]]["status"] == "ready"
    )
    assert sorted(message_urls.live(store.db)) == expected
    # Every message the release sent got one, deleted ones too, once: the second start
    # finds none left to learn.
    assert learned == sum(1 for d in MANIFEST["deliveries"] if d["remote_id"])
    assert len(fake_mastodon.requests_to("verify_credentials")) == 1
    assert fake_telegram.requests_for("getChat") == []  # an @name says it all
    store.close()


def test_the_release_files_are_read_from_their_index_after_the_upgrade(
    upgraded: tuple[Store, Path],
) -> None:
    """m008: a full scan reads the release's files, as it recorded them, from the index
    made for it (the restart over 100,000 posts reads no table row)."""
    from bot.state.files import FILE_STATES, file_states

    store, _ = upgraded
    paths, sizes, mtimes = file_states(store.db)
    recorded = store.db.execute(
        "select path, size, mtime_ns from posts where status != 'withdrawn' order by path"
    ).fetchall()
    assert list(zip(paths, sizes, mtimes, strict=True)) == recorded
    assert paths and paths == sorted(paths)
    plan = [row[-1] for row in store.db.execute(f"explain query plan {FILE_STATES}")]
    assert plan == ["SCAN posts USING COVERING INDEX posts_file_states"]
    store.close()


def test_the_release_database_takes_subscriptions_without_sending_its_archive(
    upgraded: tuple[Store, Path],
) -> None:
    """m010: the tables are there and empty; the release's posts start no fan-out (what
    it had sent or queued is not news for subscribers); the queues are index lookups."""
    from bot.state.fanout import Fanout
    from bot.state.subscribers import EVERY, Subscribers

    store, posts = upgraded
    assert store.db.execute("select count(*) from fanouts").fetchone() == (0,)
    app.index(store, Folder(posts, Site(timezone=AMSTERDAM), ["console"]), LATER)
    assert store.db.execute("select count(*) from fanouts").fetchone() == (0,)
    assert Subscribers(store.db).subscribe(1001, EVERY, "", "nl", LATER)
    fanout = Fanout(store.db)
    assert fanout.startable(LATER) == [] and fanout.due(LATER, 10) == []
    due = "explain query plan select id from private_deliveries indexed by private_queue"
    plan = [row[-1] for row in store.db.execute(f"{due} where state in ('pending', 'sending')")]
    assert plan and all("private_queue" in step for step in plan)
    store.close()
