"""The state database's schema, as numbered migrations (sqlite-utils Migrations).

A migration is never edited once released: later changes are new migrations.
"""

from __future__ import annotations

import json
import secrets

import sqlite_utils
from sqlite_utils.migrations import Migrations

from bot.state import search_build
from bot.text import search_key

migrations = Migrations("postbode")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db.table("posts").create(
        {
            "id": int, "path": str, "status": str, "reason": str, "title": str,
            "date": str, "date_utc": str, "link": str, "lead": str, "categories": str,
            "tags": str, "image_url": str, "image_path": str, "language": str,
            "summary_key": str, "content_hash": str, "size": int, "mtime_ns": int,
            "baseline": int, "first_seen": str, "updated_at": str,
        },
        pk="id",
        not_null={"path", "status"},
        defaults={"baseline": 0, "reason": ""},
    )  # fmt: skip
    db.table("posts").create_index(["path"], unique=True)
    db.table("posts").create_index(["status", "date_utc"])
    db.table("posts").create_index(["link"])
    db.table("posts").create_index(["content_hash"])
    db.table("deliveries").create(
        {
            "id": int, "post_id": int, "channel": str, "state": str, "attempts": int,
            "next_attempt_at": str, "remote_id": str, "sent_key": str, "last_error": str,
            "created_at": str, "sent_at": str, "updated_at": str,
        },
        pk="id",
        not_null={"post_id", "channel", "state"},
        defaults={"attempts": 0, "last_error": ""},
        foreign_keys=[("post_id", "posts", "id")],
    )  # fmt: skip
    db.table("deliveries").create_index(["post_id", "channel"], unique=True)
    db.table("deliveries").create_index(["channel", "state", "next_attempt_at"])
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("meta").insert({"key": "instance_id", "value": secrets.token_hex(8)})


@migrations()
def m002_post_categories(db: sqlite_utils.Database) -> None:
    """Categories one row each, for published posts only, with their counts kept by
    triggers: /category and its menu are index lookups, whatever the number of posts."""
    db.table("post_categories").create(
        {"post_id": int, "name": str, "key": str, "date_utc": str},
        pk=("post_id", "key"),
        foreign_keys=[("post_id", "posts", "id")],
    )
    db.table("post_categories").create_index(["key", "date_utc", "post_id"])
    db.table("post_categories").create_index(["date_utc"])
    db.table("category_counts").create({"key": str, "name": str, "count": int}, pk="key")
    db.execute(
        "create trigger post_category_added after insert on post_categories begin"
        " insert into category_counts (key, name, count) values (new.key, new.name, 1)"
        # Of several spellings, the smallest is shown: capitals before accents and
        # lower case, whatever order the posts came in.
        " on conflict (key) do update set count = count + 1, name = min(name, excluded.name); end"
    )
    db.execute(
        "create trigger post_category_removed after delete on post_categories begin"
        " update category_counts set count = count - 1 where key = old.key;"
        " delete from category_counts where key = old.key and count <= 0; end"
    )
    rows = db.execute(
        "select id, categories, date_utc from posts where status = 'ready' and categories is not null"
    )
    db.table("post_categories").insert_all(
        (
            {"post_id": post_id, "name": name, "key": search_key(name), "date_utc": date_utc}
            for post_id, categories, date_utc in rows.fetchall()
            for name in json.loads(categories)
        ),
        ignore=True,
    )


@migrations()
def m003_delivery_actions(db: sqlite_utils.Database) -> None:
    """What a delivery does (publish, edit, delete) is a column, no longer read from its
    state and remote id; the post's date rides on the delivery, so that the outbox's
    next delivery is found through a partial index, however many were ever sent."""
    db.execute("alter table deliveries add column action text not null default 'publish'")
    db.execute("alter table deliveries add column date_utc text")
    # The previous release's meaning, made explicit: an unsent row with a message is
    # an edit; a failed one of a withdrawn post was a removal (`retry` made it one);
    # `deleting` was a removal waiting for its time.
    db.execute(
        "update deliveries set action = 'edit'"
        " where state in ('pending', 'sending', 'failed') and remote_id is not null"
    )
    db.execute(
        "update deliveries set action = 'delete' where state = 'failed' and remote_id is not null"
        " and post_id in (select id from posts where status = 'withdrawn')"
    )
    db.execute(
        "update deliveries set action = 'delete', state = 'pending' where state = 'deleting'"
    )
    db.execute(
        "update deliveries set date_utc = (select date_utc from posts where id = deliveries.post_id)"
    )
    # Spelled as queues.QUEUED and REMOVALS are (a test holds them together): SQLite
    # uses a partial index only for a query that repeats its condition.
    db.execute(
        "create index deliveries_queued on deliveries (channel, date_utc, post_id)"
        " where state in ('pending', 'sending') and action != 'delete'"
    )
    db.execute(
        "create index deliveries_removals on deliveries (channel, date_utc, post_id)"
        " where state in ('pending', 'sending') and action = 'delete'"
    )


