"""Destinations end to end (SPEC §10): a site with several Telegram channels and two
Mastodon accounts, real files, the real clients against the fakes, each post arriving
exactly where its rules send it, exactly once; a destination added to a running
site; a post whose category changes after it went out; an env-only state.db taken
over by named destinations without sending anything again."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from bot import app
from bot.config import ConfigError, load_settings
from bot.state import routes
from bot.state.catalog import Catalog
from tests.conftest import write_post
from tests.fakes.mastodon import DEFAULT_TOKEN as MASTODON_TOKEN
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.telegram import DEFAULT_CHANNEL_ID, FakeTelegram
from tests.harness import Publisher, platform_env

SPORT_ID = -1002000000002
FORUM_ID = -1002000000003  # a forum supergroup: General (1), Sport (2), Overig (3)
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
SPORT_TOKEN = "sport-account-token"


def toml(mastodon: FakeMastodon, extra: str = "") -> str:
    return f"""
[[destinations]]
name = "nieuws"
telegram = "@postbode_test"
exclude_categories = ["Sport"]
read_more = "Het hele verhaal"

[[destinations]]
name = "sport"
telegram = "{SPORT_ID}"
categories = ["sport"]
language = "de"

[[destinations]]
name = "forum"
telegram = "{FORUM_ID}"
topics = {{ sport = 2, "*" = 3 }}

[[destinations]]
name = "mastodon-nl"
mastodon = "{mastodon.url}"
languages = ["nl"]

