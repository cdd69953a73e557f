"""SPEC §12, the pure rules of "announced when live": when to look at a missing page
again and when to give up, which links are the site's, which redirects stay on it."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.live.rules import LiveRules, under_site, within_site

T0 = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
RULES = LiveRules(timeout=3600)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


# (looks done so far, when the last one was, in seconds after the post was due) ->
# the next look (None: the deadline has passed, send anyway).
SCHEDULE = [
    (1, 0, 5),  # the first look, at once, found nothing: again in 5 s
    (2, 5, 15),  # doubling: 10 s
    (3, 15, 35),  # 20 s
    (7, 315, 615),  # 5 * 2**6 = 320 s, capped at 5 minutes
    (12, 3000, 3300),  # still 5 minutes apart
    (13, 3500, 3600),  # never past the deadline: the last look is at it
    (14, 3600, None),  # the deadline: sent anyway
    (1, 7200, None),  # a worker that was down past the deadline looks once, then sends
]


@pytest.mark.parametrize(("checks", "now", "expected"), SCHEDULE)
def test_the_looks_back_off_from_5_s_to_5_minutes_until_live_timeout(
    checks: int, now: float, expected: float | None
) -> None:
    """Looks come 5 s, 10 s, 20 s … at most 5 minutes apart, and stop at LIVE_TIMEOUT."""
    assert RULES.next_check(T0, checks, at(now)) == (None if expected is None else at(expected))


SITE = "https://krant.nl/blog"


@pytest.mark.parametrize(
    ("link", "site", "expected"),
    [
        ("https://krant.nl/blog/2026/11/27/storm.html", SITE, True),
        ("https://KRANT.nl/blog/storm/", SITE, True),  # host names are case-blind
        ("https://krant.nl:443/blog/storm/", SITE, True),
        ("https://krant.nl/blog", SITE, True),
        ("https://krant.nl/blogger/storm.html", SITE, False),  # not below /blog
        ("https://krant.nl/storm.html", SITE, False),
        ("http://krant.nl/blog/storm.html", SITE, False),  # another scheme
        ("https://krant.nl:8443/blog/storm.html", SITE, False),
        ("https://www.krant.nl/blog/storm.html", SITE, False),
        ("https://archief.example.org/storm", SITE, False),  # an external link
        ("https://krant.nl/storm.html", "https://krant.nl", True),
        ("https://krant.nl/storm.html", None, False),  # no SITE_URL: nothing waits
        ("https://krant.nl:bad/blog/x", SITE, False),
        ("mailto:redactie@krant.nl", SITE, False),
        ("", SITE, False),
    ],
)
def test_a_link_under_site_url_is_a_page_of_the_site(
    link: str, site: str | None, expected: bool
) -> None:
    """Only links at or below SITE_URL wait for their page; external links never do."""
    assert under_site(link, site) is expected


@pytest.mark.parametrize(
    ("url", "site", "expected"),
    [
        ("https://krant.nl/blog/storm/", SITE, True),
        ("https://krant.nl/elders/storm/", SITE, True),  # the same host: any path
        ("http://krant.nl/blog/storm/", SITE, False),  # no step down to http
        ("https://www.krant.nl/blog/storm/", SITE, False),
        ("https://cdn.example.org/storm/", SITE, False),
        ("https://krant.nl/storm/", "http://krant.nl", True),  # a site that moved to TLS
        ("https://krant.nl:8443/storm/", "http://krant.nl", False),
        ("http://krant.nl:8080/storm/", "http://krant.nl:8080", True),
        ("http://127.0.0.1:9/x", "http://127.0.0.1:8080", False),  # another port: not ours
        ("ftp://krant.nl/storm", SITE, False),
    ],
)
def test_a_redirect_is_followed_only_while_it_stays_on_the_site(
    url: str, site: str, expected: bool
) -> None:
    """The check never asks another host: a redirect off the site is not followed."""
    assert within_site(url, site) is expected
