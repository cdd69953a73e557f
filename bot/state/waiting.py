"""The posts whose first message waits for their page (SPEC §12): their publications in
state `waiting`, which the outbox's queues leave out, so that they hold up no later
post of the channel.

One look per post, however many channels wait for it. The schedule lives in the post's
waiting rows, all alike, so that it survives a restart: `attempts` counts the looks,
`next_attempt_at` is the next one, `last_error` what the page answered last.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from bot.clock import utc_text
from bot.state.deliveries import PENDING

# Spelled as the m006 index's condition: SQLite uses a partial index only for a query
# that repeats it.
WAITING_ROWS = "state = 'waiting'"
_POSTS = (
    "select d.post_id, p.path, p.title, p.link, p.status, min(d.created_at) as queued,"
    " min(d.date_utc) as date_utc, max(d.attempts) as checks, min(d.next_attempt_at) as next_check,"
    " max(d.last_error) as last_answer, json_group_array(d.channel) as channels"
    # Named: without statistics SQLite would walk the (post_id, channel) index for the
    # grouping, every delivery ever made, rather than the few rows that wait.
    " from deliveries d indexed by deliveries_waiting join posts p on p.id = d.post_id"
    f" where d.{WAITING_ROWS}"
)
_GROUP = " group by d.post_id order by next_check, d.post_id"
DUE = f"{_POSTS} and d.next_attempt_at <= ?{_GROUP}"
EVERY = f"{_POSTS}{_GROUP}"
NEXT_DUE = f"select min(next_attempt_at) from deliveries where {WAITING_ROWS}"


@dataclass(frozen=True)
class WaitingPost:
    """A post whose first message waits for its page, and where its looks stand."""

    post_id: int
    path: str
    title: str
    link: str
    ready: bool  # published and valid now (an invalid edit is looked at once it is fixed)
    since: dt.datetime  # queued, or the post's date if later: the page cannot be there before
    checks: int
    next_check: dt.datetime
    last_answer: str
    channels: tuple[str, ...]

    def shown(self) -> dict[str, Any]:
        """For `status --json` and `preview --json`."""
        return {
            "path": self.path, "title": self.title, "link": self.link,
            "since": self.since.isoformat(), "next_check": self.next_check.isoformat(),
            "checks": self.checks, "last_answer": self.last_answer,
            "channels": list(self.channels),
        }  # fmt: skip


class Waiting:
    """The waiting rows: what the live check looks at, and how it lets them go."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def due(self, now: dt.datetime) -> list[WaitingPost]:
        """The posts whose next look is due, soonest first."""
        return self._posts(DUE, [utc_text(now)])

    def every(self) -> list[WaitingPost]:
        return self._posts(EVERY, [])

    def next_due(self) -> dt.datetime | None:
        """When the next look is due (None: no post waits); one index lookup."""
        (at,) = self.db.conn.execute(NEXT_DUE).fetchone()
        return dt.datetime.fromisoformat(at) if at else None

    def look_again(
        self, post_id: int, checks: int, at: dt.datetime, answer: str, now: dt.datetime
    ) -> None:
        """The page is not there yet: the look is counted and the next one set."""
        self.db.execute(
            "update deliveries set attempts = ?, next_attempt_at = ?, last_error = ?,"
            f" updated_at = ? where post_id = ? and {WAITING_ROWS}",
            [checks, utc_text(at), answer, utc_text(now), post_id],
        )

    def release(self, post_id: int, now: dt.datetime, *, link: str | None = None) -> int:
        """The post's waiting publications go to the outbox, due now. With `link`: only
        while the post still has the link that was looked at (an edit that changed it
        leaves the post due for a look at its new page). 0: nothing waited any more (the
        post was withdrawn meanwhile)."""
        sql = (
            "update deliveries set state = ?, attempts = 0, next_attempt_at = ?,"
            f" last_error = '', updated_at = ? where post_id = ? and {WAITING_ROWS}"
        )
        params: list[Any] = [PENDING, utc_text(now), utc_text(now), post_id]
        if link is not None:
            sql += " and (select link from posts where id = post_id) = ?"
            params.append(link)
        return int(self.db.execute(sql, params).rowcount)

    def _posts(self, sql: str, params: list[Any]) -> list[WaitingPost]:
        cursor = self.db.conn.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [_waiting(dict(zip(names, row, strict=True))) for row in cursor.fetchall()]


def _waiting(row: dict[str, Any]) -> WaitingPost:
    queued = dt.datetime.fromisoformat(row["queued"])
    date = dt.datetime.fromisoformat(row["date_utc"]) if row["date_utc"] else queued
    return WaitingPost(
        post_id=row["post_id"],
        path=row["path"],
        title=row["title"] or "",
        link=row["link"] or "",
        ready=row["status"] == "ready",
        since=max(queued, date),
        checks=row["checks"] or 0,
        next_check=dt.datetime.fromisoformat(row["next_check"]),
        last_answer=row["last_answer"] or "",
        channels=tuple(sorted(json.loads(row["channels"]))),
    )
