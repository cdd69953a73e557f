"""The front matter keys that say where one post goes (SPEC §10), pure:
`syndicate: false | [names or platform words]`, `telegram/mastodon/bluesky: false`,
and `content_warning`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.text import clean_text

PLATFORM_WORDS = ("telegram", "mastodon", "bluesky")
MAX_WARNING = 500  # Mastodon's spoiler_text counts against the status limit


@dataclass(frozen=True)
class Syndication:
    only: tuple[str, ...] | None = None  # None: wherever it matches; (): nowhere
    not_on: tuple[str, ...] = ()  # platforms it must not go to
    content_warning: str | None = None


def syndication(metadata: Mapping[str, Any], notes: list[str]) -> Syndication:
    """What the post's front matter asks; a value of the wrong shape is noted and
    ignored, never a reason to send a post somewhere it did not ask for."""
    value = metadata.get("syndicate")
    only: tuple[str, ...] | None = None
    if value is False:
        only = ()
    elif isinstance(value, str) and value.strip():
        only = tuple(dict.fromkeys(value.lower().replace(",", " ").split()))
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        only = tuple(dict.fromkeys(v.strip().lower() for v in value if v.strip()))
    elif value is not None and value is not True:
        notes.append("syndicate is neither false nor a list of destinations: sent nowhere")
        only = ()  # the author meant to limit it; sending it everywhere could be wrong
    not_on = tuple(word for word in PLATFORM_WORDS if metadata.get(word) is False)
    warning = metadata.get("content_warning")
    text = clean_text(warning)[:MAX_WARNING] if isinstance(warning, str) else ""
    return Syndication(only, not_on, text or None)
