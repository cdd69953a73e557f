"""State in a real SQLite file: posts, deliveries, baseline, edits, renames, removals."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from concurrent import futures
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from bot.folder import reading
from bot.folder.scan import Folder, scan
from bot.jekyll.posts import read_post
from bot.jekyll.site import Site
from bot.state import routes
from bot.state.deliveries import EDIT_SETTLE, RETURN_WINDOW
from bot.state.rows import FileState
from bot.state.store import Store
from tests.conftest import NOW, write_post

CHANNELS = ["console", "telegram:@nieuws"]
LINK = 'externe_link: "https://example.nl/{n}"'


def front(n: int, date: str = "2026-11-01 10:00:00 +0100", extra: str = "") -> str:
    return f"title: Post {n}\ndate: {date}\n{LINK.format(n=n)}\n{extra}"


def deliveries(store: Store) -> list[tuple[str, str, str]]:
    rows = store.db.execute(
        "select p.path, d.channel, d.state from deliveries d join posts p on p.id = d.post_id order by p.path, d.channel"
    )
    return [tuple(r) for r in rows.fetchall()]


def first_run_on_an_empty_folder(tmp_path: Path, store: Store, site: Site) -> Path:
    """The baseline is taken over an empty folder: every post written after it is new."""
    posts = tmp_path / "posts"
    posts.mkdir()
    scan(store, Folder(posts, site, CHANNELS), NOW)
    return posts


def test_database_is_wal_and_migrations_are_idempotent(tmp_path: Path) -> None:
    """Opening the same file twice applies the schema once and keeps WAL mode."""
    Store(tmp_path / "s.db").close()
    again = Store(tmp_path / "s.db")
    assert again.db.journal_mode == "wal"
    applied = again.db.execute("select name from _sqlite_migrations").fetchall()
    assert applied == [
        ("m001_initial",),
        ("m002_post_categories",),
        ("m003_delivery_actions",),
        ("m004_image_alt",),
        ("m005_message_urls",),
        ("m006_waiting_for_the_page",),
        ("m007_where_a_post_goes",),
        ("m008_file_states",),
        ("m009_search",),
        ("m010_subscriptions",),
    ]
    assert len(again.instance_id) == 16
    again.close()


def test_first_scan_is_a_baseline_that_queues_only_future_posts(
    tmp_path: Path, store: Store, site: Site
) -> None:
    """Posts already live are recorded as seen; a scheduled one still goes out later."""
    write_post(tmp_path / "posts", "a.md", front(1))
    write_post(tmp_path / "posts", "b.md", front(2, "2099-01-01"))
    write_post(tmp_path / "posts", "c.md", front(3, extra="published: false"))
    write_post(tmp_path / "posts", "d.md", "title: [broken")
    report = scan(store, Folder(tmp_path / "posts", site, CHANNELS), NOW)
    assert report.baseline
    assert dict(report.outcomes) == {"baseline": 1, "new": 2, "invalid": 1}
    assert deliveries(store) == [
        ("b.md", "console", "pending"),
        ("b.md", "telegram:@nieuws", "pending"),
    ]
    assert store.baselined
    head = store.deliveries.head("console", NOW)
    assert head is not None and head.next_attempt_at == dt.datetime(
        2099, 1, 1, tzinfo=dt.UTC
    ) - dt.timedelta(hours=1)


def test_new_post_after_baseline_gets_one_delivery_per_channel(
    tmp_path: Path, store: Store, site: Site
) -> None:
    """After the baseline, a new file is queued for every channel, once."""
    posts = first_run_on_an_empty_folder(tmp_path, store, site)
    write_post(posts, "new.md", front(1))
    report = scan(store, Folder(posts, site, CHANNELS), NOW)
    assert report.queued == 2
    assert deliveries(store) == [
        ("new.md", "console", "pending"),
        ("new.md", "telegram:@nieuws", "pending"),
    ]
    again = scan(store, Folder(posts, site, CHANNELS), NOW)
    assert again.files == 0 and again.queued == 0


def test_unchanged_files_are_not_read_again(tmp_path: Path, store: Store, site: Site) -> None:
    """A rescan compares (size, mtime) and reads nothing that did not change."""
    posts = tmp_path / "posts"
    path = write_post(posts, "a.md", front(1))
    scan(store, Folder(posts, site, CHANNELS), NOW)
    stat, original = path.stat(), path.read_bytes()
    # Same size and mtime, different bytes: only a re-read would notice.
    path.write_bytes(b"\x00" * stat.st_size)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    report = scan(store, Folder(posts, site, CHANNELS), NOW)
    assert report.files == 0
    assert store.db.execute("select status from posts").fetchall() == [("ready",)]
    path.write_bytes(original)
    os.utime(path, ns=(1, 1))  # touched: new mtime, same bytes as recorded
    touched = scan(store, Folder(posts, site, CHANNELS), NOW)
    assert touched.files == 1 and dict(touched.outcomes) == {"unchanged": 1}


def test_post_and_deliveries_are_written_in_one_transaction(store: Store, site: Site) -> None:
    """If recording the deliveries fails, the post is not recorded either."""
    store.set_meta("baseline_at", "x")
    post = read_post(b"---\ntitle: T\nlink: https://e.nl/a\n---\nx", "a.md", site, 0)

    def channels():
        yield "console"
        raise RuntimeError("crash while queueing")

    with pytest.raises(RuntimeError):
        store.record(post, FileState(1, 1, "h"), channels(), NOW)
    assert store.db.execute("select count(*) from posts").fetchone() == (0,)
    assert store.db.execute("select count(*) from deliveries").fetchone() == (0,)


def test_changed_summary_of_a_sent_post_becomes_an_edit(
    tmp_path: Path, store: Store, site: Site
) -> None:
    """A sent post whose title changes goes back to the outbox with its remote id."""
    posts = first_run_on_an_empty_folder(tmp_path, store, site)
    path = write_post(posts, "a.md", front(1))
    scan(store, Folder(posts, site, CHANNELS), NOW)
    head = store.deliveries.head("console", NOW)
    assert head is not None
    store.deliveries.mark_sent(head.id, "m-1", head.post.summary_key, NOW)
    path.write_text(path.read_text().replace("title: Post 1", "title: Post 1, updated"))
    report = scan(store, Folder(posts, site, CHANNELS), NOW)
    assert report.edits == 1 and report.queued == 0
    assert store.deliveries.head("console", NOW) is None  # the edit waits for quiet
    assert store.deliveries.next_wake("console") == NOW + EDIT_SETTLE
    edit = store.deliveries.head("console", NOW + EDIT_SETTLE)
    assert edit is not None and edit.remote_id == "m-1" and edit.post.title == "Post 1, updated"
    # A change readers cannot see (the layout) is not an edit.
    path.write_text(path.read_text().replace("title:", "layout: post\ntitle:"))
    store.deliveries.mark_sent(edit.id, "m-1", edit.post.summary_key, NOW)
    assert scan(store, Folder(posts, site, CHANNELS), NOW).edits == 0


def test_deleted_file_is_withdrawn_and_a_renamed_one_is_not_republished(
    tmp_path: Path, store: Store, site: Site
) -> None:
    """A rename keeps the post and its deliveries; a deletion withdraws unsent ones."""
    posts = first_run_on_an_empty_folder(tmp_path, store, site)
    write_post(posts, "a.md", front(1))
    write_post(posts, "b.md", front(2))
    scan(store, Folder(posts, site, CHANNELS), NOW)
    (posts / "a.md").rename(posts / "a-renamed.md")
    (posts / "b.md").unlink()
    report = scan(store, Folder(posts, site, CHANNELS), NOW)
    assert dict(report.outcomes) == {"renamed": 1, "withdrawn": 1}
    assert report.queued == 0
    assert deliveries(store) == [
        ("a-renamed.md", "console", "pending"),
        ("a-renamed.md", "telegram:@nieuws", "pending"),
        ("b.md", "console", "withdrawn"),
        ("b.md", "telegram:@nieuws", "withdrawn"),
    ]
    write_post(posts, "b.md", front(2))  # it comes back
    assert scan(store, Folder(posts, site, CHANNELS), NOW).queued == 2


def test_unpublished_post_is_queued_when_published(
    tmp_path: Path, store: Store, site: Site
) -> None:
    """published: false -> true publishes the post then, not before."""
    posts = first_run_on_an_empty_folder(tmp_path, store, site)
    path = write_post(posts, "a.md", front(1, extra="published: false"))
    assert scan(store, Folder(posts, site, CHANNELS), NOW).queued == 0
    path.write_text(path.read_text().replace("published: false", "published: true"))
    assert scan(store, Folder(posts, site, CHANNELS), NOW).queued == 2


def test_unpublishing_a_live_post_withdraws_and_queues_nothing(
    tmp_path: Path, store: Store, site: Site
) -> None:
    """published: true -> false withdraws the unsent deliveries; the report counts none queued."""
    posts = first_run_on_an_empty_folder(tmp_path, store, site)
    path = write_post(posts, "a.md", front(1))
    assert scan(store, Folder(posts, site, CHANNELS), NOW).queued == 2
    path.write_text(path.read_text().replace("title:", "published: false\ntitle:"))
    report = scan(store, Folder(posts, site, CHANNELS), NOW)
    assert (dict(report.outcomes), report.queued) == ({"unpublished": 1}, 0)
    states = store.db.execute("select distinct state from deliveries").fetchall()
    assert states == [("withdrawn",)]


def test_backfill_queues_the_newest_live_posts(tmp_path: Path, store: Store, site: Site) -> None:
    """--latest N takes the N newest posts that are live now; --since a date range."""
    posts = tmp_path / "posts"
    for day in range(1, 6):
        write_post(posts, f"p{day}.md", front(day, f"2026-11-0{day} 10:00:00 +0100"))
    scan(store, Folder(posts, site, CHANNELS), NOW)
    assert routes.backfill(store.deliveries, ["console"], NOW, since=None, latest=2) == 2
    # Already queued posts do not count: the next 2 are the 2 after them.
    assert routes.backfill(store.deliveries, ["console"], NOW, since=None, latest=2) == 2
    assert [d[0] for d in deliveries(store)] == ["p2.md", "p3.md", "p4.md", "p5.md"]
    store.db.execute(
        "delete from deliveries where post_id in (select id from posts where path in ('p2.md', 'p3.md'))"
    )
    assert [d[0] for d in deliveries(store)] == ["p4.md", "p5.md"]
    since = dt.datetime(2026, 11, 3, tzinfo=dt.UTC)
    assert (
        routes.backfill(store.deliveries, ["console"], NOW, since=since, latest=None) == 1
    )  # p3; p4, p5 already queued


def test_head_is_the_oldest_post_even_while_it_backs_off(
    tmp_path: Path, store: Store, site: Site
) -> None:
    """A delivery waiting for a retry is not overtaken by a newer post."""
    posts = first_run_on_an_empty_folder(tmp_path, store, site)
    write_post(posts, "new.md", front(1, "2026-11-02 10:00:00 +0100"))
    write_post(posts, "old.md", front(2, "2026-11-01 10:00:00 +0100"))
    scan(store, Folder(posts, site, CHANNELS), NOW)
    head = store.deliveries.head("console", NOW)
    assert head is not None and head.post.path == "old.md"
    store.deliveries.mark_retry(head.id, "timeout", NOW + dt.timedelta(minutes=5), NOW)
    waiting = store.deliveries.head("console", NOW)
    assert waiting is not None and waiting.post.path == "old.md"
    assert waiting.next_attempt_at == NOW + dt.timedelta(minutes=5)


def test_state_survives_reopening(tmp_path: Path, site: Site) -> None:
    """What one process recorded, the next one sees (a real file, not memory)."""
    posts = tmp_path / "posts"
    write_post(posts, "a.md", front(1))
    first = Store(tmp_path / "state.db")
    scan(first, Folder(posts, site, CHANNELS), NOW)
    first.close()
    with sqlite3.connect(tmp_path / "state.db") as conn:
        assert conn.execute("select path, status, baseline from posts").fetchall() == [
            ("a.md", "ready", 1)
        ]


def test_a_rename_seen_in_two_batches_is_still_a_rename(
    tmp_path: Path, store: Store, site: Site
) -> None:
    """The old name vanishing first and the new one appearing later does not republish."""
    posts = first_run_on_an_empty_folder(tmp_path, store, site)
    write_post(posts, "old.md", front(1))
    scan(store, Folder(posts, site, CHANNELS), NOW)
    (posts / "old.md").rename(posts / "new.md")
    first = scan(store, Folder(posts, site, CHANNELS), NOW, paths=["old.md"])
    assert dict(first.outcomes) == {"withdrawn": 1}
    later = scan(
        store, Folder(posts, site, CHANNELS), NOW + dt.timedelta(seconds=5), paths=["new.md"]
    )
    assert dict(later.outcomes) == {"renamed": 1}
    # The deliveries it had (not sent yet) are back in the outbox, no new ones.
    assert deliveries(store) == [
        ("new.md", "console", "pending"),
        ("new.md", "telegram:@nieuws", "pending"),
    ]


def test_a_file_back_within_the_window_cancels_its_removal(
    tmp_path: Path, store: Store, site: Site
) -> None:
    """ON_DELETE=delete waits a minute: a post that comes back keeps its messages."""
    posts = first_run_on_an_empty_folder(tmp_path, store, site)
    path = write_post(posts, "a.md", front(1))
    scan(store, Folder(posts, site, CHANNELS), NOW)
    for channel in CHANNELS:
        head = store.deliveries.head(channel, NOW)
        assert head is not None
        store.deliveries.mark_sent(head.id, "m1", head.post.summary_key, NOW)
    text = path.read_text()
    path.unlink()
    scan(store, Folder(posts, site, CHANNELS, delete_remote=True), NOW)
    assert store.deliveries.head("console", NOW) is None  # not due: it does not block others
    removal = store.deliveries.head("console", NOW + RETURN_WINDOW)
    assert removal is not None and (removal.action, removal.state) == ("delete", "pending")
    assert removal.next_attempt_at == NOW + RETURN_WINDOW
    path.write_text(text)
    back = scan(
        store, Folder(posts, site, CHANNELS, delete_remote=True), NOW + dt.timedelta(seconds=10)
    )
    assert back.queued == 0
    assert [state for _, _, state in deliveries(store)] == ["sent", "sent"]
    assert store.deliveries.head("console", NOW + RETURN_WINDOW) is None


def test_migration_from_the_first_schema_keeps_the_data(tmp_path: Path, site: Site) -> None:
    """A database made by the first schema gains the category rows of its posts."""
    from sqlite_utils import Database

    from bot.state.schema import m001_initial

    db = Database(tmp_path / "old.db")
    m001_initial(db)
    db.execute(
        "create table _sqlite_migrations (id integer primary key, migration_set text, name text, applied_at text)"
    )
    db.execute(
        "insert into _sqlite_migrations (migration_set, name, applied_at) values ('postbode', 'm001_initial', 'x')"
    )
    db.table("posts").insert(
        {
            "path": "a.md",
            "status": "ready",
            "categories": '["Économie", "sport"]',
            "date_utc": "2026-01-01",
        }
    )
    db.close()
    store = Store(tmp_path / "old.db")
    rows = store.db.execute("select name, key from post_categories order by key").fetchall()
    store.close()
    assert rows == [("Économie", "economie"), ("sport", "sport")]


def test_a_big_scan_parses_in_worker_processes_with_the_same_result(
    tmp_path: Path, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parsing in one process per core records exactly what a serial scan records."""
    posts = tmp_path / "posts"
    for n in range(120):
        write_post(
            posts, f"p{n:03d}.md", front(n, extra=f"categories: [c{n % 7}]"), body=f"Lead {n}."
        )
    write_post(posts, "broken.md", "title: [oops")

    pools: list[int] = []

    class CountingPool(ProcessPoolExecutor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            pools.append(kwargs.get("max_workers") or args[0])
            super().__init__(*args, **kwargs)

    # reading imports the pool where it starts one (a restart reads no file)
    monkeypatch.setattr(futures, "ProcessPoolExecutor", CountingPool)
    monkeypatch.setattr(reading.os, "cpu_count", lambda: 2)

    def recorded(name: str, parallel_from: int) -> list[tuple]:
        monkeypatch.setattr(reading, "PARALLEL_FROM", parallel_from)
        db = Store(tmp_path / name)
        report = scan(db, Folder(posts, site, CHANNELS), NOW)
        assert dict(report.outcomes) == {"baseline": 120, "invalid": 1}
        rows = db.db.execute(
            "select path, status, reason, title, lead, link, content_hash from posts order by path"
        ).fetchall()
        db.close()
        return rows

    assert recorded("parallel.db", 50) == recorded("serial.db", 10_000)
    assert pools == [2]  # the first scan used two worker processes, the second none


def test_a_transaction_holds_the_write_lock_from_its_start(tmp_path: Path) -> None:
    """The scan thread reads, then writes, in one transaction while the outbox writes on
    its own connection: a deferred BEGIN would fail its first write with "database is
    locked" once the other side committed in between."""
    scanner, outbox = Store(tmp_path / "state.db"), Store(tmp_path / "state.db")
    outbox.db.execute("PRAGMA busy_timeout = 0")  # fail at once instead of waiting
    with scanner.transaction():
        assert scanner.meta("probe") is None  # a read first, as a scan does
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            outbox.set_meta("other", "x")  # the scanner holds the lock: the outbox waits
        scanner.set_meta("probe", "1")  # so this write cannot find its snapshot stale
    outbox.set_meta("other", "x")
    assert (scanner.meta("probe"), scanner.meta("other")) == ("1", "x")
