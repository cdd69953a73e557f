"""CPU per post: postbode's path (outbox -> adapter -> fake platform) next to a bare
library loop sending the same messages to the same fake.

    python -m bench.post_cost --posts 300 --rounds 5
    python -m bench.post_cost --platform mastodon --profile   # cProfile of postbode's path

N deliveries are queued in a real SQLite store; postbode's figure is the CPU of
`Outbox.drain()` over them (its store, adapter and the Mastodon thread), the bare
figure that of a loop of `Mastodon.status_post` / `Bot.send_message` calls with the
same texts (and, for Mastodon, the same idempotency keys), prepared beforehand. Each
run gets a fresh fake in a child process, so the server's CPU is not counted and no
run is answered from another's idempotency records. CPU is `time.process_time()` of
this process: all its threads. Telegram is unpaced (the channel's interval and the
fake's flood limits off). Logging is left unconfigured: no log line is written.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import datetime as dt
import multiprocessing
import os
import pstats
import resource
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from mastodon import Mastodon
from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode

from bot.channels.base import Channel
from bot.channels.mastodon import MastodonChannel
from bot.channels.mastodon_urls import instance_rules
from bot.channels.telegram import TelegramChannel
from bot.config import MastodonSettings, TelegramSettings
from bot.jekyll.posts import Post
from bot.outbox import Outbox
from bot.state.rows import FileState
from bot.state.store import Store
from bot.summary import render_mastodon, render_telegram
from tests.fakes.mastodon import DEFAULT_TOKEN as MASTODON_TOKEN
from tests.fakes.telegram import DEFAULT_CHANNEL_ID, DEFAULT_CHANNEL_USERNAME
from tests.fakes.telegram import DEFAULT_TOKEN as TELEGRAM_TOKEN

LANGUAGE = "nl"
CHAT = "@" + DEFAULT_CHANNEL_USERNAME
Sent = list[tuple[str | None, str | None]]  # (text, idempotency key) as the fake got them
SYSTEM: list[float] = []  # the kernel's CPU seconds of each measured run, in order
profiles: list[cProfile.Profile] = []  # --profile: those of the adapter's own thread
CHANNEL_KEYS = {"mastodon": "mastodon:bench", "telegram": f"telegram:{CHAT}"}


def _serve(platform: str, conn: Connection) -> None:
    """The child process: one fake, unlimited, until the parent says stop."""
    from tests.fakes.mastodon import FakeMastodon
    from tests.fakes.telegram import FakeTelegram

    if platform == "mastodon":
        with FakeMastodon(api_limit=10**9, status_limit=10**9) as mastodon:
            conn.send(mastodon.url)
            conn.recv()
            conn.send([(s.text, s.idempotency_key) for s in mastodon.statuses])
    else:
        with FakeTelegram(per_chat_per_minute=0, global_per_second=0) as telegram:
            conn.send(telegram.url)
            conn.recv()
            conn.send([(m.raw, None) for m in telegram.sent_messages(DEFAULT_CHANNEL_ID)])


class Fake:
    """A fake platform in a process of its own; `sent` is filled when it stops."""

    def __init__(self, platform: str) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(platform, child), daemon=True)
        self._process.start()
        self.url: str = self._conn.recv()
        self.sent: Sent = []

    def stop(self) -> None:
        self._conn.send("stop")
        self.sent = self._conn.recv()
        self._process.join(10)


@contextmanager
def fake(platform: str) -> Iterator[Fake]:
    server = Fake(platform)
    try:
        yield server
    finally:
        server.stop()


def queued_store(path: Path, posts: int, channel: str) -> tuple[Store, list[Post]]:
    """N ready posts, oldest first, each with a delivery queued for `channel`."""
    store = Store(path)
    now = dt.datetime.now(dt.UTC)
    items = [
        Post(
            path=f"_posts/{n:05d}.md",
            title=f"Bericht nummer {n}: de haven ligt stil na een staking",
            date=now - dt.timedelta(hours=posts - n),
            link=f"https://example.nl/{2026 - n % 5}/bericht-{n}/",
            lead="Een lead van een paar zinnen, zoals een echte. " * 4,
            categories=("Economie", "Regio"),
            tags=("haven", "staking"),
        )
        for n in range(posts)
    ]
    with store.transaction():
        for n, post in enumerate(items):
            store.record(post, FileState(100, n, f"h{n}"), [channel], now)
    return store, items


def keys_in_order(store: Store, posts: list[Post]) -> list[str]:
    """The idempotency keys the outbox will use, in post order."""
    by_path = {post.path: post for post in posts}
    rows = store.db.execute(
        "select d.id, d.created_at, p.path from deliveries d join posts p on p.id = d.post_id"
        " order by d.date_utc"
    ).fetchall()
    return [
        f"postbode-{store.instance_id}-{ident}-{''.join(c for c in created if c.isdigit())}"
        for ident, created, path in rows
        if path in by_path
    ]


class Cpu:
    """CPU seconds of this process since `start()`; `system` the kernel's share of it
    (loopback TCP and SQLite's file writes are spent there)."""

    def __init__(self) -> None:
        self._start = (time.process_time(), resource.getrusage(resource.RUSAGE_SELF).ru_stime)

    def stop(self) -> float:
        SYSTEM.append(resource.getrusage(resource.RUSAGE_SELF).ru_stime - self._start[1])
        return time.process_time() - self._start[0]


def cpu(run: Callable[[], Any]) -> float:
    started = Cpu()
    run()
    return started.stop()


def bare_mastodon(url: str, statuses: list[tuple[str, str]]) -> float:
    api = Mastodon(
        access_token=MASTODON_TOKEN,
        api_base_url=url,
        ratelimit_method="throw",
        request_timeout=15.0,
        user_agent="postbode",
    )
    api.instance_v2()  # as the channel's start(): the connection is open before timing

    def loop() -> None:
        for text, key in statuses:
            api.status_post(text, visibility="public", language=LANGUAGE, idempotency_key=key)

    spent = cpu(loop)
    api.session.close()
    return spent


def bare_telegram(url: str, messages: list[tuple[str, str | None]]) -> float:
    async def run() -> float:
        async with Bot(TELEGRAM_TOKEN, base_url=f"{url}/bot") as bot:
            started = Cpu()
            for text, preview in messages:
                await bot.send_message(
                    chat_id=CHAT,
                    text=text,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(url=preview, prefer_large_media=True),
                )
            return started.stop()

    return asyncio.run(run())


def postbode(
    channel: Channel, store: Store, posts: int, profile: cProfile.Profile | None = None
) -> float:
    async def run() -> float:
        await channel.start()
        outbox = Outbox(store, [channel])
        # The Mastodon adapter's calls run on a thread of their own: profile it too.
        thread = getattr(channel, "_thread", None)
        in_thread = cProfile.Profile(time.thread_time)
        if profile:
            if thread:
                await thread.run(in_thread.enable)
            profile.enable()
        started = Cpu()
        sent = await outbox.drain()
        spent = started.stop()
        if profile:
            profile.disable()
            if thread:
                await thread.run(in_thread.disable)
                profiles.append(in_thread)
        await channel.close()
        assert sent == posts, f"{sent} of {posts} went out"
        return spent

    return asyncio.run(run())


def make_channel(platform: str, url: str, root: Path) -> Channel:
    if platform == "mastodon":
        channel = MastodonChannel(MastodonSettings(url, MASTODON_TOKEN), LANGUAGE, root)
        channel.key = CHANNEL_KEYS[platform]  # the same deliveries for every fake's port
        return channel
    settings = TelegramSettings(TELEGRAM_TOKEN, (CHAT,), api_url=url, max_per_minute=10**6)
    telegram = TelegramChannel(settings, CHAT, LANGUAGE)
    telegram.min_interval = 0.0  # unpaced: the measurement is CPU, not the platform's pace
    return telegram


def one_round(
    platform: str, posts: int, bare_first: bool, profile: cProfile.Profile | None
) -> dict[str, tuple[float, float]]:
    """bare and postbode: (CPU, kernel CPU) seconds for `posts` messages; checks that
    both sent the same."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        store, items = queued_store(root / "state.db", posts, CHANNEL_KEYS[platform])
        keys = keys_in_order(store, items)
        results: dict[str, tuple[float, Sent]] = {}
        system: dict[str, float] = {}
        for side in ["bare", "postbode"] if bare_first else ["postbode", "bare"]:
            with fake(platform) as server:
                channel = make_channel(platform, server.url, root)
                if side == "postbode":
                    spent = postbode(channel, store, posts, profile)
                elif platform == "mastodon":
                    rules = instance_rules()  # what the fake's instance_v2 gives too
                    statuses = [
                        (render_mastodon(p, LANGUAGE, rules).text, k)
                        for p, k in zip(items, keys, strict=True)
                    ]
                    spent = bare_mastodon(server.url, statuses)
                else:
                    messages = [
                        (m.text, m.preview_url)
                        for m in (render_telegram(p, LANGUAGE) for p in items)
                    ]
                    spent = bare_telegram(server.url, messages)
            results[side] = (spent, server.sent)
            system[side] = SYSTEM[-1]
        store.close()
        bare_sent, ours_sent = results["bare"][1], results["postbode"][1]
        assert len(ours_sent) == posts, (len(bare_sent), len(ours_sent))
        assert bare_sent == ours_sent, "the two sides sent different texts or keys"
        return {side: (results[side][0], system[side]) for side in results}


def _all(values: list[float]) -> str:
    return " ".join(f"{v:.3f}" for v in values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--platform", choices=["mastodon", "telegram", "both"], default="both")
    parser.add_argument("--profile", action="store_true", help="cProfile postbode's path")
    args = parser.parse_args()
    platforms = ["mastodon", "telegram"] if args.platform == "both" else [args.platform]
    print(f"{args.posts} posts per run, {args.rounds} rounds, {os.cpu_count()} cores")
    for platform in platforms:
        # Thread CPU time, not wall time: waiting for the fake is not cost.
        profile = cProfile.Profile(time.thread_time) if args.profile else None
        bare, ours, kernel = [], [], {"bare": 0.0, "postbode": 0.0}
        for n in range(args.rounds):
            spent = one_round(platform, args.posts, n % 2 == 0, profile)
            bare.append(spent["bare"][0] / args.posts * 1000)
            ours.append(spent["postbode"][0] / args.posts * 1000)
            for side in kernel:
                kernel[side] += spent[side][1] / args.posts * 1000 / args.rounds
        ratios = [o / b for b, o in zip(bare, ours, strict=True)]
        print(f"{platform}: CPU ms per post (median, min; every round)")
        print(f"  bare     {statistics.median(bare):.3f}, {min(bare):.3f}; {_all(bare)}")
        print(f"  postbode {statistics.median(ours):.3f}, {min(ours):.3f}; {_all(ours)}")
        print(
            f"  postbode / bare: medians {statistics.median(ours) / statistics.median(bare):.3f},"
            f" minima {min(ours) / min(bare):.3f}; per round {_all(ratios)}"
        )
        print(
            f"  of which in the kernel (mean): bare {kernel['bare']:.3f},"
            f" postbode {kernel['postbode']:.3f}"
        )
        if profile:
            stats = pstats.Stats(profile)
            for other in profiles:
                stats.add(other)
            stats.sort_stats("tottime").print_stats(40)


if __name__ == "__main__":
    main()
