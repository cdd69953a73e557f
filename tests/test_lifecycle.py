"""The post lifecycle as a table: what the database knew, what the file says now, the plan.

Every transition has a row; the rows marked "cb71da5" are the defects fixed in that
commit, kept here so that none can come back unnoticed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bot.clock import utc_text
from bot.jekyll.posts import Post, Rejected
from bot.lifecycle import Known, Plan, plan

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
YESTERDAY = NOW - dt.timedelta(days=1)
NEXT_WEEK = NOW + dt.timedelta(days=7)

LIVE = Post(path="a.md", title="Titel", date=YESTERDAY, link="https://example.nl/a")
RETITLED = dataclasses.replace(LIVE, title="Nieuwe titel")
SCHEDULED = dataclasses.replace(LIVE, date=NEXT_WEEK)
POSTPONED = dataclasses.replace(LIVE, date=NEXT_WEEK + dt.timedelta(days=1))
DRAFT = dataclasses.replace(LIVE, published=False)
BROKEN = Rejected("a.md", "invalid", "the YAML front matter cannot be read")
NOT_A_POST = Rejected("a.md", "ignored", "no front matter")


def known(post: Post | None = LIVE, *, status: str = "ready", seen: bool = False) -> Known:
    """The row the store would hold after recording `post` (None: a rejected file)."""
    return Known(
        status=status,
        seen=seen,
        date_utc=utc_text(post.date) if post else None,
        summary_key=post.summary_key if post else None,
    )


CASES: list[tuple[str, Known | None, Post | Rejected | None, bool, bool, Plan]] = [
    # name, known, file now, first run, renamed, plan
    ("a new post is news", None, LIVE, False, False, Plan("new", publish="new")),
    ("a new scheduled post is queued for its date", None, SCHEDULED, False, False,
     Plan("new", publish="new")),
    ("a new draft is recorded, not queued", None, DRAFT, False, False, Plan("new")),
    ("a new broken file is invalid", None, BROKEN, False, False, Plan("invalid")),
    ("a file without front matter is ignored", None, NOT_A_POST, False, False, Plan("ignored")),
    ("first run: a live post is the archive", None, LIVE, True, False,
     Plan("baseline", seen=True, publish="revive")),
    ("first run: a scheduled post stays news", None, SCHEDULED, True, False,
     Plan("new", publish="new")),
    ("first run: a draft stays news for when it is published", None, DRAFT, True, False,
     Plan("new")),
    ("first run: a broken file is seen, so fixing it later is not news", None, BROKEN, True,
     False, Plan("invalid", seen=True)),
    ("the same post again is unchanged", known(), LIVE, False, False, Plan("unchanged")),
    ("a changed title is an edit", known(), RETITLED, False, False,
     Plan("updated", edit=True)),
    ("a renamed file with the same post is a rename", known(), LIVE, False, True,
     Plan("renamed")),
    ("a renamed file with a new title is a rename with edits", known(), RETITLED, False, True,
     Plan("renamed", edit=True)),
    ("cb71da5: a postponed scheduled post waits for its new date", known(SCHEDULED), POSTPONED,
     False, False, Plan("rescheduled", reschedule=True)),
    ("a moved date and a new title: both", known(LIVE),
     dataclasses.replace(RETITLED, date=NEXT_WEEK), False, False,
     Plan("updated", reschedule=True, edit=True)),
    ("a live post unpublished is retracted", known(), DRAFT, False, False,
     Plan("unpublished", retract=True)),
    ("cb71da5: unpublished then published again within the window keeps its message",
     known(DRAFT, status="unpublished"), LIVE, False, False,
     Plan("updated", restore_removals=True, edit=True, publish="new")),
    ("a draft published is news", known(DRAFT, status="unpublished"), LIVE, False, False,
     Plan("updated", restore_removals=True, edit=True, publish="new")),
    ("a draft saved again stays a draft", known(DRAFT, status="unpublished"), DRAFT, False,
     False, Plan("updated", restore_removals=True, edit=True)),
    ("a gone file is withdrawn", known(), None, False, False, Plan("withdrawn", retract=True)),
    ("a gone file never recorded changes nothing", None, None, False, False, Plan("unchanged")),
    ("a withdrawn post's file comes back: its deliveries return", known(status="withdrawn"),
     LIVE, False, False,
     Plan("returned", restore_removals=True, edit=True, publish="new")),
    ("cb71da5: an archive post that leaves and comes back is not news",
     known(status="withdrawn", seen=True), LIVE, False, False,
     Plan("returned", seen=True, restore_removals=True, edit=True, publish="revive")),
    ("cb71da5: an archive post whose YAML typo is fixed is not news",
     known(None, status="invalid", seen=True), LIVE, False, False,
     Plan("updated", seen=True, edit=True, publish="revive")),
    ("a new post whose YAML typo is fixed is news", known(None, status="invalid"), LIVE, False,
     False, Plan("updated", edit=True, publish="new")),
    ("a YAML typo in a live post keeps its messages", known(), BROKEN, False, False,
     Plan("invalid")),
    ("a withdrawn post's file back but broken cancels the removal", known(status="withdrawn"),
     BROKEN, False, False, Plan("invalid", restore_removals=True)),
    ("an archive post edited is edited, not news", known(seen=True), RETITLED, False, False,
     Plan("updated", seen=True, edit=True)),
    ("a second run is never a baseline", known(), LIVE, True, False, Plan("unchanged")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("known_row", "file", "first_run", "renamed", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_the_plan_for_each_transition(
    known_row: Known | None,
    file: Post | Rejected | None,
    first_run: bool,
    renamed: bool,
    expected: Plan,
) -> None:
    """Each known state and file state has exactly the plan in the table."""
    assert plan(known_row, file, first_run=first_run, now=NOW, renamed=renamed) == expected


# A scan that found more new files than FLOOD_LIMIT: posts older than this are an import.
IMPORT_BEFORE = NOW - dt.timedelta(days=7)
LAST_MONTH = dataclasses.replace(LIVE, date=NOW - dt.timedelta(days=30))

FLOOD_CASES: list[tuple[str, Known | None, Post | Rejected, Plan]] = [
    ("an old post among a flood of new files is an import", None, LAST_MONTH,
     Plan("imported", seen=True, publish="revive")),
    ("a recent post among them is news all the same", None, LIVE, Plan("new", publish="new")),
    ("a scheduled post among them is news at its date", None,
     dataclasses.replace(SCHEDULED, date=NEXT_WEEK), Plan("new", publish="new")),
    ("an old draft among them waits to be published", None,
     dataclasses.replace(LAST_MONTH, published=False), Plan("new")),
    ("a broken file among them is invalid", None, BROKEN, Plan("invalid")),
    ("a known post edited during a flood is an edit", known(LAST_MONTH),
     dataclasses.replace(LAST_MONTH, title="Nieuw"), Plan("updated", edit=True)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("known_row", "file", "expected"),
    [case[1:] for case in FLOOD_CASES],
    ids=[case[0] for case in FLOOD_CASES],
)
def test_the_plan_in_a_flood_of_new_files(
    known_row: Known | None, file: Post | Rejected, expected: Plan
) -> None:
    got = plan(known_row, file, first_run=False, now=NOW, archive_before=IMPORT_BEFORE)
    assert got == expected


def test_the_table_names_every_outcome() -> None:
    """No outcome of the lifecycle is left without a row in the tables."""
    from typing import get_args

    from bot.lifecycle import Outcome

    outcomes = {case[-1].outcome for case in CASES} | {case[-1].outcome for case in FLOOD_CASES}
    assert outcomes == set(get_args(Outcome))
