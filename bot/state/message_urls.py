"""The public URLs of sent messages, as the state database keeps them (`remote_url`,
migration m005): those of the live posts, for the links file, and those not known yet.

A delivery's `remote_url` is the URL, "" when its message has none (a private
Telegram channel, the console), or null when it was sent before postbode kept them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import sqlite_utils

from bot.state.transaction import write_transaction

# Spelled as the partial index of m005 is: SQLite uses it only when the query repeats it.
UNKNOWN = "remote_url is null and remote_id is not null"
# A message that exists on its platform, of a post that is on the site: not one that
# was never sent or is gone (withdrawn, deleted), nor one whose removal is under way,
# nor one of a post whose file went or was unpublished (its page is gone). A post that
# became unreadable (a YAML typo) keeps its messages, and so its links.
_LIVE = (
    "select p.path, d.channel, d.remote_url from deliveries d join posts p on p.id = d.post_id"
    " where d.remote_url != '' and d.state not in ('withdrawn', 'deleted')"
    " and d.action != 'delete' and p.status not in ('withdrawn', 'unpublished')"
    " order by p.path, d.channel"
)


def live(db: sqlite_utils.Database) -> Iterator[tuple[str, str, str]]:
    """(post path, channel, URL) of every message a reader can open, by path and channel
    (SQLite's byte order is Python's string order: paths are UTF-8), one at a time."""
    yield from db.conn.execute(_LIVE)


def unknown(db: sqlite_utils.Database, channel: str) -> list[tuple[int, str]]:
    """(delivery id, remote id) of this channel's messages whose URL is not recorded."""
    return db.conn.execute(
        f"select id, remote_id from deliveries where channel = ? and {UNKNOWN}", [channel]
    ).fetchall()


def record(db: sqlite_utils.Database, urls: Iterable[tuple[int, str]]) -> None:
    """Record (delivery id, URL) pairs, in one transaction."""
    with write_transaction(db):
        db.conn.executemany(
            "update deliveries set remote_url = ? where id = ?", [(u, i) for i, u in urls]
        )
