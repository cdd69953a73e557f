"""A post file rewritten many times a second: one edit of its last version, a few
seconds after the writing stops; meanwhile new posts go out at once."""

from __future__ import annotations

import os
import time
from pathlib import Path

from tests.conftest import write_post
from tests.fakes.mastodon import FakeMastodon
from tests.harness import platform_env, worker
from tests.test_worker import drop_post, statuses_titled


def test_an_edit_storm_becomes_one_edit_and_holds_nothing_up(
    tmp_path: Path, fake_mastodon: FakeMastodon
) -> None:
    posts = tmp_path / "posts"
    posts.mkdir()
    with worker(tmp_path, platform_env(tmp_path, None, fake_mastodon)) as process:
        process.wait_for_line("watching")
        drop_post(posts, 1)
        fake_mastodon.wait_for(lambda: statuses_titled(fake_mastodon) == ["Post 01"])
        for n in range(40):  # 20 writes a second for two seconds
            temp = write_post(
                posts,
                ".tmp.md",
                f'title: Post 01, versie {n}\ndate: 2026-11-20 10:01:00 +0100\nexterne_link: "https://example.nl/1"',
            )
            os.replace(temp, posts / "2026-11-20-post-01.md")
            if n == 20:
                drop_post(posts, 2)  # news in the middle of the storm
            time.sleep(0.05)
        fake_mastodon.wait_for(lambda: len(fake_mastodon.statuses) == 2)
        assert fake_mastodon.requests_to("status_update") == []  # the storm is still settling
        fake_mastodon.wait_for(lambda: fake_mastodon.statuses[0].edited, timeout=15)
        drop_post(posts, 3)  # a marker: once it is out, nothing else is on its way
        fake_mastodon.wait_for(lambda: len(fake_mastodon.statuses) == 3)
        assert process.terminate() == 0
    assert len(fake_mastodon.requests_to("status_update")) == 1
    assert statuses_titled(fake_mastodon)[0] == "Post 01, versie 39"
