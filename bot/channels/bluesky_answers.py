"""The atproto SDK's errors and answers, read into ours (pure): a PDS answers XRPC
errors as `{"error": Name, "message": text}` with an HTTP status, and its rate limits
in `ratelimit-*` headers (limit, remaining, reset in epoch seconds, policy)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from atproto_client import exceptions
from atproto_client.models.common import XrpcError
from atproto_core.exceptions import AtProtocolError

from bot.channels.base import AuthFailed, ChannelError, Permanent, RateLimited, Retryable

# A 429 without a usable reset is retried after this long.
DEFAULT_RATE_LIMIT_WAIT = 60.0
# The access token ran out (or was revoked): refresh the session, then try once more.
SESSION_ERRORS = frozenset({"ExpiredToken", "InvalidToken"})
# The account cannot post at all: the channel pauses, as for a refused token.
ACCOUNT_ERRORS = frozenset({"AuthenticationRequired", "AccountTakedown", "AccountDeactivated"})


@dataclass(frozen=True)
class Answer:
    """An XRPC error's status, name and message ("" when the body had none)."""

    status: int | None
    name: str
    message: str


def answer_of(error: BaseException) -> Answer:
    if not isinstance(error, exceptions.RequestErrorBase) or error.response is None:
        return Answer(None, "", "")
    content = error.response.content
    if isinstance(content, XrpcError):
        return Answer(error.response.status_code, content.error, content.message or "")
    return Answer(error.response.status_code, "", "")


def session_expired(error: BaseException) -> bool:
    """A call refused because the session's token expired: refresh and call again."""
    answer = answer_of(error)
    return answer.status in (400, 401) and answer.name in SESSION_ERRORS


def translate(error: BaseException, now: float) -> ChannelError:
    """One of our four errors for whatever the SDK raised (its errors, httpx's that it
    lets through, a 2xx whose body is not JSON)."""
    if isinstance(error, exceptions.RateLimitExceededError):
        return RateLimited(
            f"Bluesky rate limit: retry in {rate_limit_wait(error, now):.0f} s",
            rate_limit_wait(error, now),
        )
    answer = answer_of(error)
    said = ": ".join(part for part in (answer.name, answer.message) if part) or str(answer.status)
    if isinstance(error, exceptions.NetworkError):  # transport trouble, or 409/413/502
        return Retryable(f"Bluesky unreachable: {said if answer.status else _first_line(error)}")
    if answer.status is not None:
        if answer.status in (401, 403) or answer.name in ACCOUNT_ERRORS:
            return AuthFailed(f"Bluesky refused the account: {said}")
        if answer.status >= 500:
            return Retryable(f"Bluesky server error: {said}")
        return Permanent(f"Bluesky refused it: {said}")
    if isinstance(error, (httpx.HTTPError, AtProtocolError)):
        return Retryable(f"Bluesky unreachable: {_first_line(error)}")
    if isinstance(error, ValueError):
        # A 2xx whose body is not the answer: the request may have been carried out, and
        # the retry finds its record under the same key instead of posting it again.
        return Retryable("Bluesky answered 2xx with a body that is not its JSON")
    return Retryable(f"Bluesky: {type(error).__name__}: {_first_line(error)}")


def rate_limit_wait(error: exceptions.RateLimitExceededError, now: float) -> float:
    """Seconds until `ratelimit-reset` (else Retry-After), never less than a second."""
    if error.reset_at is not None:
        return max(1.0, float(error.reset_at.timestamp()) - now)
    if error.retry_after is not None:
        return max(1.0, float(error.retry_after))
    return DEFAULT_RATE_LIMIT_WAIT


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:300] if text else type(error).__name__
