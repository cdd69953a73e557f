"""Destinations (SPEC §10): `[[destinations]]` tables from postbode.toml, checked and
turned into values; without any, the environment's channels, as before (pure).

A wrong table is a DestinationError whose one line names the destination and the key.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.text import search_key

Platform = Literal["telegram", "mastodon", "bluesky"]
PLATFORMS: tuple[Platform, ...] = ("telegram", "mastodon", "bluesky")
Visibility = Literal["public", "unlisted", "private"]

_NAME = re.compile(r"^[a-z0-9-]{1,64}$")
_CHANNEL_NAME = re.compile(r"^@[A-Za-z][A-Za-z0-9_]{3,31}$")
_CHAT_ID = re.compile(r"^-?\d{1,20}$")
_HANDLE = re.compile(r"^(?=.{3,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_HASHTAG = re.compile(r"^\w{1,100}$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")
_TIME_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")

# Which keys each platform takes besides the common ones.
_COMMON = {
    "name", "categories", "tags", "exclude_categories", "exclude_tags", "languages",
    "language", "read_more", "hashtags",
}  # fmt: skip
_PLATFORM_KEYS: dict[Platform, set[str]] = {
    "telegram": {"telegram", "silent_hours", "topics", "max_per_minute"},
    "mastodon": {"mastodon", "token_env", "visibility", "content_warnings"},
    "bluesky": {"bluesky", "password_env", "pds"},
}
DEFAULT_TOKEN_ENV = {"mastodon": "MASTODON_ACCESS_TOKEN", "bluesky": "BLUESKY_APP_PASSWORD"}
DEFAULT_PDS = "https://bsky.social"


class DestinationError(ValueError):
    """A destination table is wrong; the message names the destination and the key."""


@dataclass(frozen=True)
class SilentHours:
    """A daily range in the site's zone; it may run over midnight (23:00-07:00)."""

    start: dt.time
    end: dt.time

    def __contains__(self, moment: dt.time) -> bool:
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


@dataclass(frozen=True)
class Destination:
    """One Telegram chat, Mastodon account or Bluesky account, with its rules."""

    name: str
    platform: Platform
    target: str  # @channel or chat id; instance root URL; account handle
    # Its deliveries' key in the state database: the name; the destinations the
    # environment makes keep the key their channel always had ("telegram:@nieuws").
    key: str
    credential_env: str | None = None  # the variable with its token or app password
    pds: str = DEFAULT_PDS
    categories: frozenset[str] = frozenset()  # search keys: case and accents folded
    tags: frozenset[str] = frozenset()
    exclude_categories: frozenset[str] = frozenset()
    exclude_tags: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    language: str | None = None  # postbode's words here; None: LANGUAGE
    read_more: str | None = None
    silent_hours: SilentHours | None = None
    topics: Mapping[str, int] = field(default_factory=dict)  # search key ("*") → thread id
    max_per_minute: int | None = None
    visibility: Visibility = "public"
    content_warnings: Mapping[str, str] = field(default_factory=dict)  # search key → text
    hashtags: tuple[str, ...] = ()


def parse_destinations(tables: Any, env: Mapping[str, str]) -> tuple[Destination, ...]:
    """The `[[destinations]]` of postbode.toml; `env` must hold the credentials they name."""
    if not isinstance(tables, list) or not all(isinstance(t, Mapping) for t in tables):
        raise DestinationError("destinations: write each one as a [[destinations]] table")
    found: dict[str, Destination] = {}
    for number, table in enumerate(tables, 1):
        destination = _destination(table, number, env)
        if destination.name in found:
            raise DestinationError(f'destination "{destination.name}": name: used twice')
        found[destination.name] = destination
    return tuple(found.values())


