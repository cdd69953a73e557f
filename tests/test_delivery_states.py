"""The delivery state machine as a table, on a real SQLite file: a row's (action, state)
before an event, and after it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.clock import utc_text
from bot.state.deliveries import Deliveries
from bot.state.store import Store
from bot.state.waiting import Waiting

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
KEY, OTHER_KEY = "key-now", "key-before"

Event = Callable[[Deliveries, int], object]
EVENTS: dict[str, Event] = {
    "queued": lambda d, post: d.queue(post, ["console"], NOW, NOW),
    "queued again (seen post)": lambda d, post: d.queue(post, ["console"], NOW, NOW, revive_only=True),
    "sending": lambda d, post: d.mark_sending(1, NOW),
    "sent": lambda d, post: d.mark_sent(1, "m-1", KEY, NOW),
    "sent, post changed in flight": lambda d, post: d.mark_sent(1, "m-1", OTHER_KEY, NOW),
    "summary changed": lambda d, post: d.mark_edits(post, KEY, NOW),
    "retry": lambda d, post: d.mark_retry(1, "502", NOW, NOW),
    "refused": lambda d, post: d.mark_failed(1, "400", NOW),
    "post gone, keep": lambda d, post: d.retract(post, NOW, delete_remote=False),
    "post gone, delete": lambda d, post: d.retract(post, NOW, delete_remote=True),
    "post back": lambda d, post: d.restore_removals(post),
    "retry command": lambda d, post: d.retry_failed(NOW),
    "removed": lambda d, post: d.mark_deleted(1, NOW),
    "queued to wait for the page": lambda d, post: d.queue(post, ["console"], NOW, NOW, wait=True),
    "page live": lambda d, post: Waiting(d.db).release(post, NOW),
}  # fmt: skip

# (action, state, remote id) before, the event, (action, state) after.
CASES = [
    (None, "queued", ("publish", "pending")),
    (("publish", "pending", None), "sending", ("publish", "sending")),
    (("publish", "sending", None), "sent", ("publish", "sent")),
    # cb71da5: a typo fixed while the first publish was on its way is not lost.
    (("publish", "sending", None), "sent, post changed in flight", ("edit", "pending")),
    (("publish", "sending", None), "retry", ("publish", "pending")),
    (("publish", "sending", None), "refused", ("publish", "failed")),
    (("publish", "failed", None), "retry command", ("publish", "pending")),
    (("publish", "sent", "m-1"), "summary changed", ("edit", "pending")),
    (("publish", "sent", "m-1"), "queued", ("publish", "sent")),  # never a second message
    (("edit", "sending", "m-1"), "sent", ("edit", "sent")),
    (("edit", "failed", "m-1"), "retry command", ("edit", "pending")),
    (("publish", "pending", None), "post gone, keep", ("publish", "withdrawn")),
    (("publish", "failed", None), "post gone, delete", ("publish", "withdrawn")),
    (("edit", "pending", "m-1"), "post gone, keep", ("edit", "sent")),
    (("publish", "sent", "m-1"), "post gone, keep", ("publish", "sent")),
    (("publish", "sent", "m-1"), "post gone, delete", ("delete", "pending")),
    (("edit", "pending", "m-1"), "post gone, delete", ("delete", "pending")),
    # cb71da5: a post removed while in flight is removed once sent.
    (("publish", "sending", None), "post gone, delete", ("delete", "sending")),
    (("delete", "sending", None), "sent", ("delete", "pending")),
    (("delete", "pending", "m-1"), "post back", ("publish", "sent")),
    (("delete", "failed", "m-1"), "post back", ("publish", "sent")),
    (("delete", "sending", "m-1"), "retry", ("delete", "pending")),
    (("delete", "failed", "m-1"), "retry command", ("delete", "pending")),
    (("delete", "sending", "m-1"), "removed", ("delete", "deleted")),
    # cb71da5: a deleted or withdrawn delivery comes back as a new publication.
    (("delete", "deleted", "m-1"), "queued", ("publish", "pending")),
    (("publish", "withdrawn", None), "queued again (seen post)", ("publish", "pending")),
    (("publish", "sent", "m-1"), "queued again (seen post)", ("publish", "sent")),
    # SPEC §12: a first publication waits for its page, out of the outbox's queues.
    (None, "queued to wait for the page", ("publish", "waiting")),
    (("publish", "withdrawn", None), "queued to wait for the page", ("publish", "waiting")),
    (("publish", "sent", "m-1"), "queued to wait for the page", ("publish", "sent")),
    (("publish", "waiting", None), "page live", ("publish", "pending")),
    (("publish", "waiting", None), "queued", ("publish", "waiting")),
    (("publish", "waiting", None), "summary changed", ("publish", "waiting")),  # not sent yet
    (("publish", "waiting", None), "post gone, keep", ("publish", "withdrawn")),
    (("publish", "waiting", None), "post gone, delete", ("publish", "withdrawn")),
    (("publish", "waiting", None), "retry command", ("publish", "waiting")),
    (("publish", "pending", None), "page live", ("publish", "pending")),
]


@pytest.mark.parametrize(
    ("before", "event", "after"),
    CASES,
    ids=[f"{before[1] if before else 'none'}-{before[0] if before else ''}: {event}"
         for before, event, _ in CASES],
)  # fmt: skip
def test_each_event_moves_a_delivery_as_the_table_says(
    tmp_path: Path,
    before: tuple[str, str, str | None] | None,
    event: str,
    after: tuple[str, str],
) -> None:
    """A delivery in a given action and state ends in the state the table names."""
    store = Store(tmp_path / "state.db")
    store.db.execute(
        "insert into posts (id, path, status, title, date, date_utc, link, summary_key)"
        " values (1, 'a.md', 'ready', 'T', ?, ?, 'https://example.nl/a', ?)",
        [NOW.isoformat(), utc_text(NOW), KEY],
    )
    if before is not None:
        action, state, remote_id = before
        store.db.execute(
            "insert into deliveries (id, post_id, channel, action, state, remote_id, sent_key,"
            " next_attempt_at, created_at, date_utc) values (1, 1, 'console', ?, ?, ?, ?, ?, ?, ?)",
            [action, state, remote_id, OTHER_KEY, utc_text(NOW), utc_text(NOW), utc_text(NOW)],
        )
    EVENTS[event](store.deliveries, 1)
    row = store.db.execute("select action, state from deliveries where id = 1").fetchone()
    assert tuple(row) == after
    store.close()


def test_the_outbox_finds_its_next_delivery_through_the_partial_indexes(store: Store) -> None:
    """The head queries repeat the indexes' conditions, so SQLite searches, not scans."""
    from bot.state.queues import NEXT_QUEUED, NEXT_REMOVAL

    plans = {
        sql: [row[-1] for row in store.db.execute(f"explain query plan {sql}", params)]
        for sql, params in ((NEXT_QUEUED, ["console"]), (NEXT_REMOVAL, ["console", ""]))
    }
    assert plans[NEXT_QUEUED][0] == "SEARCH d USING INDEX deliveries_queued (channel=?)"
    assert plans[NEXT_REMOVAL][0] == "SEARCH d USING INDEX deliveries_removals (channel=?)"


