"""The fan-out of new posts to subscribers (SPEC §11): one `fanouts` row per new post,
written in the transaction that queues its channel publications, and one private
delivery per matching reader, made from the subscriptions by INSERT … SELECT in chunks
once the post is out (live, due, its page there), so that no subscriber list is ever
held in memory and a crash in the middle goes on from the chunk it reached.

A private delivery is `pending`, `sending` (written before its request), `sent`,
`failed` (refused), `withdrawn` (its post went for good first: not back within
RETURN_WINDOW) or `gone` (the reader left).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from bot.clock import utc_text
from bot.jekyll.posts import Post
from bot.routing.destinations import Destination
from bot.routing.rules import is_news, reaches_subscribers
from bot.state.deliveries import RETURN_WINDOW
from bot.state.subscribers import EVERY
from bot.state.transaction import write_transaction

# Spelled as the m010 indexes' conditions: SQLite uses a partial index only for a
# query that repeats it.
OPEN = "state = 'open'"
QUEUED = "state in ('pending', 'sending')"
FAILED = "state = 'failed'"
PACE_WINDOW = 10  # seconds of sent messages that make the pace `status` shows
NOMINAL_PACE = 29  # a second: Telegram's 30, less the channels' place
CHUNK = 2000  # readers per INSERT … SELECT: a few ms of the loop and the write lock each
# The readers after a cursor, in chat order, through the primary key: `+key` keeps
# SQLite off the key index, which would gather every match past the cursor for each
# chunk (a fan-out in O(n²)).
_MATCHING = (
    "from subscriptions where chat_id > ? and created_at <= ?"
    " and (+key = ? or +key in (select key from post_categories where post_id = ?))"
)


@dataclass(frozen=True)
class PrivateDelivery:
    id: int
    post_id: int
    chat_id: int
    attempts: int
    language: str | None  # None: the reader has unsubscribed since


def mark(
    db: sqlite_utils.Database,
    post_id: int,
    post: Post,
    now: dt.datetime,
    destinations: Sequence[Destination] = (),
) -> None:
    """A new post (not an edit, not the archive) for Telegram: its subscribers get it
    once it is out. Never twice: a post that leaves and comes back keeps its fan-out."""
    if not reaches_subscribers(post, destinations):
        return
    stamp = utc_text(now)
    db.execute(
        "insert or ignore into fanouts (post_id, state, created_at, updated_at)"
        " values (?, 'open', ?, ?)",
        [post_id, stamp, stamp],
    )


def ever_sent(db: sqlite_utils.Database, post_id: int) -> bool:
    """Whether any channel ever had the post's message."""
    row = db.execute(
        "select 1 from deliveries where post_id = ?"
        " and (remote_id is not null or sent_at is not null) limit 1",
        [post_id],
    ).fetchone()
    return row is not None


