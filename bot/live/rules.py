"""Announced when live (SPEC §12), the rules: which links are the site's pages, which
redirects stay on the site, and when to look at a missing page again (pure).

Telegram and Mastodon keep the first link preview they fetch, so a message sent
before the site is built and deployed would show a 404 card for good: a post's first
message waits until its page answers 2xx, at most LIVE_TIMEOUT.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from dataclasses import dataclass

_DEFAULT_PORTS = {"http": 80, "https": 443}
# A site on plain http may redirect to its https on the default port.
_UPGRADES = {("http", 80): ("https", 443)}


@dataclass(frozen=True)
class LiveRules:
    """Look at once, then 5 s, 10 s, 20 s … at most 5 minutes apart; `timeout` seconds
    after the post was due, it goes out anyway."""

    first: float = 5.0
    factor: float = 2.0
    cap: float = 300.0
    timeout: float = 3600.0

    def delay(self, checks: int) -> float:
        """Seconds from the `checks`-th look that found no page to the next one."""
        return min(self.cap, self.first * self.factor ** max(0, checks - 1))

    def next_check(self, since: dt.datetime, checks: int, now: dt.datetime) -> dt.datetime | None:
        """After the `checks`-th look, at `now`, found no page: when to look again, never
        past the deadline (the last look is at it); None once it has passed: send anyway."""
        deadline = since + dt.timedelta(seconds=self.timeout)
        if now >= deadline:
            return None
        return min(now + dt.timedelta(seconds=self.delay(checks)), deadline)


def under_site(link: str | None, site_url: str | None) -> bool:
    """Whether a post's link is a page of the site: SITE_URL's scheme, host and port,
    and a path at or below its own (`https://krant.nl/blog` holds `/blog/…`, not
    `/blogger`). An external link is someone else's page: nothing waits for it."""
    site = _split(site_url)
    page = _split(link) if site is not None else None  # no SITE_URL: no link to split
    if site is None or page is None or _origin(site) != _origin(page):
        return False
    base = site.path.rstrip("/")
    return page.path == base or page.path.startswith(base + "/")


def within_site(url: str, site_url: str | None) -> bool:
    """Whether a redirect stays on the site: its host, with its scheme and port, or the
    same host's https on the default port (a site that moved to TLS). Anything else is
    not followed: the check never sends a request to another host."""
    site, target = _split(site_url), _split(url)
    if site is None or target is None:
        return False
    (scheme, host, port), (site_scheme, site_host, site_port) = _origin(target), _origin(site)
    if host != site_host:
        return False
    return (scheme, port) in ((site_scheme, site_port), _UPGRADES.get((site_scheme, site_port)))


def _split(url: str | None) -> urllib.parse.SplitResult | None:
    if not url:
        return None
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018  (a port that is not a number raises here)
    except ValueError:
        return None
    if parts.scheme.lower() not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return parts


def _origin(parts: urllib.parse.SplitResult) -> tuple[str, str, int]:
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or _DEFAULT_PORTS[scheme]
