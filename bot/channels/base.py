"""The port every channel adapter implements, and the errors they speak.

Adapters translate their library's exceptions into these four, so the outbox
decides what to do without knowing any platform.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.jekyll.posts import Post


class ChannelError(Exception):
    """A delivery did not happen. The message is safe to log: it never holds a token."""


class Retryable(ChannelError):
    """Network trouble, a timeout, a 5xx: try again later with backoff. `uncertain`:
    the request went out but its answer was lost, so it may have taken effect."""

    def __init__(self, message: str, *, uncertain: bool = False) -> None:
        super().__init__(message)
        self.uncertain = uncertain


class RateLimited(Retryable):
    """The platform said how long to wait; waiting less is a violation."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Permanent(ChannelError):
    """The platform refused this message (400, 422): retrying cannot help."""


class AuthFailed(ChannelError):
    """The credentials or rights are wrong (401/403): the whole channel pauses."""


class NoEdit(ChannelError):
    """The platform cannot edit (Bluesky): the message stays as it was first sent."""


class ReaderGone(ChannelError):
    """A reader's private chat is closed to the bot (blocked, account deleted)."""


@dataclass(frozen=True)
class Sent:
    """A message that now exists: its id on the platform (None if it has none) and
    the address where anyone can read it ("" where there is none: a private Telegram
    channel, the console)."""

    remote_id: str | None
    url: str = ""


class Channel(Protocol):
    """Somewhere summaries are published: a Telegram channel, a Mastodon or Bluesky account."""

    @property
    def key(self) -> str:
        """Stable name of this destination in the database, e.g. "telegram:@nieuws"."""
        ...

    @property
    def min_interval(self) -> float:
        """Seconds to leave between two messages, the platform's pace."""
        ...

    async def start(self) -> None:
        """Connect and read what the platform tells about itself (limits)."""

    async def close(self) -> None:
        """Release connections."""

    async def check(self) -> str | None:
        """None when the credentials work and we may post here, else the problem."""
        ...

    async def publish(self, post: Post, idempotency_key: str) -> Sent:
        """Send a new message; return its id and public URL."""
        ...

    async def public_url(self, remote_id: str) -> str | None:
        """The public URL of a message sent before postbode kept them (an earlier
        release), "" if it has none, None when that cannot be told now (the platform
        is out of reach): it is asked again at the next start."""
        ...

    async def edit(self, post: Post, remote_id: str) -> None:
        """Replace the message with the post's current summary (NoEdit: it cannot)."""

    async def delete(self, post: Post, remote_id: str) -> None:
        """Remove the message."""