@migrations()
def m004_image_alt(db: sqlite_utils.Database) -> None:
    """The feature image's own alt text (`image.alt`), where a site gives one."""
    db.execute("alter table posts add column image_alt text")


@migrations()
def m005_message_urls(db: sqlite_utils.Database) -> None:
    """Where anyone can read a sent message (the links file): a t.me or status URL, ""
    where there is none (a private channel). Messages sent before this migration have
    none recorded (null): the adapters derive theirs at the next start, found through
    the partial index, which holds only those."""
    db.execute("alter table deliveries add column remote_url text")
    # Spelled as message_urls.UNKNOWN is (a test holds them together).
    db.execute(
        "create index deliveries_unknown_url on deliveries (channel)"
        " where remote_url is null and remote_id is not null"
    )


@migrations()
def m006_waiting_for_the_page(db: sqlite_utils.Database) -> None:
    """First publications waiting for their post's page to go live (state `waiting`,
    SPEC §12), found through their own partial index, in the order their next look is
    due. The outbox's queues leave them out: no later post waits behind one."""
    # Spelled as waiting.WAITING_ROWS is (a test holds them together).
    db.execute(
        "create index deliveries_waiting on deliveries (next_attempt_at, post_id)"
        " where state = 'waiting'"
    )


@migrations()
def m007_where_a_post_goes(db: sqlite_utils.Database) -> None:
    """A post's own routing (SPEC §10): its `syndicate` names, the platforms it must not
    go to, its content warning; null in the rows of earlier releases: everywhere."""
    for column in ("syndicate", "not_on", "content_warning"):
        db.execute(f"alter table posts add column {column} text")


@migrations()
def m008_file_states(db: sqlite_utils.Database) -> None:
    """The files' (size, mtime_ns) by path in an index of their own, which holds all a
    full scan reads: a restart over 100,000 known posts reads them from a few MB of
    index, in path order, instead of from the whole posts table. `status` is in it too:
    SQLite reads a partial index's own condition from the table otherwise."""
    # Spelled as files.FILE_STATES is (a test holds them together).
    db.execute(
        "create index posts_file_states on posts (path, size, mtime_ns, status)"
        " where status != 'withdrawn'"
    )


@migrations()
def m009_search(db: sqlite_utils.Database) -> None:
    """Full-text search over the published posts (SPEC §11): an FTS5 index of their
    folded title, lead and labels (categories and tags), dated rowids (bot.state.search),
    filled here from the posts already recorded; the store keeps it in step since."""
    search_build.create(db.conn)


@migrations()
def m010_subscriptions(db: sqlite_utils.Database) -> None:
    """Readers' subscriptions on Telegram (SPEC §11): a reader's private chat and a
    category's search key ('*': every post); one fan-out per new post, its cursor the
    last chat it reached; one private delivery per post and reader, the queue a partial
    index in the order they fall due, so the next one is an index lookup however many
    were ever sent."""
    db.execute(
        "create table subscriptions (chat_id integer not null, key text not null,"
        " name text not null, language text not null, created_at text not null,"
        " primary key (chat_id, key)) without rowid"
    )
    db.execute("create index subscriptions_by_key on subscriptions (key, chat_id)")
    db.execute(
        "create table fanouts (post_id integer primary key references posts (id),"
        " state text not null, created_at text not null, cursor integer not null default 0,"
        " reached integer not null default 0, updated_at text not null)"
    )
    # Spelled as fanout.OPEN is (a test holds them together).
    db.execute("create index fanouts_open on fanouts (created_at) where state = 'open'")
    db.execute(
        "create table private_deliveries (id integer primary key, post_id integer not null"
        " references posts (id), chat_id integer not null, state text not null,"
        " attempts integer not null default 0, next_attempt_at text not null,"
        " remote_id text, last_error text not null default '', sent_at text,"
        " unique (post_id, chat_id))"
    )
    # Spelled as fanout.QUEUED is.
    db.execute(
        "create index private_queue on private_deliveries (next_attempt_at, id)"
        " where state in ('pending', 'sending')"
    )
    db.execute(
        "create index private_sent on private_deliveries (sent_at) where sent_at is not null"
    )
    db.execute("create index private_by_chat on private_deliveries (chat_id)")
    # Spelled as fanout.FAILED is: `status` counts them without reading the rest.
    db.execute("create index private_failed on private_deliveries (id) where state = 'failed'")
