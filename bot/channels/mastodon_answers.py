"""Mastodon.py's answers and errors, read into ours: attribute dicts, an API error's
arguments, the 404 and the 2xx whose body is not an answer, any error as one of
bot.channels.base's (pure)."""

from __future__ import annotations

from typing import Any

from mastodon import (
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from bot.channels.base import AuthFailed, ChannelError, Permanent, RateLimited, Retryable
from bot.channels.mastodon_urls import instance_rules
from bot.summary import (
    MASTODON_DEFAULT_MAX_CHARACTERS,
    MASTODON_DEFAULT_URL_CHARACTERS,
    MastodonRules,
)

# A 429 without a usable reset header is retried after this long.
DEFAULT_RATE_LIMIT_WAIT = 60.0


def garbled() -> Retryable:
    """A 2xx whose body is not the answer: the request may have been carried out. Not
    `uncertain` in the outbox's sense: sent again with its Idempotency-Key, it gets the
    status that exists rather than a second one."""
    return Retryable("Mastodon answered 2xx with a body that is not its JSON")


class Gone(Permanent):
    """404: the status (or the whole API) is not there."""

    def __init__(self) -> None:
        super().__init__("Mastodon answered 404 Not Found: check MASTODON_BASE_URL")


def attr(value: Any, name: str) -> Any:
    """Mastodon.py returns attribute dicts; be lenient about which."""
    if isinstance(value, dict):
        return value.get(name)
    return getattr(value, name, None)


def status_rules(instance: Any) -> MastodonRules:
    """How the instance counts a status, from its v2 configuration (else 500 and 23)."""
    statuses = attr(attr(instance, "configuration") or {}, "statuses") or {}
    return instance_rules(
        int(attr(statuses, "max_characters") or MASTODON_DEFAULT_MAX_CHARACTERS),
        int(attr(statuses, "characters_reserved_per_url") or MASTODON_DEFAULT_URL_CHARACTERS),
    )


def status_code(error: MastodonAPIError) -> int | None:
    return error.args[1] if len(error.args) > 1 and isinstance(error.args[1], int) else None


def api_message(error: MastodonAPIError) -> str:
    """('Mastodon API returned error', 422, 'Unprocessable Entity', 'Validation failed: …')"""
    parts = [str(a) for a in error.args[1:] if a is not None]
    return " ".join(parts) or str(error)


def first_line(error: Exception) -> str:
    return str(error).splitlines()[0][:300] if str(error) else type(error).__name__


def translated(error: MastodonError, reset: float | None, now: float) -> ChannelError:
    """One of our errors for Mastodon.py's; a 429 waits until the announced `reset`."""
    if isinstance(error, MastodonRatelimitError):
        wait = max(1.0, reset - now) if reset else DEFAULT_RATE_LIMIT_WAIT
        return RateLimited(f"Mastodon rate limit: retry in {wait:.0f} s", wait)
    if isinstance(error, MastodonUnauthorizedError):
        return AuthFailed(f"Mastodon refused the access token: {api_message(error)}")
    if isinstance(error, MastodonNotFoundError):
        return Gone()
    if isinstance(error, MastodonServerError):
        return Retryable(f"Mastodon server error: {api_message(error)}")
    if isinstance(error, MastodonAPIError):
        if str(error.args[0]).startswith("Could not parse response as JSON"):
            return garbled()
        if status_code(error) == 403:
            return AuthFailed(f"Mastodon forbids this: {api_message(error)}")
        return Permanent(f"Mastodon refused the status: {api_message(error)}")
    if isinstance(error, MastodonNetworkError):
        return Retryable(f"Mastodon unreachable: {first_line(error)}")
    return Retryable(f"Mastodon: {first_line(error)}")
