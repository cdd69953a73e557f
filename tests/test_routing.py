"""Destinations (SPEC §10): the tables of postbode.toml, checked one key at a time, and
the rules that send a post to them (pure)."""

from __future__ import annotations

import datetime as dt
import tomllib
from typing import Any

import pytest

from bot.jekyll.posts import Post, read_post
from bot.jekyll.site import Site
from bot.routing.destinations import (
    Destination,
    DestinationError,
    from_environment,
    parse_destinations,
)
from bot.routing.rules import (
    content_warning,
    is_silent,
    reaches_subscribers,
    refusal,
    topic,
    unknown_names,
)

ENV = {"MASTODON_ACCESS_TOKEN": "t1", "SPORT_TOKEN": "t2", "BLUESKY_APP_PASSWORD": "p"}
AMSTERDAM = dt.timezone(dt.timedelta(hours=1))

SITE_TOML = """
[[destinations]]
name = "nieuws"
telegram = "@nieuws"
exclude_categories = ["Advertentie"]

[[destinations]]
name = "sport-kanaal"
telegram = "-1001234567890"
categories = ["Sport", "Économie"]
silent_hours = "23:00-07:00"
max_per_minute = 10

[[destinations]]
name = "forum"
telegram = "-1009876543210"
topics = { sport = 12, "Économie" = 34, "*" = 56 }

[[destinations]]
name = "mastodon-algemeen"
mastodon = "https://mastodon.example/"
visibility = "unlisted"
content_warnings = { politiek = "Politiek" }
hashtags = ["#nieuws", "krant"]
languages = ["nl"]

[[destinations]]
name = "mastodon-sport"
mastodon = "https://mastodon.example"
token_env = "SPORT_TOKEN"
tags = ["voetbal"]
language = "en"
read_more = "Full story"
"""


def destinations() -> dict[str, Destination]:
    tables = tomllib.loads(SITE_TOML)["destinations"]
    return {d.name: d for d in parse_destinations(tables, ENV)}


