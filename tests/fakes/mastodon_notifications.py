"""The fake Mastodon's mentions and notifications (a mixin of FakeMastodon).

As Mastodon does: a status that writes ``@name`` (or ``@name@domain``) of an account
here mentions it (a ``mentions`` entry, an h-card link in ``content``) and gives that
account a ``mention`` notification, also for a direct status; an edit that adds a
mention notifies the newly mentioned account (the status then has ``edited_at``); a
boost of an account's status notifies it with ``reblog``. ``GET /api/v1/notifications``
pages newest first with ``max_id``/``since_id``/``min_id``/``limit`` and a Link header,
filtered by ``types[]``/``exclude_types[]``/``account_id``. The streaming API:
``GET /api/v1/streaming/health`` answers ``OK``; ``/api/v1/streaming/user`` and
``/user/notification`` are server-sent events (``event: notification``, heartbeats
``:thump``). POST /api/v1/statuses refuses an ``in_reply_to_id`` the poster cannot see
(404, as Mastodon's controller does); a reply less private than what it answers is
allowed, as by Mastodon, and listed in ``widened`` for tests to look at.
"""

from __future__ import annotations

import html
import json
import re
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from tests.fakes.server import _Handler

if TYPE_CHECKING:
    from tests.fakes.mastodon import FakeStatus

NOTIFICATION_TYPES = ("mention", "status", "reblog", "follow", "favourite", "poll", "update")
PRIVACY = {"public": 0, "unlisted": 1, "private": 2, "direct": 3}
_MENTION = re.compile(r"(?<![\w/])@(\w+)(?:@([\w.-]+\w))?")
STREAM_PATHS = ("/api/v1/streaming/user", "/api/v1/streaming/user/notification")


@dataclass
class FakeNotification:
    id: str
    type: str
    recipient: str  # the username notified
    account: str  # the username that caused it
    status_id: str | None
    created_at: float
    raw: dict[str, Any] | None = None  # injected as it is (a hostile server)


@dataclass
class _Stream:
    username: str
    events: deque[str] = field(default_factory=deque)
    cut: bool = False


def _base() -> Any:
    from tests.fakes import mastodon  # imported late: that module imports this one

    return mastodon


