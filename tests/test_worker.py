"""The worker as operators run it: a real process, a real folder, the fake platforms."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from tests.conftest import write_post
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.telegram import DEFAULT_CHANNEL_ID, FakeTelegram
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
