"""A fake Mastodon server on 127.0.0.1 for tests, driven by the real Mastodon.py client.

It follows the server where the product can notice the difference: status length counted
the Mastodon way (graphemes, URLs as ``characters_reserved_per_url``, mentions without the
domain), Idempotency-Key kept for one hour, rate-limit headers with two budgets (all API
calls, and the "statuses" family for creation), edits with history, deletes that return the
source text, media uploads with alt text. It can be told to fail (5xx, dropped connections,
held responses, a status created but its answer lost) and it records everything it saw.

Stdlib only on the server side; the client library is used for the length rule so the fake
and the product cannot disagree about it, and for the ``client()`` convenience.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

from mastodon import Mastodon

from tests.fakes import server
from tests.fakes.mastodon_notifications import Notifications
from tests.fakes.server import ClockedFake, Reply, Request, lose_answer, skip_reply

DEFAULT_TOKEN = "mastodon-test-token"
DEFAULT_USERNAME = "postbode"
IDEMPOTENCY_TTL = 3600.0  # seconds; "Idempotency keys are stored for up to 1 hour"

# echo_token: a 502 whose text repeats the request's Authorization header, as a badly
# configured proxy in front of an instance might.
FAILURE_KINDS = frozenset({"500", "502", "503", "echo_token", *server.TRANSPORT_FAILURES})
ENDPOINTS = frozenset(
    {
        "root",
        "instance",
        "verify_credentials",
        "status_create",
        "status_get",
        "status_update",
        "status_delete",
        "status_history",
        "status_source",
        "media_upload",
        "media_get",
        "media_update",
    }
)
# Injected failures hit only the calls that change something, so start-up checks survive.
DEFAULT_FAILURE_ENDPOINTS = frozenset(
    {"status_create", "status_update", "status_delete", "media_upload"}
)
VISIBILITIES = ("public", "unlisted", "private", "direct")
# ISO 639-1, the two-letter codes the product is meant to send as `language`.
_ISO_639_1_CODES = """
aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu
cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he
hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko
kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd
ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se
sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty
ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
"""
ISO_639_1 = frozenset(_ISO_639_1_CODES.split())
SUPPORTED_MIME_TYPES = (
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/heic",
    "image/heif",
    "image/webp",
    "image/avif",
    "video/webm",
    "video/mp4",
    "video/quicktime",
    "video/ogg",
    "audio/wave",
    "audio/wav",
    "audio/x-wav",
    "audio/ogg",
    "audio/mpeg",
    "audio/mp3",
    "audio/webm",
    "audio/flac",
    "audio/aac",
    "audio/mp4",
)

FailureKind = Literal[
    "500",
    "502",
    "503",
    "drop",
    "timeout",
    "accept_then_drop",
    "accept_then_hold",
    "accept_then_garble",
    "echo_token",
]
Family = Literal["api", "statuses"]


# --------------------------------------------------------------------------- records


@dataclass
class StatusVersion:
    """One revision of a status, as the history endpoint shows it."""

    text: str
    spoiler_text: str
    sensitive: bool
    language: str | None
    media_ids: list[str]
    at: float  # fake-clock epoch seconds


@dataclass
class FakeStatus:
    """A status the fake created (kept after deletion, flagged)."""

    id: str
    account: str
    text: str
    spoiler_text: str
    visibility: str
    sensitive: bool
    language: str | None
    media_ids: list[str]
    idempotency_key: str | None
    in_reply_to_id: str | None
    created_at: float
    edited_at: float | None = None
    deleted: bool = False
    deleted_at: float | None = None
    history: list[StatusVersion] = field(default_factory=list)

    @property
    def edited(self) -> bool:
        return self.edited_at is not None


@dataclass
class FakeMedia:
    """An uploaded media attachment; the bytes are summarised, not kept."""

    id: str
    account: str
    type: str
    mime_type: str
    size: int
    sha256: str
    filename: str
    description: str | None
    focus: str | None
    created_at: float
    status_id: str | None = None
    deleted: bool = False
    width: int | None = None
    height: int | None = None
    pending_polls: int = 0  # GETs left that answer 206 (video/gif/audio only)


@dataclass(frozen=True)
class UploadedFile:
    """What the record keeps of a multipart file part (the bytes go to the media)."""

    filename: str
    content_type: str
    size: int


@dataclass
class RecordedRequest:
    """What the fake saw. The bearer token itself is never stored."""

    at: float  # time.monotonic() at arrival
    method: str
    path: str
    endpoint: str | None
    headers: dict[str, str]  # subset: Idempotency-Key, Content-Type, User-Agent
    authorized: bool  # an Authorization header was present
    token_valid: bool
    params: dict[str, Any]
    files: dict[str, UploadedFile]
    status: int | None = None  # None: no answer (dropped / held)
    outcome: str = "ok"  # ok | error | rate_limited | 500 | 502 | 503 | drop | timeout | ...
    violation: bool = False  # arrived after a 429, before the Reset it announced

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("Idempotency-Key")


@dataclass
class _Response(Reply):
    status: int
    content_type: str = "application/json; charset=utf-8"
    family: Family = "api"  # which budget the rate-limit headers describe
    outcome: str = "ok"


@dataclass
class _Penalty:
    family: Family
    key: str  # token key for "api", account for "statuses"
    reset_at: float


# --------------------------------------------------------------------------- helpers


def _iso_ms(t: float) -> str:
    """Mastodon's entity timestamps: ISO 8601 UTC with milliseconds."""
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _iso_us(t: float) -> str:
    """X-RateLimit-Reset: Ruby's ``iso8601(6)`` in UTC."""
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _error(status: int, message: str, outcome: str = "error") -> _Response:
    return _Response(status, _json({"error": message}), outcome=outcome)


