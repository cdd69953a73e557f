"""Latency from a post landing in the folder (os.replace) to its request reaching the
fake platform, with the real worker process.

    python -m bench.latency --posts 20
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

from bench.generate_site import generate
from bot.folder.events import Watcher
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.telegram import DEFAULT_CHANNEL_ID, FakeTelegram
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


if __name__ == "__main__":
    main()
