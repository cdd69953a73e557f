"""Where posts go (SPEC §10): the `[[destinations]]` of postbode.toml when it has
any, else the environment's channels as before, with the credentials they need."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.config.platforms import bluesky_account, mastodon_settings, telegram_settings
from bot.config.settings import ConfigError, MastodonSettings, TelegramSettings
from bot.routing.destinations import (
    Destination,
    DestinationError,
    from_environment,
    parse_destinations,
)
from bot.words import LANGUAGES


@dataclass(frozen=True)
class Platforms:
    destinations: tuple[Destination, ...]
    telegram: TelegramSettings | None  # the bot (token, API): shared by its chats
    mastodon: MastodonSettings | None  # the environment's one account, when no tables
    credentials: Mapping[str, str] = field(default_factory=dict, repr=False)


def platforms(values: Mapping[str, str], tables: Any, env: Mapping[str, str]) -> Platforms:
    """The destinations and what the platforms need to reach them."""
    if tables is None:
        telegram = telegram_settings(values)
        mastodon = mastodon_settings(values)
        bluesky = bluesky_account(values)
        made = from_environment(
            telegram.channels if telegram else (),
            mastodon.base_url if mastodon else None,
            bluesky[:2] if bluesky else None,
        )
        credentials = {"MASTODON_ACCESS_TOKEN": mastodon.access_token} if mastodon else {}
        if bluesky:
            credentials["BLUESKY_APP_PASSWORD"] = bluesky[2]
        return Platforms(made, telegram, mastodon, credentials)
    try:
        made = parse_destinations(tables, env)
    except DestinationError as error:
        raise ConfigError(str(error)) from None
    chats = tuple(d.target for d in made if d.platform == "telegram")
    telegram = telegram_settings(values, chats)
    for destination in made:
        if destination.platform == "telegram" and telegram is None:
            raise ConfigError(
                f'destination "{destination.name}": telegram: TELEGRAM_BOT_TOKEN is not set'
            )
        if destination.language and destination.language not in LANGUAGES:
            raise ConfigError(
                f'destination "{destination.name}": language: postbode has no words in'
                f" {destination.language!r} ({', '.join(LANGUAGES)})"
            )
    credentials = {
        d.credential_env: env[d.credential_env].strip() for d in made if d.credential_env
    }
    return Platforms(made, telegram, None, credentials)