def test_a_site_with_five_destinations_reads_into_values() -> None:
    found = destinations()
    assert list(found) == ["nieuws", "sport-kanaal", "forum", "mastodon-algemeen", "mastodon-sport"]
    sport = found["sport-kanaal"]
    assert (sport.platform, sport.target, sport.key) == (
        "telegram",
        "-1001234567890",
        "sport-kanaal",
    )
    assert sport.categories == {"sport", "economie"}  # case and accents folded
    assert sport.max_per_minute == 10
    assert found["forum"].topics == {"sport": 12, "economie": 34, "*": 56}
    general = found["mastodon-algemeen"]
    assert (general.target, general.visibility, general.hashtags) == (
        "https://mastodon.example", "unlisted", ("nieuws", "krant"),
    )  # fmt: skip
    assert general.credential_env == "MASTODON_ACCESS_TOKEN"
    assert found["mastodon-sport"].credential_env == "SPORT_TOKEN"
    assert found["mastodon-sport"].read_more == "Full story"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"telegram": "@nieuws"}, 'destination #1: name: needed'),
        ({"name": "Nieuws", "telegram": "@nieuws"}, 'destination "Nieuws": name: needed, in lower-case'),
        ({"name": "a"}, 'destination "a": telegram/mastodon/bluesky: exactly one is needed (none given)'),
        ({"name": "a", "telegram": "@nieuws", "mastodon": "https://m.example"},
         'destination "a": telegram/mastodon/bluesky: exactly one is needed (telegram and mastodon given)'),
        ({"name": "a", "telegram": "@nieuws", "categorie": ["x"]},
         'destination "a": categorie: unknown key (did you mean categories?)'),
        ({"name": "a", "telegram": "@nieuws", "visibility": "public"},
         'destination "a": visibility: only for Mastodon destinations'),
        ({"name": "a", "mastodon": "https://m.example", "topics": {"*": 1}},
         'destination "a": topics: only for Telegram destinations'),
        ({"name": "a", "mastodon": "https://m.example", "token_env": "MISSING_TOKEN"},
         'destination "a": token_env: the variable MISSING_TOKEN is not set'),
        ({"name": "a", "bluesky": "news.example.org", "password_env": "NOPE"},
         'destination "a": password_env: the variable NOPE is not set'),
        ({"name": "a", "telegram": "@nieuws", "silent_hours": "25:00-07:00"},
         'destination "a": silent_hours: \'25:00-07:00\' is not a range like 23:00-07:00'),
        ({"name": "a", "telegram": "@nieuws", "silent_hours": "07:00-07:00"},
         'destination "a": silent_hours: \'07:00-07:00\' is an empty range'),
        ({"name": "a", "telegram": "@nieuws", "topics": {"sport": "twelve"}},
         'destination "a": topics: \'sport\': a topic is a message_thread_id'),
        ({"name": "a", "telegram": "nieuws"}, 'destination "a": telegram: \'nieuws\' is not an @channel'),
        ({"name": "a", "mastodon": "mastodon.example"}, 'destination "a": mastodon: \'mastodon.example\' is not a site root'),
        ({"name": "a", "telegram": "@nieuws", "languages": ["dutch"]},
         'destination "a": languages: \'dutch\' is not a two-letter language code'),
        ({"name": "a", "telegram": "@nieuws", "max_per_minute": 0},
         'destination "a": max_per_minute: must be a whole number from 1 to 600'),
        ({"name": "a", "telegram": "@nieuws", "categories": "Sport"}, None),  # one name is fine
        ({"name": "a", "telegram": "@nieuws", "hashtags": ["two words"]},
         'destination "a": hashtags: \'two words\' is not a hashtag'),
        ({"name": "a", "mastodon": "https://m.example", "visibility": "direct"},
         'destination "a": visibility: \'direct\' is not public, unlisted or private'),
    ],
)  # fmt: skip
def test_a_wrong_table_is_one_line_naming_the_destination_and_the_key(
    table: dict[str, Any], message: str | None
) -> None:
    if message is None:
        assert parse_destinations([table], ENV)
        return
    with pytest.raises(DestinationError) as error:
        parse_destinations([table], ENV)
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value) and "t1" not in str(error.value)


def test_a_name_used_twice_is_refused() -> None:
    twice = [{"name": "a", "telegram": "@nieuws"}, {"name": "a", "telegram": "@sport"}]
    with pytest.raises(DestinationError, match='destination "a": name: used twice'):
        parse_destinations(twice, ENV)


def test_the_environment_makes_the_destinations_it_always_had() -> None:
    """Without tables, one per TELEGRAM_CHANNEL entry and one Mastodon account, under
    the keys their deliveries always had: an existing state.db carries on."""
    made = from_environment(["@nieuws", "-1001234"], "https://m.example")
    assert [(d.name, d.key) for d in made] == [
        ("telegram-nieuws", "telegram:@nieuws"),
        ("telegram-1001234", "telegram:-1001234"),
        ("mastodon", "mastodon:https://m.example"),
    ]


def post(front: str, name: str = "_posts/2024-05-01-post.md") -> Post:
    raw = f"---\ntitle: T\n{front}\n---\nLead.\n".encode()
    result = read_post(raw, name, Site(url="https://example.org", timezone=AMSTERDAM), 0.0)
    assert isinstance(result, Post), result
    return result


