"""Mastodon.py's answers and errors, read into ours: attribute dicts, an API error's
arguments, the 404 and the 2xx whose body is not an answer (pure)."""

from __future__ import annotations

from typing import Any

from mastodon import MastodonAPIError

from bot.channels.base import Permanent, Retryable


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


def status_code(error: MastodonAPIError) -> int | None:
    return error.args[1] if len(error.args) > 1 and isinstance(error.args[1], int) else None


def api_message(error: MastodonAPIError) -> str:
    """('Mastodon API returned error', 422, 'Unprocessable Entity', 'Validation failed: …')"""
    parts = [str(a) for a in error.args[1:] if a is not None]
    return " ".join(parts) or str(error)


def first_line(error: Exception) -> str:
    return str(error).splitlines()[0][:300] if str(error) else type(error).__name__
