"""The settings' values: what the rest of postbode is given, read once at start-up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from bot.addresses import Allowed
from bot.jekyll.site import Site
from bot.routing.destinations import Destination


class ConfigError(ValueError):
    """A setting is present but wrong; the message names it and never holds a secret."""


@dataclass(frozen=True)
class TelegramSettings:
    token: str = field(repr=False)
    channels: tuple[str, ...]
    api_url: str = "https://api.telegram.org"
    admin_ids: frozenset[int] = frozenset()
    max_per_minute: int = 20
    commands: bool = True  # answer readers' /latest, /category (TELEGRAM_COMMANDS=off: not)
    subscriptions: bool = False  # /subscribe, and new posts in readers' private chats
    paid_broadcast: bool = False  # allow_paid_broadcast for those: Telegram's paid 1000/s


@dataclass(frozen=True)
class MastodonSettings:
    base_url: str
    access_token: str = field(repr=False)


@dataclass(frozen=True)
class Settings:
    posts_dir: Path
    state_db: Path
    site: Site
    language: str = "nl"
    telegram: TelegramSettings | None = None
    mastodon: MastodonSettings | None = None
    # Every Mastodon account answers mentions (SPEC §11); polled this often without a stream.
    mastodon_replies: bool = False
    mastodon_poll_interval: float = 30.0
    log_format: Literal["text", "json"] = "text"
    on_delete: Literal["keep", "delete"] = "keep"
    # Where to find a post's local image (relative paths in front matter).
    site_root: Path = Path(".")
    # events: inotify (falling back to polling); poll: stat the tree; off: the
    # reconcile scan alone finds changes.
    watch_mode: Literal["events", "poll", "off"] = "events"
    reconcile_interval: float | None = None  # None: the worker's default for its watcher
    # More new posts than this in one scan, most of them old: an import, recorded as seen.
    flood_limit: int = 50
    # Hosts and networks images may come from although they are not public addresses.
    image_hosts_allow: tuple[Allowed, ...] = ()
    # A first message whose link is under SITE_URL waits until the page answers 2xx,
    # at most live_timeout seconds (SPEC §12).
    wait_for_live: bool = True
    live_timeout: float = 3600.0
    links_file: Path | None = None  # where each post's messages can be read, for the site
    # Where posts go (SPEC §10), and the tokens of their accounts by variable name.
    destinations: tuple[Destination, ...] = ()
    credentials: Mapping[str, str] = field(default_factory=dict, repr=False)
    # What start-up should say about how the settings were read (logged, not fatal).
    notes: tuple[str, ...] = ()

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in a log line or an error."""
        values = [
            self.telegram.token if self.telegram else "",
            self.mastodon.access_token if self.mastodon else "",
            *self.credentials.values(),
        ]
        return tuple(dict.fromkeys(v for v in values if v))

    def describe(self) -> dict[str, object]:
        """The settings in effect, fit for a log line: no secrets."""
        return {
            "posts_dir": str(self.posts_dir),
            "state_db": str(self.state_db),
            "site_url": self.site.url,
            "timezone": str(self.site.timezone),
            "language": self.language,
            "telegram_channels": list(self.telegram.channels) if self.telegram else [],
            "telegram_api_url": self.telegram.api_url if self.telegram else None,
            "telegram_max_per_minute": self.telegram.max_per_minute if self.telegram else None,
            "mastodon": self.mastodon.base_url if self.mastodon else None,
            "mastodon_replies": self.mastodon_replies,
            "on_delete": self.on_delete,
            "watch_mode": self.watch_mode,
            "reconcile_interval": self.reconcile_interval,
            "flood_limit": self.flood_limit,
            "image_hosts_allow": [str(entry) for entry in self.image_hosts_allow],
            "wait_for_live": self.wait_for_live,
            "live_timeout": self.live_timeout,
            "links_file": str(self.links_file) if self.links_file else None,
            "destinations": [f"{d.name} ({d.platform} {d.target})" for d in self.destinations],
            "log_format": self.log_format,
        }
