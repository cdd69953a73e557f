"""The outbox table: one delivery per post and channel, with what it does and how far
it got.

The action says what a delivery does: `publish` a new message, `edit` the sent one,
`delete` it (ON_DELETE=delete). The state says how far it got: pending -> sending
-> sent, back to pending (retry) or failed (refused); a withdrawn post's unsent
publication is `withdrawn`, a removal that was done `deleted`. A first publication
that waits for its post's page to go live is `waiting` (bot/state/waiting.py) until
the live check lets it go, as `pending`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import sqlite_utils

from bot.clock import utc_text
from bot.jekyll.posts import Post
from bot.state.queues import NEXT_EITHER, NEXT_WAKE
from bot.state.rows import post_from_row

Action = Literal["publish", "edit", "delete"]
PUBLISH, EDIT, DELETE = "publish", "edit", "delete"
# `sending` is written before a request goes out, so a crash inside the request is
# visible at the next start.
PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
WITHDRAWN, DELETED = "withdrawn", "deleted"
# Out of the outbox's queues (their partial indexes leave it out), so it holds up no
# later post of the channel.
WAITING = "waiting"
# A post whose file comes back within this window is the same post returning (a
# rename seen in two watcher batches, an editor's save-by-rename, a git checkout):
# remote deletions wait this long, and a returning file cancels them.
RETURN_WINDOW = dt.timedelta(seconds=60)
# An edit waits until its post has been quiet this long: a file rewritten many times a
# second becomes one edit of its last version, not one per write (each edit is public
# in the status's history, and costs the API budget).
EDIT_SETTLE = dt.timedelta(seconds=3)


@dataclass(frozen=True)
class Delivery:
    id: int
    post_id: int
    channel: str
    action: Action
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
        date: dt.datetime,
        now: dt.datetime,
        *,
        revive_only: bool = False,
        wait: bool = False,
    ) -> int:
        """Publications for channels that have none for this post, or whose earlier one
        was withdrawn or deleted (the file came back). `revive_only`: never a new row
        (a post recorded as seen on the first run is not news when it returns). `wait`:
        they wait for the post's page, its first look due when the post is.

        A revived row gets a new `created_at`, and with it a new idempotency key.
        """
        stamp, due, date_utc = utc_text(now), utc_text(max(date, now)), utc_text(date)
        revive = (
            "set action = ?, state = ?, attempts = 0, next_attempt_at = ?, created_at = ?,"
            " updated_at = ?, date_utc = ?, remote_id = null, sent_key = null, sent_at = null"
        )
        values = [PUBLISH, WAITING if wait else PENDING, due, stamp, stamp, date_utc]
        queued = 0
        for channel in channels:
            if revive_only:
                cursor = self.db.execute(
                    f"update deliveries {revive} where post_id = ? and channel = ? and state in (?, ?)",
                    [*values, post_id, channel, WITHDRAWN, DELETED],
                )
            else:
                cursor = self.db.execute(
                    "insert into deliveries (post_id, channel, action, state, next_attempt_at,"
                    " created_at, updated_at, date_utc) values (?, ?, ?, ?, ?, ?, ?, ?)"
                    f" on conflict (post_id, channel) do update {revive}"
                    " where deliveries.state in (?, ?)",
                    [post_id, channel, *values, *values, WITHDRAWN, DELETED],
                )
            queued += cursor.rowcount
        return queued

    def mark_edits(self, post_id: int, summary_key: str, now: dt.datetime) -> int:
        """Sent messages whose summary changed are edited once the post is quiet for
        EDIT_SETTLE; an edit already waiting waits that long again (never less than a
        retry's backoff). One in flight right now is caught by mark_sent."""
        settled = utc_text(now + EDIT_SETTLE)
        cursor = self.db.execute(
            "update deliveries set action = ?, state = ?, next_attempt_at = ?, attempts = 0,"
            " updated_at = ? where post_id = ? and state = ? and remote_id is not null"
            " and sent_key != ?",
            [EDIT, PENDING, settled, utc_text(now), post_id, SENT, summary_key],
        )
        self.db.execute(
            "update deliveries set next_attempt_at = max(next_attempt_at, ?)"
            " where post_id = ? and action = ? and state = ?",
            [settled, post_id, EDIT, PENDING],
        )
        return int(cursor.rowcount)

    def reschedule(self, post_id: int, date: dt.datetime, now: dt.datetime) -> None:
        """The post's date moved: its place in the channels' order moves with it, and an
        unsent publication waits for the new date (a postponed embargo), as does the
        first look at its page."""
        self.db.execute(
            "update deliveries set date_utc = ? where post_id = ?", [utc_text(date), post_id]
        )
        self.db.execute(
            "update deliveries set next_attempt_at = ?, updated_at = ?"
            " where post_id = ? and action = ? and state in (?, ?)",
            [utc_text(max(date, now)), utc_text(now), post_id, PUBLISH, PENDING, WAITING],
        )

    def retract(
        self, post_id: int, now: dt.datetime, delete_remote: bool, channels: Sequence[str] = ()
    ) -> int:
        """The post is gone or unpublished (or no longer for `channels`: only those).
        Unsent publications are withdrawn; sent messages are deleted (after
        RETURN_WINDOW) or kept. One in flight is left to finish: with delete_remote its
        removal follows (mark_sent keeps the action)."""
        stamp, later = utc_text(now), utc_text(now + RETURN_WINDOW)
        only = f" and channel in ({', '.join('?' * len(channels))})" if channels else ""
        unsent = self.db.execute(
            "update deliveries set state = ?, updated_at = ? where post_id = ?"
            " and action = ? and state in (?, ?, ?)" + only,
            [WITHDRAWN, stamp, post_id, PUBLISH, PENDING, FAILED, WAITING, *channels],
        ).rowcount
        if delete_remote:  # every message that exists, or may exist (in flight)
            self.db.execute(
                "update deliveries set action = ?, attempts = 0, next_attempt_at = ?,"
                " updated_at = ?, state = case when state = ? then state else ? end where"
                " post_id = ? and (state = ? or (remote_id is not null and state in (?, ?, ?)))"
                + only,
                [DELETE, later, stamp, SENDING, PENDING, post_id, SENDING, SENT, PENDING, FAILED,
                 *channels],
            )  # fmt: skip
        else:  # the message stays; an edit that was waiting is dropped with the post
            self.db.execute(
                "update deliveries set state = ?, updated_at = ? where post_id = ?"
                " and action = ? and state in (?, ?)" + only,
                [SENT, stamp, post_id, EDIT, PENDING, FAILED, *channels],
            )
        return int(unsent)

    def restore_removals(self, post_id: int) -> None:
        """The post is back within the window: removals not yet done are off."""
        self.db.execute(
            "update deliveries set action = ?, state = ? where post_id = ? and action = ?"
            " and state in (?, ?) and remote_id is not null",
            [PUBLISH, SENT, post_id, DELETE, PENDING, FAILED],
        )

    def head(self, channel: str, now: dt.datetime) -> Delivery | None:
        """The channel's next delivery in post-date order, due or not.

        The outbox waits for a pending publication even when later ones are due: one
        that is backing off must not be overtaken, or the channel's order breaks.
        Edits and removals take no part in that order: they come up when they are due.
        Three index lookups in one query, each O(log n) in the deliveries ever made.
        """
        stamp = utc_text(now)
        cursor = self.db.conn.execute(NEXT_EITHER, [channel, channel, stamp, channel, stamp])
        rows = cursor.fetchall()
        if not rows:
            return None
        names = [c[0] for c in cursor.description]
        candidates = [_delivery(dict(zip(names, row, strict=True))) for row in rows]
        return min(candidates, key=lambda d: (utc_text(d.post.date), d.post_id))

    def next_wake(self, channel: str) -> dt.datetime | None:
        """When the channel's next waiting edit or removal falls due (None: none waits)."""
        (at,) = self.db.conn.execute(NEXT_WAKE, [channel]).fetchone()
        return dt.datetime.fromisoformat(at) if at else None

    def mark_sending(self, delivery_id: int, now: dt.datetime) -> bool:
        """Written before the request: after a crash, `sending` says it may have arrived.
        False when the row changed meanwhile (withdrawn): then nothing is sent."""
        cursor = self.db.execute(
            "update deliveries set state = ?, attempts = attempts + 1, updated_at = ?"
            " where id = ? and state in (?, ?)",
            [SENDING, utc_text(now), delivery_id, PENDING, SENDING],
        )
        return cursor.rowcount == 1

    def mark_sent(
        self,
        delivery_id: int,
        remote_id: str | None,
        sent_key: str,
        now: dt.datetime,
        *,
        url: str | None = None,
    ) -> None:
        """The message exists (at `url`; None: where it was). If its post went meanwhile,
        its removal is next; if the post changed while it was in flight, an edit is."""
        changed = "? != (select summary_key from posts where id = deliveries.post_id)"
        self.db.execute(
            "update deliveries set remote_id = coalesce(?, remote_id), sent_key = ?,"
            " remote_url = coalesce(?, remote_url),"
            " sent_at = coalesce(sent_at, ?), last_error = '', updated_at = ?,"
            f" action = case when action = ? then action when {changed} then ? else action end,"
            f" next_attempt_at = case when {changed} then ? else next_attempt_at end,"
            f" state = case when action = ? or {changed} then ? else ? end where id = ?",
            [remote_id, sent_key, url, utc_text(now), utc_text(now), DELETE, sent_key, EDIT,
             sent_key, utc_text(now + EDIT_SETTLE), DELETE, sent_key, PENDING, SENT,
             delivery_id],
        )  # fmt: skip

    def mark_unedited(self, delivery_id: int, now: dt.datetime) -> None:
        """An edit the platform cannot make (Bluesky): the message is sent and stays as
        it was, its `sent_key` the summary it shows (`status` counts these)."""
        self._set_state(delivery_id, SENT, now)

    def mark_deleted(self, delivery_id: int, now: dt.datetime) -> None:
        self._set_state(delivery_id, DELETED, now)

    def mark_withdrawn(self, delivery_id: int, now: dt.datetime) -> None:
        """A removal of a message that was never sent: nothing to do on the platform."""
        self._set_state(delivery_id, WITHDRAWN, now)

    def mark_retry(self, delivery_id: int, error: str, at: dt.datetime, now: dt.datetime) -> None:
        self._set_state(delivery_id, PENDING, now, error=error, next_attempt_at=utc_text(at))

    def mark_failed(self, delivery_id: int, error: str, now: dt.datetime) -> None:
        self._set_state(delivery_id, FAILED, now, error=error)

    def _set_state(
        self,
        delivery_id: int,
        state: str,
        now: dt.datetime,
        *,
        error: str = "",
        next_attempt_at: str | None = None,
    ) -> None:
        """One round trip for an outcome: the state, the error (or none), when next."""
        self.db.execute(
            "update deliveries set state = ?, last_error = ?, updated_at = ?,"
            " next_attempt_at = coalesce(?, next_attempt_at) where id = ?",
            [state, error, utc_text(now), next_attempt_at, delivery_id],
        )

    def retry_failed(self, now: dt.datetime, channel: str | None = None) -> int:
        """Put failed deliveries back in the outbox, each with its own action (the
        `retry` command)."""
        sql = "update deliveries set state = ?, attempts = 0, next_attempt_at = ? where state = ?"
        params: list[Any] = [PENDING, utc_text(now), FAILED]
        if channel:
            sql += " and channel = ?"
            params.append(channel)
        return int(self.db.execute(sql, params).rowcount)


def _delivery(row: dict[str, Any]) -> Delivery:
    return Delivery(
        id=row["delivery_id"],
        post_id=row["post_id"],
        channel=row["channel"],
        action=row["action"],
        state=row["state"],
        attempts=row["attempts"],
        remote_id=row["remote_id"],
        sent_key=row["sent_key"],
        next_attempt_at=dt.datetime.fromisoformat(row["next_attempt_at"]),
        created_at=row["delivery_created"],
        post=post_from_row(row),
    )
