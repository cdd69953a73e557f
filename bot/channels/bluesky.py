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
"""

from __future__ import annotations

import collections
import logging
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from atproto_client import AsyncClient, models
from atproto_client.client.session import Session, SessionEvent
from atproto_client.models.utils import get_model_as_dict
from atproto_client.request import AsyncRequest, Response

from bot.addresses import Allowed
from bot.channels.base import AuthFailed, NoEdit, Permanent, RateLimited, Retryable, Sent
from bot.channels.bluesky_answers import Budget, answer_of, session_expired, translate
from bot.channels.bluesky_record import (
    POST_COLLECTION,
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


class _Request(AsyncRequest):  # type: ignore[misc]  # the SDK has no type marker
    """The SDK's HTTP client, telling the channel each answer's rate-limit headers."""

    def __init__(self, on_answer: Callable[[str, Mapping[str, str]], None], **kwargs: Any):
        super().__init__(**kwargs)
        self._on_answer = on_answer

    async def get(self, *args: Any, **kwargs: Any) -> Response:
        response = await super().get(*args, **kwargs)
        self._on_answer(str(kwargs.get("url", "")), response.headers)
        return response

    async def post(self, *args: Any, **kwargs: Any) -> Response:
        response = await super().post(*args, **kwargs)
        self._on_answer(str(kwargs.get("url", "")), response.headers)
        return response


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
    ) -> None:
        self.key = destination.key
        self.destination = destination
        self.language = language
        self.clock = clock
        self._password = password
        self.images = ImageFetcher(image_hosts, THUMB_BYTES, site_root)
        self.client = self._new_client()
        self._closed = False
        self._session: Session | None = None
        self._logins: collections.deque[float] = collections.deque()
        self._blocked_until = 0.0  # a 429, or a budget at 0: no request before this
        self._writes: Budget | None = None  # the write budget, as the last write said

    def _new_client(self) -> AsyncClient:
        client = AsyncClient(
            self.destination.pds, request=_Request(self._note_headers, timeout=REQUEST_TIMEOUT)
        )
        client.on_session_change(self._keep_session)
        return client

    async def start(self) -> None:
        """Nothing to read: the session is made when the first request needs it. After
        a close, a new connection pool goes on with the session there was."""
        if not self._closed:
            return
        self.client, self._closed = self._new_client(), False
        if self._session is not None:
            await self.client.login(session_string=self._session.encode(), fetch_bsky_profile=False)

    async def close(self) -> None:
        await self.images.close()
        await self.client.request.close()
        self._closed = True

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
        session = await self._ensure_session()
        thumb = await self._thumb(rendered, post.path)
        data = models.ComAtprotoRepoCreateRecord.Data(
            repo=session.did, collection=POST_COLLECTION, rkey=rkey, record=rendered.record(thumb)
        )
        try:
            created = await self._call(lambda: self.client.com.atproto.repo.create_record(data))
        except RateLimited:
            raise
        except (Retryable, Permanent):
            # Refused (the key is taken: an earlier attempt made it, its answer lost), or
            # the answer lost now: the record under this key, if there is one, is ours.
            existing = await self._find(session.did, rkey)
            if existing is None:
                raise
            log.info("%s: %s was posted before, as %s", self.key, post.path, existing)
            return Sent(existing, _public(existing))
        return Sent(created.uri, _public(created.uri))

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
        data = models.ComAtprotoRepoDeleteRecord.Data(repo=repo, collection=collection, rkey=rkey)
        await self._call(lambda: self.client.com.atproto.repo.delete_record(data))

    async def _find(self, did: str, rkey: str) -> str | None:
        """The URI of the record under this key, if the account has one."""
        params = models.ComAtprotoRepoGetRecord.Params(
            repo=did, collection=POST_COLLECTION, rkey=rkey
        )
        try:
            found = await self._call(lambda: self.client.com.atproto.repo.get_record(params))
        except _NotFound:
            return None
        return str(found.uri)

    async def _thumb(self, rendered: BlueskyPost, path: str) -> dict[str, Any] | None:
        """The feature image uploaded as the card's thumb; on any failure, none: a post
        never waits or fails for its image. Larger than 1,000,000 bytes: left out."""
        if not rendered.image_url and not rendered.image_path:
            return None
        try:
            data, mime = await self.images.load(rendered.image_url, rendered.image_path)
            uploaded = await self._call(
                lambda: self.client.com.atproto.repo.upload_blob(
                    data, headers={"Content-Type": mime}
                )
            )
        except (ImageRefused, Retryable, Permanent) as error:
            log.warning("%s: posting %s without its image: %s", self.key, path, error)
            return None
        except AuthFailed:
            raise
        except Exception:  # the image is extra: a surprise here must not hold up the post
            log.exception("%s: posting %s without its image", self.key, path)
            return None
        blob: dict[str, Any] = get_model_as_dict(uploaded.blob)
        return blob

    # -- the session -----------------------------------------------------------------

    def _keep_session(self, event: SessionEvent, session: Session) -> None:
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
        self._logins.append(now)
        handle = self.destination.target
        await self._request(
            lambda: self.client.login(handle, self._password, fetch_bsky_profile=False)
        )
        log.info("%s: logged in as @%s", self.key, handle)

    async def _renew(self) -> None:
        """ExpiredToken: refresh the session with its refresh token; only if that fails,
        create a new one."""
        session = self._session
        if session is None:
            await self._login()
            return
        try:
            fresh = await self.client.com.atproto.server.refresh_session(
                headers={"Authorization": f"Bearer {session.refresh_jwt}"},
                ignore_session_check=True,
            )
            renewed = Session(
                fresh.handle, fresh.did, fresh.access_jwt, fresh.refresh_jwt, session.pds_endpoint
            )
            await self.client.login(session_string=renewed.encode(), fetch_bsky_profile=False)
        except Exception as error:  # refused, or unreachable: a new session, once
            log.info("%s: refreshing the session failed (%s); logging in again", self.key,
                     translate(error, self.clock()))  # fmt: skip
            await self._login()

    # -- requests --------------------------------------------------------------------

    async def _call(self, make: Callable[[], Awaitable[T]]) -> T:
        """One request with the session: refreshed and asked once more on ExpiredToken."""
        await self._ensure_session()
        try:
            return await self._request(make, retry_session=True)
        except _SessionExpired:
            await self._renew()
            return await self._request(make)

    async def _request(self, make: Callable[[], Awaitable[T]], *, retry_session: bool = False) -> T:
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
