"""The outbox: deliveries go out per channel, in post-date order, one at a time.

Each delivery is marked `sending` before its request and `sent` after it, so a
crash leaves a trace; Mastodon's Idempotency-Key makes the resend harmless.
Retryable failures back off exponentially with jitter; nothing is dropped.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass

from bot.channels.base import (
    AuthFailed,
    Channel,
    ChannelError,
    NoEdit,
    Permanent,
    RateLimited,
    Retryable,
)
from bot.clock import Clock, first_of, utc_now
from bot.logs import Redactor
from bot.state.deliveries import DELETE, EDIT, PUBLISH, Delivery
from bot.state.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with jitter: 5 s, 10 s, 20 s … at most an hour."""

    base: float = 5.0
    factor: float = 2.0
    cap: float = 3600.0
    jitter: float = 0.25  # ± this fraction, so channels that failed together spread out

    def delay(self, attempts: int, rng: random.Random) -> float:
        raw = min(self.cap, self.base * self.factor ** max(0, attempts - 1))
        return raw * (1 + rng.uniform(-self.jitter, self.jitter))


# A paused channel (bad token, no rights) is tried again after this long.
AUTH_PAUSE = dt.timedelta(minutes=10)
# An idle channel looks at the database again this often, for what other processes
# (`postbode retry`, `backfill`) queued without being able to wake it.
IDLE_RECHECK = dt.timedelta(seconds=30)


