"""The environment's Telegram bot, Mastodon account and Bluesky account (SPEC §2, §13)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.config.settings import ConfigError, MastodonSettings, TelegramSettings
from bot.config.values import choice, positive_int
from bot.jekyll.site import normalize_url
from bot.routing.destinations import bluesky_handle

_BOT_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_CHANNEL_NAME = re.compile(r"^@[A-Za-z][A-Za-z0-9_]{3,31}$")


def telegram_settings(
    values: Mapping[str, str], chats: tuple[str, ...] | None = None
) -> TelegramSettings | None:
    """The bot, and the chats of TELEGRAM_CHANNEL, or `chats` (those of the destinations)."""
    # Readers subscribe by talking to the bot: without it the setting would do nothing.
    subscriptions = choice(values, "TELEGRAM_SUBSCRIPTIONS", ("on", "off"), "off") == "on"
    commands = choice(values, "TELEGRAM_COMMANDS", ("on", "off"), "on") == "on"
    if subscriptions and ("TELEGRAM_BOT_TOKEN" not in values or not commands):
        why = "TELEGRAM_COMMANDS is off" if commands is False else "no TELEGRAM_BOT_TOKEN"
        raise ConfigError(f"TELEGRAM_SUBSCRIPTIONS: on needs the bot's commands ({why})")
    if "TELEGRAM_BOT_TOKEN" not in values:
        if values.get("TELEGRAM_CHANNEL") and chats is None:
            raise ConfigError("TELEGRAM_BOT_TOKEN: TELEGRAM_CHANNEL is set but the token is not")
        return None
    token = values["TELEGRAM_BOT_TOKEN"].strip()
    if not token:
        raise ConfigError("TELEGRAM_BOT_TOKEN: is set but empty")
    if not _BOT_TOKEN.match(token):
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN: does not look like a bot token (digits, ':', letters)"
        )
    channels = tuple(c.strip() for c in values.get("TELEGRAM_CHANNEL", "").split(",") if c.strip())
    if chats is not None:
        channels = chats
    elif not channels:
        raise ConfigError("TELEGRAM_CHANNEL: set the channel to publish to (@name or -100… id)")
    for channel in channels:
        if not (_CHANNEL_NAME.match(channel) or re.fullmatch(r"-?\d+", channel)):
            raise ConfigError(f"TELEGRAM_CHANNEL: {channel!r} is not an @name or a numeric chat id")
    api_url = values.get("TELEGRAM_API_URL", "").strip() or "https://api.telegram.org"
    if normalize_url(api_url) is None:
        raise ConfigError(f"TELEGRAM_API_URL: {api_url!r} is not an http(s) URL")
    admin_ids = values.get("TELEGRAM_ADMIN_IDS", "")
    try:
        admins = frozenset(int(a) for a in admin_ids.split(",") if a.strip())
    except ValueError:
        raise ConfigError(f"TELEGRAM_ADMIN_IDS: {admin_ids!r} is not a list of user ids") from None
    return TelegramSettings(
        token=token,
        channels=channels,
        api_url=api_url.rstrip("/"),
        admin_ids=admins,
        max_per_minute=positive_int(values, "TELEGRAM_MAX_PER_MINUTE", 20),
        commands=commands,
        subscriptions=subscriptions,
        paid_broadcast=choice(values, "TELEGRAM_PAID_BROADCAST", ("on", "off"), "off") == "on",
    )


def mastodon_settings(values: Mapping[str, str]) -> MastodonSettings | None:
    base_url = values.get("MASTODON_BASE_URL", "").strip()
    has_token = "MASTODON_ACCESS_TOKEN" in values
    if not base_url and not has_token:
        return None
    if not has_token:
        raise ConfigError("MASTODON_ACCESS_TOKEN: MASTODON_BASE_URL is set but the token is not")
    token = values["MASTODON_ACCESS_TOKEN"].strip()
    if not token:
        raise ConfigError("MASTODON_ACCESS_TOKEN: is set but empty")
    if not base_url:
        raise ConfigError("MASTODON_BASE_URL: set the instance, e.g. https://mastodon.social")
    if normalize_url(base_url) is None:
        raise ConfigError(f"MASTODON_BASE_URL: {base_url!r} is not an http(s) URL")
    return MastodonSettings(base_url=base_url.rstrip("/"), access_token=token)


def bluesky_account(values: Mapping[str, str]) -> tuple[str, str, str] | None:
    """BLUESKY_HANDLE, BLUESKY_PDS_URL (default https://bsky.social) and
    BLUESKY_APP_PASSWORD: the handle, the PDS root and the app password, or None."""
    written = values.get("BLUESKY_HANDLE", "").strip()
    has_password = "BLUESKY_APP_PASSWORD" in values
    pds_given = values.get("BLUESKY_PDS_URL", "").strip()
    if not written and not has_password and not pds_given:
        return None
    if not written:
        given = "BLUESKY_APP_PASSWORD" if has_password else "BLUESKY_PDS_URL"
        raise ConfigError(f"BLUESKY_HANDLE: {given} is set but the handle is not")
    handle = bluesky_handle(written)
    if handle is None:
        raise ConfigError(f"BLUESKY_HANDLE: {written[:40]!r} is not a handle like news.example.org")
    password = values.get("BLUESKY_APP_PASSWORD", "").strip()
    if not password:
        raise ConfigError(
            "BLUESKY_APP_PASSWORD: set the account's app password (Settings → App passwords)"
        )
    pds = values.get("BLUESKY_PDS_URL", "").strip() or "https://bsky.social"
    if normalize_url(pds) is None:
        raise ConfigError(f"BLUESKY_PDS_URL: {pds!r} is not an http(s) URL")
    return handle, pds.rstrip("/"), password
