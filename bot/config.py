"""Settings, read once from the environment and an optional postbode.toml.

This is the only module that reads os.environ (the CLI passes it in). A setting
that is present but wrong raises ConfigError with one line naming the setting.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from bot.addresses import Allowed, parse_allowed
from bot.jekyll.permalinks import UnknownPlaceholder, check_template
from bot.jekyll.site import Site, normalize_url, site_from_config, site_url_from_config

SECRET_NAMES = ("TELEGRAM_BOT_TOKEN", "MASTODON_ACCESS_TOKEN")
CONFIG_FILE = "postbode.toml"
LANGUAGES = ("nl", "en")
_BOT_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_CHANNEL_NAME = re.compile(r"^@[A-Za-z][A-Za-z0-9_]{3,31}$")


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
    # What start-up should say about how the settings were read (logged, not fatal).
    notes: tuple[str, ...] = ()

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in a log line or an error."""
        values = [
            self.telegram.token if self.telegram else "",
            self.mastodon.access_token if self.mastodon else "",
        ]
        return tuple(v for v in values if v)

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
            "on_delete": self.on_delete,
            "watch_mode": self.watch_mode,
            "reconcile_interval": self.reconcile_interval,
            "flood_limit": self.flood_limit,
            "image_hosts_allow": [str(entry) for entry in self.image_hosts_allow],
            "wait_for_live": self.wait_for_live,
            "live_timeout": self.live_timeout,
            "links_file": str(self.links_file) if self.links_file else None,
            "log_format": self.log_format,
        }


def load_settings(env: Mapping[str, str], cwd: Path, *, check_folders: bool = True) -> Settings:
    """Build Settings from `env` over `cwd/postbode.toml` (non-secret keys only).

    `check_folders=False` is for `preview`, which reads the files it is given.
    """
    values = {**_read_toml(cwd / CONFIG_FILE), **{k: v for k, v in env.items() if k.isupper()}}
    posts_dir = (cwd / values.get("POSTS_DIR", "posts")).resolve()
    state_db = (cwd / values.get("STATE_DB", "state.db")).resolve()
    if check_folders:
        posts_dir = _folder(cwd, values.get("POSTS_DIR", "posts"))
        state_db = _file_to_write("STATE_DB", cwd, values.get("STATE_DB", "state.db"))
    site_root, jekyll = _jekyll_config(posts_dir)
    site_url = _site_url(values.get("SITE_URL"), jekyll)
    timezone = _timezone(values.get("TIMEZONE") or jekyll.get("timezone"), env)
    language, notes = _language(values.get("LANGUAGE", ""))
    site = site_from_config(
        jekyll,
        url=site_url,
        timezone=timezone,
        posts_dir=posts_dir,
        source=site_root,
        announce_hidden=_choice(values, "ANNOUNCE_HIDDEN", ("on", "off"), "off") == "on",
    )
    try:
        check_template(site.permalink)
    except UnknownPlaceholder as error:  # every post would be refused for it
        raise ConfigError(f"_config.yml: {error}") from None
    wait_for_live = _choice(values, "WAIT_FOR_LIVE", ("on", "off"), "on") == "on"
    if values.get("WAIT_FOR_LIVE", "").strip().lower() == "on" and site_url is None:
        notes += ("WAIT_FOR_LIVE: on, but no SITE_URL (nor url in _config.yml): no post waits",)
    return Settings(
        posts_dir=posts_dir,
        state_db=state_db,
        site=site,
        language=language,
        telegram=_telegram(values),
        mastodon=_mastodon(values),
        log_format=_choice(values, "LOG_FORMAT", ("text", "json"), "text"),  # type: ignore[arg-type]
        on_delete=_choice(values, "ON_DELETE", ("keep", "delete"), "keep"),  # type: ignore[arg-type]
        site_root=site_root,
        watch_mode=_choice(values, "WATCH_MODE", ("events", "poll", "off"), "events"),  # type: ignore[arg-type]
        reconcile_interval=float(_positive_int(values, "RECONCILE_INTERVAL", 0)) or None,
        flood_limit=_positive_int(values, "FLOOD_LIMIT", 50),
        image_hosts_allow=_image_hosts(values.get("IMAGE_HOSTS_ALLOW", "")),
        wait_for_live=wait_for_live,
        live_timeout=float(_positive_int(values, "LIVE_TIMEOUT", 3600)),
        links_file=_links_file(values.get("LINKS_FILE", ""), site_root, check_folders),
        notes=notes,
    )


def _image_hosts(text: str) -> tuple[Allowed, ...]:
    try:
        return parse_allowed(text)
    except ValueError as error:
        raise ConfigError(f"IMAGE_HOSTS_ALLOW: {error}") from None