def _json(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in {"1", "true", "t", "yes", "on"}


def _human_size(n: int) -> str:
    """Rails' number_to_human_size, close enough for error messages."""
    size = float(n)
    for unit in ("Bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            text = f"{size:.3g}" if unit != "Bytes" else str(int(size))
            return f"{text} {unit}"
        size /= 1024
    return f"{n} Bytes"


def _image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG or GIF, for the MediaAttachment meta."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
    return None


def _add_param(params: dict[str, Any], key: str, value: Any) -> None:
    # Rails convention: "media_ids[]" repeated builds a list.
    if key.endswith("[]"):
        params.setdefault(key[:-2], []).append(value)
    else:
        params[key] = value


def _parse_body(request: Request) -> tuple[dict[str, Any], dict[str, tuple[UploadedFile, bytes]]]:
    """Form, JSON or multipart, as Mastodon.py sends them (and as Rails reads them)."""
    try:
        body = server.decode_body(request.content_type, request.body or b"")
    except server.JSONBodyError:
        raise server.BodyError("Error occurred while parsing request parameters") from None
    if body.json:  # Rails keeps JSON keys as they are: no "[]" lists
        return dict(body.fields), {}
    params: dict[str, Any] = {}
    files: dict[str, tuple[UploadedFile, bytes]] = {}
    for key, value in body.fields:
        if isinstance(value, server.UploadedFile):
            ctype = value.content_type or "application/octet-stream"
            files[key] = (UploadedFile(value.filename or "", ctype, len(value.data)), value.data)
        else:
            _add_param(params, key, value)
    return params, files


def _render_content(text: str, base_url: str) -> str:
    """Plain text to Mastodon-style HTML: escaped, <p> per paragraph, links and tags."""

    def linkify(line: str) -> str:
        line = re.sub(
            r"https?://[^\s<>\"]+",
            lambda m: (
                f'<a href="{m.group(0)}" target="_blank" rel="nofollow noopener" '
                f'translate="no">{m.group(0)}</a>'
            ),
            line,
        )
        return re.sub(
            r"(?<![\w/#&])#(\w+)",
            lambda m: (
                f'<a href="{base_url}/tags/{m.group(1).lower()}" class="mention hashtag" '
                f'rel="tag">#<span>{m.group(1)}</span></a>'
            ),
            line,
        )

    paragraphs = [p for p in re.split(r"\n{2,}", text.strip()) if p]
    return "".join(
        "<p>" + "<br />".join(linkify(html.escape(line)) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )


# --------------------------------------------------------------------------- the fake


class FakeMastodon(Notifications, ClockedFake[RecordedRequest]):
    """A Mastodon instance on 127.0.0.1 with one or more accounts.

    ``tokens``: valid bearer tokens; an iterable maps them all to one account
    (``username``), a mapping gives each token its account's username.
    Rate limits: ``api_limit`` requests per ``api_period`` seconds per token (every API
    call), ``status_limit`` creations per ``status_period`` seconds per account, in fixed
    windows aligned to the epoch of the fake clock.
    """

    _http_methods = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD")
    _accept_chunked = False  # answered 411, as Mastodon's proxy does
    _idle_timeout = 120  # an idle kept-alive connection cannot pin a thread forever
    _server_header = "Mastodon"

    def __init__(
        self,
        *,
        tokens: Iterable[str] | Mapping[str, str] = (DEFAULT_TOKEN,),
        username: str = DEFAULT_USERNAME,
        version: str = "4.3.0",
        api_version: int = 2,
        max_characters: int = 500,
        max_media_attachments: int = 4,
        characters_reserved_per_url: int = 23,
        description_limit: int = 1500,
        image_size_limit: int = 16 * 1024 * 1024,
        video_size_limit: int = 99 * 1024 * 1024,
        api_limit: int = 300,
        api_period: float = 300.0,
        status_limit: int = 300,
        status_period: float = 3 * 3600.0,
        failure_endpoints: Iterable[str] = DEFAULT_FAILURE_ENDPOINTS,
        strict_language: bool = True,
        default_language: str = "en",
        deprecate_v1_instance: bool = True,
        media_processing_polls: int = 1,
        hold_limit: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(FAILURE_KINDS, hold_limit=hold_limit, clock=clock)
        if isinstance(tokens, Mapping):
            self._tokens = dict(tokens)
        else:
            self._tokens = dict.fromkeys(tokens, username)
        self._accounts: dict[str, str] = {}  # username -> account id
        for name in dict.fromkeys([username, *self._tokens.values()]):
            self._account_id(name)
        self.default_username = username
        self._init_notifications()  # mentions, notifications, streams (its own module)
        self.version = version
        self.api_version = api_version
        self.max_characters = max_characters
        self.max_media_attachments = max_media_attachments
        self.characters_reserved_per_url = characters_reserved_per_url
        self.description_limit = description_limit
        self.image_size_limit = image_size_limit
        self.video_size_limit = video_size_limit
        self.strict_language = strict_language
        self.default_language = default_language
        self.deprecate_v1_instance = deprecate_v1_instance
        self.media_processing_polls = media_processing_polls
        self.api_limit = api_limit
        self.api_period = api_period
        self.status_limit = status_limit
        self.status_period = status_period
        self.failure_endpoints = failure_endpoints  # validated by the setter
        # A hostile (or broken) instance: the `url` it gives every status, when set.
        self.status_url: str | None = None

        self._last_id = 0
        self._statuses: list[FakeStatus] = []
        self._status_by_id: dict[str, FakeStatus] = {}
        self._media: dict[str, FakeMedia] = {}
        self._idempotency: dict[tuple[str, str], tuple[str, float]] = {}
        self._api_counts: dict[str, tuple[int, int]] = {}  # token key -> (window, count)
        self._status_counts: dict[str, tuple[int, int]] = {}  # account -> (window, count)
        self._penalties: list[_Penalty] = []
        self._violations = 0
        self._forced_429: list[tuple[float, Family]] = []
        self._clients: list[Mastodon] = []

    # ------------------------------------------------------------------ lifecycle

    def stop(self) -> None:
        """Stop promptly: close the clients' sessions, then the server (see FakeServer)."""
        for api in self._clients:
            api.session.close()
        self._clients.clear()
        super().stop()

    def client(
        self, *, access_token: str | None = DEFAULT_TOKEN, request_timeout: float = 5.0
    ) -> Mastodon:
        """A Mastodon.py client for this fake, configured as the product should be.

        ``stop()`` closes its HTTP session, so no pooled connection outlives the fake.
        """
        api = Mastodon(
            access_token=access_token,
            api_base_url=self.url,
            ratelimit_method="throw",
            request_timeout=request_timeout,
        )
        self._clients.append(api)
        return api

    # ------------------------------------------------------------------ configuration

    @property
    def failure_endpoints(self) -> frozenset[str]:
        return self._failure_endpoints

    @failure_endpoints.setter
    def failure_endpoints(self, endpoints: Iterable[str]) -> None:
        chosen = frozenset(endpoints)
        unknown = chosen - ENDPOINTS
        if unknown:
            raise ValueError(f"unknown endpoints {sorted(unknown)}; known: {sorted(ENDPOINTS)}")
        self._failure_endpoints = chosen

    def set_rate_limits(
        self,
        *,
        api_limit: int | None = None,
        api_period: float | None = None,
        status_limit: int | None = None,
        status_period: float | None = None,
    ) -> None:
        """Change the budgets at runtime (a benchmark raises them); counters are kept."""
        self._configure(
            api_limit=api_limit,
            api_period=api_period,
            status_limit=status_limit,
            status_period=status_period,
        )

    def reset_rate_limits(self) -> None:
        """Forget all counters, announced resets and forced 429s."""
        with self._cond:
            self._api_counts.clear()
            self._status_counts.clear()
            self._penalties.clear()
            self._forced_429.clear()

    def add_token(self, token: str, username: str | None = None) -> None:
        with self._cond:
            name = username or self.default_username
            self._account_id(name)
            self._tokens[token] = name

    def revoke_token(self, token: str) -> None:
        """Later requests with this token get 401, as after a revoked app."""
        with self._cond:
            self._tokens.pop(token, None)

    # ------------------------------------------------------------------ failure injection

    def set_failure_rate(
        self,
        rate: float,
        kinds: Iterable[FailureKind | str] = ("500", "502", "503", "drop", "accept_then_drop"),
        seed: int = 0,
    ) -> None:
        """Fail a seeded-random share of requests to ``failure_endpoints``; 0 turns it off."""
        self._set_failure_rate(rate, kinds, seed)

    def rate_limit_next(
        self, reset_in: float = 60.0, count: int = 1, family: Family = "api"
    ) -> None:
        """Answer the next ``count`` requests to ``failure_endpoints`` with 429.

        The Reset header says ``now + reset_in``; ``family`` decides which later requests
        count as violations ("api": any request with the same token; "statuses": status
        creation by the same account).
        """
        with self._cond:
            self._forced_429.extend([(reset_in, family)] * count)

    # ------------------------------------------------------------------ observations

    @property
    def statuses(self) -> list[FakeStatus]:
        """Every status created, in order, deleted ones included (``deleted=True``)."""
        with self._lock:
            return list(self._statuses)

    @property
    def live_statuses(self) -> list[FakeStatus]:
        with self._lock:
            return [s for s in self._statuses if not s.deleted]

    @property
    def media(self) -> list[FakeMedia]:
        with self._lock:
            return list(self._media.values())

    @property
    def violations(self) -> int:
        """Requests that arrived after a 429 and before the Reset it announced."""
        with self._lock:
            return self._violations

    def status(self, status_id: str) -> FakeStatus:
        with self._lock:
            return self._status_by_id[str(status_id)]

    def wait_for(
        self, predicate: Callable[[], bool], timeout: float = 10.0, message: str = ""
    ) -> None:
        """Block until ``predicate()`` is true; it is re-checked on every change.

        Raises AssertionError (with the recent requests) when it does not come true.
        """

        def failure() -> str:
            recent = self._recent(10, lambda r: f"{r.method} {r.path} -> {r.status} ({r.outcome})")
            return (
                f"FakeMastodon: condition not met within {timeout} s"
                f"{': ' + message if message else ''}; "
                f"{len(self._statuses)} statuses, {len(self._requests)} requests, last ones:\n"
                f"{recent}"
            )

        self._wait(predicate, timeout, failure)

    def wait_for_statuses(self, n: int, timeout: float = 10.0) -> list[FakeStatus]:
        """Wait until at least ``n`` statuses were created; return them all."""
        self.wait_for(lambda: len(self._statuses) >= n, timeout, f"waiting for {n} statuses")
        return self.statuses

    # ------------------------------------------------------------------ request handling

    def _handle(self, request: Request) -> Reply:
        if request.body is None:  # chunked
            return replace(_error(411, "Length Required"), close=True)
        path = request.path.rstrip("/") or "/"
        method = request.command
        auth = request.headers.get("Authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else None
        endpoint, ident = self._route(method, path)
        if endpoint is None:
            endpoint, ident = self._route_notifications(method, path)
        self._last_query = request.query  # types[] and exclude_types[] are lists
        try:
            params, uploads = _parse_body(request)
            bad: str | None = None
        except (server.BodyError, UnicodeDecodeError) as exc:
            params, uploads, bad = {}, {}, str(exc)
        for key, value in parse_qsl(request.query, keep_blank_values=True):
            params.setdefault(key.removesuffix("[]"), value)

        now = self.now()
        username = self._tokens.get(token) if token else None
        token_key = hashlib.sha256(token.encode()).hexdigest() if token else "anonymous"
        record = RecordedRequest(
            at=time.monotonic(),
            method=method,
            path=path,
            endpoint=endpoint,
            headers={
                k: v
                for k in ("Idempotency-Key", "Content-Type", "User-Agent")
                if (v := request.headers.get(k)) is not None
            },
            authorized=bool(auth),
            token_valid=username is not None,
            params=params,
            files={name: info for name, (info, _) in uploads.items()},
        )
        record.violation = self._note_violation(endpoint, token_key, username, now)
        injected = self._pick_failure(endpoint)
        skipped = skip_reply(injected)
        if skipped is not None:  # drop, timeout
            record.outcome = str(injected)
            self._record(record)
            return skipped
        if injected in ("500", "502", "503"):
            response = self._injected_error(int(injected))
        elif injected == "echo_token":
            response = _error(502, f"upstream refused the request with Authorization: {auth}")
        elif bad is not None:
            response = _error(400, bad)
        else:
            idem_key = request.headers.get("Idempotency-Key")
            response = self._process(
                endpoint, ident, params, uploads, idem_key, token_key, username, now
            )
        if "X-RateLimit-Limit" in response.headers:
            pass  # a 429 already describes the budget that ran out
        elif response.family == "statuses" and username is not None:
            response.headers.update(self._status_headers(token_key, username, now))
        else:
            response.headers.update(self._api_headers(token_key, now))
        record.status = response.status
        record.outcome = injected or response.outcome
        self._record(record)
        return lose_answer(injected, response)  # accept_then_*: status recorded, not sent

    @staticmethod
    def _route(method: str, path: str) -> tuple[str | None, str | None]:
        if path == "/" and method in ("GET", "HEAD"):
            return "root", None
        if path in ("/api/v1/instance", "/api/v2/instance") and method == "GET":
            return "instance", path[5:7]
        if path == "/api/v1/accounts/verify_credentials" and method == "GET":
            return "verify_credentials", None
        if path == "/api/v1/statuses" and method == "POST":
            return "status_create", None
        if path in ("/api/v1/media", "/api/v2/media") and method == "POST":
            return "media_upload", path[5:7]
        match = re.fullmatch(r"/api/v1/statuses/([^/]+)(?:/(history|source))?", path)
        if match:
            sub = match.group(2)
            if sub and method == "GET":
                return f"status_{sub}", match.group(1)
            if not sub and method in ("GET", "PUT", "DELETE"):
                kind = {"GET": "get", "PUT": "update", "DELETE": "delete"}[method]
                return f"status_{kind}", match.group(1)
        match = re.fullmatch(r"/api/v1/media/([^/]+)", path)
        if match and method in ("GET", "PUT"):
            return ("media_get" if method == "GET" else "media_update"), match.group(1)
        return None, None

    def _pick_failure(self, endpoint: str | None) -> str | None:
        picked = self._next_failure() if endpoint in self._failure_endpoints else None
        return picked[0] if picked else None

    def _injected_error(self, status: int) -> _Response:
        if status == 500:
            return _error(500, "Internal Server Error")
        # 502/503 come from the reverse proxy in front of Mastodon: HTML, not JSON.
        reason = {502: "Bad Gateway", 503: "Service Temporarily Unavailable"}[status]
        page = f"<html><head><title>{status} {reason}</title></head><body>{reason}</body></html>"
        return _Response(status, page.encode(), "text/html", outcome=str(status))

    # ------------------------------------------------------------------ rate limits

    def _window(self, now: float, period: float) -> tuple[int, float]:
        index = int(now // period)
        return index, (index + 1) * period

    def _count(self, counts: dict[str, tuple[int, int]], key: str, index: int) -> int:
        window, count = counts.get(key, (index, 0))
        return count if window == index else 0

    def _api_headers(self, token_key: str, now: float) -> dict[str, str]:
        index, reset = self._window(now, self.api_period)
        used = self._count(self._api_counts, token_key, index)
        return self._headers(self.api_limit, self.api_limit - used, reset)

    def _status_headers(self, token_key: str, username: str, now: float) -> dict[str, str]:
        # The statuses controller shows the statuses family unless the general budget is
        # closer to running out ("the one you are closest to exceeding").
        general = self._api_headers(token_key, now)
        index, reset = self._window(now, self.status_period)
        used = self._count(self._status_counts, username, index)
        family = self._headers(self.status_limit, self.status_limit - used, reset)
        if int(general["X-RateLimit-Remaining"]) < int(family["X-RateLimit-Remaining"]):
            return general
        return family

    @staticmethod
    def _headers(limit: int, remaining: int, reset: float) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(max(0, remaining)),
            "X-RateLimit-Reset": _iso_us(reset),
        }

    def _too_many(
        self, family: Family, key: str, limit: int, reset: float, outcome: str = "rate_limited"
    ) -> _Response:
        self._penalties.append(_Penalty(family, key, reset))
        response = _error(429, "Too many requests", outcome)
        response.headers.update(self._headers(limit, 0, reset))
        return response

    def _note_violation(
        self, endpoint: str | None, token_key: str, username: str | None, now: float
    ) -> bool:
        self._penalties = [p for p in self._penalties if p.reset_at > now]
        for penalty in self._penalties:
            if (penalty.family == "api" and penalty.key == token_key) or (
                penalty.family == "statuses"
                and endpoint == "status_create"
                and penalty.key == username
            ):
                self._violations += 1
                return True
        return False

    # ------------------------------------------------------------------ endpoints

    def _process(
        self,
        endpoint: str | None,
        ident: str | None,
        params: dict[str, Any],
        uploads: dict[str, tuple[UploadedFile, bytes]],
        idempotency_key: str | None,
        token_key: str,
        username: str | None,
        now: float,
    ) -> _Response:
        if endpoint == "root":
            return _Response(200, b"<html><body>Mastodon</body></html>", "text/html")

        if endpoint in self._failure_endpoints and self._forced_429:
            reset_in, family = self._forced_429.pop(0)
            limit = self.status_limit if family == "statuses" else self.api_limit
            key = (username or "") if family == "statuses" else token_key
            return self._too_many(family, key, limit, now + reset_in, "forced_429")

        # Rack::Attack counts every API request per token, before authentication.
        index, reset = self._window(now, self.api_period)
        used = self._count(self._api_counts, token_key, index) + 1
        self._api_counts[token_key] = (index, used)
        if used > self.api_limit:
            return self._too_many("api", token_key, self.api_limit, reset)

        if endpoint is None:
            return _error(404, "Record not found")
        if endpoint == "instance":
            return self._instance(ident == "v1")
        if endpoint == "status_get":
            return self._status_get(ident, username)
        if endpoint in ("notifications", "streaming_health"):
            return self._process_notifications(endpoint, params, self._last_query, username)
        if username is None:
            response = _error(401, "The access token is invalid")
            response.headers["WWW-Authenticate"] = (
                'Bearer realm="Doorkeeper", error="invalid_token", '
                'error_description="The access token is invalid"'
            )
            return response
        if endpoint == "verify_credentials":
            return _Response(200, _json(self._account_json(username, with_source=True)))
        if endpoint == "status_create":
            return self._status_create(params, idempotency_key, username, now)
        if endpoint == "media_upload":
            return self._media_upload(params, uploads, ident == "v1", username, now)
        if endpoint in ("media_get", "media_update"):
            return self._media_read_or_update(endpoint, ident, params, username)
        return self._status_owned(endpoint, ident, params, username, now)

    def _instance(self, v1: bool) -> _Response:
        base = self.url
        statuses = {
            "max_characters": self.max_characters,
            "max_media_attachments": self.max_media_attachments,
            "characters_reserved_per_url": self.characters_reserved_per_url,
        }
        media = {
            "supported_mime_types": list(SUPPORTED_MIME_TYPES),
            "description_limit": self.description_limit,
            "image_size_limit": self.image_size_limit,
            "image_matrix_limit": 33177600,
            "video_size_limit": self.video_size_limit,
            "video_frame_rate_limit": 120,
            "video_matrix_limit": 8294400,
        }
        polls = {
            "max_options": 4,
            "max_characters_per_option": 50,
            "min_expiration": 300,
            "max_expiration": 2629746,
        }
        host = urlsplit(base).netloc
        if v1:
            body: dict[str, Any] = {
                "uri": host,
                "title": "Fake Mastodon",
                "short_description": "A fake instance for postbode's tests.",
                "description": "",
                "email": "admin@example.invalid",
                "version": self.version,
                "urls": {"streaming_api": base.replace("http", "ws", 1)},
                "stats": {"user_count": len(self._accounts), "status_count": 0, "domain_count": 1},
                "thumbnail": None,
                "languages": ["en", "nl"],
                "registrations": False,
                "approval_required": False,
                "invites_enabled": False,
                "configuration": {
                    "accounts": {"max_featured_tags": 10},
                    "statuses": statuses,
                    "media_attachments": media,
                    "polls": polls,
                },
                "contact_account": None,
                "rules": [],
            }
            headers = {"Deprecation": "@1668384000"} if self.deprecate_v1_instance else {}
            return _Response(200, _json(body), headers=headers)
        body = {
            "domain": host,
            "title": "Fake Mastodon",
            "version": self.version,
            "source_url": "https://github.com/mastodon/mastodon",
            "description": "A fake instance for postbode's tests.",
            "usage": {"users": {"active_month": len(self._accounts)}},
            "thumbnail": {"url": f"{base}/packs/media/images/preview.png"},
            "icon": [],
            "languages": ["en", "nl"],
            "configuration": {
                "urls": {"streaming": base.replace("http", "ws", 1), "status": None},
                "vapid": {"public_key": ""},
                "accounts": {"max_featured_tags": 10, "max_pinned_statuses": 5},
                "statuses": statuses,
                "media_attachments": media,
                "polls": polls,
                "translation": {"enabled": False},
            },
            "registrations": {"enabled": False, "approval_required": False, "message": None},
            "api_versions": {"mastodon": self.api_version},
            "contact": {"email": "admin@example.invalid", "account": None},
            "rules": [],
        }
        return _Response(200, _json(body))

    def _validate(
        self,
        params: dict[str, Any],
        username: str,
        text: str,
        spoiler: str,
        media_ids: list[str],
        editing: FakeStatus | None,
    ) -> _Response | None:
        """The server's checks, in its order; None when the status may be saved."""
        media_ids = [str(m) for m in media_ids]
        if len(media_ids) > self.max_media_attachments:
            return _error(422, f"Cannot attach more than {self.max_media_attachments} files")
        missing = [
            m
            for m in media_ids
            if (item := self._media.get(m)) is None
            or item.deleted
            or item.account != username
            or item.status_id not in (None, editing.id if editing else None)
        ]
        if missing:
            return _error(
                422, f"Media {', '.join(missing)} not found or already attached to another post"
            )
        language = params.get("language")
        if language not in (None, "") and self.strict_language and language not in ISO_639_1:
            # Stricter than Mastodon, which silently falls back to a default language.
            return _error(422, "Validation failed: Language is not a valid ISO 639-1 code")
        if not text.strip() and not media_ids:
            return _error(422, "Validation failed: Text can't be blank")
        if Mastodon.get_status_length(text, spoiler) > self.max_characters:
            return _error(
                422, f"Validation failed: Text character limit of {self.max_characters} exceeded"
            )
        return None

    def _language(self, value: Any, fallback: str | None) -> str | None:
        if value in (None, ""):
            return fallback
        return value if value in ISO_639_1 else fallback

    def _status_create(
        self, params: dict[str, Any], key: str | None, username: str, now: float
    ) -> _Response:
        if key:
            stored = self._idempotency.get((username, key))
            if stored is not None and now - stored[1] < IDEMPOTENCY_TTL:
                existing = self._status_by_id[stored[0]]
                if existing.deleted:  # Status.find on a deleted id
                    return _Response(404, _json({"error": "Record not found"}), family="statuses")
                return _Response(200, _json(self._status_json(existing)), family="statuses")
        if (unseen := self._reply_check(params, username)) is not None:
            return unseen  # type: ignore[no-any-return]
        if params.get("visibility", "public") not in VISIBILITIES:
            return _error(422, "Validation failed: Visibility is not included in the list")
        text = str(params.get("status") or "")
        spoiler = str(params.get("spoiler_text") or "")
        media_ids = [str(m) for m in params.get("media_ids") or []]
        invalid = self._validate(params, username, text, spoiler, media_ids, None)
        if invalid is not None:
            invalid.family = "statuses"
            return invalid
        index, reset = self._window(now, self.status_period)
        used = self._count(self._status_counts, username, index)
        if used >= self.status_limit:
            return self._too_many("statuses", username, self.status_limit, reset)
        self._status_counts[username] = (index, used + 1)
        sensitive = params.get("sensitive")
        status = FakeStatus(
            id=self._next_id(now),
            account=username,
            text=text,
            spoiler_text=spoiler,
            visibility=str(params.get("visibility") or "public"),
            sensitive=(_truthy(sensitive) if sensitive is not None else False) or bool(spoiler),
            language=self._language(params.get("language"), self.default_language),
            media_ids=media_ids,
            idempotency_key=key,
            in_reply_to_id=str(params["in_reply_to_id"]) if params.get("in_reply_to_id") else None,
            created_at=now,
        )
        status.history.append(self._version(status, now))
        for media_id in media_ids:
            self._media[media_id].status_id = status.id
        self._statuses.append(status)
        self._status_by_id[status.id] = status
        self._after_status(status, [])
        if key:
            self._idempotency[(username, key)] = (status.id, now)
        return _Response(200, _json(self._status_json(status)), family="statuses")

    def _status_get(self, ident: str | None, username: str | None) -> _Response:
        status = self._status_by_id.get(str(ident))
        if status is None or status.deleted:
            return _error(404, "Record not found")
        if status.visibility in ("private", "direct") and status.account != username:
            return _error(404, "Record not found")
        return _Response(200, _json(self._status_json(status)))

    def _status_owned(
        self,
        endpoint: str,
        ident: str | None,
        params: dict[str, Any],
        username: str,
        now: float,
    ) -> _Response:
        status = self._status_by_id.get(str(ident))
        if status is None or status.deleted or status.account != username:
            return _error(404, "Record not found")
        if endpoint == "status_history":
            return _Response(200, _json([self._edit_json(status, v) for v in status.history]))
        if endpoint == "status_source":
            source = {"id": status.id, "text": status.text, "spoiler_text": status.spoiler_text}
            return _Response(200, _json(source))
        if endpoint == "status_delete":
            status.deleted, status.deleted_at = True, now
            if _truthy(params.get("delete_media", "")):
                for media_id in status.media_ids:
                    self._media[media_id].deleted = True
            self._cond.notify_all()
            body = self._status_json(status)
            body["text"] = status.text  # for delete-and-redraft
            return _Response(200, _json(body))
        # status_update. Mastodon's controller hands every field to UpdateStatusService
        # (app/controllers/api/v1/statuses_controller.rb), so an absent spoiler_text
        # clears the content warning (and `sensitive` with it), and absent media_ids
        # drop the status's media; the language is kept; visibility is not a parameter.
        text = str(params["status"]) if "status" in params else status.text
        spoiler = str(params.get("spoiler_text") or "")
        media_ids = [str(m) for m in params.get("media_ids") or []]
        invalid = self._validate(params, username, text, spoiler, media_ids, status)
        if invalid is not None:
            invalid.family = "statuses"
            return invalid
        language = self._language(params.get("language"), status.language)
        sensitive = _truthy(params.get("sensitive", "")) or bool(spoiler)
        changed = (text, spoiler, sensitive, language, media_ids) != (
            status.text,
            status.spoiler_text,
            status.sensitive,
            status.language,
            status.media_ids,
        )
        if changed:  # the server ignores an edit that changes nothing
            for media_id in status.media_ids:
                if media_id not in media_ids:
                    self._media[media_id].status_id = None
            for media_id in media_ids:
                self._media[media_id].status_id = status.id
            status.text, status.spoiler_text, status.sensitive = text, spoiler, sensitive
            status.language, status.media_ids, status.edited_at = language, media_ids, now
            status.history.append(self._version(status, now))
            self._after_status(status, self._mentions.get(status.id, []))
            self._cond.notify_all()
        return _Response(200, _json(self._status_json(status)), family="statuses")

    def _media_upload(
        self,
        params: dict[str, Any],
        uploads: dict[str, tuple[UploadedFile, bytes]],
        v1: bool,
        username: str,
        now: float,
    ) -> _Response:
        if "file" not in uploads:
            return _error(400, "param is missing or the value is empty: file")
        info, data = uploads["file"]
        mime = info.content_type.split(";")[0].strip()
        if mime not in SUPPORTED_MIME_TYPES:
            return _error(422, "Validation failed: File content type is invalid, File is invalid")
        limit = self.image_size_limit if mime.startswith("image/") else self.video_size_limit
        if info.size > limit:
            return _error(
                422, f"Validation failed: File file size must be less than {_human_size(limit)}"
            )
        description = params.get("description")
        if (too_long := self._description_error(description)) is not None:
            return too_long
        kind = (
            "gifv"
            if mime == "image/gif"
            else "image"
            if mime.startswith("image/")
            else mime.split("/")[0]
        )
        dims = _image_size(data)
        media = FakeMedia(
            id=self._next_id(now),
            account=username,
            type=kind,
            mime_type=mime,
            size=info.size,
            sha256=hashlib.sha256(data).hexdigest(),
            filename=info.filename,
            description=str(description) if description is not None else None,
            focus=str(params["focus"]) if params.get("focus") else None,
            created_at=now,
            width=dims[0] if dims else None,
            height=dims[1] if dims else None,
            # v2 processes video, gifv and audio in the background (202, url null).
            pending_polls=0 if v1 or kind == "image" else self.media_processing_polls,
        )
        self._media[media.id] = media
        self._cond.notify_all()
        processing = media.pending_polls > 0
        return _Response(202 if processing else 200, _json(self._media_json(media)))

    def _description_error(self, description: Any) -> _Response | None:
        if description is not None and len(str(description)) > self.description_limit:
            return _error(
                422,
                "Validation failed: Description is too long "
                f"(maximum is {self.description_limit} characters)",
            )
        return None

    def _media_read_or_update(
        self, endpoint: str, ident: str | None, params: dict[str, Any], username: str
    ) -> _Response:
        media = self._media.get(str(ident))
        # Both endpoints only see the caller's media that is not attached yet.
        if media is None or media.deleted or media.account != username or media.status_id:
            return _error(404, "Record not found")
        if endpoint == "media_update":
            description = params.get("description")
            if (too_long := self._description_error(description)) is not None:
                return too_long
            if description is not None:
                media.description = str(description)
            if params.get("focus"):
                media.focus = str(params["focus"])
            return _Response(200, _json(self._media_json(media)))
        if media.pending_polls > 0:
            still_processing = _Response(206, _json(self._media_json(media)))  # url: null
            media.pending_polls -= 1
            return still_processing
        return _Response(200, _json(self._media_json(media)))

    # ------------------------------------------------------------------ entities

    def _account_id(self, username: str) -> str:
        if username not in self._accounts:
            self._accounts[username] = str(110_000_000_000_000_000 + len(self._accounts) + 1)
        return self._accounts[username]

    def _next_id(self, now: float) -> str:
        # Snowflake-like, as Mastodon's: milliseconds << 16, strictly increasing.
        candidate = int(now * 1000) << 16
        self._last_id = max(candidate, self._last_id + 1)
        return str(self._last_id)

    def _account_json(self, username: str, with_source: bool = False) -> dict[str, Any]:
        base = self.url
        count = sum(1 for s in self._statuses if s.account == username and not s.deleted)
        account: dict[str, Any] = {
            "id": self._account_id(username),
            "username": username,
            "acct": self._acct(username),
            "display_name": username.capitalize(),
            "locked": False,
            "bot": username in self._bots,
            "discoverable": True,
            "indexable": False,
            "group": False,
            "created_at": "2024-01-01T00:00:00.000Z",
            "note": "",
            "url": f"{base}/@{username}",
            "uri": f"{base}/users/{username}",
            "avatar": f"{base}/avatars/original/missing.png",
            "avatar_static": f"{base}/avatars/original/missing.png",
            "header": f"{base}/headers/original/missing.png",
            "header_static": f"{base}/headers/original/missing.png",
            "followers_count": 0,
            "following_count": 0,
            "statuses_count": count,
            "last_status_at": None,
            "hide_collections": None,
            "noindex": False,
            "emojis": [],
            "roles": [],
            "fields": [],
        }
        if with_source:
            account["source"] = {
                "privacy": "public",
                "sensitive": False,
                "language": self.default_language,
                "note": "",
                "fields": [],
                "follow_requests_count": 0,
            }
        return account

    def _media_json(self, media: FakeMedia) -> dict[str, Any]:
        base = self.url
        ext = media.mime_type.split("/")[-1]
        ready = media.pending_polls == 0
        meta: dict[str, Any] = {}
        if media.width and media.height:
            original = {
                "width": media.width,
                "height": media.height,
                "size": f"{media.width}x{media.height}",
                "aspect": media.width / media.height,
            }
            meta = {"original": original, "small": dict(original)}
        if media.focus:
            x, _, y = media.focus.partition(",")
            meta["focus"] = {"x": float(x or 0), "y": float(y or 0)}
        return {
            "id": media.id,
            "type": media.type,
            "url": f"{base}/system/media_attachments/files/{media.id}/original.{ext}"
            if ready
            else None,
            "preview_url": f"{base}/system/media_attachments/files/{media.id}/small.png",
            "remote_url": None,
            "preview_remote_url": None,
            "text_url": None,
            "meta": meta,
            "description": media.description,
            "blurhash": None,
        }

    def _version(self, status: FakeStatus, at: float) -> StatusVersion:
        return StatusVersion(
            text=status.text,
            spoiler_text=status.spoiler_text,
            sensitive=status.sensitive,
            language=status.language,
            media_ids=list(status.media_ids),
            at=at,
        )

    def _edit_json(self, status: FakeStatus, version: StatusVersion) -> dict[str, Any]:
        return {
            "content": _render_content(version.text, self.url),
            "spoiler_text": version.spoiler_text,
            "sensitive": version.sensitive,
            "created_at": _iso_ms(version.at),
            "account": self._account_json(status.account),
            "poll": None,
            "media_attachments": [self._media_json(self._media[m]) for m in version.media_ids],
            "emojis": [],
        }

    def _status_json(self, status: FakeStatus) -> dict[str, Any]:
        base = self.url
        tags = dict.fromkeys(t.lower() for t in re.findall(r"(?<![\w/#&])#(\w+)", status.text))
        return self._mentions_json(
            status,
            {
                "id": status.id,
                "created_at": _iso_ms(status.created_at),
                "in_reply_to_id": status.in_reply_to_id,
                "in_reply_to_account_id": None,
                "sensitive": status.sensitive,
                "spoiler_text": status.spoiler_text,
                "visibility": status.visibility,
                "language": status.language,
                "uri": f"{base}/users/{status.account}/statuses/{status.id}",
                "url": self.status_url or f"{base}/@{status.account}/{status.id}",
                "replies_count": 0,
                "reblogs_count": 0,
                "favourites_count": 0,
                "edited_at": _iso_ms(status.edited_at) if status.edited_at else None,
                "favourited": False,
                "reblogged": False,
                "muted": False,
                "bookmarked": False,
                "pinned": False,
                "content": _render_content(status.text, base),
                "filtered": [],
                "reblog": None,
                "application": {"name": "postbode", "website": None},
                "account": self._account_json(status.account),
                "media_attachments": [self._media_json(self._media[m]) for m in status.media_ids],
                "mentions": [],
                "tags": [{"name": t, "url": f"{base}/tags/{t}"} for t in tags],
                "emojis": [],
                "card": None,
                "poll": None,
            },
        )
