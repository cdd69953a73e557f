"""The outbox against changes that arrive while it works: edits in flight, posts that
go or come back, scheduled posts that move, another process's `retry`."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.channels.base import Sent
from bot.clock import utc_now
from bot.folder.scan import Folder, scan
from bot.jekyll.posts import Post
from bot.jekyll.site import Site
from bot.outbox import Outbox
from bot.state.deliveries import RETURN_WINDOW
from bot.state.store import Store
from tests.conftest import write_post

CHANNEL = "rec"


class RecordingChannel:
    """The port, hand-written: records what it is asked; a request can be held open."""

    key = CHANNEL

    def __init__(self, min_interval: float = 0.0) -> None:
        self.min_interval = min_interval
        self.calls: list[tuple[str, str]] = []
        self.keys: list[str] = []
        self.hold = asyncio.Event()
        self.hold.set()
        self.in_flight = asyncio.Event()

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def check(self) -> str | None:
        return None

    async def publish(self, post: Post, idempotency_key: str) -> Sent:
        self.in_flight.set()
        await self.hold.wait()
        self.calls.append(("publish", post.title))
        self.keys.append(idempotency_key)
        return Sent(f"m{len(self.calls)}", f"https://example.social/m{len(self.calls)}")

    async def public_url(self, remote_id: str) -> str | None:
        return None

    async def edit(self, post: Post, remote_id: str) -> None:
        self.calls.append(("edit", post.title))

    async def delete(self, post: Post, remote_id: str) -> None:
        self.calls.append(("delete", post.title))


def post(posts: Path, name: str, title: str, extra: str = "") -> Path:
    return write_post(
        posts,
        name,
        f'title: {title}\ndate: 2026-11-20 10:00:00 +0100\nexterne_link: "https://e.nl/{name}"\n{extra}',
    )


def rescan(
    store: Store, posts: Path, now: dt.datetime | None = None, *, delete_remote: bool = False
) -> None:
    scan(store, Folder(posts, Site(), (CHANNEL,), delete_remote), now or utc_now())


def run_outbox(
    store: Store, channel: RecordingChannel, scenario: Callable[[Outbox], Awaitable[None]]
) -> None:
    """Run the outbox while the scenario plays; stop it afterwards."""

    async def main() -> None:
        outbox = Outbox(store, [channel], idle_recheck=dt.timedelta(seconds=0.05))
        stop = asyncio.Event()
        task = asyncio.create_task(outbox.run(stop))
        try:
            await asyncio.wait_for(scenario(outbox), 10)
        finally:
            stop.set()
            await asyncio.wait_for(task, 10)

    asyncio.run(main())


async def until(condition: Callable[[], bool]) -> None:
    while not condition():
        await asyncio.sleep(0.01)


def started(tmp_path: Path, store: Store) -> Path:
    posts = tmp_path / "posts"
    posts.mkdir()
    rescan(store, posts)  # the first run, over an empty folder
    return posts


def states(store: Store) -> list[str]:
    return _column(store, "state")


def actions(store: Store) -> list[str]:
    return _column(store, "action")


def _column(store: Store, name: str) -> list[str]:
    rows = store.db.execute(
        f"select d.{name} from deliveries d join posts p on p.id = d.post_id order by p.path"
    )
    return [value for (value,) in rows]


def test_an_edit_saved_while_the_post_is_being_sent_goes_out(tmp_path: Path, store: Store) -> None:
    """A typo fixed during the first publish is not lost: an edit follows it."""
    posts = started(tmp_path, store)
    path = post(posts, "a.md", "Tpyo")
    rescan(store, posts)
    channel = RecordingChannel()
    channel.hold.clear()

    async def scenario(outbox: Outbox) -> None:
        await channel.in_flight.wait()
        path.write_text(path.read_text().replace("Tpyo", "Typo"))
        rescan(store, posts)
        outbox.wake()
        channel.hold.set()
        await until(lambda: len(channel.calls) == 2)

    run_outbox(store, channel, scenario)
    assert channel.calls == [("publish", "Tpyo"), ("edit", "Typo")]
    assert states(store) == ["sent"]


def test_a_post_deleted_while_the_outbox_waits_for_the_pace_is_not_sent(
    tmp_path: Path, store: Store
) -> None:
    """The outbox reads the head again after pacing: a post gone meanwhile stays unsent."""
    posts = started(tmp_path, store)
    post(posts, "a.md", "First")
    second = write_post(
        posts,
        "b.md",
        'title: Second\ndate: 2026-11-21 10:00:00 +0100\nexterne_link: "https://e.nl/b"',
    )
    write_post(
        posts,
        "c.md",
        'title: Third\ndate: 2026-11-22 10:00:00 +0100\nexterne_link: "https://e.nl/c"',
    )
    rescan(store, posts)
    channel = RecordingChannel(min_interval=0.5)

    async def scenario(outbox: Outbox) -> None:
        await until(lambda: len(channel.calls) == 1)
        second.unlink()  # while the outbox waits half a second before the next send
        rescan(store, posts)
        await until(lambda: len(channel.calls) == 2)  # the next one out comes after it

    run_outbox(store, channel, scenario)
    assert channel.calls == [("publish", "First"), ("publish", "Third")]
    assert states(store) == ["sent", "withdrawn", "sent"]


def test_a_post_removed_while_in_flight_is_removed_once_sent(tmp_path: Path, store: Store) -> None:
    """ON_DELETE=delete: a message that was on its way when its post went is deleted."""
    posts = started(tmp_path, store)
    path = post(posts, "a.md", "Gone soon")
    rescan(store, posts)
    channel = RecordingChannel()
    channel.hold.clear()

    async def scenario(outbox: Outbox) -> None:
        await channel.in_flight.wait()
        path.unlink()
        rescan(store, posts, utc_now() - RETURN_WINDOW, delete_remote=True)  # removal due now
        channel.hold.set()
        await until(lambda: len(channel.calls) == 2)

    run_outbox(store, channel, scenario)
    assert channel.calls == [("publish", "Gone soon"), ("delete", "Gone soon")]
    assert states(store) == ["deleted"]


def test_unpublished_and_republished_within_the_window_keeps_the_message(
    tmp_path: Path, store: Store
) -> None:
    """published: false, then true again a moment later: the message stays, no repost."""
    posts = started(tmp_path, store)
    path = post(posts, "a.md", "Heen en weer")
    rescan(store, posts)
    channel = RecordingChannel()

    async def scenario(outbox: Outbox) -> None:
        await until(lambda: states(store) == ["sent"])
        path.write_text(path.read_text().replace("title:", "published: false\ntitle:"))
        rescan(store, posts, delete_remote=True)
        assert states(store) == ["pending"] and actions(store) == ["delete"]
        path.write_text(path.read_text().replace("published: false\n", ""))
        rescan(store, posts, delete_remote=True)
        post(posts, "z.md", "Daarna")  # a marker: once it is out, the outbox has looked
        rescan(store, posts, delete_remote=True)
        outbox.wake()
        await until(lambda: len(channel.calls) == 2)

    run_outbox(store, channel, scenario)
    assert channel.calls == [("publish", "Heen en weer"), ("publish", "Daarna")]
    assert states(store) == ["sent", "sent"]


def test_a_postponed_scheduled_post_waits_for_its_new_date(tmp_path: Path, store: Store) -> None:
    """Moving an embargo moves the delivery: it does not go out at the old time."""
    posts = started(tmp_path, store)
    path = write_post(
        posts,
        "a.md",
        'title: Embargo\ndate: 2099-01-01 10:00:00 +0100\nexterne_link: "https://e.nl/a"',
    )
    rescan(store, posts)
    path.write_text(path.read_text().replace("2099-01-01", "2099-06-01"))
    rescan(store, posts)
    head = store.deliveries.head(CHANNEL, utc_now())
    assert head is not None
    assert head.next_attempt_at == dt.datetime(2099, 6, 1, 9, tzinfo=dt.UTC)


def test_posts_seen_on_the_first_run_never_become_news(tmp_path: Path, store: Store) -> None:
    """The archive leaving and coming back (a checkout, a late mount, a YAML typo fixed)
    is not published."""
    posts = tmp_path / "posts"
    for n in range(5):
        post(posts, f"old{n}.md", f"Old {n}")
    post(posts, "typo.md", "Archive")
    rescan(store, posts)  # the first run: all seen
    for path in posts.iterdir():
        path.rename(tmp_path / path.name)
    rescan(store, posts, utc_now() + dt.timedelta(hours=1))  # gone for longer than the window
    for path in tmp_path.glob("*.md"):
        path.rename(posts / path.name)
    typo = posts / "typo.md"
    text = typo.read_text()
    typo.write_text(text.replace("title: Archive", "title: [Archive"))
    rescan(store, posts, utc_now() + dt.timedelta(hours=2))
    typo.write_text(text)
    rescan(store, posts, utc_now() + dt.timedelta(hours=3))
    assert states(store) == []
    assert store.db.execute("select count(*) from posts where status = 'ready'").fetchone() == (6,)


def test_a_delivery_queued_again_gets_a_new_idempotency_key(tmp_path: Path, store: Store) -> None:
    """After its message was deleted, a returning post is a new status, not the old key."""
    posts = started(tmp_path, store)
    path = post(posts, "a.md", "Terug")
    rescan(store, posts)
    channel = RecordingChannel()
    text = path.read_text()

    async def scenario(outbox: Outbox) -> None:
        await until(lambda: len(channel.calls) == 1)
        path.unlink()
        rescan(store, posts, utc_now() - RETURN_WINDOW, delete_remote=True)
        outbox.wake()
        await until(lambda: len(channel.calls) == 2)
        path.write_text(text)
        rescan(store, posts, delete_remote=True)
        outbox.wake()
        await until(lambda: len(channel.calls) == 3)

    run_outbox(store, channel, scenario)
    assert [c[0] for c in channel.calls] == ["publish", "delete", "publish"]
    assert len(set(channel.keys)) == 2


def test_retry_from_another_process_is_picked_up_by_an_idle_outbox(
    tmp_path: Path, store: Store
) -> None:
    """`postbode retry` while the worker runs: the idle outbox looks again by itself."""
    posts = started(tmp_path, store)
    post(posts, "a.md", "Later")
    rescan(store, posts)
    head = store.deliveries.head(CHANNEL, utc_now())
    assert head is not None
    store.deliveries.mark_failed(head.id, "Mastodon refused the status: 422", utc_now())
    write_post(
        posts,
        "b.md",
        'title: Eerst\ndate: 2026-11-19 10:00:00 +0100\nexterne_link: "https://e.nl/b"',
    )
    rescan(store, posts)
    channel = RecordingChannel()

    async def scenario(outbox: Outbox) -> None:
        await until(lambda: len(channel.calls) == 1)  # sent; now nothing is pending: idle
        other = Store(tmp_path / "state.db")  # the `retry` command's own connection
        other.deliveries.retry_failed(utc_now())
        other.close()
        await until(lambda: len(channel.calls) == 2)

    run_outbox(store, channel, scenario)
    assert channel.calls == [("publish", "Eerst"), ("publish", "Later")]


def test_a_changed_site_url_reads_the_refused_posts_again(tmp_path: Path) -> None:
    """A post refused for want of a link is read again once SITE_URL is set."""
    from bot import app
    from bot.config import load_settings

    posts = tmp_path / "posts"
    posts.mkdir()
    env = {"POSTS_DIR": str(posts), "STATE_DB": str(tmp_path / "state.db")}
    store = Store(tmp_path / "state.db")
    app.index(
        store, app.folder_of(load_settings(env, tmp_path), [RecordingChannel()])
    )  # the first run
    write_post(posts, "2026-11-20-nolink.md", "title: Zonder link")
    app.index(store, app.folder_of(load_settings(env, tmp_path), [RecordingChannel()]))
    assert store.db.execute("select status from posts").fetchone() == ("invalid",)
    settings = load_settings({**env, "SITE_URL": "https://krant.nl"}, tmp_path)
    app.index(store, app.folder_of(settings, [RecordingChannel()]))
    row = store.db.execute("select status, link from posts").fetchone()
    queued = states(store)
    store.close()
    assert row == ("ready", "https://krant.nl/2026/11/20/nolink.html")
    assert queued == ["pending"]  # it arrived after the first run: it is news


def test_a_delivery_costs_one_read_and_two_writes(tmp_path: Path, store: Store) -> None:
    """Unpaced, each delivery reads its head once (no re-read, no meta look-up), then
    writes `sending` before the request and `sent` after it: one statement each."""
    posts = started(tmp_path, store)
    for n in range(3):
        post(posts, f"p{n}.md", f"Post {n}")
    rescan(store, posts)
    channel = RecordingChannel()
    statements: list[str] = []

    async def main() -> int:
        outbox = Outbox(store, [channel])
        store.db.conn.set_trace_callback(statements.append)
        try:
            return await outbox.drain()
        finally:
            store.db.conn.set_trace_callback(None)

    assert asyncio.run(main()) == 3
    reads = [s for s in statements if s.lstrip().lower().startswith("select")]
    writes = [s for s in statements if s.lstrip().lower().startswith("update")]
    assert len(reads) == 3 + 1  # one head per delivery, and the one that finds none
    # mark_sending (counts the attempt) before each request, mark_sent (the key) after.
    kinds = ["sending" if "attempts + 1" in w else "sent" if "sent_key" in w else w for w in writes]
    assert kinds == ["sending", "sent"] * 3
    assert not any("meta" in s for s in statements)
    assert states(store) == ["sent"] * 3