def _read_toml(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{CONFIG_FILE}: cannot be read: {error}") from None
    values = {str(key).upper(): str(value) for key, value in data.items()}
    for name in SECRET_NAMES:
        if name in values:
            raise ConfigError(
                f"{name}: secrets are read from the environment only, not {CONFIG_FILE}"
            )
    return values


def _folder(cwd: Path, value: str) -> Path:
    path = (cwd / value).resolve() if value.strip() else Path()
    if not value.strip() or not path.is_dir():
        raise ConfigError(f"POSTS_DIR: {value!r} is not a folder")
    if not os.access(path, os.R_OK | os.X_OK):
        raise ConfigError(f"POSTS_DIR: {value!r} is not readable")
    return path


def _file_to_write(name: str, base: Path, value: str) -> Path:
    """A file written with others beside it (a journal, a version to rename in)."""
    path = (base / value).resolve() if value.strip() else Path()
    if not value.strip() or path.is_dir():
        raise ConfigError(f"{name}: {value!r} is not a file name")
    if not path.parent.is_dir() or not os.access(path.parent, os.W_OK):
        raise ConfigError(f"{name}: the folder of {value!r} does not exist or is not writable")
    return path


def _links_file(value: str, site_root: Path, check: bool) -> Path | None:
    """LINKS_FILE, relative to the site (`_data/postbode.json`)."""
    if not value.strip():
        return None
    return _file_to_write("LINKS_FILE", site_root, value) if check else site_root / value


def _jekyll_config(posts_dir: Path) -> tuple[Path, dict[str, Any]]:
    """`_config.yml` in the posts folder or next to it (a Jekyll site's _posts)."""
    for folder in (posts_dir, posts_dir.parent):
        path = folder / "_config.yml"
        if path.is_file():
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
            except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
                raise ConfigError(f"_config.yml: {path} cannot be read: {error}") from None
            return folder, data if isinstance(data, dict) else {}
    return posts_dir, {}


def _site_url(value: str | None, jekyll: Mapping[str, Any]) -> str | None:
    if value is None or value == "":
        return site_url_from_config(jekyll)
    url = normalize_url(value)
    if url is None:
        raise ConfigError(f"SITE_URL: {value!r} is not an http(s) URL")
    return url.rstrip("/")


def _timezone(value: Any, env: Mapping[str, str]) -> dt.tzinfo:
    if value:
        try:
            return zoneinfo.ZoneInfo(str(value))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"TIMEZONE: {value!r} is not a time zone name like Europe/Amsterdam"
            ) from None
    return _machine_zone(env)


def _machine_zone(env: Mapping[str, str]) -> dt.tzinfo:
    """The machine's zone with its DST rules (a fixed offset would be wrong half the year)."""
    candidates = [env.get("TZ", "").lstrip(":")]
    localtime = os.path.realpath("/etc/localtime")
    if "zoneinfo/" in localtime:
        candidates.append(localtime.split("zoneinfo/", 1)[1])
    for name in candidates:
        if name:
            try:
                return zoneinfo.ZoneInfo(name)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                continue
    return dt.UTC


def _language(value: str) -> tuple[str, tuple[str, ...]]:
    """LANGUAGE in GNU gettext's form too (`en_US:en`, `de_DE.UTF-8`), as desktops set
    it: its first language we have words for, else the default, said in a note."""
    wanted = [
        part.split("_")[0].split(".")[0].split("@")[0].strip().lower() for part in value.split(":")
    ]
    for code in wanted:
        if code in LANGUAGES:
            return code, ()
    if not value.strip():
        return "nl", ()
    return "nl", (
        f"LANGUAGE: {value.strip()[:40]!r} names no language postbode speaks"
        f" ({', '.join(LANGUAGES)}): using nl",
    )


def _choice(values: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = values.get(name, "").strip().lower() or default
    if value not in allowed:
        raise ConfigError(f"{name}: {value!r} is not one of {', '.join(allowed)}")
    return value


def _positive_int(values: Mapping[str, str], name: str, default: int) -> int:
    raw = values.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(f"{name}: {raw!r} is not a whole number above 0")
    return int(raw)


def _telegram(values: Mapping[str, str]) -> TelegramSettings | None:
    if "TELEGRAM_BOT_TOKEN" not in values:
        if values.get("TELEGRAM_CHANNEL"):
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
    if not channels:
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
        max_per_minute=_positive_int(values, "TELEGRAM_MAX_PER_MINUTE", 20),
        commands=_choice(values, "TELEGRAM_COMMANDS", ("on", "off"), "on") == "on",
    )


def _mastodon(values: Mapping[str, str]) -> MastodonSettings | None:
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
