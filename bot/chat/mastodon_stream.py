"""Mastodon's streaming API for the answers to mentions: where it is, and its
server-sent events read in the event loop (httpx), so that waiting for a mention
costs nothing but the instance's heartbeat every 15 seconds.

Mastodon.py streams on a thread of its own that reconnects by itself; reading the
stream here instead lets the listener know when it (re)connects, so that it can
look for what came while it was away, and stop at once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import httpx

from bot.channels.mastodon_answers import attr

log = logging.getLogger(__name__)

NOTIFICATIONS = "/api/v1/streaming/user/notification"
HEALTH = "/api/v1/streaming/health"
# Mastodon sends a heartbeat every 15 s: three missed ones and the stream is dead.
READ_TIMEOUT = 50.0
MAX_EVENT = 1_000_000  # bytes of one event's data kept; a bigger one is dropped


class StreamUnavailable(Exception):
    """The instance has no stream for us (no streaming server, or it refused us)."""


def streaming_base(instance: Any, api_base_url: str) -> str:
    """The streaming server's root from the instance's v2 configuration (`wss://…`
    read as `https://…`), else the API's own root."""
    urls = attr(attr(instance, "configuration"), "urls")
    given = str(attr(urls, "streaming") or "")
    parts = urlsplit(given)
    scheme = {"wss": "https", "ws": "http", "https": "https", "http": "http"}.get(parts.scheme)
    if scheme is None or not parts.netloc:
        return api_base_url.rstrip("/")
    return f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def client() -> httpx.AsyncClient:
    return httpx.AsyncClient(
        timeout=httpx.Timeout(10.0, read=READ_TIMEOUT),
        headers={"User-Agent": "postbode"},
        trust_env=True,
    )


async def healthy(http: httpx.AsyncClient, base: str) -> bool:
    """GET /api/v1/streaming/health: 200 "OK" when the instance streams."""
    try:
        answer = await http.get(base + HEALTH)
    except httpx.HTTPError:
        return False
    return answer.status_code == 200 and answer.text.strip() in ("OK", "success")


async def notifications(response: httpx.Response) -> AsyncIterator[dict[str, Any] | None]:
    """The stream's notifications as they come; None for a heartbeat (any comment or
    other event), so that the reader sees time pass on an idle stream."""
    event, data, size = "", [], 0
    async for line in _lines(response):
        if line.startswith(":"):
            yield None
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            size += len(line)
            if size <= MAX_EVENT:
                data.append(line[5:].removeprefix(" "))
        elif line == "":
            if event == "notification" and data and size <= MAX_EVENT:
                yield _parsed("\n".join(data))
            elif event or data:
                yield None
            event, data, size = "", [], 0


async def _lines(response: httpx.Response) -> AsyncIterator[str]:
    """The body's lines; a line longer than MAX_EVENT (a server that never ends one)
    is dropped as it comes rather than kept."""
    buffer, skipping = b"", False
    async for chunk in response.aiter_bytes():
        *lines, buffer = (buffer + chunk).split(b"\n")
        for line in lines:
            if not skipping:
                yield line.removesuffix(b"\r").decode("utf-8", "replace")
            skipping = False
        if len(buffer) > MAX_EVENT:
            buffer, skipping = b"", True


def _parsed(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        log.warning("the Mastodon stream sent a notification that is not JSON; ignored")
        return None
    return value if isinstance(value, dict) else None
