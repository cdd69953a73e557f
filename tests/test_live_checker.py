"""SPEC §12, announced when live: a post's first message waits until its page answers,
on a real SQLite file, a real folder and a loopback site, the time driven by the test
(no real waiting). Edits, later posts, withdrawals and restarts do not wait for it."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.folder.scan import Folder, scan
from bot.jekyll.site import Site
from bot.live.checker import LiveChecker
from bot.live.rules import LiveRules
from bot.outbox import Outbox
from bot.state import routes
from bot.state.deliveries import EDIT_SETTLE
from bot.state.store import Store
from bot.state.waiting import Waiting
from tests.conftest import NOW, write_post
from tests.fakes.site import FakeSite
from tests.test_outbox import RecordingChannel


class Clock:
    """The time, as the test says."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> dt.datetime:
        self.now += dt.timedelta(seconds=seconds)
        return self.now


class Newsroom:
    """A posts folder, its state and two channels, and the live check, on one clock."""

    def __init__(self, tmp_path: Path, site: FakeSite, rules: LiveRules | None = None) -> None:
        self.site = site
        self.posts = tmp_path / "posts"
        self.posts.mkdir(exist_ok=True)
        self.store = Store(tmp_path / "state.db")
        self.clock = Clock()
        self.rules = rules or LiveRules()
        self.channels = [RecordingChannel(), RecordingChannel()]
        self.channels[1].key = "rec-2"
        keys = tuple(c.key for c in self.channels)
        self.folder = Folder(self.posts, Site(url=site.url), keys, live_site=site.url)
        self.live = self.checker(site.url)
        self.scan()  # the first run, over an empty folder

    def checker(self, site_url: str | None) -> LiveChecker:
        return LiveChecker(self.store, site_url, rules=self.rules, clock=self.clock)

    def write(self, name: str, title: str, extra: str = "") -> Path:
        return write_post(
            self.posts, f"{name}.md", f"title: {title}\ndate: 2026-11-20 10:00:00 +0100\n{extra}"
        )

    def scan(self) -> None:
        scan(self.store, self.folder, self.clock())

    def look(self) -> int:
        """One round of the live check, as the worker runs it."""
        return asyncio.run(self.live.check_due())

    def deliver(self) -> list[tuple[str, str]]:
        """Send what is due; what the first channel was asked (the second gets the same)."""
        asyncio.run(Outbox(self.store, self.channels, clock=self.clock).drain())
        assert self.channels[0].calls == self.channels[1].calls
        return self.channels[0].calls

    def states(self) -> list[str]:
        """Each post's delivery state (both channels' are alike), in path order."""
        rows = self.store.db.execute(
            "select group_concat(distinct d.state) from deliveries d"
            " join posts p on p.id = d.post_id group by p.path order by p.path"
        )
        return [state for (state,) in rows]

    def waiting(self) -> list[tuple[str, int, dt.datetime]]:
        return [(w.path, w.checks, w.next_check) for w in Waiting(self.store.db).every()]


@pytest.fixture
def newsroom(tmp_path: Path, fake_site: FakeSite) -> Iterator[Newsroom]:
    room = Newsroom(tmp_path, fake_site)
    yield room
    room.store.close()


def later(seconds: float) -> dt.datetime:
    return NOW + dt.timedelta(seconds=seconds)


def test_a_page_that_is_live_already_lets_the_post_go_at_the_first_look(
    newsroom: Newsroom,
) -> None:
    """Deployed before the post was read: one look, for both channels, and it goes out."""
    newsroom.site.deploy("/storm/")
    newsroom.write("storm", "Storm", "permalink: /storm/")
    newsroom.scan()
    assert newsroom.states() == ["waiting"]
    assert newsroom.deliver() == []  # the outbox does not send a waiting post
    assert newsroom.look() == 1
    assert newsroom.site.hits == ["/storm/"]  # one look per post, not per channel
    assert newsroom.deliver() == [("publish", "Storm")]


def test_a_page_that_answers_404_then_200_is_announced_after_the_second_look(
    newsroom: Newsroom,
) -> None:
    """Not built yet: looked at again 5 s later; once deployed, the post goes out."""
    newsroom.write("storm", "Storm", "permalink: /storm/")
    newsroom.scan()
    assert newsroom.look() == 0
    assert newsroom.waiting() == [("storm.md", 1, later(5))]
    newsroom.clock.advance(4)
    assert newsroom.look() == 0 and len(newsroom.site.hits) == 1  # not due yet: not asked
    newsroom.site.deploy("/storm/")
    newsroom.clock.advance(1)
    assert newsroom.look() == 1
    assert newsroom.site.hits == ["/storm/", "/storm/"]
    assert newsroom.deliver() == [("publish", "Storm")]
    assert newsroom.states() == ["sent"]


