"""The Mastodon account answers mentions (MASTODON_REPLIES=on; SPEC §11).

Mentions come from the streaming API where the instance has it, else from polling
GET /api/v1/notifications (types[]=mention) every `poll_interval`; at every
(re)connection, and every few minutes while streaming, the notifications since the
last one handled are read too. They are handled one at a time in id order; the id
of the last one handled is kept in the state database (`meta`), written after its
answer: a crash in between answers it again with the same Idempotency-Key, which
Mastodon answers with the status it already made (for an hour).

Answers never take what publishing needs: they stop while fewer than REPLY_RESERVE
of the account's 300 statuses per 3 hours remain (bot.channels.mastodon_budget), and
each asker gets a few answers at a time (bot.chat.flood). Mastodon.py's calls run on
a thread of their own, with their own client: a poll never waits for an upload.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from mastodon import MastodonError

from bot.channels.base import AuthFailed, Channel, Permanent, RateLimited, Retryable
from bot.channels.mastodon import MastodonChannel, client
from bot.channels.mastodon_answers import Gone, attr, status_rules, translated
from bot.channels.serial import SerialThread
from bot.chat import mastodon_stream as stream
from bot.chat.flood import FloodGate, flood_key
from bot.chat.mastodon_commands import Commands
from bot.chat.mastodon_mentions import (
    answerable,
    cursor_key,
    id_order,
    ignored,
    mention_text,
    parse,
)
from bot.clock import first_of, until_stop, utc_now
from bot.config import Settings
from bot.state.catalog import Catalog
from bot.state.store import Store

log = logging.getLogger(__name__)
T = TypeVar("T")

POLL_INTERVAL = 30.0  # seconds between polls without a stream (MASTODON_POLL_INTERVAL)
SAFETY_POLL = 300.0  # while streaming, a look at the notifications this often
STREAM_RETRY, STREAM_RETRY_MAX = 5.0, 600.0  # polling meanwhile
RETRY = 60.0  # the account cannot be read at start-up: again after this long
API_RESERVE = 30  # calls of the token's 300 per 5 minutes left to publishing
PAGE = 40


class MastodonReplies:
    """Answers the mentions of one Mastodon account until the worker stops."""

    def __init__(
        self,
        channel: MastodonChannel,
        store: Store,
        commands: Commands,
        *,
        poll_interval: float = POLL_INTERVAL,
        flood: FloodGate | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.channel = channel
        self.store = store
        self.commands = commands
        self.poll_interval = poll_interval
        self.flood = flood or FloodGate(burst=3, refill=30.0)
        self.clock = clock
        self.api = client(channel.settings)
        self._thread = SerialThread("mastodon-replies")
        self.cursor_key = ""  # the account's, once known (cursor_key())
        self.cursor = ""
        self.own_id = ""
        self.rules = channel.rules
        self.stream_base = ""  # the streaming server's root
        self.streaming = False  # whether the stream is open now
        self._http: httpx.AsyncClient | None = None
        self._last_catch_up = 0.0

    async def run(self, stop: asyncio.Event) -> None:
        try:
            # A stop ends what is under way (a crash-safe point anywhere: see above).
            await until_stop(self._run(stop), stop)
        except AuthFailed as error:
            log.error("%s: answering mentions stopped: %s (the token needs read:accounts,"
                      " read:notifications, write:statuses)", self.channel.key, error)  # fmt: skip
        finally:
            if self._http is not None:
                await self._http.aclose()
            self._thread.close()
            self.api.session.close()

    async def _run(self, stop: asyncio.Event) -> None:
        if await self._begin(stop):
            await self._listen(stop)

    async def _begin(self, stop: asyncio.Event) -> bool:
        """Who we are, where the stream is, and where we stopped (the first time: at
        the newest mention, so that the account's past is not answered)."""
        while not stop.is_set():
            try:
                account = await self._call(self.api.account_verify_credentials)
                self.own_id = str(attr(account, "id"))
                instance = await self._instance()
                self.cursor_key = cursor_key(self.channel.settings.base_url, self.own_id)
                named = self.store.meta(f"mastodon_replies:{self.channel.key}")  # until 2 Dec
                self.cursor = self.store.meta(self.cursor_key) or named or ""  # adopted once
                if not self.cursor:
                    newest = await self._call(
                        lambda: self.api.notifications(types=["mention"], limit=1)
                    )
                    self.cursor = str(attr(newest[0], "id")) if newest else "0"
                self.store.set_meta(self.cursor_key, self.cursor)
                break
            except (Retryable, Permanent) as error:
                log.warning("%s: cannot read the account for mentions (%s); again in %.0f s",
                            self.channel.key, error, RETRY)  # fmt: skip
                await first_of(stop.wait(), asyncio.sleep(RETRY))
        if stop.is_set():
            return False
        self.rules = status_rules(instance)  # the channel may not have read them yet
        self._http = stream.client()
        self.stream_base = stream.streaming_base(instance, self.channel.settings.base_url)
        healthy = await stream.healthy(self._http, self.stream_base)
        log.info("%s: answering mentions of @%s (%s)", self.channel.key, attr(account, "acct"),
                 "streaming" if healthy else f"polling every {self.poll_interval:.0f} s")  # fmt: skip
        return True

    async def _instance(self) -> Any:
        """The instance's v2 description; None from one older than 4.0 (defaults then)."""
        try:
            return await self._call(self.api.instance_v2)
        except Permanent:
            return None

    async def _listen(self, stop: asyncio.Event) -> None:
        """The stream while the instance has one; polling meanwhile, the stream looked
        for again after 5 s, 10 s, … at most 10 minutes."""
        assert self._http is not None
        retry = STREAM_RETRY
        while not stop.is_set():
            if await stream.healthy(self._http, self.stream_base):
                started = time.monotonic()
                try:
                    await until_stop(self._stream(self.stream_base), stop)
                except (httpx.HTTPError, stream.StreamUnavailable) as error:
                    log.info("%s: the stream stopped (%s); polling meanwhile",
                             self.channel.key, error or type(error).__name__)  # fmt: skip
                finally:
                    self.streaming = False
                if time.monotonic() - started > STREAM_RETRY_MAX:
                    retry = STREAM_RETRY  # it ran well for a while
            await self._poll(stop, retry)
            retry = min(retry * 2, STREAM_RETRY_MAX)

    async def _stream(self, base: str) -> None:
        """Read the stream until it ends; what came while it was away is read first."""
        assert self._http is not None
        token = self.channel.settings.access_token
        headers = {"Authorization": f"Bearer {token}"}
        async with self._http.stream("GET", base + stream.NOTIFICATIONS, headers=headers) as answer:
            if answer.status_code != 200:
                raise stream.StreamUnavailable(f"HTTP {answer.status_code}")
            self.streaming = True
            await self._catch_up()
            async for notification in stream.notifications(answer):
                if notification is not None:
                    # The stream says when; the notifications say what, in their order,
                    # so that one the stream skipped is not jumped over.
                    await self._catch_up()
                    await self._handle_safely(notification)
                elif time.monotonic() - self._last_catch_up > SAFETY_POLL:
                    await self._catch_up()
        raise stream.StreamUnavailable("the server closed it")

    async def _poll(self, stop: asyncio.Event, duration: float) -> None:
        """Look at the notifications every poll_interval for `duration` seconds."""
        until = time.monotonic() + duration
        while not stop.is_set() and time.monotonic() < until:
            await self._catch_up()
            wait = min(self.poll_interval, max(0.0, until - time.monotonic()))
            await first_of(stop.wait(), asyncio.sleep(wait))

    async def _catch_up(self) -> None:
        """Every mention after the cursor, oldest first, a page at a time."""
        self._last_catch_up = time.monotonic()
        try:
            while True:
                page = await self._call(
                    functools.partial(
                        self.api.notifications, types=["mention"], min_id=self.cursor, limit=PAGE
                    )
                )
                for notification in sorted(page, key=lambda n: id_order(str(attr(n, "id")))):
                    await self._handle(notification)
                if len(page) < PAGE:
                    return
        except (Retryable, Permanent) as error:
            log.warning("%s: mentions: %s; trying again later", self.channel.key, error)

    async def _handle_safely(self, notification: dict[str, Any]) -> None:
        try:
            await self._handle(notification)
        except (Retryable, Permanent) as error:
            # Not recorded: the next look at the notifications answers it.
            log.warning("%s: mentions: %s; trying again later", self.channel.key, error)
            self._last_catch_up = time.monotonic() - SAFETY_POLL + self.poll_interval

    async def _handle(self, notification: Any) -> None:
        """Answer one notification (or decide not to), then record it as handled."""
        ident = str(attr(notification, "id") or "")
        if not ident or len(ident) > 64 or id_order(ident) <= id_order(self.cursor):
            return
        try:
            await self._answer(notification, ident)
        except (Retryable, AuthFailed):
            raise  # not handled: answered at the next look (or never, AuthFailed)
        except Exception:  # a mention nobody foresaw must not stop the listener, nor loop
            log.exception("%s: mention %s not answered", self.channel.key, ident)
        self.cursor = ident
        self.store.set_meta(self.cursor_key, ident)

    async def _answer(self, notification: Any, ident: str) -> None:
        status = attr(notification, "status")
        reason = ignored(notification, self.own_id, self.clock())
        command = parse(mention_text(str(attr(status, "content") or "")))
        if reason is None and not answerable(command, status, self.own_id):
            reason = "a reply to one of ours that asks nothing"
        account = str(attr(attr(status, "account"), "id") or "")
        verdict = self.flood.check(flood_key(account)) if reason is None else "silence"
        if reason is None and verdict == "silence":
            reason = "one of many from the same account"
        if reason is None and not self.channel.budget.allows_reply():
            reason = "the statuses left in this window are kept for publishing"
        if reason is not None:
            log.info("%s: mention %s not answered: %s", self.channel.key, ident, reason)
            return
        flooded = verdict == "notice"
        text, language = self.commands.answer(command, status, self.rules, flooded)
        visibility = str(attr(status, "visibility"))
        key = f"postbode-reply-{self.store.instance_id}-{ident}"
        try:
            await self._call(
                lambda: self.api.status_post(
                    text,
                    in_reply_to_id=attr(status, "id"),
                    visibility=visibility if visibility in _VISIBILITIES else "direct",
                    language=language,
                    idempotency_key=key,
                )
            )
        except Gone:
            log.info("%s: mention %s was deleted before its answer", self.channel.key, ident)
            return
        except Permanent as error:
            log.warning("%s: mention %s not answered: %s", self.channel.key, ident, error)
            return
        except RateLimited as error:
            self.channel.budget.block(time.time() + error.retry_after)
            raise
        self.channel.budget.created(*self._headers())
        log.info("%s: answered mention %s (%s)", self.channel.key, ident, command.kind)

    def _headers(self) -> tuple[int | None, float | None, bool]:
        api = self.api
        return api.ratelimit_remaining, api.ratelimit_reset, api.ratelimit_lastcall is not None

    async def _call(self, call: Callable[[], T]) -> T:
        """One Mastodon.py call on our thread; when the token's calls run low (the
        headers of our last answer), wait for the window's reset first."""
        remaining, reset, known = self._headers()
        if known and remaining is not None and remaining < API_RESERVE and reset:
            wait = min(float(reset) - time.time(), 300.0)
            if wait > 0:
                log.info(
                    "%s: mentions wait %.0f s for the API's rate limit", self.channel.key, wait
                )
                await asyncio.sleep(wait)
        try:
            return await self._thread.run(call)
        except MastodonError as error:
            raise translated(error, self.api.ratelimit_reset, time.time()) from None


_VISIBILITIES = ("public", "unlisted", "private", "direct")


def listeners(
    settings: Settings, channels: Sequence[Channel], store: Store
) -> list[MastodonReplies]:
    """One listener per Mastodon account (instance and token) among the channels."""
    host = urlsplit(settings.site.url or "").netloc
    found: dict[tuple[str, str], MastodonReplies] = {}
    for channel in channels:
        if isinstance(channel, MastodonChannel):
            account = (channel.settings.base_url, channel.settings.access_token)
            commands = Commands(Catalog(store.db), settings.language, host)
            if account not in found:
                interval = settings.mastodon_poll_interval
                found[account] = MastodonReplies(channel, store, commands, poll_interval=interval)
    return list(found.values())
