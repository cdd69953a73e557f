"""Which destinations a post goes to, and how it looks there (SPEC §10), pure.

Names are compared by their search key: case and accents do not matter
(`Économie` is `economie`); an exclusion wins over everything else.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence

from bot.jekyll.posts import Post
from bot.routing.destinations import PLATFORMS, Destination
from bot.text import search_key


def refusal(post: Post, destination: Destination, site_language: str) -> str | None:
    """Why the post does not go to the destination, or None when it does."""
    platform, name = destination.platform, destination.name
    if post.syndicate is not None:
        if not post.syndicate:
            return "syndicate: false"
        if name not in post.syndicate and platform not in post.syndicate:
            return f"syndicate names {', '.join(post.syndicate)}, not {name}"
    if platform in post.not_on:
        return f"{platform}: false"
    categories, tags = _folded(post.categories), _folded(post.tags)
    excluded = (categories & destination.exclude_categories) | (tags & destination.exclude_tags)
    if excluded:
        return f"excluded here: {min(excluded)}"
    filtered = destination.categories or destination.tags
    if filtered and not (categories & destination.categories or tags & destination.tags):
        return "none of its categories or tags is for this destination"
    language = post.language or site_language
    if destination.languages and language not in destination.languages:
        return (
            f"in {language}, and this destination takes {', '.join(sorted(destination.languages))}"
        )
    return None


@functools.lru_cache(maxsize=4096)  # a site's posts share a few category lists
def _folded(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(search_key(name) for name in names)


def reaches_subscribers(post: Post, destinations: Sequence[Destination]) -> bool:
    """Whether a new post goes to its readers' private chats (SPEC §11): only one that
    would go to Telegram, so `syndicate` must name the platform or a Telegram destination."""
    if post.syndicate == () or "telegram" in post.not_on:
        return False
    if post.syndicate is None:
        return True
    telegram = {d.name for d in destinations if d.platform == "telegram"} | {"telegram"}
    return not telegram.isdisjoint(post.syndicate)


def unknown_names(post: Post, destinations: Sequence[Destination]) -> tuple[str, ...]:
    """Names in the post's `syndicate` that are neither a destination nor a platform."""
    known = {d.name for d in destinations} | set(PLATFORMS)
    return tuple(name for name in post.syndicate or () if name not in known)


def topic(post: Post, destination: Destination) -> int | None:
    """A forum's topic for the post: that of its first category with one, else "*",
    else None (the General topic)."""
    chosen = topic_choice(post, destination)
    return chosen[1] if chosen else None


def topic_choice(post: Post, destination: Destination) -> tuple[str, int] | None:
    """The topic and what chose it: the post's category as it is written, or "*"."""
    for category in post.categories:
        thread = destination.topics.get(search_key(category))
        if thread is not None:
            return category, thread
    thread = destination.topics.get("*")
    return ("*", thread) if thread is not None else None


def is_silent(destination: Destination, at: dt.datetime, zone: dt.tzinfo) -> bool:
    """Inside the destination's silent hours, read in the site's zone."""
    hours = destination.silent_hours
    return hours is not None and at.astimezone(zone).time() in hours


def content_warning(post: Post, destination: Destination) -> str | None:
    """The post's own `content_warning`, else the destination's for its first category
    that has one."""
    if post.content_warning:
        return post.content_warning
    for category in post.categories:
        warning = destination.content_warnings.get(search_key(category))
        if warning:
            return warning
    return None


# A post that comes to match a destination (a category added), or reaches one that
# started after the post was first seen, goes there only while it is still news.
NEWS_WINDOW = dt.timedelta(hours=48)


def may_start_here(
    *, first_seen: str, started: str | None, date: dt.datetime, now: dt.datetime
) -> bool:
    """Whether a destination may get this post's first message: it was there when
    postbode first saw the post, or the post is still news. Times are UTC texts."""
    return started is None or first_seen >= started or is_news(date, now)


def is_news(date: dt.datetime, now: dt.datetime) -> bool:
    """Dated within NEWS_WINDOW: a post that may still reach a destination late."""
    return date >= now - NEWS_WINDOW
