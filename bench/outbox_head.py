"""The outbox's next-delivery query with N sent deliveries per channel behind it.

    python -m bench.outbox_head --sent 100000

Runs against whichever `bot` package is on the path, so the previous release can be
measured by the same script (PYTHONPATH=<a checkout of it>).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
from pathlib import Path

try:
    from bot.state.store import Store
except ImportError:  # the previous release: flat modules
    from bot.store import Store  # type: ignore[no-redef, import-not-found]

from bench.replies import timed

CHANNELS = ("telegram:@nieuws", "mastodon")
NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def build(store: Store, sent: int) -> None:
    """`sent` posts, each sent on every channel, and one post still to send."""
    columns = {row[1] for row in store.db.execute("pragma table_info(deliveries)")}
    dated = "date_utc" in columns  # this release keeps the post date on the delivery
    stamp = NOW.isoformat()
    with store.db.atomic():
        store.db.conn.executemany(
            "insert into posts (id, path, status, title, date, date_utc, link, summary_key,"
            " baseline) values (?, ?, 'ready', 'T', ?, ?, 'https://e.nl', 'k', 0)",
            [
                (
                    n,
                    f"p{n}.md",
                    stamp,
                    f"2020-01-01T00:00:{n:010d}",
                )
                for n in range(1, sent + 2)
            ],
        )
        extra = ", date_utc" if dated else ""
        marks = ", ?" if dated else ""
        store.db.conn.executemany(
            "insert into deliveries (post_id, channel, state, next_attempt_at, remote_id,"
            f" sent_key, created_at{extra}) values (?, ?, ?, ?, ?, 'k', ?{marks})",
            [
                (n, channel, "sent" if n <= sent else "pending", stamp, str(n) if n <= sent else None,
                 stamp, *((f"2020-01-01T00:00:{n:010d}",) if dated else ()))
                for n in range(1, sent + 2)
                for channel in CHANNELS
            ],
        )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sent", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "state.db")
        build(store, args.sent)
        head = store.deliveries.head(CHANNELS[0], NOW)
        assert head is not None and head.post_id == args.sent + 1, head
        times = sorted(timed(lambda: store.deliveries.head(CHANNELS[0], NOW), args.repeat))
        print(
            f"head() with {args.sent} sent deliveries per channel: median"
            f" {statistics.median(times):.3f} ms, p99 {times[int(len(times) * 0.99) - 1]:.3f} ms"
        )
        store.close()


if __name__ == "__main__":
    main()
