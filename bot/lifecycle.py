"""The post lifecycle: what a file's new state means for its post and deliveries.

`plan(known, now_in_file, ...)` is a pure function. The store applies the plan in
one transaction; the table in tests/test_lifecycle.py names every transition.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from bot.clock import utc_text
from bot.jekyll.posts import Post, Rejected

Outcome = Literal[
    "new",  # a post to announce
    "baseline",  # there before the first run: recorded as seen, never news
    "imported",  # an old post among a flood of new files (an import): recorded as seen
    "updated",  # what readers see changed: sent messages are edited
    "unchanged",  # the same post (touched, saved again, re-read)
    "renamed",  # the same post under a new file name
    "returned",  # a withdrawn post's file is back
    "rescheduled",  # a post's date moved: unsent deliveries wait for it
    "unpublished",  # published: false (or draft) now: unsent deliveries withdrawn
    "withdrawn",  # the file is gone
    "invalid",  # not a publishable post (bad YAML, no link): a reason is kept
    "ignored",  # not a post at all (no front matter)
]
Publish = Literal["none", "new", "revive"]


@dataclass(frozen=True)
class Known:
    """What the database holds of a path (or of the file a new path was renamed from)."""

    status: str  # ready | unpublished | invalid | ignored | withdrawn
    seen: bool  # recorded as seen on the first run: never becomes news
    date_utc: str | None
    summary_key: str | None


@dataclass(frozen=True)
class Plan:
    """What to do. The flags are steps for the store, in this order."""

    outcome: Outcome
    seen: bool = False  # for a new row: recorded as seen
    restore_removals: bool = False  # back within the window: removals not done are off
    retract: bool = False  # unsent deliveries withdrawn; sent ones removed or kept (ON_DELETE)
    reschedule: bool = False  # unsent deliveries wait for the post's new date
    edit: bool = False  # sent deliveries whose summary differs go out again as edits
    # "new": deliveries for channels that have none (or whose earlier one was
    # withdrawn); "revive": only withdrawn ones come back, never a new row.
    publish: Publish = "none"


def plan(
    known: Known | None,
    file: Post | Rejected | None,
    *,
    first_run: bool,
    now: dt.datetime,
    renamed: bool = False,
    archive_before: dt.datetime | None = None,
) -> Plan:
    """The plan for one path. `known`: the database's row (None: a path never seen);
    `file`: what the file says now (None: it is gone); `first_run`: the baseline scan
    of a new database; `renamed`: `known` is the row of the file this one replaces;
    `archive_before`: the scan found a flood of new files (FLOOD_LIMIT), so a new post
    dated before this is an import, not news."""
    if file is None:
        return Plan("withdrawn", retract=True) if known else Plan("unchanged")
    if known is None:
        # The first run sees the site as it is: what is live (and files that are not
        # posts yet) is the archive. Drafts and scheduled posts are news when they go out.
        seen = first_run and (isinstance(file, Rejected) or file.status(now) == "ready")
        if isinstance(file, Rejected):
            return Plan(file.status, seen=seen)
        if archive_before and file.status(now) == "ready" and file.date < archive_before:
            return Plan("imported", seen=True, publish=_publish(file, True))
        return Plan("baseline" if seen else "new", seen=seen, publish=_publish(file, seen))
    # A post whose file left (or that was unpublished) is back: removals waiting
    # out the return window are cancelled, whatever the file says now.
    back = known.status in ("withdrawn", "unpublished")
    if isinstance(file, Rejected):
        # A YAML typo in a live post does not withdraw it: its messages stay.
        return Plan(file.status, seen=known.seen, restore_removals=back)
    if known.status == "ready":
        return _live_post_changed(known, file, renamed)
    outcome: Outcome = (
        "renamed" if renamed else "returned" if known.status == "withdrawn" else "updated"
    )
    return Plan(
        outcome,
        seen=known.seen,
        restore_removals=back,
        edit=True,
        publish=_publish(file, known.seen),
    )


def _live_post_changed(known: Known, file: Post, renamed: bool) -> Plan:
    """A post that was live (sent, or on its way) is read again."""
    if not file.published:
        return Plan("unpublished", seen=known.seen, retract=True)
    moved = known.date_utc != utc_text(file.date)
    if known.summary_key == file.summary_key:
        outcome: Outcome = "renamed" if renamed else "rescheduled" if moved else "unchanged"
        return Plan(outcome, seen=known.seen, reschedule=moved)
    return Plan("renamed" if renamed else "updated", seen=known.seen, reschedule=moved, edit=True)


def _publish(file: Post, seen: bool) -> Publish:
    """A published post is queued; one recorded as seen only gets back what it had."""
    if not file.published:
        return "none"
    return "revive" if seen else "new"
