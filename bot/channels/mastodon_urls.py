"""What a link counts for in a Mastodon status (MastodonRules.url_cost): 23 characters
for a URL the server recognizes as one, its own length for anything else.

Mastodon.py's counter (`Mastodon.get_status_length`) runs Twitter's URL regex and
counts graphemes, about 0.1 ms a link, and importing Mastodon.py takes half a
second: too much for `preview` over 10,000 posts. The common link (http or https, an
ASCII host name ending in a TLD the regex knows, a path of plain characters that ends
where the regex ends a URL) is recognized here by a small regex; any other link is
counted by Mastodon.py itself, imported then. tests/test_mastodon_urls.py holds the
two together on generated and tricky links.
"""

from __future__ import annotations

import re

from bot.summary import (
    MASTODON_DEFAULT_MAX_CHARACTERS,
    MASTODON_DEFAULT_URL_CHARACTERS,
    MastodonRules,
)

# TLDs in Twitter's list (and so in Mastodon's count), of the sites postbode is for.
COMMON_TLDS = ("nl", "be", "com", "org", "net", "eu", "de", "fr", "uk", "io", "dev", "info",
               "news", "nu", "co", "app", "blog", "at", "ch", "es", "it", "se", "no", "dk")  # fmt: skip
_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
# A path may hold these; Twitter's regex ends a URL only on a letter, a digit, / _ or -
# (a trailing . , ! ~ is left out of it, and then counted on its own).
_PATH = r"(?:/(?:[a-z0-9/_.~%-]*[a-z0-9/_-])?)?"
_COMMON_URL = re.compile(
    rf"https?://(?:{_LABEL}\.)+(?:{'|'.join(COMMON_TLDS)}){_PATH}", re.ASCII | re.IGNORECASE
)


def url_cost(url: str) -> int:
    """What one URL on its own line counts for, as Mastodon.py counts it."""
    if _COMMON_URL.fullmatch(url):
        return MASTODON_DEFAULT_URL_CHARACTERS
    from mastodon import Mastodon  # the rare link: unknown TLD, a query, a port, non-ASCII

    return int(Mastodon.get_status_length(url))


def instance_rules(
    max_characters: int = MASTODON_DEFAULT_MAX_CHARACTERS,
    url_characters: int = MASTODON_DEFAULT_URL_CHARACTERS,
) -> MastodonRules:
    """The instance's limits; its links counted exactly where it counts them as 23."""
    # Mastodon.py's counter assumes 23 per URL; with another value, use the safe bound.
    return MastodonRules(max_characters, url_characters, url_cost if url_characters == 23 else None)
