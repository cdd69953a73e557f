"""State in SQLite (sqlite-utils): the posts, their files and categories, and meta;
`store.deliveries` is the outbox table (bot/deliveries.py).

Everything that belongs together is written in one transaction, before any
network call: a kill -9 at any moment leaves a consistent database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from bot.jekyll.posts import Post, Rejected
from bot.state.deliveries import RETURN_WINDOW, Deliveries
from bot.state.rows import FileState, post_columns, utc_text
from bot.state.schema import migrations
from bot.text import search_key


class StateError(RuntimeError):
    """The state file cannot be used (not SQLite, corrupt); the message names it."""


@dataclass(frozen=True)
class Recorded:
    """What recording a file changed: for logs and for the outbox."""

    path: str
    outcome: str  # new | baseline | updated | unchanged | renamed | invalid | ignored
    queued: int = 0  # deliveries created
    edits: int = 0  # sent deliveries whose summary changed


class Store:
    """The state database. One thread uses it (the worker's event-loop thread)."""

    def __init__(self, path: Path | str) -> None:
        self.db = sqlite_utils.Database(path)
        try:
            self.db.execute("PRAGMA busy_timeout = 5000")
            if self.db.journal_mode != "wal":
                self.db.enable_wal()
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA foreign_keys = ON")
            migrations.apply(self.db)
        except sqlite3.DatabaseError as error:
            self.db.close()
            raise StateError(f"STATE_DB: {path} is not a postbode database ({error})") from None
        self.deliveries = Deliveries(self.db)

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

    def file_states(self, paths: Iterable[str] | None = None) -> dict[str, tuple[int, int]]:
        """(size, mtime_ns) of the files we have read: all (the reconcile scan), or
        those among `paths` (a watcher batch, which must not load 100,000 rows)."""
        sql = "select path, size, mtime_ns from posts where status != 'withdrawn'"
        if paths is None:
            rows = self.db.execute(sql).fetchall()
        else:
            rows = [
                row
                for path in paths
                for row in self.db.execute(sql + " and path = ?", [path]).fetchall()
            ]
        return {path: (size, mtime_ns) for path, size, mtime_ns in rows}

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

        `baseline`: the first run over an existing site. What is already there is
        recorded as seen: live posts, and files that are not posts (yet); a seen post
        never becomes news, whatever happens to its file later (only `backfill`
        publishes it). Drafts and scheduled posts are not seen: they go out when
        published or due. `renamed_from`: the same post under a new name.
        `delete_remote`: a post that stops being published has its messages deleted.
        """
        with self.transaction():
            if renamed_from is not None:
                self.db.execute(
                    "update posts set path = ? where path = ?", [result.path, renamed_from]
                )
            old = self._post_row(result.path)
            row = post_columns(result, file, now)
            was_ready = old is not None and old["status"] == "ready"
            seen = old is not None and bool(old["baseline"])
            if old is not None and old["status"] in ("withdrawn", "unpublished"):
                # Back within the window: removals that have not happened yet are off.
                self.deliveries.restore_removals(old["id"])
            if old is None:
                row["first_seen"] = utc_text(now)
                seen = baseline and (not isinstance(result, Post) or result.status(now) == "ready")
                row["baseline"] = int(seen)
                post_id = self._insert("posts", row)
            else:
                post_id = int(old["id"])
                self.db.table("posts").update(post_id, row)
                self.db.execute("delete from post_categories where post_id = ?", [post_id])
            self._add_categories(post_id, result)
            if not isinstance(result, Post):
                return Recorded(result.path, result.status)
            if was_ready and not result.published:
                self.deliveries.retract(post_id, now, delete_remote)
                return Recorded(result.path, "unpublished")
            if was_ready and old is not None and old["date_utc"] != row["date_utc"]:
                self.deliveries.reschedule(post_id, result.date, now)  # a postponed post
            if old is not None and old["summary_key"] == row["summary_key"] and was_ready:
                return Recorded(result.path, "renamed" if renamed_from else "unchanged")
            edits = (
                self.deliveries.mark_edits(post_id, row["summary_key"], now)
                if old is not None
                else 0
            )
            queued = 0
            if result.published and not was_ready:
                queued = self.deliveries.queue(
                    post_id, channels, result.date, now, revive_only=seen
                )
            outcome = "new" if old is None else "renamed" if renamed_from else "updated"
            if old is None and seen:
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

    def paths_never_sent(self) -> list[str]:
        """Files of posts with no message on any platform (invalid ones included)."""
        rows = self.db.execute(
            "select path from posts where status != 'withdrawn' and id not in"
            " (select post_id from deliveries where remote_id is not null)"
        )
        return [path for (path,) in rows.fetchall()]

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
            return self.deliveries.retract(row["id"], now, delete_remote)
