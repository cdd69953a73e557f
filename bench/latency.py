"""Latency from a post landing in the folder (os.replace) to its request reaching the
fake platform, with the real worker process.

    python -m bench.latency --posts 20
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import re
import statistics
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

from bench.generate_site import generate
from bot.folder.events import Watcher
from tests.fakes.mastodon import DEFAULT_TOKEN as MASTODON_TOKEN
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.telegram import DEFAULT_CHANNEL_ID, FakeTelegram
from tests.fakes.telegram import DEFAULT_TOKEN as TELEGRAM_TOKEN
from tests.harness import platform_env, worker


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def event_floor(folder: Path, count: int) -> list[float]:
    """The floor under the worker's latency: os.replace to the kernel's event reaching
    an event loop (postbode's own inotify reader, nothing else running)."""
    folder.mkdir()

    async def measure() -> list[float]:
        watcher, stop = Watcher(folder), asyncio.Event()
        batches = watcher.changes(stop)
        seconds = []
        for n in range(count):
            temp = folder / f".tmp-{n}"
            temp.write_text("x")
            landed = time.monotonic()
            os.replace(temp, folder / f"2026-01-01-floor-{n}.md")
            await anext(batches)
            seconds.append(time.monotonic() - landed)
        await batches.aclose()
        watcher.close()
        return seconds

    return asyncio.run(measure())


def _bare_sends(telegram_url: str, mastodon_url: str, count: int, out: Connection) -> None:
    """In a process of its own, as the worker is: the moment each bare library call
    starts, so that the fake's arrival times give the libraries' own share."""
    from mastodon import Mastodon
    from telegram import Bot

    async def telegram() -> list[float]:
        bot = Bot(TELEGRAM_TOKEN, base_url=f"{telegram_url}/bot")
        async with bot:
            starts = []
            for n in range(count):
                starts.append(time.monotonic())
                await bot.send_message(DEFAULT_CHANNEL_ID, f"bare {n}")
                await asyncio.sleep(0.05)
            return starts

    api = Mastodon(access_token=MASTODON_TOKEN, api_base_url=mastodon_url)
    api.instance_v2()  # connection and version check done, as in the worker
    starts = []
    for n in range(count):
        starts.append(time.monotonic())
        api.status_post(f"bare {n}", idempotency_key=f"bare-{n}")
        time.sleep(0.05)
    out.send((asyncio.run(telegram()), starts))


def library_floor(
    telegram: FakeTelegram, mastodon: FakeMastodon, count: int
) -> tuple[list[float], list[float]]:
    """Call to request at the fake for a bare python-telegram-bot / Mastodon.py loop."""
    sent_before = len(telegram.requests), len(mastodon.requests)
    receive, send = multiprocessing.get_context("spawn").Pipe(duplex=False)
    child = multiprocessing.get_context("spawn").Process(
        target=_bare_sends, args=(telegram.url, mastodon.url, count, send)
    )
    child.start()
    telegram_starts, mastodon_starts = receive.recv()
    child.join()
    sends = [r.time for r in telegram.requests[sent_before[0] :] if r.method == "sendMessage"]
    creates = [r.at for r in mastodon.requests[sent_before[1] :] if r.endpoint == "status_create"]
    return (
        [b - a for a, b in zip(telegram_starts, sends, strict=True)],
        [b - a for a, b in zip(mastodon_starts, creates, strict=True)],
    )


def report(name: str, values: list[float]) -> None:
    ms = [v * 1000 for v in values]
    print(
        f"{name}: median {statistics.median(ms):.2f} ms, p99 {percentile(ms, 99):.2f} ms, max {max(ms):.2f} ms, min {min(ms):.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeTelegram() as telegram,
        FakeMastodon() as mastodon,
    ):
        root = Path(tmp)
        (root / "posts").mkdir()
        staging = root / "staging"
        generate(staging, args.posts)
        mastodon.set_rate_limits(status_limit=10 * args.posts, api_limit=10 * args.posts)
        # Pacing out of the way: this measures the path from file to request, not the pace.
        env = platform_env(root, telegram, mastodon, TELEGRAM_MAX_PER_MINUTE="6000")
        telegram.set_rate_limits(per_chat_per_minute=6000)
        latencies: dict[str, list[float]] = {"telegram": [], "mastodon": []}
        with worker(root, env) as process:
            process.wait_for_line("watching", timeout=60)
            for n, path in enumerate(sorted(staging.iterdir()), start=1):
                path.write_text(
                    re.sub(r"feature_image: .*\n", "", path.read_text())
                )  # text messages only
                landed = time.monotonic()
                os.replace(path, root / "posts" / path.name)
                mastodon.wait_for(lambda n=n: len(mastodon.statuses) >= n)
                telegram.wait_for(
                    lambda fake, n=n: len(fake.sent_messages(DEFAULT_CHANNEL_ID)) >= n
                )
                creates = [r for r in mastodon.requests if r.endpoint == "status_create"]
                sends = [r for r in telegram.requests if r.method == "sendMessage"]
                latencies["mastodon"].append(creates[-1].at - landed)
                latencies["telegram"].append(sends[-1].time - landed)
                # Space the posts beyond Telegram's 30-per-second pace: measure the path, not the pace.
                time.sleep(0.1)
            process.terminate()
        print(
            f"{args.posts} posts, one at a time, os.replace into the watched folder, {os.cpu_count()} cores"
        )
        for name, values in latencies.items():
            report(name, values)
        report("floor (os.replace to the event in an event loop)", event_floor(root / "floor", 200))
        bare_telegram, bare_mastodon = library_floor(telegram, mastodon, args.posts)
        report("floor (a bare python-telegram-bot send_message, call to request)", bare_telegram)
        report("floor (a bare Mastodon.py status_post, call to request)", bare_mastodon)


if __name__ == "__main__":
    main()