def _destination(table: Mapping[str, Any], number: int, env: Mapping[str, str]) -> Destination:
    name = table.get("name")
    where = f'destination "{name}"' if isinstance(name, str) else f"destination #{number}"

    def fail(key: str, problem: str) -> DestinationError:
        return DestinationError(f"{where}: {key}: {problem}")

    if not isinstance(name, str) or not _NAME.match(name):
        raise fail("name", "needed, in lower-case letters, digits and hyphens")
    platforms = [p for p in PLATFORMS if p in table]
    if len(platforms) != 1:
        found = " and ".join(platforms) or "none"
        raise fail("telegram/mastodon/bluesky", f"exactly one is needed ({found} given)")
    platform = platforms[0]
    allowed = _COMMON | _PLATFORM_KEYS[platform]
    for key in table:
        if key not in allowed:
            other = next((p for p, keys in _PLATFORM_KEYS.items() if key in keys), None)
            if other:
                raise fail(key, f"only for {other.capitalize()} destinations")
            close = difflib.get_close_matches(key, sorted(allowed), n=1)
            raise fail(key, "unknown key" + (f" (did you mean {close[0]}?)" if close else ""))
    words = _Reader(table, fail)
    credential_env = None
    if platform != "telegram":
        credential_key = "token_env" if platform == "mastodon" else "password_env"
        credential_env = words.text(credential_key) or DEFAULT_TOKEN_ENV[platform]
        if not _ENV_NAME.match(credential_env):
            raise fail(credential_key, f"{credential_env!r} is not a variable name")
        if not env.get(credential_env, "").strip():
            raise fail(credential_key, f"the variable {credential_env} is not set")
    return Destination(
        name=name,
        platform=platform,
        target=_target(platform, table[platform], fail),
        key=name,
        credential_env=credential_env,
        pds=_url(words.text("pds"), fail, "pds") or DEFAULT_PDS,
        categories=words.keys("categories"),
        tags=words.keys("tags"),
        exclude_categories=words.keys("exclude_categories"),
        exclude_tags=words.keys("exclude_tags"),
        languages=frozenset(words.codes("languages")),
        language=next(iter(words.codes("language")), None),
        read_more=words.text("read_more"),
        silent_hours=_silent_hours(words.text("silent_hours"), fail),
        topics=words.mapping("topics", int),
        max_per_minute=words.count("max_per_minute"),
        visibility=_visibility(words.text("visibility"), fail),
        content_warnings=words.mapping("content_warnings", str),
        hashtags=words.hashtags("hashtags"),
    )


@dataclass(frozen=True)
class _Reader:
    """Reads a table's optional keys by their shape, failing with the key's name."""

    table: Mapping[str, Any]
    fail: Any

    def text(self, key: str) -> str | None:
        value = self.table.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "must be a text")
        return value.strip()

    def _texts(self, key: str) -> list[str]:
        value = self.table.get(key, [])
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(
            isinstance(v, str) and v.strip() for v in values
        ):
            raise self.fail(key, "must be a list of texts")
        return [v.strip() for v in values]

    def keys(self, key: str) -> frozenset[str]:
        return frozenset(search_key(value) for value in self._texts(key))

    def codes(self, key: str) -> list[str]:
        codes = [v.lower().replace("_", "-").split("-")[0] for v in self._texts(key)]
        bad = [code for code in codes if not _LANGUAGE.match(code)]
        if bad:
            raise self.fail(key, f"{bad[0]!r} is not a two-letter language code")
        return codes

    def hashtags(self, key: str) -> tuple[str, ...]:
        tags = [value.lstrip("#") for value in self._texts(key)]
        bad = [tag for tag in tags if not _HASHTAG.match(tag)]
        if bad:
            raise self.fail(key, f"{bad[0]!r} is not a hashtag (letters, digits, _)")
        return tuple(dict.fromkeys(tags))

    def count(self, key: str) -> int | None:
        value = self.table.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 600:
            raise self.fail(key, "must be a whole number from 1 to 600")
        return value

    def mapping(self, key: str, kind: type) -> dict[str, Any]:
        value = self.table.get(key, {})
        if not isinstance(value, Mapping):
            raise self.fail(key, '{ category = value, "*" = value } is needed')
        mapped: dict[str, Any] = {}
        for name, item in value.items():
            if kind is int and (isinstance(item, bool) or not isinstance(item, int) or item < 1):
                raise self.fail(key, f"{name!r}: a topic is a message_thread_id, a number above 0")
            if kind is str and (not isinstance(item, str) or not item.strip()):
                raise self.fail(key, f"{name!r}: the warning must be a text")
            mapped["*" if name == "*" else search_key(str(name))] = (
                item.strip() if isinstance(item, str) else item
            )
        return mapped


