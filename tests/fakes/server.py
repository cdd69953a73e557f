"""The HTTP machinery of the platform fakes (``telegram.py``, ``mastodon.py``, ``bluesky.py``).

A fake subclasses :class:`FakeServer` and implements ``_handle(request) -> Reply``, called
under the fake's lock. The core serves 127.0.0.1 on an ephemeral port, reads and decodes
bodies, answers, drops or holds requests as injected failures ask, keeps server-side
tracebacks and the request log, and waits on it. What a platform answers, and how
strictly it checks, stays in its module. Nothing logs: request lines can hold tokens.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import random
import re
import select
import socket
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, ClassVar, Generic, Literal, Protocol, Self, TypeVar
from urllib.parse import parse_qsl, urlsplit

Action = Literal["respond", "drop", "hold"]
R = TypeVar("R")  # the platform's request record
# How often a wait looks again without a change of ours (see FakeServer._wait).
RECHECK = 0.02


class _ByEndpoint(Protocol):
    endpoint: str | None  # the API method a request was for (None: no known one)


E = TypeVar("E", bound=_ByEndpoint)  # a request record that names its endpoint

# Failure kinds the transport carries out (5xx bodies are the platform's). accept_then_*:
# the request is processed, the answer is lost (a crash inside the request).
_SKIPPED: dict[str, Action] = {"drop": "drop", "timeout": "hold"}  # before processing
_LOST: dict[str, Action] = {"accept_then_drop": "drop", "accept_then_hold": "hold"}  # after
# accept_then_garble: processed, answered 200 with a body cut in half (not JSON).
TRANSPORT_FAILURES = frozenset(_SKIPPED.keys() | _LOST.keys() | {"accept_then_garble"})


# --- bodies -------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadedFile:
    """A multipart file part."""

    name: str  # the form field
    filename: str | None
    content_type: str | None  # media type, lower case, no parameters; None: no header
    data: bytes = field(repr=False)


class BodyError(ValueError):
    """A request body the fake cannot read; ``str()`` says why."""


class JSONBodyError(BodyError):
    """A JSON body that does not parse."""


class NotAnObject(JSONBodyError):
    """A JSON body that parses, but not to an object."""


@dataclass(frozen=True)
class Body:
    """A decoded body: its fields in order, multipart files as :class:`UploadedFile`."""

    fields: list[tuple[str, Any]] = field(default_factory=list)
    json: bool = False  # from a JSON object: values typed, keys exactly as sent


def decode_body(
    content_type: str,
    body: bytes,
    *,
    strict: bool = True,
    is_file: Callable[[UploadedFile], bool] = lambda part: part.filename is not None,
) -> Body:
    """JSON, multipart or (anything else) form-urlencoded, by the Content-Type.

    ``is_file`` tells file parts from text fields; text that is not UTF-8 raises
    UnicodeDecodeError. ``strict``: see :func:`parse_multipart`.
    """
    if not body:
        return Body()
    mime = content_type.split(";")[0].strip().lower()
    if mime == "application/json":
        try:
            data = json.loads(body.decode("utf-8"))
        except ValueError as exc:
            raise JSONBodyError("request body is not valid JSON") from exc
        if not isinstance(data, dict):
            raise NotAnObject("request body must be a JSON object")
        return Body(list(data.items()), json=True)
    if mime == "multipart/form-data":
        fields: list[tuple[str, Any]] = [
            (part.name, part if is_file(part) else part.data.decode("utf-8"))
            for part in parse_multipart(content_type, body, strict=strict)
        ]
        return Body(fields)
    return Body(parse_qsl(body.decode("utf-8"), keep_blank_values=True))


def parse_multipart(content_type: str, body: bytes, *, strict: bool = True) -> list[UploadedFile]:
    """Every part, text fields included, in order. ``strict``: a missing boundary, a part
    without headers or without a name raises BodyError; else such parts are skipped."""
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not match:
        if strict:
            raise BodyError("multipart body without boundary")
        return []
    delimiter = b"\r\n--" + match.group(1).encode("latin-1")
    parts: list[UploadedFile] = []
    for raw in (b"\r\n" + body).split(delimiter)[1:]:
        if raw.startswith(b"--"):
            break
        head, sep, data = raw.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        headers: dict[str, str] = {}
        for line in head.split(b"\r\n"):
            key, _, value = line.decode("utf-8", "replace").partition(":")
            headers[key.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition", "")
        name = _disposition_param(disposition, "name")
        if not sep or name is None:
            if strict:
                raise BodyError(
                    "malformed multipart part" if not sep else "multipart part without a name"
                )
            continue
        ctype = headers.get("content-type")
        media = ctype.split(";")[0].strip().lower() if ctype is not None else None
        parts.append(UploadedFile(name, _disposition_param(disposition, "filename"), media, data))
    return parts


def _disposition_param(header: str, key: str) -> str | None:
    match = re.search(rf'(?:^|;)\s*{key}="((?:[^"\\]|\\.)*)"', header)
    return match.group(1) if match else None


# --- requests and replies -------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One HTTP request as read off the connection, before a platform looked at it."""

    command: str  # the HTTP method
    path: str
    query: str
    headers: Message
    body: bytes | None  # None: a chunked body left unread (``_accept_chunked`` is False)

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")


