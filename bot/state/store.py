"""State in SQLite (sqlite-utils): the posts, their files and categories, and meta;
`store.deliveries` is the outbox table (bot/deliveries.py).

Everything that belongs together is written in one transaction, before any
network call: a kill -9 at any moment leaves a consistent database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from bot import lifecycle
from bot.clock import utc_text
from bot.jekyll.posts import Post, Rejected
from bot.live.rules import under_site
from bot.state import fanout, routes, search, search_build
from bot.state.deliveries import RETURN_WINDOW, Deliveries
from bot.state.routes import Channels
from bot.state.rows import POST_COLUMNS, FileState, known, post_columns
from bot.state.schema import migrations
from bot.state.transaction import write_failure, write_transaction
from bot.text import search_key


class StateError(RuntimeError):
    """The state file cannot be used (not SQLite, corrupt); the message names it."""


@dataclass(frozen=True)
class Recorded:
    """What recording a file changed: for logs and for the outbox."""

    path: str
    outcome: lifecycle.Outcome
    queued: int = 0  # deliveries created
    edits: int = 0  # sent deliveries whose summary changed


class Store:
    """The state database, one connection. A connection belongs to one thread: the worker
    has one for its event loop and one for its scan thread."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        # No plugins (postbode uses none): looking for them costs 30 ms of each start.
        self.db = sqlite_utils.Database(path, execute_plugins=False)
        try:
            self.db.execute("PRAGMA busy_timeout = 5000")
            if self.db.journal_mode != "wal":
                self.db.enable_wal()
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA foreign_keys = ON")
            with self.db.atomic():  # an upgrade happens whole or not at all
                migrations.apply(self.db)
        except sqlite3.DatabaseError as error:
            self.db.close()
            if reason := write_failure(error):
                raise StateError(f"STATE_DB: cannot write {path} ({reason})") from None
            raise StateError(f"STATE_DB: {path} is not a postbode database ({error})") from None
        self.deliveries = Deliveries(self.db)

    def close(self) -> None:
        self.db.close()

    def transaction(self) -> contextlib.AbstractContextManager[None]:
        """One transaction for what belongs together, the write lock taken at its start;
        inside an open one it joins it (an error rolls the whole batch back anyway)."""
        return write_transaction(self.db)

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
        channels: Channels,
        now: dt.datetime,
        *,
        baseline: bool = False,
        renamed_from: str | None = None,
        delete_remote: bool = False,
        archive_before: dt.datetime | None = None,
        live_site: str | None = None,
    ) -> Recorded:
        """Store a parsed file and carry out its lifecycle plan (bot/lifecycle.py).

        `baseline`: the first run over an existing site. `renamed_from`: the same post
        under a new name. `delete_remote`: a post that stops being published has its
        messages deleted. `archive_before`: see lifecycle.plan (a flood of new files).
        `live_site`: a post queued with its link under this site waits for its page.
        """
        with self.transaction():
            if renamed_from is not None:
                self.db.execute(
                    "update posts set path = ? where path = ?", [result.path, renamed_from]
                )
            old = self._post_row(result.path)
            if old is None:
                return self.record_new(
                    [(result, file)],
                    channels,
                    now,
                    baseline=baseline,
                    archive_before=archive_before,
                    live_site=live_site,
                )[0]
            step = lifecycle.plan(
                known(old), result, first_run=baseline, now=now, renamed=renamed_from is not None
            )
            post_id = int(old["id"])
            columns = post_columns(result, file, now)
            search.forget(self.db.conn, [old])  # with the words it was indexed with
            self.db.table("posts").update(post_id, columns)
            self.db.execute("delete from post_categories where post_id = ?", [post_id])
            self._add_categories([(post_id, result)])
            recorded = self._carry_out(
                step, post_id, result, channels, now, delete_remote,
                live_site=live_site, first_seen=old["first_seen"] or "",
            )  # fmt: skip
            if old["status"] == "ready" and isinstance(result, Post) and result.published:
                routes.reroute(
                    self.deliveries, post_id, result, channels, old, columns, now, delete_remote
                )
            return recorded

    def post_ids(self, paths: list[str]) -> dict[str, int]:
        """The row id of those of `paths` the database holds (withdrawn ones included)."""
        marks = ", ".join("?" for _ in paths)
        return dict(self.db.execute(f"select path, id from posts where path in ({marks})", paths))

    def record_new(
        self,
        files: list[tuple[Post | Rejected, FileState]],
        channels: Channels,
        now: dt.datetime,
        *,
        baseline: bool = False,
        archive_before: dt.datetime | None = None,
        live_site: str | None = None,
        bulk: search_build.Bulk | None = None,
    ) -> list[Recorded]:
        """`record` for files at paths the database has never held (`post_ids`), not
        renamed: the same plans, their rows written with one executemany per table
        (a first run writes 100,000); `bulk`: a big import's search indexing."""
        with self.transaction():
            steps = [
                lifecycle.plan(None, r, first_run=baseline, now=now, archive_before=archive_before)
                for r, _ in files
            ]
            stamp = utc_text(now)
            rows = [
                {**post_columns(result, file, now), "first_seen": stamp, "baseline": int(step.seen)}
                for (result, file), step in zip(files, steps, strict=True)
            ]
            self.db.conn.executemany(
                f"insert into posts ({', '.join(POST_COLUMNS)}) values ({', '.join('?' * len(POST_COLUMNS))})",
                [[row.get(column) for column in POST_COLUMNS] for row in rows],
            )
            ids = self.post_ids([result.path for result, _ in files])
            self._add_categories([(ids[result.path], result) for result, _ in files], bulk)
            return [
                # A new row has no deliveries: "revive" has nothing to bring back.
                self._carry_out(
                    step, ids[result.path], result, channels, now, False,
                    live_site=live_site, first_seen=stamp,
                ) if step.publish == "new" else Recorded(result.path, step.outcome)
                for (result, _), step in zip(files, steps, strict=True)
            ]  # fmt: skip

    def refresh_search(self) -> bool:
        """What a big import left the search index owed (bot.state.search_build), done;
        whether anything was."""
        if self.meta(search_build.OWED) is None and self.meta(search_build.STALE) is None:
            return False  # no write lock for nothing: every scan asks
        with self.transaction():
            return search_build.finish(self.db.conn)

    def withdraw(self, path: str, now: dt.datetime, *, delete_remote: bool = False) -> None:
        """A post file is gone: mark it withdrawn and retract its deliveries."""
        with self.transaction():
            row = self._post_row(path)
            if row is None:
                return
            self.db.table("posts").update(
                row["id"], {"status": "withdrawn", "updated_at": utc_text(now)}
            )
            self.db.execute("delete from post_categories where post_id = ?", [row["id"]])
            search.forget(self.db.conn, [row])
            step = lifecycle.plan(known(row), None, first_run=False, now=now)
            self._carry_out(step, int(row["id"]), None, (), now, delete_remote)

    def _carry_out(
        self,
        step: lifecycle.Plan,
        post_id: int,
        result: Post | Rejected | None,
        channels: Channels,
        now: dt.datetime,
        delete_remote: bool,
        *,
        live_site: str | None = None,
        first_seen: str = "",
    ) -> Recorded:
        """The plan's steps on the post's deliveries, inside the caller's transaction."""
        path = result.path if result is not None else ""
        queued = edits = 0
        if step.restore_removals:
            self.deliveries.restore_removals(post_id)
        if step.retract:
            self.deliveries.retract(post_id, now, delete_remote)
        if not isinstance(result, Post):
            return Recorded(path, step.outcome, queued)
        if step.reschedule:
            self.deliveries.reschedule(post_id, result.date, now)
        if step.edit:
            edits = self.deliveries.mark_edits(post_id, result.summary_key, now)
        if step.publish != "none":
            # Before `queue`, which clears a revived row's message: an old post that
            # returns (sent before subscriptions had fan-outs) is no news to readers.
            sent_before = fanout.ever_sent(self.db, post_id)
            queued = self.deliveries.queue(
                post_id,
                routes.first_messages(self.db, channels, result, first_seen, now),
                result.date,
                now,
                revive_only=step.publish == "revive",
                wait=under_site(result.link, live_site),  # its first message: SPEC §12
            )
            if step.publish == "new" and queued and not sent_before:  # readers' chats (§11)
                fanout.mark(self.db, post_id, result, now, routes.destinations_of(channels))
        return Recorded(path, step.outcome, queued, edits)

    def _add_categories(
        self, posts: list[tuple[int, Post | Rejected]], bulk: search_build.Bulk | None = None
    ) -> None:
        """One row per category of a published post, and its words in the search index,
        in the same transaction as the post."""
        if bulk is not None:
            bulk.index(self.db.conn, posts)
        else:
            search.index(self.db.conn, posts)
        self.db.conn.executemany(
            "insert into post_categories (post_id, name, key, date_utc) values (?, ?, ?, ?)",
            [
                (post_id, name, key, utc_text(result.date))
                for post_id, result in posts
                if isinstance(result, Post) and result.published
                for key, name in {search_key(name): name for name in result.categories}.items()
            ],
        )

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