def test_a_page_that_never_comes_is_announced_at_live_timeout_with_a_warning(
    tmp_path: Path, fake_site: FakeSite, caplog: pytest.LogCaptureFixture
) -> None:
    """LIVE_TIMEOUT (60 s here): looks at 0, 5, 15, 35 and 60 s, then it goes anyway."""
    room = Newsroom(tmp_path, fake_site, LiveRules(timeout=60))
    room.write("storm", "Storm", "permalink: /storm/")
    room.scan()
    looks = []
    with caplog.at_level(logging.INFO, logger="bot.live.checker"):
        while room.waiting():
            room.clock.now = room.waiting()[0][2]
            looks.append((room.clock.now - NOW).total_seconds())
            room.look()
    assert looks == [0, 5, 15, 35, 60]
    assert len(fake_site.hits) == 5
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "the page of storm.md did not go live within LIVE_TIMEOUT (60 s; answered 404 at the"
        " last look): announcing it anyway"
    ]
    assert "storm.md waits for its page" in caplog.text  # said once, at the first look
    assert caplog.text.count("waits for its page") == 1
    assert room.deliver() == [("publish", "Storm")]
    room.store.close()


def test_a_later_post_goes_out_while_an_earlier_one_waits_for_its_page(
    newsroom: Newsroom,
) -> None:
    """The channel's order does not wait behind a post whose page is not there yet."""
    newsroom.write("a-storm", "Storm", "permalink: /storm/")
    write_post(
        newsroom.posts,
        "b-later.md",
        "title: Later\ndate: 2026-11-21 10:00:00 +0100\npermalink: /b/",
    )
    write_post(
        newsroom.posts,
        "c-elders.md",
        "title: Elders\ndate: 2026-11-22 10:00:00 +0100\npermalink: https://e.nl/c",
    )
    newsroom.site.deploy("/b/")
    newsroom.scan()
    assert newsroom.states() == ["waiting", "waiting", "pending"]  # an external link: no wait
    assert newsroom.look() == 1
    assert newsroom.deliver() == [("publish", "Later"), ("publish", "Elders")]
    newsroom.site.deploy("/storm/")
    newsroom.clock.advance(5)
    newsroom.look()
    assert newsroom.deliver()[2:] == [("publish", "Storm")]


def test_an_edit_does_not_wait_for_the_page(newsroom: Newsroom) -> None:
    """Only the first message waits: a changed title is edited at once, page or not."""
    newsroom.site.deploy("/storm/")
    path = newsroom.write("storm", "Storm", "permalink: /storm/")
    newsroom.scan()
    newsroom.look()
    newsroom.deliver()
    newsroom.site.pages.clear()  # the site is being rebuilt: 404 for a moment
    path.write_text(path.read_text().replace("title: Storm", "title: Storm (update)"))
    newsroom.clock.advance(1)
    newsroom.scan()
    assert newsroom.states() == ["pending"]
    newsroom.clock.advance(EDIT_SETTLE.total_seconds())
    assert newsroom.deliver() == [("publish", "Storm"), ("edit", "Storm (update)")]
    assert newsroom.site.hits == ["/storm/"]


def test_a_post_edited_while_it_waits_goes_out_once_with_its_newest_summary(
    newsroom: Newsroom,
) -> None:
    """Still its first message: published when the page is live, as the post is then."""
    path = newsroom.write("storm", "Storm", "permalink: /storm/")
    newsroom.scan()
    newsroom.look()
    path.write_text(path.read_text().replace("title: Storm", "title: Zware storm"))
    newsroom.clock.advance(1)
    newsroom.scan()
    assert newsroom.states() == ["waiting"]
    newsroom.site.deploy("/storm/")
    newsroom.clock.advance(4)
    newsroom.look()
    assert newsroom.deliver() == [("publish", "Zware storm")]


