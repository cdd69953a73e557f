"""Read-only views of the state for people: the operator's report (`status`,
/status) and the readers' /latest, /category and /search, each one indexed query.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from bot.clock import utc_now, utc_text
from bot.jekyll.posts import Post
from bot.jekyll.syndication import PLATFORM_WORDS
from bot.state import search
from bot.state.deliveries import FAILED
from bot.state.fanout import Fanout
from bot.state.queues import REMOVALS
from bot.state.rows import post_from_row
from bot.state.subscribers import Subscribers
from bot.state.waiting import Waiting


@dataclass(frozen=True)
class Category:
    name: str
    key: str
    count: int


class Catalog:
    """Queries on the state database; it never writes."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def latest(self, count: int, now: dt.datetime, offset: int = 0) -> list[Post]:
        """The newest posts live on the site now (from the `offset`th on)."""
        rows = self.db.query(
            "select * from posts where status = 'ready' and date_utc <= ?"
            " order by date_utc desc, id desc limit ? offset ?",
            [utc_text(now), count, offset],
        )
        return [post_from_row(row) for row in rows]

    def in_category(self, key: str, count: int, now: dt.datetime) -> list[Post]:
        """The newest live posts in the category with this search key."""
        # CROSS JOIN keeps SQLite on the (key, date_utc, post_id) index, newest first.
        rows = self.db.query(
            "select p.* from post_categories c cross join posts p on p.id = c.post_id"
            " where c.key = ? and c.date_utc <= ? and p.status = 'ready'"
            " order by c.date_utc desc, c.post_id desc limit ?",
            [key, utc_text(now), count],
        )
        return [post_from_row(row) for row in rows]

    def search(self, words: str, count: int, now: dt.datetime, offset: int = 0) -> list[Post]:
        """Live posts holding all of a reader's `words` (bot.state.search): best match
        first, newer first among equals; [] for words with nothing to look for. Never
        raises, whatever the words."""
        ids = search.find(self.db.conn, words, count, now, offset)
        if not ids:
            return []
        # By id alone: with the status in the query SQLite reads the status index (30 ms).
        marks = ", ".join("?" * len(ids))
        rows = self.db.query(f"select * from posts where id in ({marks})", ids)
        live, now_text = {}, utc_text(now)
        for row in rows:
            if row["status"] == "ready" and row["date_utc"] <= now_text:
                live[row["id"]] = row
        return [post_from_row(live[i]) for i in ids if i in live]

    def categories(self, now: dt.datetime) -> list[Category]:
        """Categories of live posts with their counts, most used first. The counts are
        kept by triggers; scheduled posts, not live yet, are taken off (found through
        the date index: without statistics SQLite would scan the key index instead)."""
        rows = self.db.execute(
            "select c.name, c.key, c.count - coalesce(f.n, 0) as live from category_counts c"
            " left join (select key, count(*) as n from post_categories"
            " indexed by idx_post_categories_date_utc where date_utc > ? group by key) f"
            " on f.key = c.key where live > 0 order by live desc, c.key",
            [utc_text(now)],
        ).fetchall()
        return [Category(name, key, count) for name, key, count in rows]

    def counts(self) -> dict[str, Any]:
        """Posts by status and deliveries by channel and state, for `status`."""
        posts = dict(
            self.db.execute("select status, count(*) from posts group by status").fetchall()
        )
        channels: dict[str, dict[str, Any]] = {}
        # A removal still to be done shows as `deleting`, as the operator thinks of it.
        for channel, state, count in self.db.execute(
            f"select channel, case when {REMOVALS} then 'deleting' else state end as shown,"
            " count(*) from deliveries group by channel, shown"
        ).fetchall():
            channels.setdefault(channel, {})[state] = count
        for channel, info in channels.items():
            last = self.db.execute(
                "select max(sent_at) from deliveries where channel = ? and sent_at is not null",
                [channel],
            ).fetchone()
            info["last_sent_at"] = last[0] if last else None
            # A waiting row's last_error is what its page answered, not a delivery's error.
            error = self.db.execute(
                "select last_error from deliveries where channel = ? and last_error != ''"
                " and state != 'waiting' order by updated_at desc limit 1",
                [channel],
            ).fetchone()
            info["last_error"] = error[0] if error else None
        return {"posts": posts, "channels": channels}

    def report(
        self, destinations: Iterable[str] = (), cannot_edit: Iterable[str] = ()
    ) -> dict[str, Any]:
        """Everything `status` shows: counts, failed deliveries, invalid files, the posts
        waiting for their page, posts whose `syndicate` names no destination (of
        `destinations`, the names; with none configured, nothing is checked), and on the
        channels that `cannot_edit` (Bluesky) the messages older than their post."""
        return {
            **self.counts(),
            "not_edited": self.not_edited(cannot_edit),
            "failures": self.failures(),
            "invalid": list(self.invalid_files()),
            "waiting": [post.shown() for post in Waiting(self.db).every()],
            "unknown_destinations": self.unknown_destinations(set(destinations)),
            "subscriptions": self.subscriptions(),
        }

    def not_edited(self, channels: Iterable[str]) -> dict[str, int]:
        """Per channel, its messages whose post changed after they were sent, of posts
        still on the site: on a platform without edit they show the first summary."""
        keys = list(channels)
        if not keys:
            return {}
        rows = self.db.execute(
            "select d.channel, count(*) from deliveries d join posts p on p.id = d.post_id"
            f" where d.channel in ({', '.join('?' * len(keys))}) and d.state = 'sent'"
            " and d.sent_key != p.summary_key and p.status = 'ready' group by d.channel",
            keys,
        ).fetchall()
        return {channel: count for channel, count in rows}

    def subscriptions(self) -> dict[str, Any]:
        """Readers' subscriptions and the private messages still to go (SPEC §11)."""
        return {**Subscribers(self.db).counts(), **Fanout(self.db).backlog(utc_now())}

    def unknown_destinations(self, known: set[str]) -> list[dict[str, Any]]:
        """Live posts whose `syndicate` names what is neither a destination nor a
        platform: they are not silently dropped."""
        if not known:
            return []
        rows = self.db.execute(
            "select path, syndicate from posts where status = 'ready' and syndicate is not null"
            " order by path"
        ).fetchall()
        found = []
        for path, names in rows:
            unknown = [n for n in json.loads(names) if n not in known and n not in PLATFORM_WORDS]
            if unknown:
                found.append({"path": path, "names": unknown})
        return found

    def failures(self) -> list[dict[str, Any]]:
        return list(
            self.db.query(
                "select d.channel, p.path, p.title, d.attempts, d.last_error, d.updated_at"
                " from deliveries d join posts p on p.id = d.post_id where d.state = ?"
                " order by d.updated_at",
                [FAILED],
            )
        )

    def invalid_files(self) -> Iterator[dict[str, Any]]:
        yield from self.db.query(
            "select path, reason from posts where status = 'invalid' order by path"
        )
