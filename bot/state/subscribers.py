"""Readers' subscriptions (SPEC §11): which private chats want every post ('*') or a
category's posts, and in which language; readers who blocked the bot are let go."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlite_utils

from bot.clock import utc_text
from bot.state.transaction import write_transaction

EVERY = "*"  # the key of a subscription to every post
# A reader may follow this many categories: a bound on what one account can make us store.
MAX_PER_READER = 50
EVERY_LABEL = "every post"  # how `status` names EVERY
_GONE = "subscribers_gone"  # meta: readers unsubscribed because they blocked the bot


@dataclass(frozen=True)
class Subscription:
    key: str  # a category's search key, or EVERY
    name: str  # the category as the reader saw it when subscribing ("" for EVERY)


class Subscribers:
    """The subscriptions table; each change is one statement or one transaction."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def subscribe(self, chat_id: int, key: str, name: str, language: str, now: dt.datetime) -> bool:
        """True when new; False when the reader had it already or is at MAX_PER_READER.
        The reader's language is the one of their latest command, for all of theirs."""
        with write_transaction(self.db):
            self.db.execute(
                "update subscriptions set language = ? where chat_id = ?", [language, chat_id]
            )
            if len(self.of(chat_id)) >= MAX_PER_READER:
                return False
            cursor = self.db.execute(
                "insert or ignore into subscriptions (chat_id, key, name, language, created_at)"
                " values (?, ?, ?, ?, ?)",
                [chat_id, key, name, language, utc_text(now)],
            )
            return cursor.rowcount == 1

    def unsubscribe(self, chat_id: int, key: str | None = None) -> int:
        """One subscription (None: all of them); how many went."""
        if key is None:
            cursor = self.db.execute("delete from subscriptions where chat_id = ?", [chat_id])
        else:
            cursor = self.db.execute(
                "delete from subscriptions where chat_id = ? and key = ?", [chat_id, key]
            )
        return int(cursor.rowcount)

    def of(self, chat_id: int) -> list[Subscription]:
        """A reader's subscriptions, every post first, then by name."""
        rows = self.db.execute(
            "select key, name from subscriptions where chat_id = ?"
            " order by key != ?, lower(name), key",
            [chat_id, EVERY],
        ).fetchall()
        return [Subscription(key, name) for key, name in rows]

    def drop_reader(self, chat_id: int) -> int:
        """The reader blocked the bot or deleted their account (403): their subscriptions
        go, their messages not yet sent are dropped, and they are counted."""
        with write_transaction(self.db):
            gone = int(
                self.db.execute("delete from subscriptions where chat_id = ?", [chat_id]).rowcount
            )
            self.db.execute(
                "update private_deliveries set state = 'gone' where chat_id = ?"
                " and state in ('pending', 'sending')",
                [chat_id],
            )
            self.db.execute(
                "insert into meta (key, value) values (?, 1) on conflict (key)"
                " do update set value = cast(value as integer) + 1",
                [_GONE],
            )
        return gone

    def counts(self) -> dict[str, object]:
        """For `status`: readers, subscribers per category (every post as '*'), and the
        readers unsubscribed because they blocked the bot."""
        per_key = {
            (EVERY_LABEL if key == EVERY else name): count
            for key, name, count in self.db.execute(
                "select key, min(name), count(*) from subscriptions group by key"
                " order by count(*) desc, key"
            ).fetchall()
        }
        (readers,) = self.db.execute(
            "select count(*) from (select distinct chat_id from subscriptions)"
        ).fetchone()
        gone = self.db.execute("select value from meta where key = ?", [_GONE]).fetchone()
        return {"readers": readers, "per_category": per_key, "blocked": int(gone[0]) if gone else 0}
