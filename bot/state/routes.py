"""Destinations in the state database (SPEC §10): when each started, so that one
added later never gets the archive, and the deliveries a renamed destination takes
over from the channel the environment used to make."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol, TypeGuard, cast

import sqlite_utils

from bot.clock import utc_text
from bot.jekyll.posts import Post
from bot.routing.destinations import DEFAULT_TOKEN_ENV, Destination
from bot.routing.rules import is_news, may_start_here
from bot.state.deliveries import WITHDRAWN, Deliveries
from bot.state.rows import post_from_row
from bot.state.transaction import write_transaction

log = logging.getLogger(__name__)
_PREFIX = "destination_started:"
# What a post's destinations depend on: when one of these changes, it is routed again.
_ROUTING = ("categories", "tags", "language", "syndicate", "not_on")


class Router(Protocol):
    """Where posts go: every channel, and which of them a post is for (scan.Folder)."""

    @property
    def channels(self) -> tuple[str, ...]: ...

    def route(self, post: Post) -> tuple[str, ...]: ...

    @property
    def destinations(self) -> tuple[Destination, ...]: ...


Channels = Iterable[str] | Router  # every channel (tests, backfill), or the rules


def _is_router(channels: Channels) -> TypeGuard[Router]:
    """isinstance() on a runtime Protocol walks its attributes, ~20 µs a call: once per
    post, that was seconds of a first run over 100,000 posts. A Router has `route`."""
    return callable(getattr(channels, "route", None))


def destinations_of(channels: Channels) -> tuple[Destination, ...]:
    """The destinations the rules know (none: plain channel keys, every one)."""
    return channels.destinations if _is_router(channels) else ()


def first_messages(
    db: sqlite_utils.Database, channels: Channels, post: Post, first_seen: str, now: dt.datetime
) -> list[str]:
    """The channels a post's first message may go to: those its rules send it to,
    less destinations that started after the post was first seen, unless it is news."""
    keys = channels.route(post) if _is_router(channels) else cast(Iterable[str], channels)
    starts = started(db)
    return [
        key
        for key in keys
        if may_start_here(first_seen=first_seen, started=starts.get(key), date=post.date, now=now)
    ]


def reroute(
    deliveries: Deliveries,
    post_id: int,
    post: Post,
    channels: Channels,
    old: Mapping[str, Any],
    columns: Mapping[str, Any],
    now: dt.datetime,
    delete_remote: bool,
) -> None:
    """A live post whose categories, tags, language or syndication changed: where it
    is no longer for, it is a removal (ON_DELETE); where it comes to be for, it goes
    only while it is news, and never as an archive post."""
    if not _is_router(channels):
        return
    if all(old.get(key) == columns.get(key) for key in _ROUTING):
        return
    wanted = set(channels.route(post))
    have = delivered_to(deliveries.db, post_id)
    gone = [
        key for key, state in have.items()
        if key not in wanted and state != WITHDRAWN and key in channels.channels
    ]  # fmt: skip
    if gone:
        deliveries.retract(post_id, now, delete_remote, channels=gone)
    new = [key for key in channels.channels if key in wanted and key not in have]
    if new and not old["baseline"] and is_news(post.date, now):
        deliveries.queue(post_id, new, post.date, now)


def register(
    db: sqlite_utils.Database, destinations: Sequence[Destination], now: dt.datetime
) -> None:
    """Record when each destination first appeared. A `[[destinations]]` table that
    names a chat or account the environment used to send to takes over that channel's
    deliveries (and its start): nothing it sent is sent again."""
    known = started(db)
    with write_transaction(db):
        for destination in destinations:
            if destination.key in known:
                continue
            old_key = f"{destination.platform}:{destination.target}"
            adopted = (
                old_key != destination.key
                and destination.credential_env in (None, *DEFAULT_TOKEN_ENV.values())
                and _has_deliveries(db, old_key)
                and not _has_deliveries(db, destination.key)
            )
            if adopted:
                db.execute(
                    "update deliveries set channel = ? where channel = ?",
                    [destination.key, old_key],
                )
                log.info("destination %s takes over the messages of %s", destination.name, old_key)
            since = known.get(old_key, "") if adopted else ""
            db.execute(
                "insert or replace into meta (key, value) values (?, ?)",
                [_PREFIX + destination.key, since or utc_text(now)],
            )


def started(db: sqlite_utils.Database) -> dict[str, str]:
    """When each destination started (UTC text), by its key."""
    rows = db.execute("select key, value from meta where key like ?", [_PREFIX + "%"])
    return {key[len(_PREFIX) :]: value for key, value in rows.fetchall()}


def delivered_to(db: sqlite_utils.Database, post_id: int) -> dict[str, str]:
    """The post's deliveries: channel → state."""
    rows = db.execute("select channel, state from deliveries where post_id = ?", [post_id])
    return dict(rows.fetchall())


def _has_deliveries(db: sqlite_utils.Database, channel: str) -> bool:
    row = db.execute("select 1 from deliveries where channel = ? limit 1", [channel]).fetchone()
    return row is not None


def backfill(
    deliveries: Deliveries,
    channels: Channels,
    now: dt.datetime,
    *,
    since: dt.datetime | None,
    latest: int | None,
    only: Sequence[str] = (),
) -> int:
    """Queue live posts that never went to a channel (`only` these): those since a
    date, or its newest N, each where its rules send it. Returns the deliveries queued."""
    keys = [key for key in _keys(channels) if not only or key in only]
    queued = 0
    with write_transaction(deliveries.db):
        for key in keys:
            sql = (
                "select * from posts where status = 'ready' and date_utc <= ? and id not in"
                " (select post_id from deliveries where channel = ?)"
            )
            params: list[Any] = [utc_text(now), key]
            if since is not None:
                sql += " and date_utc >= ?"
                params.append(utc_text(since))
            cursor = deliveries.db.execute(sql + " order by date_utc desc, id desc", params)
            names = [column[0] for column in cursor.description]
            taken = 0
            for values in cursor:
                if latest is not None and taken >= latest:
                    break
                post = post_from_row(dict(zip(names, values, strict=True)))
                if _is_router(channels) and key not in channels.route(post):
                    continue
                row_id = int(values[names.index("id")])
                queued += deliveries.queue(row_id, [key], post.date, now)
                taken += 1
    return queued


def _keys(channels: Channels) -> tuple[str, ...]:
    return channels.channels if _is_router(channels) else tuple(cast(Iterable[str], channels))
