"""State in SQLite (sqlite-utils): posts, one delivery per post and channel, meta.

Everything that belongs together is written in one `db.atomic()` block, before
any network call: a kill -9 at any moment leaves a consistent database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from bot.posts import Post, Rejected
from bot.schema import migrations
from bot.text import search_key

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
class FileState:
    size: int
    mtime_ns: int
    content_hash: str


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


@dataclass(frozen=True)
class Recorded:
    """What recording a file changed: for logs and for the outbox."""

    path: str
    outcome: str  # new | baseline | updated | unchanged | renamed | invalid | ignored
    queued: int = 0  # deliveries created
    edits: int = 0  # sent deliveries whose summary changed


def utc_text(moment: dt.datetime) -> str:
    """Sortable UTC text for a moment, the form every time column uses."""
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


class Store:
    """The state database. One thread uses it (the worker's event-loop thread)."""

    def __init__(self, path: Path | str) -> None:
        self.db = sqlite_utils.Database(path)
        self.db.execute("PRAGMA busy_timeout = 5000")
        if self.db.journal_mode != "wal":
            self.db.enable_wal()
        self.db.execute("PRAGMA synchronous = NORMAL")
        self.db.execute("PRAGMA foreign_keys = ON")
        migrations.apply(self.db)

    def close(self) -> None:
        self.db.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction for what belongs together. Inside an open one (a scan writes
        500 files per transaction) it joins it: a savepoint per file would cost more
        than the write, and an error rolls the whole batch back anyway."""
        if self.db.conn.in_transaction:
            yield
        else:
            with self.db.atomic():
                yield

    # -- meta ---------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        rows = list(self.db.query("select value from meta where key = ?", [key]))
        return str(rows[0]["value"]) if rows else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.table("meta").upsert({"key": key, "value": value}, pk="key")

    @property
    def instance_id(self) -> str:
        """Random per database: keeps idempotency keys unique if the file is recreated."""
        return self.meta("instance_id") or ""

    @property
    def baselined(self) -> bool:
        return self.meta("baseline_at") is not None

    # -- files and posts ----------------------------------------------------

    def file_states(self) -> dict[str, tuple[int, int]]:
        """(size, mtime_ns) of every file we have read, for the reconcile scan."""
        rows = self.db.execute("select path, size, mtime_ns from posts where status != 'withdrawn'")
        return {path: (size, mtime_ns) for path, size, mtime_ns in rows.fetchall()}

    def content_hash(self, path: str) -> str | None:
        """The bytes we last read at `path`, if it holds a post we still know."""
        row = self.db.execute(
            "select content_hash from posts where path = ? and status != 'withdrawn'", [path]
        ).fetchone()
        return row[0] if row else None

    def has_path(self, path: str) -> bool:
        return self.db.execute("select 1 from posts where path = ?", [path]).fetchone() is not None

    def touch(self, path: str, file: FileState, now: dt.datetime) -> None:
        """The file changed on disk but its bytes did not (touch, checkout)."""
        self.db.execute(
            "update posts set size = ?, mtime_ns = ?, updated_at = ? where path = ?",
            [file.size, file.mtime_ns, utc_text(now), path],
        )

    def record(
        self,
        result: Post | Rejected,
        file: FileState,
        channels: Iterable[str],
        now: dt.datetime,
        *,
        baseline: bool = False,
        renamed_from: str | None = None,
        delete_remote: bool = False,
    ) -> Recorded:
        """Store a parsed file and, for a newly publishable post, its deliveries.

        `baseline`: the first run over an existing site; posts already live are
        recorded as seen, not queued. `renamed_from`: the same post under a new name.
        `delete_remote`: a post that stops being published has its messages deleted.
        """
        with self.transaction():
            if renamed_from is not None:
                self.db.execute(
                    "update posts set path = ? where path = ?", [result.path, renamed_from]
                )
            old = self._post_row(result.path)
            row = _post_columns(result, file, now)
            was_ready = old is not None and old["status"] == "ready"
            if old is not None and old["status"] == "withdrawn":
                # Back within the window: removals that have not happened yet are off.
                self.db.execute(
                    "update deliveries set state = ? where post_id = ? and state = ?",
                    [SENT, old["id"], DELETING],
                )
            if old is None:
                row["first_seen"] = utc_text(now)
                live = isinstance(result, Post) and result.status(now) == "ready"
                row["baseline"] = int(baseline and live)
                post_id = self._insert("posts", row)
            else:
                post_id = int(old["id"])
                self.db.table("posts").update(post_id, row)
                self.db.execute("delete from post_categories where post_id = ?", [post_id])
            self._add_categories(post_id, result)
            if not isinstance(result, Post):
                return Recorded(result.path, result.status)
            if was_ready and not result.published:
                self._retract(post_id, now, delete_remote)
                return Recorded(result.path, "unpublished")
            if old is not None and old["summary_key"] == row["summary_key"] and was_ready:
                return Recorded(result.path, "renamed" if renamed_from else "unchanged")
            edits = self._mark_edits(post_id, row["summary_key"], now) if old is not None else 0
            queued = 0
            if result.published and not was_ready and not (baseline and row.get("baseline")):
                queued = self._queue(post_id, channels, result.date, now)
            outcome = "new" if old is None else "renamed" if renamed_from else "updated"
            if old is None and baseline and row.get("baseline"):
                outcome = "baseline"
            return Recorded(result.path, outcome, queued, edits)

    def _add_categories(self, post_id: int, result: Post | Rejected) -> None:
        """One row per category of a published post, in the same transaction as the post."""
        if isinstance(result, Post) and result.published and result.categories:
            date = utc_text(result.date)
            names = {search_key(name): name for name in result.categories}
            self.db.conn.executemany(
                "insert into post_categories (post_id, name, key, date_utc) values (?, ?, ?, ?)",
                [(post_id, name, key, date) for key, name in names.items()],
            )

    def _insert(self, table: str, row: dict[str, Any]) -> int:
        """A plain INSERT: sqlite-utils' insert() inspects the table on every call, and a
        first run inserts 100,000 posts."""
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        cursor = self.db.execute(
            f"insert into {table} ({columns}) values ({marks})", list(row.values())
        )
        return int(cursor.lastrowid or 0)

    def _post_row(self, path: str) -> dict[str, Any] | None:
        rows = list(self.db.query("select * from posts where path = ?", [path]))
        return rows[0] if rows else None

    def _queue(
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

    def _mark_edits(self, post_id: int, summary_key: str, now: dt.datetime) -> int:
        """Sent deliveries whose summary changed go back to the outbox as edits."""
        cursor = self.db.execute(
            "update deliveries set state = ?, next_attempt_at = ?, attempts = 0, updated_at = ?"
            " where post_id = ? and state = ? and remote_id is not null and sent_key != ?",
            [PENDING, utc_text(now), utc_text(now), post_id, SENT, summary_key],
        )
        return int(cursor.rowcount)

    def has_recent_withdrawals(self, now: dt.datetime) -> bool:
        """Whether any post was withdrawn within RETURN_WINDOW (it may come back)."""
        row = self.db.execute(
            "select 1 from posts where status = 'withdrawn' and updated_at >= ? limit 1",
            [utc_text(now - RETURN_WINDOW)],
        ).fetchone()
        return row is not None

    def rename_candidates(
        self, *, link: str, content_hash: str, now: dt.datetime
    ) -> list[tuple[str, str]]:
        """(path, status) of posts with this link or these exact bytes that are still
        known, or were withdrawn within RETURN_WINDOW."""
        rows = self.db.execute(
            "select path, status from posts where (link = ? or content_hash = ?)"
            " and (status != 'withdrawn' or updated_at >= ?)",
            [link, content_hash, utc_text(now - RETURN_WINDOW)],
        )
        return [(path, status) for path, status in rows.fetchall()]

    def withdraw(self, path: str, now: dt.datetime, *, delete_remote: bool = False) -> int:
        """A post file is gone: mark it withdrawn and retract its deliveries."""
        with self.transaction():
            row = self._post_row(path)
            if row is None:
                return 0
            self.db.table("posts").update(
                row["id"], {"status": "withdrawn", "updated_at": utc_text(now)}
            )
            self.db.execute("delete from post_categories where post_id = ?", [row["id"]])
            return self._retract(row["id"], now, delete_remote)

    def _retract(self, post_id: int, now: dt.datetime, delete_remote: bool) -> int:
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

    # -- deliveries ------------------------------------------------------------

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
        with self.transaction():
            return sum(
                self._queue(post_id, channels, dt.datetime.fromisoformat(date), now)
                for post_id, date in rows
            )


def _post_columns(result: Post | Rejected, file: FileState, now: dt.datetime) -> dict[str, Any]:
    columns: dict[str, Any] = {
        "path": result.path,
        "size": file.size,
        "mtime_ns": file.mtime_ns,
        "content_hash": file.content_hash,
        "updated_at": utc_text(now),
    }
    if isinstance(result, Rejected):
        return {**columns, "status": result.status, "reason": result.reason, "summary_key": None}
    return {
        **columns,
        "status": "ready" if result.published else "unpublished",
        "reason": "; ".join(result.notes),
        "title": result.title,
        "date": result.date.isoformat(),
        "date_utc": utc_text(result.date),
        "link": result.link,
        "lead": result.lead,
        "categories": json.dumps(result.categories, ensure_ascii=False),
        "tags": json.dumps(result.tags, ensure_ascii=False),
        "image_url": result.image_url,
        "image_path": result.image_path,
        "language": result.language,
        "summary_key": result.summary_key,
    }


def post_from_row(row: dict[str, Any]) -> Post:
    return Post(
        path=row["path"],
        title=row["title"],
        date=dt.datetime.fromisoformat(row["date"]),
        link=row["link"],
        lead=row["lead"] or "",
        categories=tuple(json.loads(row["categories"] or "[]")),
        tags=tuple(json.loads(row["tags"] or "[]")),
        image_url=row["image_url"],
        image_path=row["image_path"],
        language=row["language"],
        published=row["status"] != "unpublished",
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