@dataclass
class Reply:
    """Answer (``respond``) or close without answer: at once (``drop``), or once the client
    gives up, the fake stops or the hold time ends (``hold``)."""

    status: int | None
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    action: Action = "respond"
    close: bool = False  # answer, then close the connection

    @property
    def answered(self) -> int | None:
        """The status the client sees; None when it sees the connection close."""
        return self.status if self.action == "respond" else None


def skip_reply(kind: str | None) -> Reply | None:
    """The no-answer reply of a failure that hits before the request is processed."""
    action = _SKIPPED.get(kind or "")
    return None if action is None else Reply(None, action=action)


def lose_answer(kind: str | None, reply: Reply) -> Reply:
    """After processing: an accept_then_* failure loses the answer (the state changed), or
    garbles it."""
    if kind == "accept_then_garble":
        return replace(reply, body=reply.body[: len(reply.body) // 2])
    action = _LOST.get(kind or "")
    return reply if action is None else replace(reply, action=action)


# --- HTTP plumbing ----------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = True  # server_close() joins handler threads; stop() wakes them first
    timeout = 0.05  # handle_request() gives up if a readable listener had nothing to accept

    def __init__(self, fake: FakeServer[Any], handler: type[_Handler]) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", 0), handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # The default prints to stderr. Errors inside the platform are caught in
        # _Handler.dispatch; what reaches here is the transport: a client gone away.
        if not isinstance(sys.exc_info()[1], OSError):
            self.fake._note_server_error(traceback.format_exc())


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as httpx and requests expect
    disable_nagle_algorithm = True  # PLATFORMS §J: otherwise ~40 ms per kept-alive request
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.fake._track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.fake._track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: request lines can contain tokens."""

    def date_time_string(self, timestamp: float | None = None) -> str:
        return email.utils.formatdate(
            self.server.fake._http_time() if timestamp is None else timestamp, usegmt=True
        )

    def _read_body(self) -> bytes | None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            if not self.server.fake._accept_chunked:
                return None
            chunks: list[bytes] = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def dispatch(self) -> None:
        fake = self.server.fake
        try:
            target = urlsplit(self.path)
            body = self._read_body()
            request = Request(self.command, target.path, target.query, self.headers, body)
            with fake._cond:
                reply = fake._handle(request)
        except Exception:
            fake._note_server_error(traceback.format_exc())
            reply = fake._crash_reply()
        if reply.action == "hold":
            fake._hold(self.connection)
        if reply.action != "respond":
            self.close_connection = True  # no answer: the client sees the connection close
            return
        self.close_connection = self.close_connection or reply.close
        try:
            self.send_response(reply.status or 500)
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(reply.body)
        except ConnectionError:  # the client gave up (timeout, cancelled long poll)
            self.close_connection = True


# --- the base of every fake -------------------------------------------------------------


class FakeServer(Generic[R]):
    """An HTTP server on 127.0.0.1 for one platform model: subclasses set the class
    attributes and implement ``_handle`` and ``_hold_seconds``."""

    _http_methods: ClassVar[tuple[str, ...]] = ("GET", "POST")  # others: 501
    _accept_chunked: ClassVar[bool] = True  # False: the body is left unread (None)
    _idle_timeout: ClassVar[float | None] = None  # seconds a kept-alive connection may idle
    _server_header: ClassVar[str | None] = None  # None: http.server's own

    def __init__(self, failure_kinds: frozenset[str], seed: int | None) -> None:
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._known_failures = failure_kinds
        self._fail_queue: deque[tuple[str, Any]] = deque()  # (kind, a 429's retry time)
        self._failure_rate = 0.0
        self._failure_kinds: tuple[str, ...] = ()
        self._rng = random.Random(seed)
        self._requests: list[R] = []
        self._server_errors: list[str] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._held: set[socket.socket] = set()  # connections of requests being held now
        self._wake: tuple[socket.socket, socket.socket] | None = None  # stop() -> waiters
        self.url = ""

    # -- what a platform provides ----------------------------------------------------------

    def _handle(self, request: Request) -> Reply:
        raise NotImplementedError

    def _hold_seconds(self) -> float:
        raise NotImplementedError

    def _crash_reply(self) -> Reply:
        """The answer when ``_handle`` raised (the traceback is in server_errors)."""
        return Reply(None, action="drop")

    def _http_time(self) -> float:
        """Epoch seconds for the Date header."""
        return time.time()

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> Self:
        """Bind 127.0.0.1 on an ephemeral port and serve in a daemon thread."""
        if self._server is not None:
            return self
        self._stopping.clear()
        self._wake = socket.socketpair()
        server = self._server = _Server(self, self._handler_class())
        port = server.server_address[1]
        self.url = f"http://127.0.0.1:{port}"
        self._thread = threading.Thread(
            target=self._accept_loop,
            args=(server, self._wake[0]),
            name=f"{type(self).__name__}:{port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop promptly: wake held requests and waiters, close every connection, join."""
        server = self._server
        if server is None:
            return
        with self._cond:
            self._stopping.set()
            connections = list(self._connections)
            self._cond.notify_all()
        if self._wake is not None:
            self._wake[1].send(b"x")  # wakes the accept loop and every held request at once
        if self._thread is not None:
            self._thread.join(timeout=5)
        for conn in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                conn.shutdown(socket.SHUT_RDWR)
        server.server_close()  # joins the handler threads, all woken above
        if self._wake is not None:
            for end in self._wake:
                end.close()
            self._wake = None
        self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _handler_class(self) -> type[_Handler]:
        attrs: dict[str, Any] = {f"do_{m}": _Handler.dispatch for m in self._http_methods}
        attrs["timeout"] = self._idle_timeout
        if self._server_header is not None:
            attrs.update(server_version=self._server_header, sys_version="")
        return type(f"{type(self).__name__}Handler", (_Handler,), attrs)

    def _accept_loop(self, server: _Server, wake: socket.socket) -> None:
        # Instead of serve_forever(), whose shutdown() waits for a poll interval: this
        # returns as soon as stop() writes to the wake socket.
        while not self._stopping.is_set():
            readable, _, _ = select.select([server.socket, wake], [], [])
            if server.socket in readable and not self._stopping.is_set():
                server.handle_request()

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            if not add:
                self._connections.discard(conn)
                return
            if self._stopping.is_set():  # accepted while stop() runs: close it too
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
            self._connections.add(conn)

    def _hold(self, conn: socket.socket) -> None:
        """Answer nothing until the client closes its end, stop(), release_holds(), or
        the hold time ends."""
        wake = self._wake
        if wake is None:
            return
        with self._lock:
            self._held.add(conn)
        try:
            with contextlib.suppress(OSError):  # the connection is gone already
                select.select([conn, wake[0]], [], [], self._hold_seconds())
        finally:
            with self._lock:
                self._held.discard(conn)

    def release_holds(self) -> None:
        """End the requests held right now as a dropped connection ends them: for a test
        that has seen what it waited for while they hung, and need not wait out the
        client's timeout as it stops."""
        with self._lock:
            held = list(self._held)
        for conn in held:
            with contextlib.suppress(OSError):  # closed meanwhile
                conn.shutdown(socket.SHUT_RDWR)  # wakes its _hold; the client sees it close

    # -- failures, records, errors, waiting ------------------------------------------------------------

    def _fail_next(self, kind: object, count: int) -> None:
        """Queue ``count`` failures of ``kind`` (a status code may come as an int)."""
        name = str(kind)
        if name not in self._known_failures:
            raise ValueError(
                f"unknown failure kind {kind!r}; known: {sorted(self._known_failures)}"
            )
        with self._cond:
            self._fail_queue.extend([(name, None)] * count)

    def _set_failure_rate(self, rate: float, kinds: Iterable[object], seed: int | None) -> None:
        chosen = tuple(str(k) for k in kinds)
        known = self._known_failures
        if set(chosen) - known or not chosen:
            raise ValueError(f"bad failure kinds {chosen!r}; known: {sorted(known)}")
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be within [0, 1]")
        with self._cond:
            self._failure_rate, self._failure_kinds = rate, chosen
            self._rng = random.Random(seed)

    def _next_failure(self) -> tuple[str, Any] | None:
        """The failure for a guarded call, if any: queued ones first, then the seeded rate
        (one draw per call, so a seed replays)."""
        if self._fail_queue:
            return self._fail_queue.popleft()
        if self._failure_rate and self._rng.random() < self._failure_rate:
            return self._rng.choice(self._failure_kinds), None
        return None

    @property
    def requests(self) -> list[R]:
        """Every request so far, oldest first (a copy)."""
        with self._lock:
            return list(self._requests)

    @property
    def server_errors(self) -> list[str]:
        """Tracebacks of exceptions inside the fake (a bug in a test or in the fake)."""
        with self._lock:
            return list(self._server_errors)

    def _record(self, record: R) -> None:
        self._requests.append(record)  # and wake the waiters
        self._cond.notify_all()

    def _recent(self, n: int, line: Callable[[R], str]) -> str:
        """The last ``n`` records, one indented line each, for assertion messages."""
        return "\n".join(f"  {line(r)}" for r in self._requests[-n:]) or "  (none)"

    def _note_server_error(self, text: str) -> None:
        with self._cond:
            self._server_errors.append(text)
            self._cond.notify_all()

    def _wait(
        self, predicate: Callable[[], bool], timeout: float, failure: Callable[[], str]
    ) -> None:
        """Block until ``predicate()`` holds; it is re-checked on every change (under the
        lock, so keep it quick), and every RECHECK seconds for one that reads the
        product's state rather than ours (no change of ours would wake it: it would
        come true unseen and the wait last until `timeout`). AssertionError with
        ``failure()`` after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(failure())
                self._cond.wait(min(remaining, RECHECK))

    def _configure(self, **changes: Any) -> None:
        """Set attributes at runtime, under the lock; None leaves one as it is."""
        with self._cond:
            for name, value in changes.items():
                if value is not None:
                    setattr(self, name, value)


class ClockedFake(FakeServer[E]):
    """A fake whose clock can be moved (token expiry, idempotency, rate-limit windows;
    the Date header follows it, as clients read resets against it), whose held requests
    wait ``hold_limit`` seconds, and whose endpoints ``fail_next`` can be told to fail
    (Mastodon's, Bluesky's)."""

    def __init__(
        self, failure_kinds: frozenset[str], *, hold_limit: float, clock: Callable[[], float]
    ) -> None:
        super().__init__(failure_kinds, seed=0)
        self.hold_limit = hold_limit
        self._clock = clock
        self._offset = 0.0

    def now(self) -> float:
        """The fake's clock, epoch seconds: the given clock plus ``advance()`` offsets."""
        return self._clock() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the fake clock forward; the client's stays."""
        with self._cond:
            self._offset += seconds
            self._cond.notify_all()

    def _hold_seconds(self) -> float:
        return self.hold_limit

    def _http_time(self) -> float:
        return self.now()

    def fail_next(self, kind: object, count: int = 1) -> None:
        """The next ``count`` requests to ``failure_endpoints`` fail with ``kind``."""
        self._fail_next(kind, count)

    def requests_to(self, endpoint: str) -> list[E]:
        with self._lock:
            return [r for r in self._requests if r.endpoint == endpoint]
