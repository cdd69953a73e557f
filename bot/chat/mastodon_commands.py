"""A mention's command answered from the state database: the text of the answer, in
the asker's language (their status's `language` where postbode speaks it, else
LANGUAGE), built by bot.chat.mastodon_replies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from bot.channels.mastodon_answers import attr
from bot.chat import mastodon_replies as texts
from bot.chat.mastodon_mentions import Command
from bot.chat.replies import DEFAULT_LATEST, find_category
from bot.clock import utc_now
from bot.state.catalog import Catalog
from bot.summary import MastodonRules
from bot.words import pick, words


class Commands:
    """What the account answers, read from the catalog when asked."""

    def __init__(
        self,
        catalog: Catalog,
        language: str,
        site: str,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.catalog = catalog
        self.language = language
        self.site = site  # what the help says the account posts: the site's host, if known
        self.clock = clock

    def answer(
        self, command: Command, status: Any, rules: MastodonRules, flooded: bool = False
    ) -> tuple[str, str]:
        """The answer's text and its language."""
        asker = str(attr(attr(status, "account"), "acct"))
        language = pick(attr(status, "language"), fallback=self.language)
        if flooded:
            return texts.say(asker, words(language).flood, rules), language
        return self._text(command, asker, language, rules), language

    def _text(self, command: Command, asker: str, language: str, rules: MastodonRules) -> str:
        if not command.valid:
            return texts.usage(asker, command.kind, language, rules)
        now = self.clock()
        if command.kind == "latest":
            posts = self.catalog.latest(command.count or DEFAULT_LATEST, now)
            return texts.latest_answer(asker, posts, language, now, rules)
        if command.kind == "category":
            categories = self.catalog.categories(now)
            if not command.argument:
                return texts.categories_answer(asker, categories, language, rules)
            found = find_category(command.argument, categories)
            if found is None:
                return texts.unknown_category_answer(
                    asker, command.argument, categories, language, rules
                )
            posts = self.catalog.in_category(found.key, DEFAULT_LATEST, now)
            heading = f"{texts.defuse(found.name)} ({found.count})"
            return texts.listing(asker, heading, posts, language, now, rules)
        if command.kind == "search":
            posts = self.catalog.search(command.argument, DEFAULT_LATEST, now)
            return texts.search_answer(asker, command.argument, posts, language, now, rules)
        return texts.help_answer(asker, self.site or self._site(now), language, rules)

    def _site(self, now: dt.datetime) -> str:
        """Without SITE_URL: the host the newest post links to."""
        newest = self.catalog.latest(1, now)
        return (urlsplit(newest[0].link).netloc if newest else "") or "postbode"
