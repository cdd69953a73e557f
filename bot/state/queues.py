"""The outbox's queues as SQL: what each channel sends next (text only, no I/O).

The queues are partial indexes (schema m003) whose conditions are spelled here
exactly as there, literals and all: SQLite uses a partial index only when the
query repeats its condition, so the next delivery is an index lookup however
many were ever sent.
"""

from __future__ import annotations

QUEUED = "state in ('pending', 'sending') and action != 'delete'"
REMOVALS = "state in ('pending', 'sending') and action = 'delete'"
_HEAD = (
    "select d.id as delivery_id, d.post_id, d.channel, d.action, d.state, d.attempts,"
    " d.remote_id, d.sent_key, d.next_attempt_at, d.created_at as delivery_created, p.*"
    " from deliveries d join posts p on p.id = d.post_id where d.channel = ?"
)
_ORDER = " order by d.date_utc, d.post_id limit 1"
# The channel's next publication (due or not: the order waits for it), and its next
# edit and removal that are due (they take no part in the order, so one that waits,
# an edit settling or a retry backing off, holds nothing up).
NEXT_QUEUED = f"{_HEAD} and {QUEUED} and d.action = 'publish' and p.status = 'ready'{_ORDER}"
NEXT_EDIT = (
    f"{_HEAD} and {QUEUED} and d.action = 'edit' and p.status = 'ready'"
    f" and d.next_attempt_at <= ?{_ORDER}"
)
NEXT_REMOVAL = f"{_HEAD} and {REMOVALS} and d.next_attempt_at <= ?{_ORDER}"
# All three in one round trip: at most three rows, each found through its index.
NEXT_EITHER = (
    f"select * from ({NEXT_QUEUED}) union all select * from ({NEXT_EDIT})"
    f" union all select * from ({NEXT_REMOVAL})"
)
# When the next edit or removal that is not due yet will be (the idle outbox's alarm).
NEXT_WAKE = (
    f"select min(next_attempt_at) from deliveries where channel = ? and ({QUEUED} and"
    f" action = 'edit' or {REMOVALS}) and state = 'pending'"
)
