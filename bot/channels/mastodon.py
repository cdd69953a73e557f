"""Mastodon adapter (Mastodon.py): posts summaries as statuses on one account, with its
destination's visibility, content warning (spoiler_text) and hashtags.

Mastodon.py is synchronous, and its rate-limit bookkeeping is not thread-safe:
every call runs in a worker thread, one at a time. `ratelimit_method="throw"`
and a short timeout keep the waiting in our hands (the outbox's).
"""

from __future__ import annotations

import logging
import mimetypes
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from mastodon import Mastodon, MastodonError

from bot.addresses import Allowed
from bot.channels.base import AuthFailed, Permanent, RateLimited, Retryable, Sent
from bot.channels.images import ImageFetcher, ImageRefused
from bot.channels.mastodon_answers import Gone, attr, garbled, status_rules, translated
from bot.channels.mastodon_budget import StatusBudget
from bot.channels.mastodon_urls import instance_rules
from bot.channels.serial import SerialThread
from bot.config import MastodonSettings
from bot.jekyll.posts import Post
from bot.jekyll.site import normalize_url
from bot.routing.destinations import Destination
from bot.routing.rules import content_warning
from bot.summary import (
    MastodonStatus,
    render_mastodon,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

REQUEST_TIMEOUT = 15.0
MAX_IMAGE_BYTES = 8 * 1024 * 1024
DEFAULT_DESCRIPTION_LIMIT = 1500


def client(settings: MastodonSettings) -> Mastodon:
    """A Mastodon.py client for one account: every 429 raised, not slept on (the outbox
    and the answers' budget wait), and a short timeout. Each caller makes its own: its
    calls run on a thread of its own (Mastodon.py's bookkeeping is not thread-safe)."""
    return Mastodon(
        access_token=settings.access_token,
        api_base_url=settings.base_url,
        ratelimit_method="throw",
        request_timeout=REQUEST_TIMEOUT,
        user_agent="postbode",
    )


class MastodonChannel:
    """Publishes summaries as statuses on one Mastodon account."""

    min_interval = 0.0  # the instance's headers pace us, see StatusBudget

    def __init__(
        self,
        settings: MastodonSettings,
        language: str,
        site_root: Path,
        *,
        image_hosts: tuple[Allowed, ...] = (),
        clock: Callable[[], float] = time.time,
        destination: Destination | None = None,
        budget: StatusBudget | None = None,
    ) -> None:
        self.key = destination.key if destination else f"mastodon:{settings.base_url}"
        self.destination = destination
        self.visibility = destination.visibility if destination else "public"
        self.settings = settings
        self.language = language
        self.clock = clock
        self.rules = instance_rules()
        self.description_limit = DEFAULT_DESCRIPTION_LIMIT
        self.images = ImageFetcher(image_hosts, MAX_IMAGE_BYTES, site_root)
        self.api = client(settings)
        self._thread = SerialThread("mastodon")
        # The account's 300 statuses per 3 hours, shared by every destination posting
        # as the account and by the answers to its mentions (build_channels).
        self.budget = budget or StatusBudget(clock)
        self._account_url: str | None = None  # the account's page, once asked

    async def start(self) -> None:
        """Read the instance's limits; without them the defaults (500, 23) are used."""
        try:
            instance = await self._run(self.api.instance_v2)
        except (Retryable, Permanent, AuthFailed) as error:
            log.warning(
                "%s: could not read the instance's limits (%s); using 500/23", self.key, error
            )
            return
        media = attr(attr(instance, "configuration") or {}, "media_attachments") or {}
        self.rules = status_rules(instance)
        self.description_limit = int(attr(media, "description_limit") or DEFAULT_DESCRIPTION_LIMIT)
        self.images.max_bytes = min(
            MAX_IMAGE_BYTES, int(attr(media, "image_size_limit") or MAX_IMAGE_BYTES)
        )
        log.info(
            "%s: statuses up to %d characters, URLs count %d",
            self.key,
            self.rules.max_characters,
            self.rules.url_characters,
        )

    async def close(self) -> None:
        await self.images.close()
        self._thread.close()
        self.api.session.close()

    async def publish(self, post: Post, idempotency_key: str) -> Sent:
        status = self._render(post)
        self.budget.check()
        media_ids = await self._upload_image(status, post.path)
        try:
            created = await self._run(
                lambda: self.api.status_post(
                    status.text,
                    media_ids=media_ids or None,
                    visibility=self.visibility,
                    spoiler_text=status.spoiler_text or None,
                    language=status.language,
                    idempotency_key=idempotency_key,
                )
            )
        except Gone as error:
            raise AuthFailed(str(error)) from None
        self.budget.created(*self.last_headers())
        if not attr(created, "id"):  # a 2xx without the status: it may exist all the same
            raise garbled()
        # `url` is the status's page; `uri` its ActivityPub id, which shows it too. It goes
        # into the site's pages: an http(s) URL, percent-encoded, or none.
        url = normalize_url(attr(created, "url") or attr(created, "uri")) or ""
        return Sent(str(attr(created, "id")), url)

    async def public_url(self, remote_id: str) -> str | None:
        """The account's page and the status id, as Mastodon spells a local status's
        URL (https://host/@name/<id>); the account is asked once."""
        if self._account_url is None:
            try:
                account = await self._run(self.api.account_verify_credentials)
            except (Retryable, Permanent, AuthFailed) as error:
                log.warning("%s: cannot tell the account's address now: %s", self.key, error)
                return None
            self._account_url = (normalize_url(attr(account, "url")) or "").rstrip("/")
        if not self._account_url:
            return ""
        return normalize_url(f"{self._account_url}/{remote_id}") or ""

    async def edit(self, post: Post, remote_id: str) -> None:
        """Text and content warning as the post has them now (an absent spoiler_text
        would clear the warning). Mastodon cannot change a status's visibility: a
        changed `visibility` holds for new statuses only."""
        status = self._render(post)
        try:
            # An edit without media_ids drops the status's image: they are sent again.
            current = await self._run(lambda: self.api.status(remote_id))
            media = [attr(item, "id") for item in attr(current, "media_attachments") or []]
            await self._run(
                lambda: self.api.status_update(
                    remote_id, status.text, spoiler_text=status.spoiler_text, media_ids=media
                )
            )
        except Gone:
            raise Permanent(f"status {remote_id} no longer exists, it cannot be edited") from None

    def _render(self, post: Post) -> MastodonStatus:
        """The status as this destination shows it: its hashtags and content warning."""
        if self.destination is None:
            return render_mastodon(post, self.language, self.rules)
        warning = content_warning(post, self.destination)
        tags = self.destination.hashtags
        return render_mastodon(
            post, self.language, self.rules, extra_tags=tags, spoiler_text=warning
        )

    async def delete(self, post: Post, remote_id: str) -> None:
        try:
            await self._run(lambda: self.api.status_delete(remote_id))
        except Gone:
            log.info("%s: status %s was already gone", self.key, remote_id)

    async def check(self) -> str | None:
        try:
            account = await self._run(self.api.account_verify_credentials)
            await self.start()
        except (Retryable, Permanent, AuthFailed) as error:
            return str(error)
        log.info("%s: posting as @%s", self.key, attr(account, "acct"))
        return None

    def last_headers(self) -> tuple[int | None, float | None, bool]:
        """The last answer's rate-limit headers: remaining, reset, whether there were any
        (Mastodon.py starts with remaining = 300; only a header sets ratelimit_lastcall)."""
        api = self.api
        return api.ratelimit_remaining, api.ratelimit_reset, api.ratelimit_lastcall is not None

    async def _upload_image(self, status: MastodonStatus, path: str) -> list[str]:
        """Upload the feature image with its alt text; on any failure, post without it.

        That includes the media rate limit (30 uploads per 30 minutes): news goes out
        on time, a big burst of posts loses images rather than hours.
        """
        if not status.image_url and not status.image_path:
            return []
        try:
            data, mime = await self.images.load(status.image_url, status.image_path)
            media = await self._run(
                lambda: self.api.media_post(
                    data,
                    mime_type=mime,
                    description=status.alt_text[: self.description_limit],
                    file_name="image" + (mimetypes.guess_extension(mime) or ""),
                ),
                blocks_statuses=False,
            )
        except (ImageRefused, Retryable, Permanent, Gone) as error:
            log.warning("%s: posting %s without its image: %s", self.key, path, error)
            return []
        except Exception:  # the image is extra: a surprise here must not hold up the post
            log.exception("%s: posting %s without its image", self.key, path)
            return []
        return [str(attr(media, "id"))]

    async def _run(self, call: Callable[[], T], *, blocks_statuses: bool = True) -> T:
        """Run one Mastodon.py call on the channel's thread, translating its errors.

        A 429 blocks the next statuses until the reset it announced, unless it came
        from a budget of its own (media uploads: 30 per 30 minutes).
        """
        try:
            return await self._thread.run(call)
        except MastodonError as error:
            ours = translated(error, self.api.ratelimit_reset, self.clock())
            if isinstance(ours, RateLimited) and blocks_statuses:
                self.budget.block(self.clock() + ours.retry_after)
            raise ours from None