@pytest.mark.parametrize(
    ("front", "goes_to"),
    [
        ("categories: [Binnenland]", {"nieuws", "forum", "mastodon-algemeen"}),
        ("categories: [SPORT]\ntags: [voetbal]", {"nieuws", "sport-kanaal", "forum", "mastodon-algemeen", "mastodon-sport"}),
        ("categories: [economie]", {"nieuws", "sport-kanaal", "forum", "mastodon-algemeen"}),
        ("categories: [Sport, Advertentie]", {"sport-kanaal", "forum", "mastodon-algemeen"}),  # exclusion wins
        ("categories: [Sport]\nlang: de", {"nieuws", "sport-kanaal", "forum"}),  # languages = [nl]
        ("categories: [Sport]\nlocale: nl_NL", {"nieuws", "sport-kanaal", "forum", "mastodon-algemeen"}),
        ("syndicate: false", set()),
        ("syndicate: [forum, mastodon]", {"forum", "mastodon-algemeen"}),
        ("syndicate: [forum, mastodon]\ntags: [voetbal]", {"forum", "mastodon-algemeen", "mastodon-sport"}),
        ("telegram: false", {"mastodon-algemeen"}),
        ("mastodon: false\ncategories: [Sport]", {"nieuws", "sport-kanaal", "forum"}),
        ("syndicate: 12", set()),  # a shape it cannot mean: nowhere, with a note
    ],
)  # fmt: skip
def test_each_post_goes_exactly_where_its_rules_send_it(front: str, goes_to: set[str]) -> None:
    found = destinations()
    item = post(front)
    assert {name for name, d in found.items() if refusal(item, d, "nl") is None} == goes_to
    for name, destination in found.items():
        reason = refusal(item, destination, "nl")
        assert reason is None or reason.strip(), name  # every refusal says why


def test_a_syndicate_name_that_is_no_destination_is_reported() -> None:
    item = post("syndicate: [forum, sprot, telegram]")
    assert unknown_names(item, tuple(destinations().values())) == ("sprot",)


@pytest.mark.parametrize(
    ("front", "reaches"),
    [
        ("categories: [Sport]", True),
        ("syndicate: [telegram]", True),
        ("syndicate: [forum]", True),  # a Telegram destination by name
        ("syndicate: [mastodon, nieuws]", True),
        ("syndicate: [mastodon]", False),
        ("syndicate: [bluesky]", False),
        ("syndicate: [mastodon-algemeen, mastodon-sport]", False),  # no Telegram name
        ("syndicate: [sprot]", False),  # no destination at all
        ("syndicate: false", False),
        ("telegram: false", False),
        ("syndicate: [telegram]\ntelegram: false", False),
    ],
)
def test_only_a_post_for_telegram_reaches_the_subscribers(front: str, reaches: bool) -> None:
    assert reaches_subscribers(post(front), tuple(destinations().values())) is reaches


@pytest.mark.parametrize(
    ("categories", "thread"),
    [("[Sport]", 12), ("[Cultuur, ÉCONOMIE, Sport]", 34), ("[Cultuur]", 56), ("[]", 56)],
)
def test_a_forum_post_goes_to_the_topic_of_its_first_category_with_one(
    categories: str, thread: int
) -> None:
    assert topic(post(f"categories: {categories}"), destinations()["forum"]) == thread
    assert topic(post(f"categories: {categories}"), destinations()["nieuws"]) is None


@pytest.mark.parametrize(
    ("local", "silent"),
    [
        ("22:59", False),
        ("23:00", True),
        ("00:30", True),
        ("06:59", True),
        ("07:00", False),
        ("12:00", False),
    ],
)
def test_silent_hours_run_over_midnight_in_the_sites_zone(local: str, silent: bool) -> None:
    hour, minute = map(int, local.split(":"))
    at = dt.datetime(2024, 5, 1, hour, minute, tzinfo=AMSTERDAM).astimezone(dt.UTC)
    assert is_silent(destinations()["sport-kanaal"], at, AMSTERDAM) is silent
    assert is_silent(destinations()["nieuws"], at, AMSTERDAM) is False


def test_the_posts_own_content_warning_wins_over_the_destinations() -> None:
    general = destinations()["mastodon-algemeen"]
    assert content_warning(post("categories: [Politiek]"), general) == "Politiek"
    assert (
        content_warning(post("categories: [Politiek]\ncontent_warning: Geweld"), general)
        == "Geweld"
    )
    assert content_warning(post("categories: [Sport]"), general) is None
