"""Mastodon adapter (Mastodon.py): the instance's counting rules."""

from __future__ import annotations

from mastodon import Mastodon

from bot.summary import (
    MASTODON_DEFAULT_MAX_CHARACTERS,
    MASTODON_DEFAULT_URL_CHARACTERS,
    MastodonRules,
)


def url_cost(url: str) -> int:
    """What one URL on its own line counts for, by the server's rule (Mastodon.py's
    implementation of it: a URL with a known TLD counts 23, anything else its length)."""
    return int(Mastodon.get_status_length(url))


def instance_rules(
    max_characters: int = MASTODON_DEFAULT_MAX_CHARACTERS,
    url_characters: int = MASTODON_DEFAULT_URL_CHARACTERS,
) -> MastodonRules:
    # Mastodon.py's counter assumes 23 per URL; with another value, use the safe bound.
    return MastodonRules(max_characters, url_characters, url_cost if url_characters == 23 else None)
