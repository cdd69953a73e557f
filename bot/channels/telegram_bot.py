"""The Bot API client postbode's Telegram channels share (python-telegram-bot)."""

from __future__ import annotations

import functools
import logging
import ssl

import httpx
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.config import TelegramSettings


def make_bot(settings: TelegramSettings, chats: int = 1) -> Bot:
    """A Bot for the configured API server, with short timeouts: waiting is our call.
    One serves all the bot's chats, its pool big enough for each to have a request out
    at once; its two clients share one TLS context (loading the CA certificates costs
    50 ms a client, a tenth of a restart)."""
    # httpx logs each request URL at INFO, and Bot API URLs hold the token: keep
    # these loggers quiet whoever configured logging (SPEC §8).
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    shared = {"verify": _tls()}
    request = HTTPXRequest(
        connection_pool_size=max(8, chats),
        connect_timeout=5.0,
        read_timeout=15.0,
        write_timeout=15.0,
        pool_timeout=5.0,
        httpx_kwargs=shared,
    )
    updates = HTTPXRequest(connection_pool_size=1, read_timeout=None, httpx_kwargs=shared)
    return Bot(
        settings.token,
        base_url=f"{settings.api_url}/bot",
        request=request,
        get_updates_request=updates,
    )


@functools.cache
def _tls() -> ssl.SSLContext:
    """httpx's own default context (certifi's CAs, SSL_CERT_FILE honoured), made once."""
    return httpx.create_ssl_context()
