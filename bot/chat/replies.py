"""What the bot answers readers: Telegram HTML built from posts and counts (pure).

Every text fragment is escaped, and every reply fits Telegram's 4096 limit. The
words are postbode's own (bot.words) in the language the handler picked for the
reader; dates are in it too.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.jekyll.posts import Post
from bot.state.catalog import Category
from bot.subscribers.report import subscription_lines
from bot.summary import TELEGRAM_TEXT_LIMIT
from bot.text import search_key, shorten, utf16_len
from bot.words import words
from bot.words.dates import short_date

DEFAULT_LATEST, MAX_LATEST = 5, 20
MAX_BUTTONS = 30  # Telegram allows 100; more than this is a wall, not a menu
MAX_TITLE = 200
_ECHO = 60  # how much of a reader's own argument is quoted back
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class Reply:
    """An HTML message, optionally with inline buttons (label, callback data), two a row."""

    text: str
    buttons: tuple[tuple[str, str], ...] = ()


def say(template: str, **values: str) -> str:
    """One of postbode's texts as Telegram HTML: the text escaped, `values` already markup."""
    return html.escape(template, quote=False).format(**values)


def usage_reply(language: str) -> Reply:
    return Reply(say(words(language).usage, most=str(MAX_LATEST)))


def parse_count(args: Sequence[str]) -> int | None:
    """/latest's argument: none means the default, else a whole number 1–20."""
    if not args:
        return DEFAULT_LATEST
    if (
        len(args) == 1
        and len(args[0]) <= 2  # int() refuses 5,000 digits with an error, not an answer
        and args[0].isascii()
        and args[0].isdigit()
        and 1 <= int(args[0]) <= MAX_LATEST
    ):
        return int(args[0])
    return None


def help_reply(language: str, channels: Sequence[str]) -> Reply:
    names = ", ".join(html.escape(c) for c in channels) or "postbode"
    help_text = words(language).help
    return Reply(say(help_text, channels=names, default=str(DEFAULT_LATEST), most=str(MAX_LATEST)))


def latest_reply(posts: Sequence[Post], language: str, now: dt.datetime) -> Reply:
    if not posts:
        return Reply(say(words(language).none))
    heading = f"<b>{say(words(language).latest)}</b>"
    return Reply(listing(heading, posts, language, now))


def category_reply(
    category: Category, posts: Sequence[Post], language: str, now: dt.datetime
) -> Reply:
    heading = f"<b>{html.escape(category.name)}</b> ({category.count})"
    if not posts:
        return Reply(say(words(language).none))
    return Reply(listing(heading, posts, language, now))


def categories_reply(categories: Sequence[Category], language: str) -> Reply:
    if not categories:
        return Reply(say(words(language).no_categories))
    shown = categories[:MAX_BUTTONS]
    buttons = tuple(
        (shorten(f"{c.name} ({c.count})", 40, len), callback_data(c.key)) for c in shown
    )
    return Reply(say(words(language).categories), buttons)


def unknown_category_reply(
    asked: str, categories: Sequence[Category], language: str, command: str = "/category"
) -> Reply:
    """The closest known names, as `command`s to send, instead of silence."""
    said = words(language)
    echo = html.escape(shorten(" ".join(asked.split()), _ECHO, len))
    lines = [say(said.unknown, asked=echo)]
    close = closest_categories(asked, categories)
    if close:
        names = ", ".join(f"{command} {html.escape(c.name)}" for c in close)
        lines.append(say(said.did_you_mean, names=names))
    else:
        lines.append(say(said.pick))
    return Reply("\n".join(lines))


def closest_categories(asked: str, categories: Sequence[Category]) -> list[Category]:
    """The (at most three) known names closest to one that is not known."""
    by_key = {c.key: c for c in categories}
    close = difflib.get_close_matches(search_key(asked)[:200], list(by_key), n=3, cutoff=0.5)
    return [by_key[key] for key in close]


def find_category(asked: str, categories: Sequence[Category]) -> Category | None:
    """Case- and accent-insensitive: "ÉCONOMIE" finds "economie"."""
    key = search_key(asked)
    return next((c for c in categories if c.key == key), None)


def callback_data(key: str) -> str:
    """Button data is at most 64 bytes: the key itself when short, else its hash."""
    data = "c:" + key
    return data if len(data.encode()) <= 64 else "c#" + hashlib.sha1(key.encode()).hexdigest()[:20]


def category_for_callback(data: str, categories: Sequence[Category]) -> Category | None:
    return next((c for c in categories if callback_data(c.key) == data), None)


def status_reply(report: Mapping[str, Any], language: str) -> Reply:
    """The operator's view: posts, and per channel pending / failed / last publish / last error."""
    posts = ", ".join(f"{n} {s}" for s, n in sorted(report["posts"].items())) or "0"
    blocks = [f"<b>postbode</b>: {html.escape(posts)}"]
    for channel, info in sorted(report["channels"].items()):
        waiting = info.get("pending", 0) + info.get("sending", 0)
        block = (
            f"<b>{html.escape(channel)}</b>\npending {waiting}, sent {info.get('sent', 0)},"
            f" failed {info.get('failed', 0)}"
            + (f", waiting for their page {info['waiting']}" if info.get("waiting") else "")
            + f"\nlast sent: {html.escape(str(info['last_sent_at'] or '-'))}"
        )
        if info.get("last_error"):
            block += "\nlast error: " + html.escape(shorten(info["last_error"], 300, len))
        blocks.append(block)
    if lines := subscription_lines(report.get("subscriptions")):
        blocks.append("\n".join(html.escape(line) for line in lines))
    return Reply(_join_within_limit(blocks, "\n\n"))


def listing(heading: str, posts: Sequence[Post], language: str, now: dt.datetime) -> str:
    """A heading and one line per post (linked title — date), as many as fit."""
    lines = [heading + "\n"]
    for post in posts:
        title = html.escape(shorten(post.title, MAX_TITLE, len))
        date = html.escape(short_date(post.date, language, now), quote=False)
        lines.append(f'• <a href="{html.escape(post.link)}">{title}</a> — {date}')
    return _join_within_limit(lines, "\n")


def _join_within_limit(parts: Sequence[str], separator: str) -> str:
    """Join HTML parts, leaving out the ones that would take the visible text past
    Telegram's limit. Each part is whole markup, so what is sent always parses."""
    kept: list[str] = []
    used = -len(separator)
    for part in parts:
        cost = len(separator) + utf16_len(html.unescape(_TAG.sub("", part)))
        if used + cost > TELEGRAM_TEXT_LIMIT:
            break
        kept.append(part)
        used += cost
    return separator.join(kept)
