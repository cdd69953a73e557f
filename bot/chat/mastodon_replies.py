"""The plain text of an answer to a mention, within the instance's limit (pure).

An answer starts with the asker's @handle (the only account it mentions) and lists
posts as "title — date" with the link on the next line. It is counted as Mastodon
counts: the handle without its domain, every link as the instance's URL cost, the
rest by an upper bound (code points; `MastodonRules.text_cost`). Entries that do not
fit are left out; the help text is shortened at a word.

Nothing of a reader's own or a post's text can mention or tag anyone: an `@` or `#`
in it is shown as its fullwidth form, which Mastodon does not link.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from bot.chat.mastodon_mentions import MAX_WORDS
from bot.chat.replies import DEFAULT_LATEST, MAX_LATEST, closest_categories
from bot.jekyll.posts import Post
from bot.state.catalog import Category
from bot.summary import MastodonRules
from bot.text import shorten
from bot.words import words
from bot.words.dates import short_date

MAX_TITLE = 100
_ECHO = 60  # how much of a reader's own words is quoted back
_DEFUSED = str.maketrans({"@": "\uff20", "#": "\uff03"})


@dataclass(frozen=True)
class Entry:
    """One line of text, and the link shown under it (or none)."""

    text: str
    link: str | None = None


def defuse(text: str) -> str:
    """Text that mentions and tags no one, on one line."""
    return " ".join(text.translate(_DEFUSED).split())


def echo(asked: str) -> str:
    return shorten(defuse(asked), _ECHO, len)


def fit(asker: str, heading: str, entries: Sequence[Entry], rules: MastodonRules) -> str:
    """@asker, the heading, then the entries that fit, in order; a heading too long for
    the limit on its own is shortened."""
    mention = f"@{asker} "
    used = len(asker.split("@")[0]) + 2  # "@name " counts without the domain
    room = rules.max_characters - used
    head = shorten(heading, room, rules.text_cost)
    text, used = mention + head, used + rules.text_cost(head)
    for entry in entries:
        piece = "\n\n" + entry.text + (f"\n{entry.link}" if entry.link else "")
        cost = rules.text_cost("\n\n" + entry.text) + (
            1 + rules.link_cost(entry.link) if entry.link else 0
        )
        if used + cost > rules.max_characters:
            break
        text, used = text + piece, used + cost
    return text


def help_answer(asker: str, site: str, language: str, rules: MastodonRules) -> str:
    said = words(language)
    text = said.m_help.format(site=defuse(site), default=DEFAULT_LATEST, most=MAX_LATEST)
    return fit(asker, text, (), rules)


def say(asker: str, text: str, rules: MastodonRules) -> str:
    """A short answer: a usage, a notice."""
    return fit(asker, text, (), rules)


def usage(asker: str, kind: str, language: str, rules: MastodonRules) -> str:
    said = words(language)
    if kind == "latest":
        return say(asker, said.m_usage.format(most=MAX_LATEST), rules)
    return say(asker, said.m_search.format(most=MAX_WORDS), rules)


def listing(
    asker: str,
    heading: str,
    posts: Sequence[Post],
    language: str,
    now: dt.datetime,
    rules: MastodonRules,
) -> str:
    if not posts:
        return say(asker, words(language).none, rules)
    return fit(asker, heading, [post_entry(p, language, now) for p in posts], rules)


def post_entry(post: Post, language: str, now: dt.datetime) -> Entry:
    title = shorten(defuse(post.title), MAX_TITLE, len)
    return Entry(f"{title} — {short_date(post.date, language, now)}", post.link or None)


def latest_answer(
    asker: str, posts: Sequence[Post], language: str, now: dt.datetime, rules: MastodonRules
) -> str:
    return listing(asker, words(language).latest, posts, language, now, rules)


def search_answer(
    asker: str,
    asked: str,
    posts: Sequence[Post],
    language: str,
    now: dt.datetime,
    rules: MastodonRules,
) -> str:
    said = words(language)
    if not posts:
        return say(asker, said.m_not_found.format(asked=echo(asked)), rules)
    heading = said.m_found.format(asked=echo(asked))
    return listing(asker, heading, posts, language, now, rules)


def categories_answer(
    asker: str, categories: Sequence[Category], language: str, rules: MastodonRules
) -> str:
    said = words(language)
    if not categories:
        return say(asker, said.no_categories, rules)
    entries = [Entry(f"{defuse(c.name)} ({c.count})") for c in categories]
    return fit(asker, said.m_categories, entries, rules)


def unknown_category_answer(
    asker: str, asked: str, categories: Sequence[Category], language: str, rules: MastodonRules
) -> str:
    """The closest known names instead of silence."""
    said = words(language)
    close = closest_categories(asked, categories)
    text = said.unknown.format(asked=echo(asked))
    if close:
        names = ", ".join(f"category {defuse(c.name)}" for c in close)
        text += " " + said.did_you_mean.format(names=names)
    else:
        text += " " + said.m_pick
    return say(asker, text, rules)