class Fanout:
    """The fan-outs and the private deliveries they make, for the sender."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def startable(self, now: dt.datetime) -> list[int]:
        """Open fan-outs whose post is out: ready, due, not waiting for its page. One
        whose post is no longer news (48 hours) is closed instead: a post withdrawn for
        good, or one left while subscriptions were off, is not sent late. News by the
        post's own date, or when postbode first saw it (a new file dated back), never by
        the fan-out's row: an old post that returns is not news."""
        rows = self.db.execute(
            "select f.post_id, p.first_seen, p.status, p.date_utc,"
            " exists (select 1 from deliveries d where d.post_id = f.post_id"
            " and d.state = 'waiting') from fanouts f indexed by fanouts_open"
            f" join posts p on p.id = f.post_id where f.{OPEN} order by f.created_at"
        ).fetchall()
        out = []
        for post_id, first_seen, status, date_utc, waits in rows:
            latest = max(first_seen or "", date_utc)  # UTC texts sort as their times
            if not is_news(dt.datetime.fromisoformat(latest), now):
                self._close(post_id, "dropped", now)
            elif status == "ready" and date_utc <= utc_text(now) and not waits:
                out.append(post_id)
        return out

    def expand(self, post_id: int, now: dt.datetime, chunk: int = CHUNK) -> int | None:
        """The next readers of the post's fan-out get their delivery, in one transaction
        with the cursor; how many (None: it is complete, and closed)."""
        with write_transaction(self.db):
            row = self.db.execute(
                f"select cursor, created_at from fanouts where post_id = ? and {OPEN}",
                [post_id],
            ).fetchone()
            if row is None:
                return None
            cursor, created = row
            params = [cursor, created, EVERY, post_id]
            (last,) = self.db.execute(
                f"select max(chat_id) from (select distinct chat_id {_MATCHING}"
                " order by chat_id limit ?)",
                [*params, chunk],
            ).fetchone()
            if last is None:
                self._close(post_id, "done", now)
                return None
            added = self.db.execute(
                "insert or ignore into private_deliveries (post_id, chat_id, state,"
                f" next_attempt_at) select distinct ?, chat_id, 'pending', ? {_MATCHING}"
                " and chat_id <= ?",
                [post_id, utc_text(now), *params, last],
            ).rowcount
            self.db.execute(
                "update fanouts set cursor = ?, reached = reached + ?, updated_at = ?"
                " where post_id = ?",
                [last, added, utc_text(now), post_id],
            )
            return int(added)

    def _close(self, post_id: int, state: str, now: dt.datetime) -> None:
        self.db.execute(
            "update fanouts set state = ?, updated_at = ? where post_id = ?",
            [state, utc_text(now), post_id],
        )

    def due(self, now: dt.datetime, limit: int) -> list[PrivateDelivery]:
        """The next private deliveries that are due, in the order they fell due."""
        rows = self.db.execute(
            "select id, post_id, chat_id, attempts, (select language from subscriptions s"
            " where s.chat_id = q.chat_id limit 1) from private_deliveries q"
            f" indexed by private_queue where {QUEUED} and next_attempt_at <= ?"
            " order by next_attempt_at, id limit ?",
            [utc_text(now), limit],
        ).fetchall()
        return [PrivateDelivery(*row) for row in rows]

    def next_due(self) -> dt.datetime | None:
        (at,) = self.db.execute(
            f"select min(next_attempt_at) from private_deliveries where {QUEUED}"
        ).fetchone()
        return dt.datetime.fromisoformat(at) if at else None

    def post_row(self, post_id: int) -> dict[str, Any] | None:
        cursor = self.db.execute("select * from posts where id = ?", [post_id])
        row = cursor.fetchone()
        names = [c[0] for c in cursor.description]
        return dict(zip(names, row, strict=True)) if row else None

    def mark_sending(self, delivery_id: int) -> bool:
        """Before the request: after a crash, `sending` is sent again (at most this one)."""
        cursor = self.db.execute(
            "update private_deliveries set state = 'sending', attempts = attempts + 1"
            " where id = ? and state in ('pending', 'sending')",
            [delivery_id],
        )
        return cursor.rowcount == 1

    def mark_sent(self, delivery_id: int, remote_id: str | None, now: dt.datetime) -> None:
        self.db.execute(
            "update private_deliveries set state = 'sent', remote_id = ?, sent_at = ?,"
            " last_error = '' where id = ?",
            [remote_id, utc_text(now), delivery_id],
        )

    def mark_retry(self, delivery_id: int, error: str, at: dt.datetime) -> None:
        """Back in the queue at `at` (a backoff, a 429, the reader's 1 a second)."""
        self.db.execute(
            "update private_deliveries set state = 'pending', last_error = ?,"
            " next_attempt_at = ? where id = ?",
            [error, utc_text(at), delivery_id],
        )

    def mark_failed(self, delivery_id: int, error: str) -> None:
        self.db.execute(
            "update private_deliveries set state = 'failed', last_error = ? where id = ?",
            [error, delivery_id],
        )

    def retry_failed(self, now: dt.datetime) -> int:
        """Refused private messages back in the queue (the `retry` command); a reader
        who has left since, or a post that is gone, is withdrawn at its turn."""
        return int(
            self.db.execute(
                "update private_deliveries set state = 'pending', attempts = 0,"
                f" next_attempt_at = ? where {FAILED}",
                [utc_text(now)],
            ).rowcount
        )

    def withdraw(self, *, post_id: int | None = None, delivery_id: int | None = None) -> int:
        """A post that is gone (all its unsent deliveries), or one reader who left."""
        column, value = ("post_id", post_id) if post_id is not None else ("id", delivery_id)
        return int(
            self.db.execute(
                f"update private_deliveries set state = 'withdrawn' where {column} = ?"
                " and state in ('pending', 'sending')",
                [value],
            ).rowcount
        )

    def wait_or_withdraw(self, post_id: int, now: dt.datetime) -> bool:
        """A post that is not out (gone, unpublished, unreadable): within RETURN_WINDOW of
        that it may be back as the same post (a save by rename), so its unsent messages
        wait until the window is over; after it, they are withdrawn. True: they wait."""
        row = self.db.execute("select updated_at from posts where id = ?", [post_id]).fetchone()
        until = dt.datetime.fromisoformat(row[0]) + RETURN_WINDOW if row and row[0] else None
        if until is None or until <= now:
            self.withdraw(post_id=post_id)
            return False
        self.db.execute(
            f"update private_deliveries set next_attempt_at = ? where post_id = ? and {QUEUED}",
            [utc_text(until), post_id],
        )
        return True

    def backlog(self, now: dt.datetime) -> dict[str, Any]:
        """For `status`: messages to go, fan-outs not complete, the pace of the last
        seconds and when the backlog should be through at that pace (None: nothing to go)."""
        (queued,) = self.db.execute(
            f"select count(*) from private_deliveries indexed by private_queue where {QUEUED}"
        ).fetchone()
        (open_,) = self.db.execute(f"select count(*) from fanouts where {OPEN}").fetchone()
        (recent,) = self.db.execute(
            "select count(*) from private_deliveries where sent_at is not null and sent_at >= ?",
            [utc_text(now - dt.timedelta(seconds=PACE_WINDOW))],
        ).fetchone()
        (failed,) = self.db.execute(
            f"select count(*) from private_deliveries indexed by private_failed where {FAILED}"
        ).fetchone()
        rate = recent / PACE_WINDOW
        # Idle until now: at the pace the token allows, less the channels' place.
        pace = rate or NOMINAL_PACE
        finish = now + dt.timedelta(seconds=queued / pace) if queued else None
        return {
            "queued": queued,
            "fanouts_open": open_,
            "failed": failed,
            "per_second": round(rate, 1),
            "finish_at": finish.isoformat(timespec="seconds") if finish else None,
        }
