"""The shapes settings come in: a choice, a count, a zone, a language, a host list;
each wrong value is a ConfigError naming its setting."""

from __future__ import annotations

import datetime as dt
import os
import zoneinfo
from collections.abc import Mapping
from typing import Any

from bot.addresses import Allowed, parse_allowed
from bot.config.settings import ConfigError
from bot.words import LANGUAGES, resolve


def timezone_setting(value: Any, env: Mapping[str, str]) -> dt.tzinfo:
    if value:
        try:
            return zoneinfo.ZoneInfo(str(value))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"TIMEZONE: {value!r} is not a time zone name like Europe/Amsterdam"
            ) from None
    return machine_zone(env)


def machine_zone(env: Mapping[str, str]) -> dt.tzinfo:
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


def language_setting(value: str) -> tuple[str, tuple[str, ...]]:
    """LANGUAGE in GNU gettext's form too (`en_US:en`, `de_DE.UTF-8`), as desktops set
    it, or a language tag (`pt-BR`): its first language we have words for, else the
    default, said in a note."""
    for part in value.split(":"):
        code = resolve(part)
        if code is not None:
            return code, ()
    if not value.strip():
        return "nl", ()
    return "nl", (
        f"LANGUAGE: {value.strip()[:40]!r} names no language postbode speaks"
        f" ({', '.join(LANGUAGES)}): using nl",
    )


def choice(values: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = values.get(name, "").strip().lower() or default
    if value not in allowed:
        raise ConfigError(f"{name}: {value!r} is not one of {', '.join(allowed)}")
    return value


def positive_int(values: Mapping[str, str], name: str, default: int) -> int:
    raw = values.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(f"{name}: {raw!r} is not a whole number above 0")
    return int(raw)


def image_hosts(text: str) -> tuple[Allowed, ...]:
    try:
        return parse_allowed(text)
    except ValueError as error:
        raise ConfigError(f"IMAGE_HOSTS_ALLOW: {error}") from None
