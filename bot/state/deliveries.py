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

from bot.jekyll.posts import Post
from bot.state.rows import post_from_row, utc_text

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
    created_at: str  # renewed when a withdrawn delivery is queued again
    post: Post


class Deliveries:
    """Delivery rows. The Store calls queue, mark_edits, retract, restore_removals and
    reschedule inside its own transactions; the outbox calls the rest."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def queue(
        self,
        post_id: int,
        channels: Iterable[str],
        not_before: dt.datetime,
        now: dt.datetime,
        *,
        revive_only: bool = False,
    ) -> int:
        """Pending deliveries for channels that have none for this post, or whose earlier
        one was withdrawn or deleted (the file came back). `revive_only`: never a new
        row (a post recorded as seen on the first run is not news when it returns).

        A revived row gets a new `created_at`, and with it a new idempotency key.
        """
        stamp, due = utc_text(now), utc_text(max(not_before, now))
        revive = (
            " set state = ?, attempts = 0, next_attempt_at = ?, created_at = ?,"
            " updated_at = ?, remote_id = null, sent_key = null, sent_at = null"
        )
        queued = 0
        for channel in channels:
            if revive_only:
                cursor = self.db.execute(
                    f"update deliveries {revive} where post_id = ? and channel = ? and state in (?, ?)",
                    [PENDING, due, stamp, stamp, post_id, channel, WITHDRAWN, DELETED],
                )
            else:
                cursor = self.db.execute(
                    "insert into deliveries (post_id, channel, state, next_attempt_at, created_at,"
                    f" updated_at) values (?, ?, ?, ?, ?, ?) on conflict (post_id, channel) do update"
                    f" {revive} where deliveries.state in (?, ?)",
                    [post_id, channel, PENDING, due, stamp, stamp,
                     PENDING, due, stamp, stamp, WITHDRAWN, DELETED],
                )  # fmt: skip
            queued += cursor.rowcount
        return queued

    def mark_edits(self, post_id: int, summary_key: str, now: dt.datetime) -> int:
        """Sent deliveries whose summary changed go back to the outbox as edits. (One in
        flight right now is caught by mark_sent, which compares with the post's key.)"""
        cursor = self.db.execute(
            "update deliveries set state = ?, next_attempt_at = ?, attempts = 0, updated_at = ?"
            " where post_id = ? and state = ? and remote_id is not null and sent_key != ?",
            [PENDING, utc_text(now), utc_text(now), post_id, SENT, summary_key],
        )
        return int(cursor.rowcount)

    def reschedule(self, post_id: int, date: dt.datetime, now: dt.datetime) -> None:
        """A scheduled post's date moved: its unsent deliveries wait for the new one."""
        self.db.execute(
            "update deliveries set next_attempt_at = ?, updated_at = ?"
            " where post_id = ? and state = ? and remote_id is null",
            [utc_text(max(date, now)), utc_text(now), post_id, PENDING],
        )

    def retract(self, post_id: int, now: dt.datetime, delete_remote: bool) -> int:
        """The post is gone or unpublished. Unsent deliveries are withdrawn; sent ones are
        deleted remotely (after RETURN_WINDOW) or kept. One in flight is left to finish:
        with delete_remote it is marked for removal, and mark_sent keeps that mark."""
        stamp, later = utc_text(now), utc_text(now + RETURN_WINDOW)
        unsent = self.db.execute(
            "update deliveries set state = ?, updated_at = ? where post_id = ?"
            " and state in (?, ?) and remote_id is null",
            [WITHDRAWN, stamp, post_id, PENDING, FAILED],
        ).rowcount
        if delete_remote:
            self.db.execute(
                "update deliveries set state = ?, attempts = 0, next_attempt_at = ?, updated_at = ?"
                " where post_id = ? and (remote_id is not null or state = ?) and state in (?, ?, ?, ?)",
                [DELETING, later, stamp, post_id, SENDING, SENT, PENDING, SENDING, FAILED],
            )
        else:  # the message stays; an edit that was waiting is dropped with the post
            self.db.execute(
                "update deliveries set state = ?, updated_at = ? where post_id = ?"
                " and remote_id is not null and state in (?, ?)",
                [SENT, stamp, post_id, PENDING, FAILED],
            )
        return int(unsent)

    def restore_removals(self, post_id: int) -> None:
        """The post is back within the window: removals not yet done are off."""
        self.db.execute(
            "update deliveries set state = ? where post_id = ? and state = ?",
            [SENT, post_id, DELETING],
        )

    def head(self, channel: str, now: dt.datetime) -> Delivery | None:
        """The channel's next delivery in post-date order, due or not.

        The outbox waits for a pending one even when later ones are due: a delivery
        that is backing off must not be overtaken, or the channel's order breaks.
        Removals do not take part in that order: they come up only when they are due.
        """
        rows = self.db.execute(
            "select d.id as delivery_id, d.post_id, d.channel, d.state, d.attempts,"
            " d.remote_id, d.sent_key, d.next_attempt_at, d.created_at as delivery_created, p.*"
            " from deliveries d join posts p on p.id = d.post_id where d.channel = ?"
            " and ((d.state in (?, ?) and p.status = 'ready')"
            " or (d.state = ? and d.next_attempt_at <= ?))"
            " order by p.date_utc, p.id limit 1",
            [channel, PENDING, SENDING, DELETING, utc_text(now)],
        )
        names = [c[0] for c in rows.description]
        row = rows.fetchone()
        return _delivery(dict(zip(names, row, strict=True))) if row else None

    def mark_sending(self, delivery_id: int, now: dt.datetime) -> bool:
        """Written before the request: after a crash, `sending` says it may have arrived.
        False when the row changed meanwhile (withdrawn): then nothing is sent."""
        cursor = self.db.execute(
            "update deliveries set state = case when state = ? then state else ? end,"
            " attempts = attempts + 1, updated_at = ? where id = ? and state in (?, ?, ?)",
            [DELETING, SENDING, utc_text(now), delivery_id, PENDING, SENDING, DELETING],
        )
        return cursor.rowcount == 1

    def mark_sent(
        self, delivery_id: int, remote_id: str | None, sent_key: str, now: dt.datetime
    ) -> None:
        """The message exists. It stays marked for removal if its post went meanwhile,
        and goes back out as an edit if the post changed while it was in flight."""
        self.db.execute(
            "update deliveries set remote_id = coalesce(?, remote_id), sent_key = ?,"
            " sent_at = coalesce(sent_at, ?), last_error = '', updated_at = ?,"
            " state = case when state = ? then state"
            " when ? != (select summary_key from posts where id = deliveries.post_id) then ?"
            " else ? end where id = ?",
            [remote_id, sent_key, utc_text(now), utc_text(now), DELETING, sent_key, PENDING,
             SENT, delivery_id],
        )  # fmt: skip

    def mark_deleted(self, delivery_id: int, now: dt.datetime) -> None:
        self.db.execute(
            "update deliveries set state = ?, last_error = '', updated_at = ? where id = ?",
            [DELETED, utc_text(now), delivery_id],
        )

    def mark_withdrawn(self, delivery_id: int, now: dt.datetime) -> None:
        """A removal of a message that was never sent: nothing to do on the platform."""
        self.db.execute(
            "update deliveries set state = ?, updated_at = ? where id = ?",
            [WITHDRAWN, utc_text(now), delivery_id],
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
        """Queue live posts that were never queued: those since a date, or the newest N."""
        channels = list(channels)
        marks = ", ".join("?" for _ in channels)
        sql = (
            "select id, date_utc from posts where status = 'ready' and date_utc <= ? and id not in"
            f" (select post_id from deliveries where channel in ({marks}))"
        )
        params: list[Any] = [utc_text(now), *channels]
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
        created_at=row["delivery_created"],
        post=post_from_row(row),
    )