class Notifications:
    """Mixed into FakeMastodon (which provides the lock, accounts, statuses, JSON)."""

    streaming = True  # False: no streaming server (404), clients must poll
    heartbeat = 15.0  # seconds between ":thump" comments on an idle stream

    def _init_notifications(self) -> None:
        self._notifications: list[FakeNotification] = []
        self._last_notification = 100
        self._mentions: dict[str, list[str]] = {}  # status id -> usernames mentioned
        self._reblog_of: dict[str, str] = {}
        self._domains: dict[str, str] = {}  # remote accounts: username -> domain
        self._bots: set[str] = {self.default_username}  # type: ignore[attr-defined]
        self._streams: list[_Stream] = []
        self.widened: list[tuple[str, str, str]] = []  # (reply id, its visibility, the answered's)

    # -- what tests do ------------------------------------------------------------------

    def add_account(
        self, username: str, token: str, *, bot: bool = False, domain: str = ""
    ) -> None:
        """Another account (``domain``: a remote one, acct ``name@domain``) with a token."""
        with self._cond:  # type: ignore[attr-defined]
            self.add_token(token, username)  # type: ignore[attr-defined]
            if bot:
                self._bots.add(username)
            if domain:
                self._domains[username] = domain

    def notifications_of(self, username: str) -> list[FakeNotification]:
        with self._lock:  # type: ignore[attr-defined]
            return [n for n in self._notifications if n.recipient == username]

    def mentions_of(self, status_id: str) -> list[str]:
        """The usernames a status mentions."""
        with self._lock:  # type: ignore[attr-defined]
            return list(self._mentions.get(status_id, []))

    def boost(self, username: str, status_id: str) -> FakeStatus:
        """``username`` boosts a status: a status of its own that reblogs it."""
        with self._cond:  # type: ignore[attr-defined]
            original = self._status_by_id[status_id]  # type: ignore[attr-defined]
            now = self.now()  # type: ignore[attr-defined]
            status = _base().FakeStatus(
                id=self._next_id(now),  # type: ignore[attr-defined]
                account=username, text="", spoiler_text="", visibility="public",
                sensitive=False, language=None, media_ids=[], idempotency_key=None,
                in_reply_to_id=None, created_at=now,
            )  # fmt: skip
            self._statuses.append(status)  # type: ignore[attr-defined]
            self._status_by_id[status.id] = status  # type: ignore[attr-defined]
            self._reblog_of[status.id] = original.id
            if original.account != username:
                self._notify("reblog", original.account, username, status.id, now)
            return status

    def inject_notification(self, username: str, body: dict[str, Any]) -> str:
        """A notification exactly as given (its id is set here): what a broken or hostile
        server might send."""
        with self._cond:  # type: ignore[attr-defined]
            now = self.now()  # type: ignore[attr-defined]
            note = self._notify(str(body.get("type")), username, "", None, now, push=False)
            note.raw = {**body, "id": note.id}
            self._push(note)
            return note.id

    def cut_streams(self) -> None:
        """Close every open stream, as a restarting streaming server does."""
        with self._cond:  # type: ignore[attr-defined]
            for stream in self._streams:
                stream.cut = True
            self._cond.notify_all()  # type: ignore[attr-defined]

    @property
    def open_streams(self) -> int:
        with self._lock:  # type: ignore[attr-defined]
            return sum(not s.cut for s in self._streams)

    # -- hooks FakeMastodon calls --------------------------------------------------------

    def _route_notifications(self, method: str, path: str) -> tuple[str | None, str | None]:
        if method != "GET":
            return None, None
        if path == "/api/v1/notifications":
            return "notifications", None
        if path == "/api/v1/streaming/health" and self.streaming:
            return "streaming_health", None
        return None, None

    def _reply_check(self, params: dict[str, Any], username: str) -> Any:
        """POST /statuses: the status answered must exist and be visible to the poster."""
        reply_to = params.get("in_reply_to_id")
        if not reply_to:
            return None
        answered = self._status_by_id.get(str(reply_to))  # type: ignore[attr-defined]
        if answered is None or answered.deleted or not self._visible(answered, username):
            base = _base()
            error = base._error(
                404, "The post you are trying to reply to does not appear to exist."
            )
            error.family = "statuses"
            return error
        return None

    def _after_status(self, status: FakeStatus, before: list[str]) -> None:
        """A status saved (created, or edited when ``before`` are its earlier mentions)."""
        mentioned = []
        for match in _MENTION.finditer(status.text):
            name, domain = match.group(1), match.group(2)
            if (
                name in self._accounts
                and self._domains.get(name, "") == (domain or "")
                and name not in mentioned
            ):  # type: ignore[attr-defined]
                mentioned.append(name)
        self._mentions[status.id] = mentioned
        if status.in_reply_to_id and status.in_reply_to_id in self._status_by_id:  # type: ignore[attr-defined]
            answered = self._status_by_id[status.in_reply_to_id]  # type: ignore[attr-defined]
            if PRIVACY.get(status.visibility, 0) < PRIVACY.get(answered.visibility, 0):
                self.widened.append((status.id, status.visibility, answered.visibility))
        for name in mentioned:
            if name != status.account and name not in before:
                self._notify("mention", name, status.account, status.id, self.now())  # type: ignore[attr-defined]

    def _process_notifications(
        self, endpoint: str, params: dict[str, Any], query: str, username: str | None
    ) -> Any:
        base = _base()
        if endpoint == "streaming_health":
            return base._Response(200, b"OK", "text/plain; charset=utf-8")
        if username is None:
            return base._error(401, "The access token is invalid")
        lists: dict[str, list[str]] = {}
        for key, value in parse_qsl(query, keep_blank_values=True):
            if key.endswith("[]"):
                lists.setdefault(key[:-2], []).append(value)
        types, excluded = lists.get("types"), lists.get("exclude_types", [])
        try:
            limit = min(80, max(1, int(params.get("limit") or 40)))
        except ValueError:
            limit = 40
        order = lambda ident: (len(ident), ident)  # noqa: E731
        chosen = [
            n for n in self._notifications
            if n.recipient == username and (types is None or n.type in types)
            and n.type not in excluded
            and (not params.get("account_id") or self._account_id(n.account) == params["account_id"])  # type: ignore[attr-defined]
            and (not params.get("max_id") or order(n.id) < order(str(params["max_id"])))
            and (not params.get("since_id") or order(n.id) > order(str(params["since_id"])))
            and (not params.get("min_id") or order(n.id) > order(str(params["min_id"])))
        ]  # fmt: skip
        # min_id: the page just after it (the oldest ones); otherwise the newest.
        page = chosen[:limit] if params.get("min_id") else chosen[-limit:]
        page.reverse()
        response = base._Response(200, base._json([self._notification_json(n) for n in page]))
        if page:
            kept = [
                (k, v)
                for k, v in parse_qsl(query, keep_blank_values=True)
                if k not in ("max_id", "min_id", "since_id")
            ]
            link = f"{self.url}/api/v1/notifications?"  # type: ignore[attr-defined]
            response.headers["Link"] = (
                f'<{link}{urlencode([*kept, ("max_id", page[-1].id)])}>; rel="next", '
                f'<{link}{urlencode([*kept, ("min_id", page[0].id)])}>; rel="prev"'
            )
        return response

    def _mentions_json(self, status: FakeStatus, body: dict[str, Any]) -> dict[str, Any]:
        """The status's JSON as Mastodon has it: mentions, linked; what it answers; boosts."""
        names = self._mentions.get(status.id, [])
        body["mentions"] = [
            {
                "id": self._account_id(n),
                "username": n,
                "acct": self._acct(n),
                "url": self._profile(n),
            }  # type: ignore[attr-defined]
            for n in names
        ]
        for name in names:
            handle = f"@{self._acct(name)}" if name in self._domains else f"@{name}"
            link = (
                f'<span class="h-card" translate="no"><a href="{html.escape(self._profile(name))}"'
                f' class="u-url mention">@<span>{html.escape(name)}</span></a></span>'
            )
            body["content"] = re.sub(
                rf"(?<![\w/]){re.escape(handle)}(?![\w@])", link, body["content"]
            )
        answered = self._status_by_id.get(status.in_reply_to_id or "")  # type: ignore[attr-defined]
        body["in_reply_to_account_id"] = self._account_id(answered.account) if answered else None  # type: ignore[attr-defined]
        if status.id in self._reblog_of:
            body["reblog"] = self._status_json(self._status_by_id[self._reblog_of[status.id]])  # type: ignore[attr-defined]
        return body

    # -- inside ----------------------------------------------------------------------------

    def _acct(self, username: str) -> str:
        domain = self._domains.get(username)
        return f"{username}@{domain}" if domain else username

    def _profile(self, username: str) -> str:
        domain = self._domains.get(username)
        return f"https://{domain}/@{username}" if domain else f"{self.url}/@{username}"  # type: ignore[attr-defined]

    def _visible(self, status: FakeStatus, username: str) -> bool:
        if status.account == username or status.visibility in ("public", "unlisted"):
            return True
        return username in self._mentions.get(status.id, [])  # followers-only: mentioned ones here

    def _notify(
        self,
        kind: str,
        recipient: str,
        account: str,
        status_id: str | None,
        now: float,
        push: bool = True,
    ) -> FakeNotification:
        self._last_notification += 1  # Mastodon's notification ids are a plain sequence
        note = FakeNotification(
            str(self._last_notification), kind, recipient, account, status_id, now
        )
        self._notifications.append(note)
        if push:
            self._push(note)
        self._cond.notify_all()  # type: ignore[attr-defined]
        return note

    def _push(self, note: FakeNotification) -> None:
        event = f"event: notification\ndata: {json.dumps(self._notification_json(note))}\n\n"
        for stream in self._streams:
            if stream.username == note.recipient and not stream.cut:
                stream.events.append(event)

    def _notification_json(self, note: FakeNotification) -> dict[str, Any]:
        if note.raw is not None:
            return note.raw
        base = _base()
        status = self._status_by_id.get(note.status_id or "")  # type: ignore[attr-defined]
        account = self._account_json(note.account)  # type: ignore[attr-defined]
        return {
            "id": note.id,
            "type": note.type,
            "created_at": base._iso_ms(note.created_at),
            "group_key": f"ungrouped-{note.id}",
            "account": account,
            "status": self._status_json(status) if status is not None else None,  # type: ignore[attr-defined]
        }

    def _handler_class(self) -> type[_Handler]:
        handler = super()._handler_class()  # type: ignore[misc]
        fallback = handler.do_GET  # type: ignore[attr-defined]

        def do_get(request: _Handler) -> None:
            if urlsplit(request.path).path.rstrip("/") in STREAM_PATHS and self.streaming:
                self._serve_stream(request)
            else:
                fallback(request)

        return type(handler.__name__, (handler,), {"do_GET": do_get})

    def _serve_stream(self, request: _Handler) -> None:
        """One SSE connection, until the client leaves, ``cut_streams`` or ``stop``."""
        auth = request.headers.get("Authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else None
        token = token or dict(parse_qsl(urlsplit(request.path).query)).get("access_token")
        with self._cond:  # type: ignore[attr-defined]
            username = self._tokens.get(token) if token else None  # type: ignore[attr-defined]
            stream = _Stream(username or "")
            if username is not None:
                self._streams.append(stream)
            self._cond.notify_all()  # type: ignore[attr-defined]
        request.close_connection = True
        if username is None:
            body = b'{"error":"Error: Missing access token"}'
            request.send_response(401)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            request.wfile.write(body)
            return
        try:
            request.send_response(200)
            request.send_header("Content-Type", "text/event-stream")
            request.send_header("Cache-Control", "no-store")
            request.send_header("Transfer-Encoding", "chunked")
            request.end_headers()
            self._write_chunk(request, ":)\n")
            while True:
                with self._cond:  # type: ignore[attr-defined]
                    self._cond.wait_for(  # type: ignore[attr-defined]
                        lambda: stream.events or stream.cut or self._stopping.is_set(),  # type: ignore[attr-defined]
                        timeout=self.heartbeat,
                    )
                    if stream.cut or self._stopping.is_set():  # type: ignore[attr-defined]
                        return
                    events = "".join(stream.events) or ":thump\n"
                    stream.events.clear()
                self._write_chunk(request, events)
        except OSError:
            return  # the client left
        finally:
            with self._cond:  # type: ignore[attr-defined]
                stream.cut = True
                self._streams.remove(stream)
                self._cond.notify_all()  # type: ignore[attr-defined]

    @staticmethod
    def _write_chunk(request: _Handler, text: str) -> None:
        data = text.encode()
        request.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        request.wfile.flush()