def test_the_head_asks_all_queues_in_one_query_through_their_indexes(store: Store) -> None:
    """head() is one round trip; each part still searches its own partial index."""
    from bot.state.queues import NEXT_EITHER

    params = ["c", "c", "", "c", ""]
    plan = [row[-1] for row in store.db.execute(f"explain query plan {NEXT_EITHER}", params)]
    searches = [step for step in plan if step.startswith("SEARCH d")]
    assert searches == [
        "SEARCH d USING INDEX deliveries_queued (channel=?)",  # publications
        "SEARCH d USING INDEX deliveries_queued (channel=?)",  # edits
        "SEARCH d USING INDEX deliveries_removals (channel=?)",
    ]
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    store.deliveries.head("console", NOW)
    store.db.conn.set_trace_callback(None)
    assert len(statements) == 1


def test_the_live_check_finds_the_waiting_posts_through_their_partial_index(store: Store) -> None:
    """The due looks and the next one are searched in the m006 index, not scanned."""
    from bot.state.waiting import DUE, NEXT_DUE

    due = [row[-1] for row in store.db.execute(f"explain query plan {DUE}", [""])]
    assert "SEARCH d USING INDEX deliveries_waiting (next_attempt_at<?)" in due
    (next_due,) = [row[-1] for row in store.db.execute(f"explain query plan {NEXT_DUE}")]
    assert next_due == "SEARCH deliveries USING INDEX deliveries_waiting"