def _target(platform: Platform, value: Any, fail: Any) -> str:
    text = value.strip() if isinstance(value, str) else str(value) if isinstance(value, int) else ""
    if platform == "telegram":
        if _CHANNEL_NAME.match(text) or _CHAT_ID.match(text):
            return text
        raise fail("telegram", f"{text[:40]!r} is not an @channel name or a chat id")
    if platform == "mastodon":
        url = _url(text, fail, "mastodon")
        if not url:
            raise fail("mastodon", "the instance's root URL is needed")
        return url
    handle = bluesky_handle(text)
    if handle is None:
        raise fail("bluesky", f"{text[:40]!r} is not a handle like news.example.org")
    return handle


def bluesky_handle(text: str) -> str | None:
    """A Bluesky handle as written (`@news.example.org`, any case), or None."""
    handle = text.strip().lstrip("@").lower()
    return handle if _HANDLE.match(handle) else None


def _url(value: str | None, fail: Any, key: str) -> str | None:
    if value is None:
        return None
    if not re.match(r"^https?://[^\s/?#]+/?$", value):
        raise fail(key, f"{value[:60]!r} is not a site root like https://mastodon.social")
    return value.rstrip("/")


def _silent_hours(value: str | None, fail: Any) -> SilentHours | None:
    if value is None:
        return None
    match = _TIME_RANGE.match(value)
    try:
        if not match:
            raise ValueError
        h1, m1, h2, m2 = (int(part) for part in match.groups())
        hours = SilentHours(dt.time(h1, m1), dt.time(h2, m2))
    except ValueError:
        raise fail("silent_hours", f"{value!r} is not a range like 23:00-07:00") from None
    if hours.start == hours.end:
        raise fail("silent_hours", f"{value!r} is an empty range")
    return hours


def _visibility(value: str | None, fail: Any) -> Visibility:
    if value is None:
        return "public"
    if value not in ("public", "unlisted", "private"):
        raise fail("visibility", f"{value!r} is not public, unlisted or private")
    return value  # type: ignore[return-value]


def from_environment(
    telegram_chats: Sequence[str],
    mastodon_url: str | None,
    bluesky: tuple[str, str] | None = None,
) -> tuple[Destination, ...]:
    """The destinations the environment settings make: one per TELEGRAM_CHANNEL entry,
    one for the Mastodon account, under the keys their deliveries always had, and one
    for the Bluesky account (`bluesky`: its handle and PDS)."""
    made = [
        Destination(
            name="telegram-" + chat.lstrip("@-").lower(),
            platform="telegram",
            target=chat,
            key=f"telegram:{chat}",
        )
        for chat in telegram_chats
    ]
    if mastodon_url:
        made.append(_account("mastodon", mastodon_url))
    if bluesky:
        handle, pds = bluesky
        made.append(_account("bluesky", handle, pds))
    return tuple(made)


def _account(platform: Platform, target: str, pds: str = DEFAULT_PDS) -> Destination:
    """The environment's account on a platform, named for it, under its old key."""
    return Destination(
        name=platform,
        platform=platform,
        target=target,
        key=f"{platform}:{target}",
        credential_env=DEFAULT_TOKEN_ENV[platform],
        pds=pds,
    )
