"""The outbox table: one delivery per post and channel, and its state machine.

pending -> sending -> sent, or back to pending (retry) or failed (refused); a
withdrawn post's unsent deliveries become withdrawn, its sent ones deleting, then
deleted (ON_DELETE=delete).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from bot.posts import Post
from bot.rows import post_from_row, utc_text

# Delivery states. `sending` is written before a request goes out, so a crash
# inside the request is visible at the next start.
PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
# A withdrawn post: unsent deliveries are `withdrawn`; with ON_DELETE=delete, sent
# messages are `deleting` until the platform has removed them, then `deleted`.
WITHDRAWN, DELETING, DELETED = "withdrawn", "deleting", "deleted"
# A post whose file comes back within this window is the same post returning (a
# rename seen in two watcher batches, an editor's save-by-rename, a git checkout):
# remote deletions wait this long, and a returning file cancels them.
RETURN_WINDOW = dt.timedelta(seconds=60)


@dataclass(frozen=True)
class Delivery:
    id: int
    post_id: int
    channel: str
    state: str
    attempts: int
    remote_id: str | None
    sent_key: str | None
    next_attempt_at: dt.datetime
    post: Post


class Deliveries:
    """Delivery rows; the Store calls the first four inside its own transactions."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def queue(
        self, post_id: int, channels: Iterable[str], not_before: dt.datetime, now: dt.datetime
    ) -> int:
        """Pending deliveries for channels that have none for this post, or whose
        earlier one was withdrawn (the file came back)."""
        queued = 0
        for channel in channels:
            cursor = self.db.execute(
                "insert into deliveries (post_id, channel, state, next_attempt_at, created_at,"
                " updated_at) values (?, ?, ?, ?, ?, ?) on conflict (post_id, channel) do update"
                " set state = excluded.state, attempts = 0, next_attempt_at ="
                " excluded.next_attempt_at, updated_at = excluded.updated_at, remote_id = null,"
                " sent_key = null, sent_at = null where deliveries.state in (?, ?)",
                [post_id, channel, PENDING, utc_text(max(not_before, now)), utc_text(now),
                 utc_text(now), WITHDRAWN, DELETED],
            )  # fmt: skip
            queued += cursor.rowcount
        return queued

    def mark_edits(self, post_id: int, summary_key: str, now: dt.datetime) -> int:
        """Sent deliveries whose summary changed go back to the outbox as edits."""
        cursor = self.db.execute(
            "update deliveries set state = ?, next_attempt_at = ?, attempts = 0, updated_at = ?"
            " where post_id = ? and state = ? and remote_id is not null and sent_key != ?",
            [PENDING, utc_text(now), utc_text(now), post_id, SENT, summary_key],
        )
        return int(cursor.rowcount)

    def retract(self, post_id: int, now: dt.datetime, delete_remote: bool) -> int:
        """Unsent deliveries are withdrawn; sent ones are deleted remotely or kept."""
        stamp = utc_text(now)
        unsent = self.db.execute(
            "update deliveries set state = ?, updated_at = ? where post_id = ?"
            " and state in (?, ?, ?) and remote_id is null",
            [WITHDRAWN, stamp, post_id, PENDING, SENDING, FAILED],
        ).rowcount
        sent_states = [SENT, PENDING, SENDING, FAILED]
        if delete_remote:
            self.db.execute(
                "update deliveries set state = ?, attempts = 0, next_attempt_at = ?, updated_at = ?"
                " where post_id = ? and remote_id is not null and state in (?, ?, ?, ?)",
                [DELETING, utc_text(now + RETURN_WINDOW), stamp, post_id, *sent_states],
            )
        else:  # the message stays; an edit that was waiting is dropped with the post
            self.db.execute(
                "update deliveries set state = ?, updated_at = ? where post_id = ?"
                " and remote_id is not null and state in (?, ?, ?)",
                [SENT, stamp, post_id, PENDING, SENDING, FAILED],
            )
        return int(unsent)

    def restore_removals(self, post_id: int) -> None:
        """A withdrawn post is back within the window: removals not yet done are off."""
        self.db.execute(
            "update deliveries set state = ? where post_id = ? and state = ?",
            [SENT, post_id, DELETING],
        )

    def head(self, channel: str) -> Delivery | None:
        """The channel's next delivery in post-date order, due or not.

        The outbox waits for it even when later ones are due: a delivery that is
        backing off must not be overtaken, or the channel's order breaks.
        """
        rows = self.db.execute(
            "select d.id as delivery_id, d.post_id, d.channel, d.state, d.attempts, d.remote_id,"
            " d.sent_key, d.next_attempt_at, p.* from deliveries d join posts p on p.id = d.post_id"
            " where d.channel = ? and ((d.state in (?, ?) and p.status = 'ready') or d.state = ?)"
            " order by p.date_utc, p.id limit 1",
            [channel, PENDING, SENDING, DELETING],
        )
        names = [c[0] for c in rows.description]
        row = rows.fetchone()
        return _delivery(dict(zip(names, row, strict=True))) if row else None

    def mark_sending(self, delivery_id: int, now: dt.datetime) -> None:
        """Written before the request: after a crash, `sending` says it may have arrived."""
        self.db.execute(
            "update deliveries set state = case when state = ? then state else ? end,"
            " attempts = attempts + 1, updated_at = ? where id = ?",
            [DELETING, SENDING, utc_text(now), delivery_id],
        )

    def mark_sent(
        self, delivery_id: int, remote_id: str | None, sent_key: str, now: dt.datetime
    ) -> None:
        self.db.execute(
            "update deliveries set state = ?, remote_id = coalesce(?, remote_id), sent_key = ?,"
            " sent_at = coalesce(sent_at, ?), last_error = '', updated_at = ? where id = ?",
            [SENT, remote_id, sent_key, utc_text(now), utc_text(now), delivery_id],
        )

    def mark_deleted(self, delivery_id: int, now: dt.datetime) -> None:
        self.db.execute(
            "update deliveries set state = ?, last_error = '', updated_at = ? where id = ?",
            [DELETED, utc_text(now), delivery_id],
        )

    def mark_retry(self, delivery_id: int, error: str, at: dt.datetime, now: dt.datetime) -> None:
        self.db.execute(
            "update deliveries set state = case when state = ? then state else ? end,"
            " last_error = ?, next_attempt_at = ?, updated_at = ? where id = ?",
            [DELETING, PENDING, error, utc_text(at), utc_text(now), delivery_id],
        )

    def mark_failed(self, delivery_id: int, error: str, now: dt.datetime) -> None:
        self.db.execute(
            "update deliveries set state = ?, last_error = ?, updated_at = ? where id = ?",
            [FAILED, error, utc_text(now), delivery_id],
        )

    def retry_failed(self, now: dt.datetime, channel: str | None = None) -> int:
        """Put failed deliveries back in the outbox (the `retry` command)."""
        # A failed removal goes back to being a removal, anything else to the outbox.
        sql = (
            "update deliveries set state = case when remote_id is not null and post_id in"
            " (select id from posts where status = 'withdrawn') then ? else ? end,"
            " attempts = 0, next_attempt_at = ? where state = ?"
        )
        params: list[Any] = [DELETING, PENDING, utc_text(now), FAILED]
        if channel:
            sql += " and channel = ?"
            params.append(channel)
        return int(self.db.execute(sql, params).rowcount)

    def queue_backfill(
        self,
        channels: Iterable[str],
        now: dt.datetime,
        *,
        since: dt.datetime | None,
        latest: int | None,
    ) -> int:
        """Queue live posts that were never sent: those since a date, or the newest N."""
        sql = "select id, date_utc from posts where status = 'ready' and date_utc <= ?"
        params: list[Any] = [utc_text(now)]
        if since is not None:
            sql += " and date_utc >= ?"
            params.append(utc_text(since))
        sql += " order by date_utc desc, id desc"
        if latest is not None:
            sql += " limit ?"
            params.append(latest)
        rows = self.db.execute(sql, params).fetchall()
        with self.db.atomic():
            return sum(
                self.queue(post_id, channels, dt.datetime.fromisoformat(date), now)
                for post_id, date in rows
            )


def _delivery(row: dict[str, Any]) -> Delivery:
    return Delivery(
        id=row["delivery_id"],
        post_id=row["post_id"],
        channel=row["channel"],
        state=row["state"],
        attempts=row["attempts"],
        remote_id=row["remote_id"],
        sent_key=row["sent_key"],
        next_attempt_at=dt.datetime.fromisoformat(row["next_attempt_at"]),
        post=post_from_row(row),
    )
