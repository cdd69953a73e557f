"""What one rewrite of LINKS_FILE costs with N posts, each sent to a public Telegram
channel and a Mastodon account: the query, the JSON, the hash, the write with its two
fsyncs; and a refresh that finds nothing changed (no write).

    python -m bench.links --posts 100000
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import datetime as dt
import resource
import statistics
import tempfile
import time
from pathlib import Path

from bench.replies import timed
from bot.links_file import LinksFile, LinksKeeper, render
from bot.state import message_urls
from bot.state.store import Store

CHANNELS = {
    "telegram:@nieuws": "https://t.me/nieuws/{n}",
    "mastodon:https://mastodon.example": "https://mastodon.example/@nieuws/{n:018d}",
}
STAMP = dt.datetime(2026, 12, 1, tzinfo=dt.UTC).isoformat()


def build(store: Store, posts: int) -> None:
    """`posts` live posts, each with a sent message and its URL on every channel."""
    with store.db.atomic():
        store.db.conn.executemany(
            "insert into posts (id, path, status, title, date, date_utc, link, summary_key,"
            " baseline) values (?, ?, 'ready', 'T', ?, ?, 'https://e.nl', 'k', 0)",
            [(n, f"2026/2026-01-01-post-{n}-met-een-titel.md", STAMP, STAMP)
             for n in range(1, posts + 1)],
        )  # fmt: skip
        store.db.conn.executemany(
            "insert into deliveries (post_id, channel, state, next_attempt_at, remote_id,"
            " remote_url, sent_key, created_at, date_utc) values (?, ?, 'sent', ?, ?, ?, 'k', ?, ?)",
            [(n, channel, STAMP, f"text:{n}", url.format(n=n), STAMP, STAMP)
             for n in range(1, posts + 1) for channel, url in CHANNELS.items()],
        )  # fmt: skip


async def loop_stalls(state_db: Path, target: Path) -> list[float]:
    """How long 1 ms sleeps of the event loop take while the worker's keeper rewrites
    the file on its thread (readers' answers and the outbox run in that loop)."""
    keeper = LinksKeeper(LinksFile(target, "_posts"), state_db, settle=0.0)
    stop = asyncio.Event()
    task = asyncio.create_task(keeper.run(stop))
    ticks = []
    while not target.exists():
        started = time.perf_counter()
        await asyncio.sleep(0.001)
        ticks.append((time.perf_counter() - started) * 1000)
    stop.set()
    await task
    await keeper.flush()
    return ticks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "state.db")
        build(store, args.posts)
        built = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        target = Path(tmp) / "postbode.json"
        query = timed(lambda: collections.deque(message_urls.live(store.db), 0), args.repeat)
        text = timed(
            lambda: collections.deque(render(message_urls.live(store.db), "_posts"), 0),
            args.repeat,
        )

        def rewrite() -> None:
            target.unlink(missing_ok=True)
            assert LinksFile(target, "_posts").refresh(store.db)

        written = timed(rewrite, args.repeat)
        links = LinksFile(target, "_posts")
        links.refresh(store.db)  # reads the file's digest once
        cpu = time.process_time()
        unchanged = timed(lambda: links.refresh(store.db), args.repeat)
        cpu = (time.process_time() - cpu) / args.repeat * 1000
        stalls = asyncio.run(loop_stalls(store.path, Path(tmp) / "by-the-keeper.json"))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{args.posts} posts, {len(CHANNELS)} messages each; file {target.stat().st_size / 1e6:.1f} MB"
        )
        print(f"query alone: median {statistics.median(query):.0f} ms")
        print(f"query + text: median {statistics.median(text):.0f} ms")
        print(
            f"rewrite (query, text, temp file, fsync, rename, fsync folder): median {statistics.median(written):.0f} ms"
        )
        print(
            f"refresh that finds nothing changed (no rename): median {statistics.median(unchanged):.0f} ms, {cpu:.0f} ms CPU"
        )
        print(
            f"the event loop during the worker's rewrite (its own thread): {len(stalls)} ticks"
            f" of 1 ms asked, longest {max(stalls):.1f} ms, p99"
            f" {sorted(stalls)[int(len(stalls) * 0.99)]:.1f} ms"
        )
        print(f"peak RSS: {built:.0f} MB once the database was built, {peak:.0f} MB after all")
        store.close()


if __name__ == "__main__":
    main()
