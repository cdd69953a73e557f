"""A fake Bluesky PDS on 127.0.0.1 for tests, driven by the real atproto SDK.

It checks what a PDS checks where the product can notice: sessions (createSession with
its own limit of 30 a 5 minutes and 300 a day per account, access tokens that expire,
refresh tokens that rotate and are used once), the `app.bsky.feed.post` record's schema
(text within 300 graphemes and 3,000 UTF-8 bytes, a valid createdAt, at most three
`langs`, facets whose byte offsets lie within the text and on character boundaries, the
external embed's fields), record keys (a TID for a post; one already taken is refused),
blobs (an image type sniffed from the bytes, at most 1,000,000 for a card's thumb, one
that was uploaded by this account), and rate limits: the write budget of 5,000 points
an hour (a create costs 3, a delete 1) and the calls per IP, in `ratelimit-*` headers on
every answer, and 429s whose `ratelimit-reset` a client must wait out.

Errors are XRPC's: `{"error": Name, "message": text}`. It can be told to fail (5xx,
dropped connections, an answer lost after the record was made) and records what it saw.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from urllib.parse import parse_qsl

import grapheme

from tests.fakes import server
from tests.fakes.server import ClockedFake, Reply, Request, lose_answer, skip_reply

HANDLE = "news.example.org"
PASSWORD = "abcd-efgh-ijkl-mnop"  # the shape of an app password
DID = "did:plc:fakepdsaccount000000000"
FAILURE_KINDS = frozenset({"500", "502", "503", *server.TRANSPORT_FAILURES})
DEFAULT_FAILURE_ENDPOINTS = frozenset({"createRecord", "deleteRecord", "uploadBlob"})
WRITE_POINTS = {"createRecord": 3, "deleteRecord": 1}
_TID_CHARS = "234567abcdefghijklmnopqrstuvwxyz"
_TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_IMAGE_MAGIC = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}


class XrpcError(Exception):
    def __init__(self, status: int, name: str, message: str) -> None:
        super().__init__(message)
        self.status, self.name, self.message = status, name, message


@dataclass
class FakeRecord:
    uri: str
    rkey: str
    cid: str
    value: dict[str, Any]
    created_at: float
    deleted: bool = False


@dataclass
class FakeBlob:
    cid: str
    mime_type: str
    size: int


@dataclass
class RecordedRequest:
    """What the fake saw. Tokens and passwords are never kept."""

    at: float
    method: str
    endpoint: str | None  # the NSID's last part: createRecord, getRecord, ...
    params: dict[str, Any]
    status: int | None = None
    error: str = ""  # the XRPC error name, or the injected failure
    violation: bool = False  # arrived before a 429's announced reset


@dataclass
class _Tokens:
    access: dict[str, float] = field(default_factory=dict)  # jwt -> expiry (fake clock)
    refresh: dict[str, float] = field(default_factory=dict)


def cid_of(data: bytes, codec: int = 0x55) -> str:
    """A CIDv1 (raw or dag-cbor codec, sha2-256) in base32, as a PDS names a blob or record."""
    digest = bytes([0x01, codec, 0x12, 0x20]) + hashlib.sha256(data).digest()
    return "b" + base64.b32encode(digest).decode().lower().rstrip("=")


def _jwt(payload: dict[str, Any]) -> str:
    def part(obj: Any) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    signature = base64.urlsafe_b64encode(hashlib.sha256(part(payload).encode()).digest())
    return (
        f"{part({'typ': 'JWT', 'alg': 'ES256K'})}.{part(payload)}.{signature.decode().rstrip('=')}"
    )


class FakeBluesky(ClockedFake[RecordedRequest]):
    """One account on a PDS at ``url``: log in with HANDLE (or DID) and PASSWORD."""

    _http_methods = ("GET", "POST")
    _idle_timeout = 120

    def __init__(
        self,
        *,
        handle: str = HANDLE,
        password: str = PASSWORD,
        did: str = DID,
        access_ttl: float = 2 * 3600.0,
        refresh_ttl: float = 60 * 86400.0,
        write_limit: int = 5000,
        write_period: float = 3600.0,
        ip_limit: int = 3000,
        ip_period: float = 300.0,
        session_limits: tuple[tuple[int, float], ...] = ((30, 300.0), (300, 86400.0)),
        failure_endpoints: Iterable[str] = DEFAULT_FAILURE_ENDPOINTS,
        hold_limit: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(FAILURE_KINDS, hold_limit=hold_limit, clock=clock)
        self.handle, self.password, self.did = handle, password, did
        self.access_ttl, self.refresh_ttl = access_ttl, refresh_ttl
        self.write_limit, self.write_period = write_limit, write_period
        self.ip_limit, self.ip_period = ip_limit, ip_period
        self.session_limits = session_limits
        self.failure_endpoints = frozenset(failure_endpoints)
        self._tokens = _Tokens()
        self._serial = 0
        self._records: dict[str, FakeRecord] = {}  # rkey -> record (deleted ones kept)
        self._blobs: dict[str, FakeBlob] = {}
        self._sessions_created: list[float] = []
        self._writes: list[tuple[float, int]] = []  # (when, points)
        self._calls: list[float] = []
        self._penalty_until = 0.0
        self._forced_429: list[float] = []
        self.refreshes = 0

    # -- configuration, failures ------------------------------------------------------

    def clear_failures(self) -> None:
        """Forget the failures queued by fail_next."""
        with self._cond:
            self._fail_queue.clear()

    def rate_limit_next(self, reset_in: float = 60.0, count: int = 1) -> None:
        """Answer the next ``count`` requests to ``failure_endpoints`` with 429, reset in
        ``reset_in`` seconds; any request before then counts as a violation."""
        with self._cond:
            self._forced_429.extend([reset_in] * count)

    def expire_access_tokens(self) -> None:
        """Every access token is expired from now on (the server's clock ran past it)."""
        with self._cond:
            self._tokens.access = dict.fromkeys(self._tokens.access, self.now() - 1)

    def revoke_refresh_tokens(self) -> None:
        """The refresh tokens are revoked (an app password deleted and made again)."""
        with self._cond:
            self._tokens.refresh.clear()

    # -- observations --------------------------------------------------------------------

    @property
    def records(self) -> list[FakeRecord]:
        """Every post record made, in order, deleted ones included."""
        with self._lock:
            return list(self._records.values())

    @property
    def live_records(self) -> list[FakeRecord]:
        with self._lock:
            return [r for r in self._records.values() if not r.deleted]

    @property
    def sessions_created(self) -> int:
        with self._lock:
            return len(self._sessions_created)

    @property
    def violations(self) -> int:
        with self._lock:
            return sum(r.violation for r in self._requests)

    def wait_for(
        self, predicate: Callable[[], bool], timeout: float = 10.0, message: str = ""
    ) -> None:
        def failure() -> str:
            recent = self._recent(10, lambda r: f"{r.method} {r.endpoint} -> {r.status} {r.error}")
            return f"FakeBluesky: not met within {timeout} s: {message}; last requests:\n{recent}"

        self._wait(predicate, timeout, failure)

    def wait_for_records(self, n: int, timeout: float = 10.0) -> list[FakeRecord]:
        self.wait_for(lambda: len(self._records) >= n, timeout, f"{n} records")
        return self.records

    # -- requests ------------------------------------------------------------------------

    def _handle(self, request: Request) -> Reply:
        match = re.fullmatch(r"/xrpc/([a-zA-Z0-9.]+)", request.path)
        nsid = match.group(1) if match else ""
        endpoint = nsid.rsplit(".", 1)[-1] if nsid.startswith("com.atproto.") else None
        now = self.now()
        params: dict[str, Any] = dict(parse_qsl(request.query, keep_blank_values=True))
        record = RecordedRequest(time.monotonic(), request.command, endpoint, params)
        record.violation = now < self._penalty_until
        injected = self._next_failure() if endpoint in self.failure_endpoints else None
        kind = injected[0] if injected else None
        skipped = skip_reply(kind)
        if skipped is not None:
            record.error = str(kind)
            self._record(record)
            return skipped
        try:
            if kind in ("500", "502", "503"):
                raise XrpcError(int(kind), "InternalServerError", "Internal Server Error")
            headers = self._count_call(now)
            if endpoint in self.failure_endpoints and self._forced_429:
                reset = now + self._forced_429.pop(0)
                self._penalty_until = max(self._penalty_until, reset)
                raise _TooMany(self.write_limit, reset)
            body, more = self._process(endpoint, request, params, now)
            headers.update(more)
            reply = Reply(
                200, json.dumps(body).encode(), "application/json; charset=utf-8", headers
            )
            record.status = 200
        except _TooMany as too_many:
            record.status, record.error = 429, "RateLimitExceeded"
            reply = self._error(429, "RateLimitExceeded", "Rate Limit Exceeded")
            reply.headers.update(_limit_headers(too_many.limit, 0, too_many.reset))
        except XrpcError as error:
            record.status, record.error = error.status, error.name
            reply = self._error(error.status, error.name, error.message)
        record.error = str(kind or record.error)
        self._record(record)
        return lose_answer(kind, reply)

    @staticmethod
    def _error(status: int, name: str, message: str) -> Reply:
        body = json.dumps({"error": name, "message": message}).encode()
        return Reply(status, body, "application/json; charset=utf-8", {})

    def _count_call(self, now: float) -> dict[str, str]:
        """Every call counts against the IP's budget (3,000 a 5 minutes)."""
        self._calls = [t for t in self._calls if t > now - self.ip_period] + [now]
        reset = (self._calls[0] + self.ip_period) if self._calls else now
        if len(self._calls) > self.ip_limit:
            self._penalty_until = max(self._penalty_until, reset)
            raise _TooMany(self.ip_limit, reset)
        return _limit_headers(self.ip_limit, self.ip_limit - len(self._calls), reset)

    def _process(
        self, endpoint: str | None, request: Request, params: dict[str, Any], now: float
    ) -> tuple[dict[str, Any], dict[str, str]]:
        if endpoint == "uploadBlob":
            return self._upload_blob(request, self._account(request, now)), {}
        if request.command == "POST":
            try:
                body = server.decode_body("application/json", request.body or b"")
            except server.BodyError as error:
                raise XrpcError(400, "InvalidRequest", str(error)) from None
            params.update(dict(body.fields))
        if endpoint == "createSession":
            return self._create_session(params, now), self._session_headers(now)
        if endpoint == "refreshSession":
            return self._refresh_session(request, now), {}
        did = self._account(request, now)
        if endpoint == "getSession":
            return {"handle": self.handle, "did": did, "active": True}, {}
        if endpoint == "getRecord" and request.command == "GET":
            return self._get_record(params), {}
        if endpoint == "createRecord" and request.command == "POST":
            self._check_repo(params)
            headers = self._spend("createRecord", now)
            return self._create_record(params, now), headers
        if endpoint == "deleteRecord" and request.command == "POST":
            self._check_repo(params)
            headers = self._spend("deleteRecord", now)
            taken = self._records.get(str(params.get("rkey")))
            if taken is not None:
                taken.deleted = True
            return {}, headers
        raise XrpcError(501, "MethodNotImplemented", f"Method Not Implemented: {request.path}")

    # -- sessions ------------------------------------------------------------------------

    def _tokens_for(self, now: float) -> dict[str, Any]:
        self._serial += 1
        access = _jwt({"scope": "com.atproto.access", "sub": self.did, "iat": int(now),
                       "exp": int(now + self.access_ttl), "jti": f"a{self._serial}"})  # fmt: skip
        refresh = _jwt({"scope": "com.atproto.refresh", "sub": self.did, "iat": int(now),
                        "exp": int(now + self.refresh_ttl), "jti": f"r{self._serial}"})  # fmt: skip
        self._tokens.access[access] = now + self.access_ttl
        self._tokens.refresh[refresh] = now + self.refresh_ttl
        return {"accessJwt": access, "refreshJwt": refresh, "handle": self.handle,
                "did": self.did, "active": True}  # fmt: skip

    def _session_headers(self, now: float) -> dict[str, str]:
        count, period = self.session_limits[0]
        recent = [t for t in self._sessions_created if t > now - period]
        reset = (recent[0] + period) if recent else now + period
        return _limit_headers(count, count - len(recent), reset, "createSession")

    def _create_session(self, params: dict[str, Any], now: float) -> dict[str, Any]:
        for count, period in self.session_limits:
            recent = [t for t in self._sessions_created if t > now - period]
            if len(recent) >= count:
                self._penalty_until = max(self._penalty_until, recent[0] + period)
                raise _TooMany(count, recent[0] + period)
        self._sessions_created.append(now)
        if (
            params.get("identifier") not in (self.handle, self.did)
            or params.get("password") != self.password
        ):
            raise XrpcError(401, "AuthenticationRequired", "Invalid identifier or password")
        return self._tokens_for(now)

    def _bearer(self, request: Request) -> str:
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            raise XrpcError(401, "AuthenticationRequired", "Authentication Required")
        return auth[7:]

    def _refresh_session(self, request: Request, now: float) -> dict[str, Any]:
        token = self._bearer(request)
        expiry = self._tokens.refresh.pop(token, None)  # a refresh token is used once
        if expiry is None:
            raise XrpcError(400, "ExpiredToken", "Token has been revoked")
        if expiry <= now:
            raise XrpcError(400, "ExpiredToken", "Token has expired")
        self.refreshes += 1
        return self._tokens_for(now)

    def _account(self, request: Request, now: float) -> str:
        token = self._bearer(request)
        expiry = self._tokens.access.get(token)
        if expiry is None:
            raise XrpcError(401, "InvalidToken", "Token could not be verified")
        if expiry <= now:
            raise XrpcError(400, "ExpiredToken", "Token has expired")
        return self.did

    def _check_repo(self, params: dict[str, Any]) -> None:
        if params.get("repo") not in (self.did, self.handle):
            raise XrpcError(400, "InvalidRequest", f"Could not find repo: {params.get('repo')}")
        if params.get("collection") != "app.bsky.feed.post":
            raise XrpcError(400, "InvalidRequest", "this fake keeps app.bsky.feed.post only")

    def _spend(self, endpoint: str, now: float) -> dict[str, str]:
        """The write budget, in points per account and hour."""
        self._writes = [(t, p) for t, p in self._writes if t > now - self.write_period]
        used = sum(p for _, p in self._writes) + WRITE_POINTS[endpoint]
        reset = (self._writes[0][0] if self._writes else now) + self.write_period
        if used > self.write_limit:
            self._penalty_until = max(self._penalty_until, reset)
            raise _TooMany(self.write_limit, reset)
        self._writes.append((now, WRITE_POINTS[endpoint]))
        return _limit_headers(self.write_limit, self.write_limit - used, reset, "repo-write")

    # -- records and blobs ---------------------------------------------------------------

    def _get_record(self, params: dict[str, Any]) -> dict[str, Any]:
        rkey = str(params.get("rkey"))
        found = self._records.get(rkey)
        if params.get("repo") not in (self.did, self.handle) or found is None or found.deleted:
            uri = f"at://{params.get('repo')}/{params.get('collection')}/{rkey}"
            raise XrpcError(400, "RecordNotFound", f"Could not locate record: {uri}")
        return {"uri": found.uri, "cid": found.cid, "value": found.value}

    def _create_record(self, params: dict[str, Any], now: float) -> dict[str, Any]:
        rkey = params.get("rkey")
        if rkey is None:  # a TID of the fake's own: its time and a serial number
            self._serial += 1
            value = (int(now * 1_000_000) << 10) | (self._serial & 0x3FF)
            rkey = "".join(_TID_CHARS[(value >> (60 - 5 * i)) & 31] for i in range(13))
        if not isinstance(rkey, str) or not _TID.match(rkey):
            raise XrpcError(400, "InvalidRequest", f"Invalid record key: {rkey!r} is not a TID")
        if rkey in self._records and not self._records[rkey].deleted:
            # The repository already holds that key: the PDS's commit fails.
            raise XrpcError(500, "InternalServerError", "Internal Server Error")
        value = params.get("record")
        problem = self._invalid_post(value)
        if problem:
            raise XrpcError(400, "InvalidRequest", f"Invalid app.bsky.feed.post record: {problem}")
        uri = f"at://{self.did}/app.bsky.feed.post/{rkey}"
        cid = cid_of(json.dumps(value, sort_keys=True).encode(), 0x71)
        self._records[rkey] = FakeRecord(uri, rkey, cid, value, now)  # type: ignore[arg-type]
        return {"uri": uri, "cid": cid, "commit": {"cid": cid, "rev": rkey},
                "validationStatus": "valid"}  # fmt: skip

    def _invalid_post(self, value: Any) -> str:
        """What the lexicon refuses in a post, "" when it is valid."""
        if not isinstance(value, dict) or value.get("$type") != "app.bsky.feed.post":
            return "Record/$type must be app.bsky.feed.post"
        text, created = value.get("text"), value.get("createdAt")
        if not isinstance(text, str):
            return 'Record must have the property "text"'
        if len(text.encode("utf-8")) > 3000:
            return "Record/text must not be longer than 3000 characters"
        if grapheme.length(text) > 300:
            return "Record/text must not be longer than 300 graphemes"
        if not isinstance(created, str) or not _DATETIME.match(created):
            return "Record/createdAt must be an valid atproto datetime"
        try:
            datetime.fromisoformat(created.replace("Z", "+00:00"))
        except ValueError:
            return "Record/createdAt must be an valid atproto datetime"
        langs = value.get("langs", [])
        if not isinstance(langs, list) or len(langs) > 3:
            return "Record/langs must not have more than 3 elements"
        if not all(isinstance(code, str) and _LANGUAGE.match(code) for code in langs):
            return "Record/langs must be valid language codes"
        raw = text.encode("utf-8")
        for number, facet in enumerate(value.get("facets") or []):
            problem = _invalid_facet(facet, raw)
            if problem:
                return f"Record/facets/{number}: {problem}"
        return self._invalid_embed(value.get("embed"))

    def _invalid_embed(self, embed: Any) -> str:
        if embed is None:
            return ""
        if not isinstance(embed, dict) or embed.get("$type") != "app.bsky.embed.external":
            return "Record/embed: this fake knows app.bsky.embed.external only"
        external = embed.get("external")
        if not isinstance(external, dict):
            return "Record/embed/external must be an object"
        for key in ("uri", "title", "description"):
            if not isinstance(external.get(key), str):
                return f'Record/embed/external must have the property "{key}"'
        if not re.match(r"^[a-z][a-z0-9+.-]*:\S+$", external["uri"]):
            return "Record/embed/external/uri must be a uri"
        thumb = external.get("thumb")
        if thumb is None:
            return ""
        link = thumb.get("ref", {}).get("$link") if isinstance(thumb, dict) else None
        blob = self._blobs.get(str(link))
        if thumb.get("$type") != "blob" or blob is None:
            return "Record/embed/external/thumb: the blob was never uploaded"
        if not blob.mime_type.startswith("image/") or thumb.get("mimeType") != blob.mime_type:
            return f"Record/embed/external/thumb: wrong type {thumb.get('mimeType')!r}"
        if blob.size > 1_000_000 or thumb.get("size") != blob.size:
            return f"Record/embed/external/thumb: {blob.size} bytes, at most 1000000"
        return ""

    def _upload_blob(self, request: Request, did: str) -> dict[str, Any]:
        data = request.body or b""
        if len(data) > 50 * 1024 * 1024:
            raise XrpcError(400, "BlobTooLarge", "This file is too large")
        sniffed = next((m for magic, m in _IMAGE_MAGIC.items() if data.startswith(magic)), None)
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            sniffed = "image/webp"
        mime = sniffed or request.content_type.split(";")[0].strip() or "application/octet-stream"
        cid = cid_of(data)
        self._blobs[cid] = FakeBlob(cid, mime, len(data))
        return {
            "blob": {"$type": "blob", "ref": {"$link": cid}, "mimeType": mime, "size": len(data)}
        }


class _TooMany(Exception):
    def __init__(self, limit: int, reset: float) -> None:
        self.limit, self.reset = limit, reset


def _limit_headers(limit: int, remaining: int, reset: float, name: str = "") -> dict[str, str]:
    window = {"createSession": 300, "repo-write": 3600}.get(name, 300)
    return {
        "RateLimit-Limit": str(limit),
        "RateLimit-Remaining": str(max(0, remaining)),
        "RateLimit-Reset": str(int(reset) + (0 if reset == int(reset) else 1)),
        "RateLimit-Policy": f"{limit};w={window}",
    }


def _invalid_facet(facet: Any, raw: bytes) -> str:
    index = facet.get("index") if isinstance(facet, dict) else None
    start = index.get("byteStart") if isinstance(index, dict) else None
    end = index.get("byteEnd") if isinstance(index, dict) else None
    if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start <= end:
        return "index must have byteStart <= byteEnd, both at least 0"
    if end > len(raw):
        return f"byteEnd {end} is past the text's {len(raw)} bytes"
    try:
        raw[start:end].decode("utf-8")
    except UnicodeDecodeError:
        return f"bytes {start}-{end} do not fall on character boundaries"
    features = facet.get("features")
    if not isinstance(features, list) or not features:
        return "features must be a list with at least one element"
    for feature in features:
        kind = feature.get("$type") if isinstance(feature, dict) else None
        if kind == "app.bsky.richtext.facet#link" and isinstance(feature.get("uri"), str):
            continue
        tag = feature.get("tag") if isinstance(feature, dict) else None
        if kind == "app.bsky.richtext.facet#tag" and isinstance(tag, str):
            if len(tag.encode()) > 640 or grapheme.length(tag) > 64:
                return "tag must not be longer than 64 graphemes"
            continue
        return f"unknown or incomplete feature {kind!r}"
    return ""


FailureKind = Literal["500", "502", "503", "drop", "timeout", "accept_then_drop",
                      "accept_then_hold", "accept_then_garble"]  # fmt: skip
