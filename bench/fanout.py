"""One post to many subscribers (SPEC §11): the fan-out's deliveries made, the pace of
the private chats beside a channel, a restart in the middle, and postbode's own ceiling.

    python -m bench.fanout --subscribers 100000 --seconds 60

1. deliveries: the fan-out of one post to every subscriber, in this process, its time
   and memory beside a floor (one INSERT … SELECT of the same rows into a bare table);
2. pace: the worker against the fake Bot API at Telegram's limits (30 a second, one a
   second per private chat): messages a second once under way, a channel post made
   during the fan-out (file landing to the channel's message), 429s, violations;
3. restart: kill -9 in the middle, a new worker: seconds to the first private message,
   every chat reached so far reached once (the one in flight may show twice), nothing
   lost (sent + still queued = every subscriber);
4. ceiling: the fake's limit raised (TELEGRAM_PAID_BROADCAST=on, 1,000 a second): the
   pace postbode itself reaches.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sqlite3
import tempfile
import time
import tracemalloc
from pathlib import Path

from bot.clock import utc_now, utc_text
from bot.folder.scan import Folder, scan
from bot.jekyll.site import Site
from bot.state.fanout import Fanout
from bot.state.store import Store
from tests.conftest import write_post
from tests.fakes.telegram import DEFAULT_CHANNEL_ID, FakeTelegram
from tests.fakes.telegram_private import PRIVATE_INTERVAL
from tests.harness import platform_env, worker

FIRST_READER = 10_000_000
CATEGORIES = ("sport", "economie", "cultuur")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def resident_mb(pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024


def subscribe_all(db_path: Path, count: int) -> None:
    """Seven in ten readers follow every post, the others one category (setup)."""
    before = utc_text(utc_now() - dt.timedelta(hours=1))
    rows = [
        (FIRST_READER + n, "*" if n % 10 < 7 else CATEGORIES[n % 3], "", "nl", before)
        for n in range(count)
    ]
    with sqlite3.connect(db_path) as conn:
        conn.executemany(
            "insert into subscriptions (chat_id, key, name, language, created_at)"
            " values (?, ?, ?, ?, ?)",
            rows,
        )


def post(folder: Path, name: str, category: str) -> None:
    write_post(
        folder,
        f"{name}.md",
        f'title: "{name}"\ncategories: [{category}]\nexterne_link: "https://example.nl/{name}"',
    )


def deliveries(root: Path, count: int) -> None:
    """Phase 1, in this process."""
    posts = root / "posts"
    posts.mkdir()
    store = Store(root / "state.db")
    folder = Folder(posts, Site(), ["console"])
    scan(store, folder, utc_now())
    subscribe_all(root / "state.db", count)
    post(posts, "een", "Sport")
    scan(store, folder, utc_now() + dt.timedelta(seconds=1))
    fanout = Fanout(store.db)
    now = utc_now() + dt.timedelta(seconds=1)
    rss, cpu, start = resident_mb(), time.process_time(), time.perf_counter()
    tracemalloc.start()
    (post_id,) = fanout.startable(now)
    made = 0
    while (added := fanout.expand(post_id, now)) is not None:
        made += added
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    took, cpu = time.perf_counter() - start, time.process_time() - cpu
    grown = resident_mb() - rss
    store.db.execute("create table floor (post_id integer, chat_id integer, state text)")
    floor_start = time.perf_counter()
    with sqlite3.connect(root / "state.db") as conn:
        conn.execute(
            "insert into floor select 1, chat_id, 'pending' from subscriptions"
            " where key = '*' or key = 'sport'"
        )
    floor = time.perf_counter() - floor_start
    print(
        f"deliveries: {made:,} made in {took:.2f} s ({cpu:.2f} CPU s), floor (one INSERT …"
        f" SELECT into a bare table) {floor:.2f} s: {took / floor:.1f}x; Python peak"
        f" {peak / 2**20:.1f} MB, RSS +{grown:.1f} MB"
    )
    store.close()


def private_count(fake: FakeTelegram) -> int:
    return sum(1 for r in fake.requests if r.chat and r.chat > 0 and r.status == 200)


def rate_over(fake: FakeTelegram, since: float, until: float) -> float:
    sends = [
        r.time
        for r in fake.requests
        if r.method == "sendMessage" and r.status == 200 and since <= r.time < until
    ]
    return len(sends) / (until - since)


def worker_phases(root: Path, count: int, seconds: float) -> None:
    """Phases 2–4, against the fake Bot API."""
    with FakeTelegram() as fake:
        fake.private_interval = PRIVATE_INTERVAL
        for n in range(count):
            fake.add_private_chat(FIRST_READER + n)
        env = platform_env(root, fake, None, TELEGRAM_SUBSCRIPTIONS="on")
        env["TELEGRAM_MAX_PER_MINUTE"] = "20"  # the default channel pace
        fake.set_rate_limits(per_chat_per_minute=20)
        posts = root / "posts"
        with worker(root, env) as first:
            first.wait_for_line("watching", timeout=60)
            assert first.process is not None
            rss = [resident_mb(first.process.pid)]
            landed = time.monotonic()
            post(posts, "twee", "Sport")
            fake.wait_for(lambda f: private_count(f) >= 100, 30, "the fan-out under way")
            under_way = time.monotonic()
            time.sleep(seconds / 2)  # a benchmark lets it run
            channel_before = len(fake.sent_messages(DEFAULT_CHANNEL_ID))
            channel_landed = time.monotonic()
            post(posts, "kanaal", "Binnenland")
            fake.wait_for(
                lambda f: len(f.sent_messages(DEFAULT_CHANNEL_ID)) > channel_before, 30, "channel"
            )
            channel_took = fake.requests_for("sendMessage", DEFAULT_CHANNEL_ID)[-1].time
            time.sleep(seconds / 2)
            end = time.monotonic()
            rss.append(resident_mb(first.process.pid))
            first.kill()
        pace = rate_over(fake, under_way, end)
        too_many = sum(1 for r in fake.requests if r.status == 429)
        print(
            f"pace: {pace:.1f} messages a second overall from {under_way - landed:.1f} s after"
            f" the post landed to {end - landed:.0f} s; 429s {too_many}, violations"
            f" {fake.violations}, too fast into one chat {fake.private_too_fast}"
        )
        print(f"worker RSS: {rss[0]:.0f} MB before the post, {rss[1]:.0f} MB at the kill")
        print(
            f"channel post during the fan-out: its message {channel_took - channel_landed:.3f} s"
            " after the file landed (the channel's pace: one every 3.06 s)"
        )
        sent_before = private_count(fake)
        restarted = time.monotonic()
        with worker(root, env) as second:
            second.wait_for_line("watching", timeout=60)
            watching = time.monotonic()
            fake.wait_for(lambda f: private_count(f) > sent_before, 30, "the resumed fan-out")
            resumed = min(
                r.time for r in fake.requests if r.chat and r.chat > 0 and r.time > restarted
            )
            time.sleep(5)
            second.kill()
        print(
            f"restart: first private message {resumed - restarted:.2f} s after the new start"
            f' ("watching" after {watching - restarted:.2f} s, as the line reached this process)'
        )
        check(root, fake, count)
        ceiling(root, fake, env, seconds / 2)


def check(root: Path, fake: FakeTelegram, count: int) -> None:
    reached = [len(fake.sent_messages(FIRST_READER + n)) for n in range(count)]
    with sqlite3.connect(root / "state.db") as conn:
        states = dict(
            conn.execute(
                "select state, count(*) from private_deliveries where post_id ="
                " (select min(post_id) from private_deliveries) group by state"
            ).fetchall()
        )
    print(
        f"after the kill: {sum(1 for n in reached if n):,} chats reached, {reached.count(2)}"
        f" twice, {sum(1 for n in reached if n > 2)} more; rows {states}, together"
        f" {sum(states.values()):,} of {sum(1 for n in range(count) if n % 10 < 7 or n % 3 == 0):,}"
    )


def ceiling(root: Path, fake: FakeTelegram, env: dict[str, str], seconds: float) -> None:
    fake.set_rate_limits(global_per_second=0)
    with worker(root, env | {"TELEGRAM_PAID_BROADCAST": "on"}) as third:
        third.wait_for_line("watching", timeout=60)
        assert third.process is not None
        time.sleep(2)
        start, cpu = time.monotonic(), cpu_seconds(third.process.pid)
        time.sleep(seconds)
        end, cpu = time.monotonic(), cpu_seconds(third.process.pid) - cpu
        third.kill()
    rate = rate_over(fake, start, end)
    print(
        f"ceiling (paid broadcasts, the fake's 1,000 a second): {rate:.0f} messages a second,"
        f" the worker's CPU {cpu / (end - start) * 100:.0f} % of a core,"
        f" {cpu / max(1, rate * (end - start)) * 1000:.1f} ms a message; {fake.paid_messages:,} paid"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=60, help="of pace at the limit")
    args = parser.parse_args()
    print(f"{args.subscribers:,} subscribers, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        deliveries(Path(tmp), args.subscribers)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "posts").mkdir()
        Store(root / "state.db").close()
        # The first run over the empty folder is the baseline; then the readers subscribe.
        with worker(root, platform_env(root, None, None)) as baseline:
            baseline.wait_for_line("watching", timeout=60)
            baseline.terminate()
        subscribe_all(root / "state.db", args.subscribers)
        worker_phases(root, args.subscribers, args.seconds)


if __name__ == "__main__":
    main()
