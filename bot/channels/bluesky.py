"""Bluesky adapter (the atproto SDK's AsyncClient, in the event loop): posts summaries
as `app.bsky.feed.post` records on one account.

The session is created once (createSession allows 30 a 5 minutes and 100 to 300 a day
per account), and only when there is something to do: a `run --once` with nothing due
never logs in. The SDK refreshes it before its access token runs out; a call refused
with ExpiredToken refreshes it with the refresh token, and only when that fails is it
created again. The app password stays in this object: never logged, never stored.

Bluesky has no idempotency key: each delivery's record has a key (rkey) of its own,
derived from the delivery. A key can hold one record, and when creating it fails (the
key is taken: a crash or a lost answer after an earlier attempt made it) or its answer
is lost, the record under the key is looked for: found, it is the post, sent.

This module imports no SDK: bot/channels/bluesky_client.py, the SDK's side, is imported
on a thread when the channel starts (two seconds of CPU), and awaited by the first
request.
"""

from __future__ import annotations

import asyncio
import collections
import importlib
import logging
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

from bot.addresses import Allowed
from bot.channels.base import AuthFailed, NoEdit, Permanent, RateLimited, Retryable, Sent
from bot.channels.bluesky_record import (
    THUMB_BYTES,
    BlueskyPost,
    post_url,
    record_key,
    render_bluesky,
)
from bot.channels.images import ImageFetcher, ImageRefused
from bot.clock import utc_now
from bot.jekyll.posts import Post
from bot.jekyll.site import normalize_url
from bot.routing.destinations import Destination

if TYPE_CHECKING:
    from atproto_client.client.session import Session

    from bot.channels.bluesky_client import Client

log = logging.getLogger(__name__)
T = TypeVar("T")

REQUEST_TIMEOUT = 15.0
# The PDS's write budget: 5,000 points an hour per account; a create costs 3, a delete 1.
CREATE_POINTS, DELETE_POINTS = 3, 1
WRITES = frozenset({"com.atproto.repo.createRecord", "com.atproto.repo.deleteRecord"})
# createSession per account: 30 a 5 minutes, 300 a day on a PDS, 100 a day through
# bsky.social's entryway. Kept here as well (the stricter), so that a loop of failing
# logins can never lock the account out for a day.
LOGIN_LIMITS = ((30, 300.0), (100, 86400.0))
_AT_URI = re.compile(r"^at://([^/]+)/([^/]+)/([A-Za-z0-9._:~-]{1,512})$")
_SDK = "bot.channels.bluesky_client"


@dataclass(frozen=True)
class Budget:
    """What an answer's `ratelimit-*` headers said: calls (or points) left until when."""

    remaining: int
    reset: float  # epoch seconds

    @classmethod
    def of(cls, headers: Mapping[str, str]) -> Budget | None:
        try:
            return cls(int(headers["ratelimit-remaining"]), float(headers["ratelimit-reset"]))
        except (KeyError, ValueError):
            return None