class Outbox:
    """Sends due deliveries through their channel adapters and records the outcome."""

    def __init__(
        self,
        store: Store,
        channels: Sequence[Channel],
        *,
        clock: Clock = utc_now,
        backoff: Backoff | None = None,
        rng: random.Random | None = None,
        idle_recheck: dt.timedelta = IDLE_RECHECK,
        secrets: Iterable[str] = (),
        on_change: Callable[[], None] = lambda: None,
    ) -> None:
        self.store = store
        # Called when a message came or went (not for an edit): the links file.
        self.on_change = on_change
        # A platform's error text may echo a token; what is stored (and shown by /status)
        # must not.
        self._redact = Redactor(secrets).redact
        self.channels = {channel.key: channel for channel in channels}
        self.clock = clock
        self.backoff = backoff or Backoff()
        self.idle_recheck = idle_recheck
        self.rng = rng or random.Random()
        self.paused_until: dict[str, dt.datetime] = {}
        self._last_sent: dict[str, float] = {}
        self._wakeups = {key: asyncio.Event() for key in self.channels}
        # Fixed when the database was made: read once, not once per delivery.
        self._instance_id = store.instance_id

    def wake(self) -> None:
        """New deliveries were queued: every channel looks at its head again."""
        for event in self._wakeups.values():
            event.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver forever: each channel sleeps until its head is due or it is woken."""
        await asyncio.gather(*(self._channel_loop(key, stop) for key in self.channels))

    async def _channel_loop(self, key: str, stop: asyncio.Event) -> None:
        while not stop.is_set():
            if self.is_paused(key):
                await self._sleep(key, self.paused_until[key], stop)
                continue
            outcome, head = await self._send_next(key)
            if outcome is not None:
                continue
            # Look again at least every IDLE_RECHECK: another process (`retry`,
            # `backfill`) may have queued something without waking us.
            alarms = [self.clock() + self.idle_recheck, self.store.deliveries.next_wake(key)]
            if head is not None:
                alarms.append(head.next_attempt_at)
            await self._sleep(key, min(a for a in alarms if a is not None), stop)

    async def _sleep(self, key: str, until: dt.datetime | None, stop: asyncio.Event) -> None:
        """Wait until `until` (None: indefinitely), a wake-up, or the stop signal."""
        wakeup = self._wakeups[key]
        waits: list[Awaitable[object]] = [wakeup.wait(), stop.wait()]
        if until is not None:
            waits.append(asyncio.sleep(max(0.0, (until - self.clock()).total_seconds())))
        await first_of(*waits)
        wakeup.clear()

    def _why(self, error: Exception) -> str:
        """The error as stored with the delivery, tokens redacted."""
        return self._redact(str(error))

    def idempotency_key(self, delivery: Delivery) -> str:
        """Stable for one delivery across restarts, unique across databases, and new when
        a withdrawn delivery is queued again (Mastodon would answer the old key with the
        deleted status)."""
        generation = "".join(ch for ch in delivery.created_at if ch.isdigit())
        return f"postbode-{self._instance_id}-{delivery.id}-{generation}"

    async def drain(self) -> int:
        """Send everything that is due now on every channel; return how many went out."""
        counts = await asyncio.gather(*(self._drain_channel(key) for key in self.channels))
        return sum(counts)

    async def _drain_channel(self, key: str) -> int:
        sent = 0
        while not self.is_paused(key):
            outcome = await self.send_next(key)
            if outcome is None:
                return sent
            sent += outcome
        return sent

    def is_paused(self, key: str) -> bool:
        until = self.paused_until.get(key)
        return until is not None and until > self.clock()

    async def send_next(self, key: str) -> int | None:
        """Handle the next due delivery of a channel: 1 if it went out, 0 if it
        failed, None when nothing is due."""
        return (await self._send_next(key))[0]

    async def _send_next(self, key: str) -> tuple[int | None, Delivery | None]:
        """send_next's outcome, and the head when it was not due (the idle loop sleeps
        until then): the head is read once per delivery, not once more to sleep."""
        now = self.clock()
        head = self.store.deliveries.head(key, now)
        if head is None or head.next_attempt_at > now:
            return None, head
        if await self._pace(key):
            # Read again: the post may have changed or gone while we waited. Without a
            # wait nothing ran in between (mark_sending still refuses a withdrawn row).
            now = self.clock()
            head = self.store.deliveries.head(key, now)
            if head is None or head.next_attempt_at > now:
                return None, head
        return int(await self._deliver(self.channels[key], head)), None

    async def _pace(self, key: str) -> bool:
        """Leave the channel's minimum interval between two requests; True if that
        meant waiting."""
        interval = self.channels[key].min_interval
        last = self._last_sent.get(key)
        loop = asyncio.get_running_loop()
        waited = False
        if last is not None and interval > 0:
            wait = last + interval - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
                waited = True
        self._last_sent[key] = loop.time()
        return waited

    async def _deliver(self, channel: Channel, delivery: Delivery) -> bool:
        post = delivery.post
        if not self.store.deliveries.mark_sending(delivery.id, self.clock()):
            return False  # withdrawn in the meantime
        try:
            if delivery.action == DELETE:
                if not delivery.remote_id:  # it was never sent: nothing to remove
                    self.store.deliveries.mark_withdrawn(delivery.id, self.clock())
                    return True
                await channel.delete(post, delivery.remote_id)
                self.store.deliveries.mark_deleted(delivery.id, self.clock())
                self.on_change()
                log.info("deleted the message of %s from %s", post.path, channel.key)
                return True
            if delivery.action == EDIT and delivery.remote_id:
                await channel.edit(post, delivery.remote_id)
                remote_id: str | None = delivery.remote_id
                url: str | None = None  # the message keeps its URL
            else:
                sent = await channel.publish(post, self.idempotency_key(delivery))
                remote_id, url = sent.remote_id, sent.url
        except NoEdit as error:  # Bluesky: the post stays as sent, and `status` says so
            self.store.deliveries.mark_unedited(delivery.id, self.clock())
            log.info("not edited on %s: %s (%s)", channel.key, post.path, error)
            return False
        except Permanent as error:
            self.store.deliveries.mark_failed(delivery.id, self._why(error), self.clock())
            log.error("delivery failed for good: %s to %s: %s", post.path, channel.key, error)
            return False
        except AuthFailed as error:
            now = self.clock()
            self.paused_until[channel.key] = now + AUTH_PAUSE
            self.store.deliveries.mark_retry(delivery.id, self._why(error), now + AUTH_PAUSE, now)
            log.error(
                "CHANNEL PAUSED: %s refused our credentials or rights: %s; other channels go on,"
                " retrying in %d minutes (run `postbode check`)",
                channel.key, error, AUTH_PAUSE.total_seconds() // 60,
            )  # fmt: skip
            return False
        except RateLimited as error:
            now = self.clock()
            # A 429 is waited out exactly as long as it says, never less.
            self.store.deliveries.mark_retry(
                delivery.id, self._why(error), now + dt.timedelta(seconds=error.retry_after), now
            )
            log.warning("rate limited on %s: waiting %.1f s", channel.key, error.retry_after)
            return False
        except Exception as error:  # ChannelError, or a bug: never the end of the channel
            now = self.clock()
            delay = self.backoff.delay(delivery.attempts + 1, self.rng)
            if not isinstance(error, ChannelError):
                log.exception("unexpected error sending %s to %s", post.path, channel.key)
            if isinstance(error, Retryable) and error.uncertain and delivery.action == PUBLISH:
                # Telegram has no idempotency key: sending again may show it twice.
                log.warning(
                    "%s: the answer for %s was lost; it may be in the channel already,"
                    " and sending it again may show it twice", channel.key, post.path,
                )  # fmt: skip
            self.store.deliveries.mark_retry(
                delivery.id, self._why(error), now + dt.timedelta(seconds=delay), now
            )
            log.warning(
                "delivery to %s failed (attempt %d), retrying in %.0f s: %s",
                channel.key, delivery.attempts + 1, delay, error,
            )  # fmt: skip
            return False
        self.store.deliveries.mark_sent(
            delivery.id, remote_id, post.summary_key, self.clock(), url=url
        )
        if url is not None:
            self.on_change()
        done = "edited" if delivery.action == EDIT else "published"
        log.info("%s %s to %s", done, post.path, channel.key)
        return True
