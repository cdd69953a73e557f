"""postbode and feediverse (PyPI), side by side: the same 1,000 posts to the same fake
Mastodon server, CPU seconds per post, wall time and peak memory, in one run.

feediverse reads an RSS feed; the posts are exported as one (title, link, the lead
as description, categories). Leads are cut to 250 characters in the feed: feediverse
cuts its text at 499 code points, and where that cut lands inside a URL Mastodon
counts more than 500 and refuses the status (422), which stops feediverse's run.
It needs Mastodon.py < 2, so it gets its own virtualenv.

    python -m bench.compare_feediverse --posts 1000
"""

from __future__ import annotations

import argparse
import email.utils
import html
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from bench.generate_site import generate
from bench.idle import cpu_seconds
from bot.jekyll.posts import Post, read_post
from bot.jekyll.site import Site
from bot.text import shorten
from tests.conftest import OFFLINE_ENV
from tests.fakes.mastodon import DEFAULT_TOKEN, FakeMastodon
from tests.harness import platform_env, worker

VENV = Path(tempfile.gettempdir()) / "postbode-bench-feediverse"
TEMPLATE = "{title}\n\n{summary}\n\n{url}\n\n{hashtags}"


def feediverse_venv() -> Path:
    """A virtualenv with feediverse from PyPI (made once, reused)."""
    binary = VENV / "bin" / "feediverse"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "--quiet", "feediverse"], check=True)
    return binary


def rss(posts: list[Post]) -> str:
    items = []
    for post in posts:
        categories = "".join(f"<category>{html.escape(c)}</category>" for c in post.categories)
        items.append(
            f"<item><title>{html.escape(post.title)}</title><link>{html.escape(post.link)}</link>"
            f"<guid>{html.escape(post.link)}</guid><pubDate>{email.utils.format_datetime(post.date)}</pubDate>"
            f"<description>{html.escape('<p>' + html.escape(shorten(post.lead, 250, len)) + '</p>')}"
            f"</description>{categories}</item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Site</title>'
        f"<link>https://example.nl/</link><description>Site</description>{''.join(items)}</channel></rss>"
    )


def run_once(command: list[str], cwd: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MB) of one command run to its end."""
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=cwd, env={"PATH": os.environ["PATH"], **OFFLINE_ENV}, stdout=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{command[0]} failed with {process.returncode}")
    return time.monotonic() - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def peak_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    args = parser.parse_args()
    feediverse = feediverse_venv()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        staging = root / "staging"
        generate(staging, args.posts)
        posts = [read_post(p.read_bytes(), p.name, Site(), 0) for p in sorted(staging.iterdir())]
        feed = root / "feed.xml"
        feed.write_text(rss([p for p in posts if isinstance(p, Post)]), encoding="utf-8")

        with FakeMastodon(status_limit=10 * args.posts, api_limit=10 * args.posts) as fake:
            config = root / "feediverse.yml"
            config.write_text(yaml.safe_dump({
                "url": fake.url, "client_id": "bench", "client_secret": "bench", "access_token": DEFAULT_TOKEN,
                "feeds": [{"url": str(feed), "template": TEMPLATE, "include_images": False}],
            }))  # fmt: skip
            wall, cpu, rss_mb = run_once([str(feediverse), "-c", str(config)], root)
            rows.append(("feediverse, first run", len(fake.statuses), wall, cpu, rss_mb))
            wall, cpu, rss_mb = run_once([str(feediverse), "-c", str(config)], root)
            rows.append(
                ("feediverse, a cron run, nothing new", len(fake.statuses), wall, cpu, rss_mb)
            )

        with FakeMastodon(status_limit=10 * args.posts, api_limit=10 * args.posts) as fake:
            (root / "posts").mkdir()
            started = time.monotonic()
            with worker(root, platform_env(root, None, fake)) as process:
                process.wait_for_line("watching", timeout=60)
                assert process.process is not None
                pid = process.process.pid
                for path in sorted(staging.iterdir()):
                    os.replace(path, root / "posts" / path.name)
                fake.wait_for(lambda: len(fake.statuses) >= args.posts, timeout=600)
                wall = time.monotonic() - started
                cpu, peak = cpu_seconds(pid), peak_mb(pid)
                idle_start = cpu_seconds(pid)
                time.sleep(60)  # what a minute of waiting for news costs
                idle = cpu_seconds(pid) - idle_start
                process.terminate()
            rows.append(
                ("postbode worker (start-up included)", len(fake.statuses), wall, cpu, peak)
            )
            rows.append(
                ("postbode, a minute with nothing new", len(fake.statuses), 60.0, idle, peak)
            )

    print(
        f"{args.posts} posts to a fake Mastodon on 127.0.0.1; {os.cpu_count()} cores; Python {sys.version.split()[0]}"
    )
    print(f"{'':38} {'statuses':>8} {'wall s':>8} {'CPU s':>7} {'CPU ms/post':>12} {'peak MB':>8}")
    for name, statuses, wall, cpu, peak in rows:
        per_post = f"{cpu / statuses * 1000:.2f}" if statuses and "nothing" not in name else "-"
        print(f"{name:38} {statuses:>8} {wall:>8.1f} {cpu:>7.2f} {per_post:>12} {peak:>8.0f}")


if __name__ == "__main__":
    main()