class BlueskyChannel:
    """Publishes summaries as posts on one Bluesky account."""

    min_interval = 0.0  # the PDS's headers pace us, see _check_budget

    def __init__(
        self,
        destination: Destination,
        password: str,
        language: str,
        site_root: Path,
        *,
        image_hosts: tuple[Allowed, ...] = (),
        clock: Callable[[], float] = time.time,
        request_timeout: float = REQUEST_TIMEOUT,
    ) -> None:
        self.key = destination.key
        self.destination = destination
        self.language = language
        self.clock = clock
        self.request_timeout = request_timeout
        self._password = password
        self.images = ImageFetcher(image_hosts, THUMB_BYTES, site_root)
        self._loading: asyncio.Future[ModuleType] | None = None  # the SDK, on a thread
        self._client: Client | None = None
        self._session: Session | None = None
        self._logins: collections.deque[float] = collections.deque()
        self._blocked_until = 0.0  # a 429, or a budget at 0: no request before this
        self._writes: Budget | None = None  # the write budget, as the last write said

    async def start(self) -> None:
        """Begin importing the SDK on a thread; the session is made when the first
        request needs it."""
        if self._loading is None:
            self._loading = asyncio.ensure_future(asyncio.to_thread(importlib.import_module, _SDK))

    async def close(self) -> None:
        await self.images.close()
        if self._client is not None:
            await self._client.close()
            self._client = None  # a later request opens a new pool, with the same session

    async def _api(self) -> Client:
        """The account's client, once the SDK is imported."""
        if self._client is None:
            await self.start()
            assert self._loading is not None
            await self._loading
            from bot.channels.bluesky_client import Client  # imported by now: no cost

            client = Client(
                self.destination.pds, self._note_headers, self._keep_session, self.request_timeout
            )
            if self._session is not None:
                await client.resume(self._session)
            self._client = client
        return self._client

    async def check(self) -> str | None:
        try:
            session = await self._ensure_session()
        except (Retryable, Permanent, AuthFailed) as error:
            return str(error)
        log.info("%s: posting as @%s (%s)", self.key, session.handle, session.did)
        return None

    async def publish(self, post: Post, idempotency_key: str) -> Sent:
        rendered = render_bluesky(
            post, self.language, now=utc_now(), extra_tags=self.destination.hashtags
        )
        rkey = record_key(idempotency_key)
        self._check_budget(CREATE_POINTS)
        did = (await self._ensure_session()).did
        record = rendered.record(await self._thumb(rendered, post.path))
        try:
            uri = await self._call(lambda api: api.create(did, rkey, record))
        except RateLimited:
            raise
        except (Retryable, Permanent):
            # Refused (the key is taken: an earlier attempt made it, its answer lost), or
            # the answer lost now: the record under this key, if there is one, is ours.
            existing = await self._find(did, rkey)
            if existing is None:
                raise
            log.info("%s: %s was posted before, as %s", self.key, post.path, existing)
            uri = existing
        return Sent(uri, _public(uri))

    async def public_url(self, remote_id: str) -> str | None:
        """The bsky.app address of a record: its repo's DID and its key, no request."""
        return _public(remote_id)

    async def edit(self, post: Post, remote_id: str) -> None:
        raise NoEdit("Bluesky has no edit: the post shows the summary it was first sent with")

    async def delete(self, post: Post, remote_id: str) -> None:
        match = _AT_URI.match(remote_id)
        if not match:
            raise Permanent(f"{remote_id!r} is not the at:// URI of a record")
        self._check_budget(DELETE_POINTS)
        repo, collection, rkey = match.groups()
        await self._call(lambda api: api.delete(repo, collection, rkey))

    async def _find(self, did: str, rkey: str) -> str | None:
        """The URI of the record under this key, if the account has one."""
        try:
            return await self._call(lambda api: api.find(did, rkey))
        except _NotFound:
            return None

    async def _thumb(self, rendered: BlueskyPost, path: str) -> dict[str, Any] | None:
        """The feature image uploaded as the card's thumb; on any failure, none: a post
        never waits or fails for its image. Larger than 1,000,000 bytes: left out."""
        if not rendered.image_url and not rendered.image_path:
            return None
        try:
            data, mime = await self.images.load(rendered.image_url, rendered.image_path)
            return await self._call(lambda api: api.upload(data, mime))
        except (ImageRefused, Retryable, Permanent) as error:
            log.warning("%s: posting %s without its image: %s", self.key, path, error)
        except AuthFailed:
            raise
        except Exception:  # the image is extra: a surprise here must not hold up the post
            log.exception("%s: posting %s without its image", self.key, path)
        return None

    # -- the session -----------------------------------------------------------------

    def _keep_session(self, session: Session) -> None:
        self._session = session

    async def _ensure_session(self) -> Session:
        if self._session is None:
            await self._login()
        assert self._session is not None
        return self._session

    async def _login(self) -> None:
        """createSession, within its limits (kept here too: a 429 there lasts a day)."""
        now = self.clock()
        while self._logins and self._logins[0] <= now - LOGIN_LIMITS[-1][1]:
            self._logins.popleft()
        for count, period in LOGIN_LIMITS:
            recent = [t for t in self._logins if t > now - period]
            if len(recent) >= count:
                wait = recent[0] + period - now
                raise RateLimited(f"Bluesky logins: next one in {wait:.0f} s", wait)
        api = await self._api()
        self._logins.append(now)
        handle = self.destination.target
        await self._request(lambda: api.login(handle, self._password))
        log.info("%s: logged in as @%s", self.key, handle)

    async def _renew(self) -> None:
        """ExpiredToken: refresh the session with its refresh token; only if that fails,
        create a new one."""
        from bot.channels.bluesky_answers import translate

        session = self._session
        if session is None:
            await self._login()
            return
        try:
            await (await self._api()).refresh(session)
        except Exception as error:  # refused, or unreachable: a new session, once
            log.info("%s: refreshing the session failed (%s); logging in again", self.key,
                     translate(error, self.clock()))  # fmt: skip
            await self._login()

    # -- requests --------------------------------------------------------------------

    async def _call(self, make: Callable[[Client], Awaitable[T]]) -> T:
        """One request with the session: refreshed and asked once more on ExpiredToken."""
        api = await self._api()
        await self._ensure_session()
        try:
            return await self._request(lambda: make(api), retry_session=True)
        except _SessionExpired:
            await self._renew()
            return await self._request(lambda: make(api))

    async def _request(self, make: Callable[[], Awaitable[T]], *, retry_session: bool = False) -> T:
        from bot.channels.bluesky_answers import answer_of, session_expired, translate

        if self._blocked_until > self.clock():
            wait = self._blocked_until - self.clock()
            raise RateLimited(f"Bluesky rate limit: retry in {wait:.0f} s", wait)
        try:
            return await make()
        except Exception as error:
            if retry_session and session_expired(error):
                raise _SessionExpired() from None
            if answer_of(error).name == "RecordNotFound":
                raise _NotFound() from None
            translated = translate(error, self.clock())
            if isinstance(translated, RateLimited):
                self._blocked_until = self.clock() + translated.retry_after
            raise translated from None

    def _note_headers(self, url: str, headers: Mapping[str, str]) -> None:
        """Keep the write budget from the writes' answers; any budget at 0 blocks all."""
        budget = Budget.of(headers)
        if budget is None:
            return
        if url.rsplit("/", 1)[-1] in WRITES:
            self._writes = budget
        if budget.remaining <= 0:
            self._blocked_until = max(self._blocked_until, budget.reset)

    def _check_budget(self, points: int) -> None:
        """Refuse before asking when the write budget cannot pay for this write."""
        now = self.clock()
        wait = self._blocked_until - now
        if self._writes is not None and self._writes.remaining < points:
            wait = max(wait, self._writes.reset - now)
        if wait > 0:
            raise RateLimited(f"Bluesky write budget: next write in {wait:.0f} s", wait)


def _public(uri: str) -> str:
    """The record's bsky.app URL, as the site's pages may link it: http(s), percent-
    encoded (the DID comes from the PDS), or none."""
    return normalize_url(post_url(uri)) or ""


class _SessionExpired(Exception):
    """The access token expired: renew the session, then ask again."""


class _NotFound(Exception):
    """getRecord: no record under that key."""