[[destinations]]
name = "mastodon-sport"
mastodon = "{mastodon.url}"
token_env = "SPORT_TOKEN"
tags = ["voetbal"]
{extra}"""


@pytest.fixture
def site(tmp_path: Path, fake_telegram: FakeTelegram, fake_mastodon: FakeMastodon) -> Publisher:
    fake_telegram.add_channel(SPORT_ID, "sport_nl")
    fake_telegram.add_forum(FORUM_ID, topics=["Sport", "Overig"])
    fake_telegram.set_rate_limits(per_chat_per_minute=1200)
    fake_mastodon.add_token(SPORT_TOKEN, "sport")
    (tmp_path / "posts").mkdir()
    (tmp_path / "postbode.toml").write_text(toml(fake_mastodon), encoding="utf-8")
    env = platform_env(tmp_path, fake_telegram, None, SPORT_TOKEN=SPORT_TOKEN)
    env |= {"MASTODON_ACCESS_TOKEN": MASTODON_TOKEN, "LANGUAGE": "nl"}
    env.pop("TELEGRAM_CHANNEL")
    publisher = Publisher(load_settings(env, tmp_path))
    yield publisher
    publisher.close()


def index(site: Publisher, now: dt.datetime = NOW) -> None:
    app.index(site.store, app.folder_of(site.settings, site.channels), now)


def landed(telegram: FakeTelegram, mastodon: FakeMastodon) -> Counter[tuple[str, str]]:
    """(where, title) of every message on the platforms, counted."""
    found: Counter[tuple[str, str]] = Counter()
    for chat, name in ((DEFAULT_CHANNEL_ID, "nieuws"), (SPORT_ID, "sport")):
        for message in telegram.sent_messages(chat):
            if not message.deleted:
                found[(name, (message.text or message.caption or "").split("\n")[0])] += 1
    for message in telegram.sent_messages(FORUM_ID):
        if not message.deleted:
            title = (message.text or message.caption or "").split("\n")[0]
            found[(f"forum:{message.message_thread_id}", title)] += 1
    for status in mastodon.live_statuses:
        found[(f"mastodon:{status.account}", status.text.split("\n")[0])] += 1
    return found


POSTS = {
    "binnenland.md": "title: Binnenland\ncategories: [Binnenland]",
    "sport.md": "title: Derby\ncategories: [Sport]\ntags: [voetbal]",
    "english.md": "title: Match\ncategories: [SPORT]\nlang: en",
    "only-mastodon.md": "title: Alleen Mastodon\ncategories: [Binnenland]\nsyndicate: [mastodon]",
    "nowhere.md": "title: Nergens\nsyndicate: false",
    "no-telegram.md": "title: Geen Telegram\ncategories: [Économie]\ntelegram: false",
}
WHERE = Counter(
    {
        ("nieuws", "Binnenland"): 1,
        ("mastodon:postbode", "Binnenland"): 1,
        ("sport", "Derby"): 1,
        ("mastodon:postbode", "Derby"): 1,
        ("mastodon:sport", "Derby"): 1,
        ("sport", "Match"): 1,  # English: not for mastodon-nl
        ("mastodon:postbode", "Alleen Mastodon"): 1,
        ("mastodon:postbode", "Geen Telegram"): 1,
        ("forum:3", "Binnenland"): 1,  # no topic of its own: "*"
        ("forum:2", "Derby"): 1,
        ("forum:2", "Match"): 1,
    }
)


def write_all(site: Publisher, posts: dict[str, str], date: str = "2026-12-01 11:00") -> None:
    for name, front in posts.items():
        write_post(
            site.settings.posts_dir,
            name,
            f"{front}\ndate: {date}:00 +0000\nexterne_link: https://example.nl/{name}",
        )


def test_each_post_arrives_exactly_where_its_rules_send_it_once(
    site: Publisher, fake_telegram: FakeTelegram, fake_mastodon: FakeMastodon
) -> None:
    keys = ["nieuws", "sport", "forum", "mastodon-nl", "mastodon-sport"]
    assert [c.key for c in site.channels] == keys
    index(site)  # the first run: an empty site
    write_all(site, POSTS)
    index(site)
    site.deliver_until(lambda: landed(fake_telegram, fake_mastodon) == WHERE)
    index(site, NOW + dt.timedelta(minutes=1))  # nothing changed: nothing more
    site.deliver_until(lambda: True)
    assert landed(fake_telegram, fake_mastodon) == WHERE
    counts = Catalog(site.store.db).counts()["channels"]
    assert {key: info.get("sent", 0) for key, info in counts.items()} == {
        "nieuws": 1, "sport": 2, "forum": 3, "mastodon-nl": 4, "mastodon-sport": 1,
    }  # fmt: skip


def test_a_post_whose_category_changes_moves_while_it_is_news(
    site: Publisher, fake_telegram: FakeTelegram, fake_mastodon: FakeMastodon
) -> None:
    """Binnenland → Sport: the sport channel gets it (news, not seen before), the
    general channel, which excludes Sport, handles it as a removal (ON_DELETE=keep:
    its message stays, nothing is edited into a post that is not for it)."""
    index(site)
    write_all(site, {"move.md": "title: Verhuist\ncategories: [Binnenland]"})
    index(site)
    site.deliver_until(lambda: ("nieuws", "Verhuist") in landed(fake_telegram, fake_mastodon))
    write_all(site, {"move.md": "title: Verhuist\ncategories: [Sport]"})
    index(site, NOW + dt.timedelta(hours=1))
    site.deliver_until(lambda: ("sport", "Verhuist") in landed(fake_telegram, fake_mastodon))
    found = landed(fake_telegram, fake_mastodon)
    assert found[("sport", "Verhuist")] == 1 and found[("nieuws", "Verhuist")] == 1
    # Two days later the same move is no news: nothing goes to the sport channel.
    write_all(site, {"late.md": "title: Laat\ncategories: [Binnenland]"})
    index(site, NOW + dt.timedelta(hours=2))
    site.deliver_until(lambda: ("nieuws", "Laat") in landed(fake_telegram, fake_mastodon))
    write_all(site, {"late.md": "title: Laat\ncategories: [Sport]"})
    index(site, NOW + dt.timedelta(hours=50))
    site.deliver_until(lambda: True)
    assert ("sport", "Laat") not in landed(fake_telegram, fake_mastodon)


def test_a_destination_added_to_a_running_site_starts_from_that_moment(
    tmp_path: Path, fake_telegram: FakeTelegram, fake_mastodon: FakeMastodon
) -> None:
    fake_telegram.add_channel(SPORT_ID, "sport_nl")
    fake_telegram.set_rate_limits(per_chat_per_minute=1200)
    (tmp_path / "posts").mkdir()
    env = platform_env(tmp_path, fake_telegram, None)  # one channel, from the environment
    first = Publisher(load_settings(env, tmp_path))
    before = NOW - dt.timedelta(days=3)
    index(first, before)
    write_all(first, {"old.md": "title: Oud\ncategories: [Sport]"}, "2026-11-28 11:00")
    index(first, before)
    first.deliver_until(lambda: ("nieuws", "Oud") in landed(fake_telegram, fake_mastodon))
    first.close()
    # The operator adds a sport channel (its first table, so both are named now).
    (tmp_path / "postbode.toml").write_text(
        f'[[destinations]]\nname = "nieuws"\ntelegram = "@postbode_test"\n\n'
        f'[[destinations]]\nname = "sport"\ntelegram = "{SPORT_ID}"\ncategories = ["sport"]\n',
        encoding="utf-8",
    )
    env.pop("TELEGRAM_CHANNEL")
    later = Publisher(load_settings(env, tmp_path))
    try:
        index(later)  # the old post is three days old: no news for the new channel
        write_all(later, {"new.md": "title: Nieuw\ncategories: [Sport]"})
        index(later, NOW + dt.timedelta(minutes=1))
        later.deliver_until(lambda: ("sport", "Nieuw") in landed(fake_telegram, fake_mastodon))
        found = landed(fake_telegram, fake_mastodon)
        # The old post stays where it was (the named "nieuws" took over its message:
        # not sent again), and is not the new channel's; the new one goes to both.
        assert found == Counter(
            {("nieuws", "Oud"): 1, ("nieuws", "Nieuw"): 1, ("sport", "Nieuw"): 1}
        )
        channels = {
            row[0] for row in later.store.db.execute("select distinct channel from deliveries")
        }
        assert channels == {"nieuws", "sport"}
    finally:
        later.close()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('\n[[destinations]]\nname = "nieuws"\ntelegram = "@x_channel"\n', 'destination "nieuws": name: used twice'),
        ('\n[[destinations]]\nname = "d"\ntelegram = "@x_channel"\nlanguage = "ar"\n', 'destination "d": language: postbode has no words in \'ar\''),
        ('\n[[destinations]]\nname = "b"\nbluesky = "news.example.org"\npassword_env = "NOT_SET"\n', 'destination "b": password_env: the variable NOT_SET is not set'),
        ('\n[[destinations]]\nname = "c"\nmastodon = "https://m.example"\ntoken_env = "NOT_SET"\n', 'destination "c": token_env: the variable NOT_SET is not set'),
    ],
)  # fmt: skip
def test_a_wrong_destination_stops_start_up_in_one_line(
    tmp_path: Path, fake_mastodon: FakeMastodon, extra: str, message: str
) -> None:
    (tmp_path / "posts").mkdir()
    (tmp_path / "postbode.toml").write_text(toml(fake_mastodon, extra), encoding="utf-8")
    env = {"POSTS_DIR": str(tmp_path / "posts"), "TELEGRAM_BOT_TOKEN": "123:abc",
           "MASTODON_ACCESS_TOKEN": "t", "SPORT_TOKEN": "s", "BLUESKY_APP_PASSWORD": "p"}  # fmt: skip
    with pytest.raises(ConfigError) as error:
        load_settings(env, tmp_path)
    assert str(error.value).startswith(message)


def test_backfill_sends_a_destination_some_of_the_archive_and_only_what_is_for_it(
    site: Publisher, fake_telegram: FakeTelegram, fake_mastodon: FakeMastodon
) -> None:
    write_all(site, POSTS)
    write_all(site, {"sport2.md": "title: Later\ncategories: [Sport]"}, "2026-12-01 11:30")
    index(site)  # the first run: all of it is the archive, nothing is sent
    assert site.store.db.execute("select count(*) from deliveries").fetchone() == (0,)
    folder = app.folder_of(site.settings, site.channels)
    queued = routes.backfill(
        site.store.deliveries, folder, NOW, since=None, latest=2, only=["sport"]
    )
    assert queued == 2
    site.deliver_until(lambda: len(fake_telegram.sent_messages(SPORT_ID)) == 2)
    assert landed(fake_telegram, fake_mastodon) == Counter(
        {("sport", "Later"): 1, ("sport", "Derby"): 1}  # the newest two that are for it
    )


def test_a_post_naming_an_unknown_destination_is_reported_in_status(site: Publisher) -> None:
    index(site)
    write_all(site, {"typo.md": "title: Typo\nsyndicate: [sprot, telegram]\ncategories: [Sport]"})
    index(site)
    names = [d.name for d in site.settings.destinations]
    report = Catalog(site.store.db).report(names)
    assert report["unknown_destinations"] == [{"path": "typo.md", "names": ["sprot"]}]
    from bot.preview import status_text

    assert "syndicate names no destination: typo.md: sprot" in status_text(report)


def test_preview_shows_every_destination_with_what_it_gets_or_why_not(site: Publisher) -> None:
    from bot.preview import as_text, preview_paths

    write_all(site, {"english.md": POSTS["english.md"]})
    (shown,) = preview_paths(site.settings.posts_dir / "english.md", site.settings, NOW)
    goes = {d["name"]: (d["goes"], d["why_not"]) for d in shown["destinations"]}
    assert goes == {
        "nieuws": (False, "excluded here: sport"),
        "sport": (True, None),
        "forum": (True, None),
        "mastodon-nl": (False, "in en, and this destination takes nl"),
        "mastodon-sport": (False, "none of its categories or tags is for this destination"),
    }
    text = as_text(shown)
    assert "mastodon-nl (mastodon " in text and ": no: in en, and this destination takes nl" in text


def test_each_telegram_destination_speaks_its_own_words(
    site: Publisher, fake_telegram: FakeTelegram, fake_mastodon: FakeMastodon
) -> None:
    index(site)
    write_all(site, {"a.md": POSTS["binnenland.md"], "b.md": POSTS["sport.md"]})
    index(site)
    site.deliver_until(
        lambda: (
            fake_telegram.sent_messages(DEFAULT_CHANNEL_ID)
            and fake_telegram.sent_messages(SPORT_ID)
        )
    )
    (general,) = fake_telegram.sent_messages(DEFAULT_CHANNEL_ID)
    (sport,) = fake_telegram.sent_messages(SPORT_ID)
    assert "Het hele verhaal" in (general.raw or "")  # its own read_more
    assert "Weiterlesen" in (sport.raw or "")  # its language's words, on a Dutch site
