"""The worker as operators run it: a real process, a real folder, the fake platforms."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import shutil
import sqlite3
import time
from collections import Counter
from pathlib import Path

from tests.conftest import write_post
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.telegram import DEFAULT_CHANNEL_ID, FakeTelegram, FakeUser
from tests.harness import assert_no_secrets, platform_env, worker


def drop_post(posts: Path, n: int) -> None:
    """Write a post the way editors and git do: a hidden temp file renamed into place."""
    temp = write_post(
        posts,
        f".tmp-{n}.md",
        f'title: Post {n:02d}\ndate: 2026-11-20 10:{n:02d}:00 +0100\nexterne_link: "https://example.nl/{n}"',
    )
    os.replace(temp, posts / f"2026-11-20-post-{n:02d}.md")


def titles_on_telegram(fake: FakeTelegram) -> list[str]:
    return [
        m.raw.split("\n")[0].removeprefix("<b>").removesuffix("</b>")
        for m in fake.sent_messages(DEFAULT_CHANNEL_ID)
    ]


def test_kill_9_during_a_burst_loses_nothing_and_duplicates_nothing_on_mastodon(
    tmp_path: Path, fake_telegram: FakeTelegram, fake_mastodon: FakeMastodon
) -> None:
    """kill -9 inside a request and mid-burst: after restarts all 20 posts are out, once on Mastodon."""
    posts = tmp_path / "posts"
    posts.mkdir()
    env = platform_env(tmp_path, fake_telegram, fake_mastodon)
    logs: list[str] = []
    expected = [f"Post {n:02d}" for n in range(20)]

    # 1. The first status and the first message are accepted, but the answers never come.
    fake_mastodon.fail_next("accept_then_hold")
    fake_telegram.fail_next("accept_then_hold")
    with worker(tmp_path, env) as first:
        first.wait_for_line("watching")
        for n in range(20):
            drop_post(posts, n)
        fake_mastodon.wait_for(lambda: len(fake_mastodon.statuses) == 1)
        fake_telegram.wait_for(lambda fake: len(fake.sent_messages(DEFAULT_CHANNEL_ID)) == 1)
        first.kill()  # both requests are in flight
        logs += first.lines

    # 2. Restarted, it goes on; killed again in the middle of the burst.
    with worker(tmp_path, env) as second:
        fake_mastodon.wait_for(lambda: len(fake_mastodon.statuses) >= 10, timeout=30)
        second.kill()
        logs += second.lines

    # 3. Restarted once more, it finishes.
    with worker(tmp_path, env) as third:
        fake_mastodon.wait_for(lambda: len(fake_mastodon.statuses) >= 20, timeout=30)
        fake_telegram.wait_for(
            lambda fake: set(titles_on_telegram(fake)) == set(expected), timeout=30
        )
        assert third.terminate() == 0
        logs += third.lines

    assert [s.text.split("\n")[0] for s in fake_mastodon.statuses] == expected
    # The status whose answer was lost was sent again after the restart, and deduplicated.
    first_key = fake_mastodon.statuses[0].idempotency_key
    assert sum(1 for r in fake_mastodon.requests if r.idempotency_key == first_key) >= 2
    telegram = titles_on_telegram(fake_telegram)
    duplicates = sum(count - 1 for count in Counter(telegram).values())
    assert 1 <= duplicates <= 2, telegram  # the held message was resent; at most one per kill
    assert list(dict.fromkeys(telegram)) == expected  # in post-date order
    assert fake_telegram.violations == 0 and fake_mastodon.violations == 0
    assert_no_secrets(logs, tmp_path / "state.db")


def statuses_titled(fake: FakeMastodon) -> list[str]:
    return [s.text.split("\n")[0] for s in fake.statuses if not s.deleted]


def test_editors_git_and_cp_are_each_handled_once(
    tmp_path: Path, fake_mastodon: FakeMastodon
) -> None:
    """Atomic rename, in-place write in two chunks, vim save, cp -r of 300, rename, delete."""
    posts = tmp_path / "posts"
    posts.mkdir()
    fake_mastodon.set_rate_limits(status_limit=1000, api_limit=2000)
    with worker(tmp_path, platform_env(tmp_path, None, fake_mastodon)) as process:
        process.wait_for_line("watching")

        # An atomic rename (editors, git): published at once.
        drop_post(posts, 1)
        fake_mastodon.wait_for(lambda: statuses_titled(fake_mastodon) == ["Post 01"])

        # Written in place in two chunks, the writer pausing in between: never half-read.
        with (posts / "inplace.md").open("w") as writer:
            writer.write(
                '---\ntitle: In place\nexterne_link: "https://example.nl/inplace"\n---\n\nDe eerste helft'
            )
            writer.flush()
            process.wait_for_line("inplace.md is still being written")
            writer.write(" en de tweede helft van de lead.\n")
        fake_mastodon.wait_for(lambda: len(fake_mastodon.statuses) == 2)
        assert (
            fake_mastodon.statuses[1].text.split("\n\n")[1]
            == "De eerste helft en de tweede helft van de lead."
        )

        # A vim-style save of the first post: swap file, rename to backup, write, clean up.
        target = posts / "2026-11-20-post-01.md"
        swap, backup = posts / ".2026-11-20-post-01.md.swp", posts / "2026-11-20-post-01.md~"
        swap.write_text("swap")
        os.replace(target, backup)
        target.write_text(
            backup.read_text().replace("title: Post 01", "title: Post 01 (bijgewerkt)")
        )
        swap.unlink()
        backup.unlink()
        fake_mastodon.wait_for(lambda: fake_mastodon.statuses[0].edited)
        assert statuses_titled(fake_mastodon) == ["Post 01 (bijgewerkt)", "In place"]

        # cp -r of a folder of 300 new posts: each published once (posts from this week:
        # as many old ones would be an import, FLOOD_LIMIT).
        yesterday = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")
        batch = tmp_path / "batch"
        for n in range(300):
            write_post(
                batch,
                f"2026-11-21-b{n:03d}.md",
                f'title: Batch {n:03d}\ndate: {yesterday} +0000\nexterne_link: "https://example.nl/b/{n}"',
            )
        shutil.copytree(batch, posts / "batch")
        fake_mastodon.wait_for(lambda: len(fake_mastodon.statuses) == 302, timeout=60)

        # git mv: the same post under a new name is not published again.
        os.replace(posts / "inplace.md", posts / "2026-11-20-inplace.md")
        # A deletion: the post is withdrawn, its status stays (ON_DELETE=keep).
        (posts / "batch" / "2026-11-21-b000.md").unlink()
        process.wait_for_line("b000.md withdrawn")
        drop_post(posts, 2)  # a marker: once it is out, the events before it were handled
        fake_mastodon.wait_for(lambda: len(fake_mastodon.statuses) == 303)
        assert process.terminate() == 0

    titles = Counter(statuses_titled(fake_mastodon))
    assert len(titles) == 303 and max(titles.values()) == 1
    assert sum(1 for r in fake_mastodon.requests if r.endpoint == "status_update") == 1
    with sqlite3.connect(tmp_path / "state.db") as db:
        assert db.execute(
            "select status from posts where path = '2026-11-20-inplace.md'"
        ).fetchone() == ("ready",)
        assert db.execute("select count(*) from posts where path = 'inplace.md'").fetchone() == (0,)
        assert db.execute(
            "select status from posts where path = 'batch/2026-11-21-b000.md'"
        ).fetchone() == ("withdrawn",)


def test_reconcile_scan_catches_what_the_watcher_missed(
    tmp_path: Path, fake_mastodon: FakeMastodon
) -> None:
    """With no file events at all, the periodic reconcile scan still finds new posts."""
    (tmp_path / "posts").mkdir()
    env = platform_env(tmp_path, None, fake_mastodon, WATCH_MODE="off", RECONCILE_INTERVAL="1")
    with worker(tmp_path, env) as process:
        process.wait_for_line("watching")
        drop_post(tmp_path / "posts", 1)
        fake_mastodon.wait_for(lambda: statuses_titled(fake_mastodon) == ["Post 01"])
        assert process.terminate() == 0


def test_a_post_being_written_at_start_up_goes_out_once_it_is_complete(
    tmp_path: Path, fake_mastodon: FakeMastodon
) -> None:
    """Written in place while the worker starts (and no file events to tell): it is looked
    at again shortly, not left for the next reconcile minutes later."""
    posts = tmp_path / "posts"
    posts.mkdir()
    env = platform_env(tmp_path, None, fake_mastodon, WATCH_MODE="off")
    with worker(tmp_path, env) as process:
        process.wait_for_line("watching")
        process.terminate()
    with (posts / "2026-11-20-slow.md").open("w") as writer:
        writer.write('---\ntitle: Traag\nexterne_link: "https://example.nl/traag"\n---\n\nHalf')
        writer.flush()
        with worker(tmp_path, env) as process:
            process.wait_for_line("2026-11-20-slow.md is still being written")
            writer.write(" en af.\n")
            writer.close()
            fake_mastodon.wait_for(lambda: len(fake_mastodon.statuses) == 1, timeout=10)
            assert process.terminate() == 0
    assert fake_mastodon.statuses[0].text.split("\n\n")[1] == "Half en af."


def test_polling_mode_publishes_too(tmp_path: Path, fake_mastodon: FakeMastodon) -> None:
    """WATCH_MODE=poll (network filesystems, some containers) finds new posts by polling."""
    (tmp_path / "posts").mkdir()
    env = platform_env(tmp_path, None, fake_mastodon, WATCH_MODE="poll")
    with worker(tmp_path, env) as process:
        assert "reconciling every 300 s" in process.wait_for_line("watching")
        drop_post(tmp_path / "posts", 1)
        fake_mastodon.wait_for(lambda: statuses_titled(fake_mastodon) == ["Post 01"])
        assert process.terminate() == 0


def test_a_folder_that_goes_away_and_comes_back_is_watched_again(
    tmp_path: Path, fake_mastodon: FakeMastodon
) -> None:
    """An unmounted share or a folder moved away for a while: nothing is withdrawn, and
    once it is back its new posts go out."""
    posts, away = tmp_path / "posts", tmp_path / "away"
    posts.mkdir()
    with worker(tmp_path, platform_env(tmp_path, None, fake_mastodon)) as process:
        # Kernel events on a local disk: the reconcile scan is only a rare safety net.
        assert "(events, reconciling every 3600 s)" in process.wait_for_line("watching")
        drop_post(posts, 1)
        fake_mastodon.wait_for(lambda: statuses_titled(fake_mastodon) == ["Post 01"])
        os.rename(posts, away)
        process.wait_for_line("is gone: waiting for it to come back")
        drop_post(away, 2)  # written while away: found when it is back
        os.rename(away, posts)
        process.wait_for_line("is back")
        fake_mastodon.wait_for(lambda: len(fake_mastodon.statuses) == 2)
        drop_post(posts, 3)  # the folder is watched again
        fake_mastodon.wait_for(lambda: len(fake_mastodon.statuses) == 3)
        assert process.terminate() == 0
    assert statuses_titled(fake_mastodon) == ["Post 01", "Post 02", "Post 03"]
    assert not any("withdrawn" in line for line in process.lines)


def test_restart_after_downtime_publishes_what_arrived_meanwhile_once(
    tmp_path: Path, fake_mastodon: FakeMastodon
) -> None:
    """Posts that landed while the worker was down go out after the restart, once each."""
    posts = tmp_path / "posts"
    posts.mkdir()
    env = platform_env(tmp_path, None, fake_mastodon)
    with worker(tmp_path, env) as process:
        process.wait_for_line("watching")
        drop_post(posts, 1)
        fake_mastodon.wait_for(lambda: len(fake_mastodon.statuses) == 1)
        assert process.terminate() == 0
    drop_post(posts, 2)
    drop_post(posts, 3)
    with worker(tmp_path, env) as process:
        line = process.wait_for_line("found ")
        assert "found 3 posts" in line and "pending deliveries: 2 on mastodon" in line
        fake_mastodon.wait_for(lambda: len(fake_mastodon.statuses) == 3)
        assert process.terminate() == 0
    assert statuses_titled(fake_mastodon) == ["Post 01", "Post 02", "Post 03"]


def test_second_worker_on_the_same_database_is_refused(tmp_path: Path) -> None:
    """One worker per state database: the second exits at once with a clear message."""
    (tmp_path / "posts").mkdir()
    env = {"POSTS_DIR": str(tmp_path / "posts"), "STATE_DB": str(tmp_path / "state.db")}
    with worker(tmp_path, env) as first:
        first.wait_for_line("watching")
        with worker(tmp_path, env) as second:
            second.process.wait(30)
            assert second.process.returncode != 0
            assert any("already running" in line and "state.db" in line for line in second.lines)
        assert not first.exited
        assert first.terminate() == 0


def test_sigterm_exits_within_10_seconds_even_with_a_request_hanging(
    tmp_path: Path, fake_mastodon: FakeMastodon
) -> None:
    """SIGTERM while a request hangs: the worker exits in time, the delivery is kept for later."""
    posts = tmp_path / "posts"
    posts.mkdir()
    with worker(tmp_path, platform_env(tmp_path, None, fake_mastodon)) as process:
        process.wait_for_line("watching")
        fake_mastodon.fail_next("timeout")  # the server never answers
        drop_post(posts, 1)
        fake_mastodon.wait_for(lambda: len(fake_mastodon.requests_to("status_create")) == 1)
        started = time.monotonic()
        assert process.terminate(timeout=10) == 0
        assert time.monotonic() - started < 10
        assert any("stopped" in line for line in process.lines)
    with sqlite3.connect(tmp_path / "state.db") as db:
        assert db.execute("select state from deliveries").fetchall() in (
            [("sending",)],
            [("pending",)],
        )
        assert db.execute("pragma integrity_check").fetchone() == ("ok",)


def test_sigterm_during_start_up_exits_in_time_while_every_platform_hangs(
    tmp_path: Path, fake_telegram: FakeTelegram, fake_mastodon: FakeMastodon
) -> None:
    """Telegram's getMe and Mastodon's instance lookup never answer: SIGTERM still ends
    the worker within 10 seconds."""
    (tmp_path / "posts").mkdir()
    fake_telegram.fail_methods = {"getMe", "getUpdates", "setMyCommands", "deleteWebhook"}
    fake_telegram.fail_next("timeout", count=100)
    fake_mastodon.failure_endpoints = {"instance"}
    fake_mastodon.fail_next("timeout", count=100)
    with worker(tmp_path, platform_env(tmp_path, fake_telegram, fake_mastodon)) as process:
        fake_mastodon.wait_for(lambda: len(fake_mastodon.requests) >= 1)
        fake_telegram.wait_for(lambda fake: len(fake.requests) >= 1)
        started = time.monotonic()
        assert process.terminate(timeout=10) == 0
        assert time.monotonic() - started < 5  # start-up requests are abandoned, not waited for
    assert not any("watching" in line for line in process.lines)


def test_future_post_goes_out_within_a_second_of_its_date(
    tmp_path: Path, fake_mastodon: FakeMastodon
) -> None:
    """A post dated a few seconds ahead waits for its date, then goes out at once."""
    posts = tmp_path / "posts"
    posts.mkdir()
    with worker(tmp_path, platform_env(tmp_path, None, fake_mastodon)) as process:
        process.wait_for_line("watching")
        due = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=4)
        write_post(
            posts,
            "future.md",
            f'title: Straks\ndate: {due.isoformat()}\nexterne_link: "https://example.nl/f"',
        )
        fake_mastodon.wait_for(lambda: len(fake_mastodon.statuses) == 1, timeout=15)
        arrived = dt.datetime.now(dt.UTC)
        assert process.terminate() == 0
    assert len(fake_mastodon.requests_to("status_create")) == 1
    assert due <= arrived < due + dt.timedelta(seconds=1)


def test_unpublished_post_goes_out_when_published(
    tmp_path: Path, fake_mastodon: FakeMastodon
) -> None:
    """published: false, then true: it goes out at that moment."""
    posts = tmp_path / "posts"
    posts.mkdir()
    with worker(tmp_path, platform_env(tmp_path, None, fake_mastodon)) as process:
        process.wait_for_line("watching")
        draft = write_post(
            posts,
            "draft.md",
            'title: Concept\npublished: false\nexterne_link: "https://example.nl/d"',
        )
        process.wait_for_line("draft.md new")
        temp = posts / ".draft.tmp"
        temp.write_text(draft.read_text().replace("published: false", "published: true"))
        os.replace(temp, draft)
        fake_mastodon.wait_for(lambda: len(fake_mastodon.statuses) == 1)
        assert process.terminate() == 0


def test_a_burst_of_commands_does_not_slow_or_break_publishing(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    """100 commands from 10 users while 5 posts go out: the posts keep their pace, no 429,
    every user gets answers or a flood notice."""
    posts = tmp_path / "posts"
    posts.mkdir()
    env = platform_env(tmp_path, fake_telegram, None, TELEGRAM_MAX_PER_MINUTE="60")
    fake_telegram.set_rate_limits(per_chat_per_minute=60)
    users = [FakeUser(id=5000 + n, first_name=f"Lezer {n}", language_code="nl") for n in range(10)]
    with worker(tmp_path, env) as process:
        process.wait_for_line("answering chat commands")
        for n in range(5):
            drop_post(posts, n)
        fake_telegram.wait_for(lambda fake: len(fake.sent_messages(DEFAULT_CHANNEL_ID)) >= 1)
        for round_ in range(10):
            for user in users:
                fake_telegram.inject_message(user.id, user, f"/latest {round_ % 3 + 1}")
        fake_telegram.wait_for(
            lambda fake: len(fake.sent_messages(DEFAULT_CHANNEL_ID)) == 5, timeout=30
        )
        fake_telegram.wait_for(lambda fake: all(fake.replies_to(u.id) for u in users), timeout=30)
        assert process.terminate() == 0
    sends = [
        r.time
        for r in fake_telegram.requests
        if r.method == "sendMessage" and r.chat == DEFAULT_CHANNEL_ID
    ]
    assert len(sends) == 5, [
        (r.status, r.failure, r.description)
        for r in fake_telegram.requests
        if r.method == "sendMessage" and r.chat == DEFAULT_CHANNEL_ID
    ]
    assert min(b - a for a, b in itertools.pairwise(sends)) >= 0.99  # the channel's pace held
    assert [r for r in fake_telegram.requests if r.status == 429] == []
    assert fake_telegram.violations == 0
    for user in users:
        replies = [m.raw for m in fake_telegram.replies_to(user.id)]
        assert 1 <= len(replies) <= 5
        assert all(r.startswith(("<b>Nieuwste berichten</b>", "Rustig aan")) for r in replies)