def test_a_post_whose_link_changes_while_its_page_is_looked_at_waits_for_the_new_page(
    newsroom: Newsroom,
) -> None:
    """The old page answering says nothing about the new one: that is looked at next."""
    newsroom.site.deploy("/storm/")
    path = newsroom.write("storm", "Storm", "permalink: /storm/")
    newsroom.scan()
    newsroom.site.hold("/storm/")  # the look is in flight while the file changes

    async def scenario() -> int:
        looking = asyncio.create_task(newsroom.live.check_due())
        await asyncio.to_thread(newsroom.site.wait_for_hits, "/storm/", 1)
        path.write_text(path.read_text().replace("/storm/", "/zware-storm/"))
        other = Store(newsroom.store.path)  # the scan thread's own connection
        scan(other, newsroom.folder, newsroom.clock())
        other.close()
        newsroom.site.release.set()
        return await looking

    assert asyncio.run(scenario()) == 0
    assert newsroom.states() == ["waiting"]
    assert newsroom.look() == 0  # due at once, at its new page: not deployed yet
    assert newsroom.site.hits == ["/storm/", "/zware-storm/"]


def test_a_post_withdrawn_while_it_waits_is_never_sent(newsroom: Newsroom) -> None:
    """Deleted before its page went live: nothing is sent, and its page no longer asked."""
    path = newsroom.write("storm", "Storm", "permalink: /storm/")
    newsroom.scan()
    newsroom.look()
    path.unlink()
    newsroom.scan()
    newsroom.site.deploy("/storm/")
    newsroom.clock.advance(5)
    assert newsroom.look() == 0
    assert newsroom.deliver() == []
    assert newsroom.states() == ["withdrawn"]
    assert newsroom.site.hits == ["/storm/"]


def test_a_restart_while_a_post_waits_keeps_its_schedule(
    tmp_path: Path, newsroom: Newsroom
) -> None:
    """The looks done and the next one are in the database: a new worker goes on."""
    newsroom.write("storm", "Storm", "permalink: /storm/")
    newsroom.scan()
    newsroom.look()
    newsroom.clock.advance(5)
    newsroom.look()
    assert newsroom.waiting() == [("storm.md", 2, later(15))]
    newsroom.store.close()
    newsroom.store = Store(tmp_path / "state.db")  # the worker starts again
    newsroom.live = newsroom.checker(newsroom.site.url)
    newsroom.clock.advance(9)
    assert newsroom.look() == 0 and len(newsroom.site.hits) == 2  # not due yet
    newsroom.clock.advance(1)
    newsroom.look()
    assert newsroom.waiting() == [("storm.md", 3, later(35))]  # 20 s: the count went on
    assert newsroom.site.hits == ["/storm/"] * 3


def test_a_scheduled_post_is_first_looked_at_on_its_date(newsroom: Newsroom) -> None:
    """Jekyll builds a future-dated post only once its date has come: no look before."""
    write_post(
        newsroom.posts,
        "embargo.md",
        "title: Embargo\ndate: 2026-11-28 09:00:00 +0100\npermalink: /embargo/",
    )
    newsroom.scan()
    date = dt.datetime(2026, 11, 28, 8, tzinfo=dt.UTC)
    assert newsroom.waiting() == [("embargo.md", 0, date)]
    assert newsroom.look() == 0 and newsroom.site.hits == []
    newsroom.site.deploy("/embargo/")
    newsroom.clock.now = date
    assert newsroom.look() == 1
    assert newsroom.deliver() == [("publish", "Embargo")]


def test_posts_that_need_not_wait_any_more_go_without_a_request(newsroom: Newsroom) -> None:
    """WAIT_FOR_LIVE turned off (or SITE_URL gone) while posts waited: they go at once."""
    newsroom.write("storm", "Storm", "permalink: /storm/")
    newsroom.scan()
    newsroom.look()
    newsroom.live = newsroom.checker(site_url=None)
    newsroom.clock.advance(5)
    assert newsroom.look() == 1
    assert newsroom.site.hits == ["/storm/"]
    assert newsroom.deliver() == [("publish", "Storm")]


def test_backfill_and_retry_do_not_wait(tmp_path: Path, fake_site: FakeSite) -> None:
    """The archive's pages have long been live: a backfilled post goes at once, and so
    does a refused delivery queued again by `retry` (its page was looked at before)."""
    write_post(
        tmp_path / "posts",
        "oud.md",
        "title: Oud\ndate: 2026-11-01 10:00:00 +0100\npermalink: /oud/",
    )
    room = Newsroom(tmp_path, fake_site)  # the first run: recorded as seen
    keys = [c.key for c in room.channels]
    assert routes.backfill(room.store.deliveries, keys, room.clock(), since=None, latest=1) == 2
    assert room.states() == ["pending"]
    head = room.store.deliveries.head(keys[0], room.clock())
    assert head is not None
    room.store.deliveries.mark_failed(head.id, "400", room.clock())
    room.store.deliveries.retry_failed(room.clock())
    assert room.states() == ["pending"]
    assert room.deliver() == [("publish", "Oud")]
    assert fake_site.hits == []
    room.store.close()
