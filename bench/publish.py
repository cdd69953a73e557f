"""N posts dropped into a watched folder at once: how long until each platform has them all,
and how many requests each post costs, with the worker against the test fakes.

    python -m bench.publish --posts 20                   # default pacing: 20/min into a channel
    python -m bench.publish --posts 500 --per-minute 6000
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import re
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.generate_site import generate
from tests.fakes.images import serve_images
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.telegram import DEFAULT_CHANNEL_ID, FakeTelegram
from tests.harness import platform_env, worker


def resident_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20)
    parser.add_argument(
        "--per-minute", type=int, default=20, help="TELEGRAM_MAX_PER_MINUTE, and the fake's limit"
    )
    parser.add_argument(
        "--images", action="store_true", help="keep feature images (served from 127.0.0.1)"
    )
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeTelegram() as telegram,
        FakeMastodon() as mastodon,
        serve_images() as images,
    ):
        root = Path(tmp)
        (root / "posts").mkdir()
        staging = root / "staging"
        # Posts of the last days: as many older ones at once would be an import (FLOOD_LIMIT).
        recent = dt.datetime.now() - dt.timedelta(minutes=10 * args.posts + 60)
        generate(staging, args.posts, start=recent)
        for path in staging.iterdir():  # feature images from 127.0.0.1, or none at all
            text = path.read_text()
            if args.images:
                text = re.sub(
                    r'feature_image: "https://example.nl/media/(\d+).jpg"',
                    rf'feature_image: "{images}/\1.png"',
                    text,
                )
            else:
                text = re.sub(r"feature_image: .*\n", "", text)
            path.write_text(text)
        mastodon.set_rate_limits(
            status_limit=max(300, args.posts * 2), api_limit=max(300, args.posts * 4)
        )
        env = platform_env(
            root, telegram, mastodon, TELEGRAM_MAX_PER_MINUTE=str(args.per_minute),
            IMAGE_HOSTS_ALLOW=images.removeprefix("http://"),  # the loopback image server
        )  # fmt: skip
        telegram.set_rate_limits(per_chat_per_minute=args.per_minute)
        rss: list[tuple[int, float]] = []  # (messages out, worker RSS in MB)
        with worker(root, env) as process:
            process.wait_for_line("watching", timeout=60)
            assert process.process is not None
            pid = process.process.pid

            def sample() -> bool:
                out = len(telegram.sent_messages(DEFAULT_CHANNEL_ID))
                rss.append((out, resident_mb(pid)))
                return out >= args.posts

            sample()
            start = time.monotonic()
            for path in sorted(staging.iterdir()):
                os.replace(path, root / "posts" / path.name)
            deadline = args.posts * 60 / args.per_minute + 60
            mastodon.wait_for(lambda: len(mastodon.statuses) >= args.posts, timeout=deadline)
            mastodon_done = time.monotonic() - start
            while not sample() and time.monotonic() - start < deadline:
                time.sleep(0.5)  # a benchmark samples memory while it runs
            telegram_done = time.monotonic() - start
            process.terminate()
        sends = [r.time for r in telegram.requests if r.method in ("sendMessage", "sendPhoto")]
        gaps = [b - a for a, b in itertools.pairwise(sends)]
        telegram_calls = Counter(r.method for r in telegram.requests)
        mastodon_calls = Counter(f"{r.method} {r.endpoint}" for r in mastodon.requests)
        print(
            f"{args.posts} posts, TELEGRAM_MAX_PER_MINUTE={args.per_minute}, {os.cpu_count()} cores"
        )
        print(
            f"telegram: all out after {telegram_done:.1f} s; gap between messages median {statistics.median(gaps):.2f} s,"
            f" min {min(gaps):.2f} s; 429s {telegram_calls and sum(1 for r in telegram.requests if r.status == 429)}, violations {telegram.violations}"
        )
        rate = (len(sends) - 1) / (sends[-1] - sends[0]) * 60
        print(
            f"telegram pace: {rate:.1f} per minute over the run, configured {args.per_minute}"
            f" ({(rate / args.per_minute - 1) * 100:+.1f} %)"
        )
        print(f"mastodon: all out after {mastodon_done:.1f} s; violations {mastodon.violations}")
        quarters = [rss[round(i * (len(rss) - 1) / 4)] for i in range(5)]
        print("worker RSS (messages out: MB): " + ", ".join(f"{n}: {mb:.0f}" for n, mb in quarters))
        print(
            f"telegram requests: {dict(telegram_calls)} -> {sum(telegram_calls[m] for m in ('sendMessage', 'sendPhoto')) / args.posts:.2f} sends per post"
        )
        print(f"mastodon requests: {dict(mastodon_calls)}")


if __name__ == "__main__":
    main()
