"""What the bot answers /subscribe, /unsubscribe and /subscriptions (pure): Telegram
HTML and buttons, in the reader's words. Button data names a subscription by its key
(or its hash, past Telegram's 64 bytes): `s:` subscribes, `u:` unsubscribes."""

from __future__ import annotations

import hashlib
import html
from collections.abc import Sequence

from bot.chat.replies import MAX_BUTTONS, Reply, say
from bot.state.catalog import Category
from bot.state.subscribers import EVERY, Subscription
from bot.text import search_key, shorten
from bot.words import words

SUBSCRIBE, UNSUBSCRIBE = "s", "u"
ALL_WORDS = ("all", "*")  # /unsubscribe all, /subscribe all (and the reader's own word)


def button_data(action: str, key: str) -> str:
    """At most 64 bytes: the key itself when short, else its hash."""
    data = f"{action}:{key}"
    if len(data.encode()) <= 64:
        return data
    return f"{action}#" + hashlib.sha1(key.encode()).hexdigest()[:20]


def pressed(data: str, keys: Sequence[str]) -> tuple[str, str] | None:
    """(action, key) of a button, among these keys; None for one that is no more."""
    action = data[:1]
    if action not in (SUBSCRIBE, UNSUBSCRIBE):
        return None
    key = next((k for k in keys if button_data(action, k) == data), None)
    return (action, key) if key is not None else None


def means_all(asked: str, language: str) -> bool:
    word = search_key(asked)
    return word in ALL_WORDS or word == search_key(words(language).all_button)


def subscribed_all(categories: Sequence[Category], language: str, *, already: bool) -> Reply:
    """Every post from now on; the categories as buttons, to narrow it down."""
    said = words(language)
    text = say(said.subscribed_already if already else said.subscribed_all)
    if not categories:
        return Reply(text)
    shown = categories[:MAX_BUTTONS]
    buttons = tuple((shorten(c.name, 40, len), button_data(SUBSCRIBE, c.key)) for c in shown)
    return Reply(f"{text}\n{say(said.narrow_pick)}", buttons)


def subscribed(name: str, language: str, *, already: bool) -> Reply:
    said = words(language)
    if already:
        return Reply(say(said.subscribed_already))
    return Reply(say(said.subscribed, name=f"<b>{html.escape(name)}</b>"))


def limit(language: str) -> Reply:
    return Reply(say(words(language).subscribe_limit))


def unsubscribe_menu(have: Sequence[Subscription], language: str) -> Reply:
    """The reader's subscriptions as buttons, and All."""
    said = words(language)
    if not have:
        return Reply(say(said.subscriptions_none))
    buttons = [(_label(s, language), button_data(UNSUBSCRIBE, s.key)) for s in have]
    if len(have) > 1:
        buttons.append((said.all_button, button_data(UNSUBSCRIBE, EVERY + EVERY)))
    return Reply(say(said.unsubscribe_pick), tuple(buttons[: MAX_BUTTONS + 1]))


def unsubscribed(subscription: Subscription | None, language: str) -> Reply:
    """One subscription gone (None: the reader had no such one)."""
    said = words(language)
    if subscription is None:
        return Reply(say(said.unsubscribe_none))
    return Reply(
        say(said.unsubscribed, name=f"<b>{html.escape(_label(subscription, language))}</b>")
    )


def unsubscribed_all(language: str) -> Reply:
    return Reply(say(words(language).unsubscribed_all))


def listing(have: Sequence[Subscription], live: set[str], language: str) -> Reply:
    """What comes to this chat; a category no longer on the site is said to be so."""
    said = words(language)
    if not have:
        return Reply(say(said.subscriptions_none))
    lines = [f"<b>{say(said.subscriptions_list)}</b>"]
    for subscription in have:
        name = html.escape(_label(subscription, language))
        if subscription.key != EVERY and subscription.key not in live:
            name = say(said.category_gone, name=name)
        lines.append(f"• {name}")
    return Reply("\n".join(lines))


def _label(subscription: Subscription, language: str) -> str:
    if subscription.key == EVERY:
        return words(language).every_post
    return shorten(subscription.name, 60, len)
