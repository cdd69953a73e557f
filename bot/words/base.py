"""What postbode says in its own words: one `Words` value per language.

Texts are plain (no markup): whoever sends one as Telegram HTML escapes it there.
Placeholders: {channels} (the channels, already markup), {default} and {most} (the
counts /latest takes), {asked} (the reader's own words), {names} (the suggestions).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Words:
    read_more: str  # the link under a summary, as news sites in the language write it
    # Chat replies (bot.chat.replies).
    help: str
    latest: str
    none: str
    usage: str
    categories: str
    no_categories: str
    unknown: str
    did_you_mean: str
    pick: str
    search_usage: str
    search_found: str
    search_none: str
    search_hint: str
    search_long: str
    flood: str
    private: str
    # Answers to mentions on Mastodon (bot.chat.mastodon_replies): plain text, the
    # commands as readers write them (latest, category, search). {site}: the site.
    m_help: str
    m_usage: str
    m_categories: str
    m_pick: str
    m_search: str
    m_found: str
    m_not_found: str
    # The command menu (setMyCommands): one description per command, 1–256 characters.
    cmd_latest: str
    cmd_category: str
    cmd_search: str
    cmd_help: str
    cmd_status: str
    # Subscriptions (bot.chat.subscriptions); {name}: a category, already markup.
    cmd_subscribe: str
    cmd_unsubscribe: str
    cmd_subscriptions: str
    subscribe_help: str
    subscribe_private: str
    subscribed_all: str
    narrow_pick: str
    subscribed: str
    subscribed_already: str
    subscribe_limit: str
    unsubscribed: str
    unsubscribed_all: str
    unsubscribe_none: str
    unsubscribe_pick: str
    all_button: str
    subscriptions_none: str
    subscriptions_list: str
    every_post: str
    category_gone: str
    subscribe_slow: str
