"""A Telegram destination's look (SPEC §10): forum topics, silent hours, its hashtags and
`check`, with python-telegram-bot against the fake Bot API's forum supergroups."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from bot.app import check
from bot.channels.base import Channel
from bot.channels.telegram import TelegramChannel
from bot.config import Settings, load_settings
from bot.jekyll.posts import Post
from bot.state.catalog import Catalog
from tests.conftest import AMSTERDAM, write_post
from tests.fakes.telegram import FakeTelegram
from tests.harness import Publisher, platform_env
from tests.test_adapter_errors import run

FORUM = -1005550001111
NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)


def settings_for(tmp_path: Path, fake: FakeTelegram, destinations: str) -> Settings:
    """The operator's environment and a postbode.toml with these [[destinations]]."""
    (tmp_path / "posts").mkdir(exist_ok=True)
    (tmp_path / "postbode.toml").write_text(destinations, encoding="utf-8")
    env = platform_env(tmp_path, fake, None, TIMEZONE="Europe/Amsterdam")
    return load_settings(env, tmp_path)


def forum_toml(topics: str, extra: str = "") -> str:
    return (
        f'[[destinations]]\nname = "forum"\ntelegram = "{FORUM}"\ntopics = {{ {topics} }}\n{extra}'
    )


def publish(tmp_path: Path, settings: Settings, posts: dict[str, str], done: int) -> Publisher:
    """Scan an empty folder (the baseline), write the posts, deliver until `done` are
    handled (sent or failed)."""
    publisher = Publisher(settings)
    publisher.scan()
    for name, front_matter in posts.items():
        write_post(tmp_path / "posts", name, front_matter)
    publisher.scan()

    def handled() -> bool:
        counts = Catalog(publisher.store.db).counts()["channels"].get("forum", {})
        return counts.get("sent", 0) + counts.get("failed", 0) >= done

    publisher.deliver_until(handled)
    return publisher


def post(title: str, category: str, minute: int) -> str:
    return (
        f"title: {title}\ncategory: {category}\ndate: 2026-11-20 10:{minute:02d}:00 +0100\n"
        f'externe_link: "https://example.nl/{minute}"'
    )


@pytest.fixture
def forum(fake_telegram: FakeTelegram) -> dict[str, int]:
    """A forum supergroup with topics Sport, Politiek and Overig; their thread ids."""
    chat = fake_telegram.add_forum(FORUM, "Redactie", topics=("Sport", "Politiek", "Overig"))
    return {name: thread for thread, name in chat.topics.items()}


def test_each_post_lands_in_the_topic_of_its_category(
    tmp_path: Path, fake_telegram: FakeTelegram, forum: dict[str, int]
) -> None:
    """The first category with a topic wins (names folded), "*" takes the rest, and each
    message carries the destination's own hashtags."""
    topics = f'sport = {forum["Sport"]}, "politiek" = {forum["Politiek"]}, "*" = {forum["Overig"]}'
    settings = settings_for(tmp_path, fake_telegram, forum_toml(topics, 'hashtags = ["nieuws"]'))
    posts = {
        "a.md": post("Uitslag", "SPORT", 1),
        "b.md": post("Debat", "Politiek", 2),
        "c.md": post("Storm", "Weer", 3),
    }
    publish(tmp_path, settings, posts, done=3).close()

    sent = fake_telegram.sent_messages(FORUM)
    placed = {m.text.split("\n")[0]: m.message_thread_id for m in sent if m.text}
    assert placed == {
        "Uitslag": forum["Sport"],
        "Debat": forum["Politiek"],
        "Storm": forum["Overig"],
    }
    assert all(m.text and m.text.endswith(" #nieuws") for m in sent)


def test_without_a_topic_for_it_a_post_goes_to_general(
    tmp_path: Path, fake_telegram: FakeTelegram, forum: dict[str, int]
) -> None:
    """No topic for its categories and no "*": the General topic, sent without a thread
    id; General named by its id (1) is sent the same way, as Telegram wants."""
    settings = settings_for(
        tmp_path, fake_telegram, forum_toml(f"sport = {forum['Sport']}, weer = 1")
    )
    posts = {"a.md": post("Debat", "Politiek", 1), "b.md": post("Storm", "Weer", 2)}
    publish(tmp_path, settings, posts, done=2).close()

    sent = fake_telegram.sent_messages(FORUM)
    assert [(m.text.split("\n")[0], m.message_thread_id) for m in sent if m.text] == [
        ("Debat", None),
        ("Storm", None),
    ]
    assert all(
        "message_thread_id" not in r.params for r in fake_telegram.requests_for("sendMessage")
    )


def test_an_unknown_topic_fails_its_delivery_clearly_and_the_rest_goes_on(
    tmp_path: Path, fake_telegram: FakeTelegram, forum: dict[str, int]
) -> None:
    """A topic the forum does not have: that delivery fails for good, naming the
    destination and the category; the next post, in a topic that exists, goes out."""
    fake_telegram.delete_topic(FORUM, forum["Politiek"])
    topics = f"sport = {forum['Sport']}, politiek = {forum['Politiek']}"
    settings = settings_for(tmp_path, fake_telegram, forum_toml(topics))
    posts = {"a.md": post("Debat", "Politiek", 1), "b.md": post("Uitslag", "Sport", 2)}
    publisher = publish(tmp_path, settings, posts, done=2)
    report = Catalog(publisher.store.db).report()
    publisher.close()

    (failure,) = report["failures"]
    assert failure["channel"] == "forum" and failure["path"] == "a.md"
    assert failure["attempts"] == 1
    assert failure["last_error"] == (
        f'destination "forum": the topic of category "Politiek", {forum["Politiek"]}, does not'
        f" exist in {FORUM} (Telegram: message thread not found); fix its topics in"
        " postbode.toml, then `postbode retry`"
    )
    assert [m.message_thread_id for m in fake_telegram.sent_messages(FORUM)] == [forum["Sport"]]
    assert report["channels"]["forum"]["sent"] == 1


def test_an_edit_leaves_the_message_in_its_topic(
    tmp_path: Path, fake_telegram: FakeTelegram, forum: dict[str, int]
) -> None:
    """A changed post edits its message where it is; an edit never carries a topic or
    disable_notification (editMessageText takes neither)."""
    settings = settings_for(
        tmp_path,
        fake_telegram,
        forum_toml(f"sport = {forum['Sport']}", 'silent_hours = "00:00-23:59"'),
    )
    channel = channel_of(settings)
    first = Post("a.md", "Uitslag", NOW, "https://example.nl/a", categories=("Sport",))

    async def work(channel: Channel) -> None:
        sent = await channel.publish(first, "k")
        assert sent.remote_id is not None
        await channel.edit(
            Post("a.md", "Uitslag 2-1", NOW, first.link, categories=("Weer",)), sent.remote_id
        )

    run(channel, work)
    (message,) = fake_telegram.sent_messages(FORUM)
    assert message.text and message.text.startswith("Uitslag 2-1\n")
    assert (message.message_thread_id, message.edited) == (forum["Sport"], True)
    (edit,) = fake_telegram.requests_for("editMessageText")
    assert "message_thread_id" not in edit.params and "disable_notification" not in edit.params


# --- silent hours -----------------------------------------------------------------------


def channel_of(settings: Settings, at: dt.datetime = NOW) -> TelegramChannel:
    """The destination's adapter as build_channels makes it, its clock standing at `at`."""
    assert settings.telegram is not None
    (destination,) = settings.destinations
    return TelegramChannel(
        settings.telegram,
        destination.target,
        settings.language,
        destination=destination,
        zone=settings.site.timezone,
        clock=lambda: at,
    )


@pytest.mark.parametrize(
    ("hours", "local", "silent"),
    [
        ("23:00-07:00", "23:00", True),
        ("23:00-07:00", "02:30", True),
        ("23:00-07:00", "06:59", True),
        ("23:00-07:00", "07:00", False),
        ("23:00-07:00", "12:00", False),
        ("23:00-07:00", "22:59", False),
        ("12:00-14:00", "13:15", True),
        ("12:00-14:00", "14:00", False),
        (None, "03:00", False),
    ],
)
def test_messages_sent_in_silent_hours_make_no_sound(
    tmp_path: Path, fake_telegram: FakeTelegram, hours: str | None, local: str, silent: bool
) -> None:
    """Inside the range, read in the site's zone (ranges over midnight too), a new message
    carries disable_notification; outside it, it does not."""
    fake_telegram.add_channel(-1007770001, "stil")
    extra = f'silent_hours = "{hours}"\n' if hours else ""
    toml = f'[[destinations]]\nname = "stil"\ntelegram = "@stil"\n{extra}'
    settings = settings_for(tmp_path, fake_telegram, toml)
    hour, minute = (int(part) for part in local.split(":"))
    at = dt.datetime(2026, 11, 27, hour, minute, tzinfo=AMSTERDAM).astimezone(dt.UTC)
    channel = channel_of(settings, at)
    item = Post("a.md", "Nacht", at, "https://example.nl/a")

    run(channel, lambda c: c.publish(item, "k"))
    (request,) = fake_telegram.requests_for("sendMessage")
    assert request.params.get("disable_notification", False) is silent
    assert [m.text.split("\n")[0] for m in fake_telegram.sent_messages("@stil") if m.text] == [
        "Nacht"
    ]


# --- check ------------------------------------------------------------------------------


def test_check_finds_each_topic_without_posting(
    tmp_path: Path, fake_telegram: FakeTelegram, forum: dict[str, int]
) -> None:
    """`check` says OK when the forum has every topic, and names the topic (and its
    categories) that is missing; nothing is posted either way."""
    topics = f'sport = {forum["Sport"]}, voetbal = {forum["Sport"]}, "*" = 1, weer = 99'
    settings = settings_for(tmp_path, fake_telegram, forum_toml(topics))
    lines = asyncio.run(check(settings))
    assert lines[1:] == [f"FAIL forum: {FORUM} has no topic 99 (weer)"]
    fine = settings_for(tmp_path, fake_telegram, forum_toml(f'sport = {forum["Sport"]}, "*" = 1'))
    assert asyncio.run(check(fine))[1:] == ["OK   forum"]
    assert fake_telegram.sent_messages(FORUM) == []


def test_check_wants_a_forum_for_topics_and_a_member_who_may_post(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    """Topics on a chat that is no forum would be ignored: `check` says so. A bot that
    left the group may not post there."""
    fake_telegram.add_group(-1004440001, "Gewone groep")
    fake_telegram.add_forum(-1004440002, "Verlaten", topics=("Sport",), bot_status="left")
    toml = (
        '[[destinations]]\nname = "groep"\ntelegram = "-1004440001"\ntopics = { sport = 2 }\n'
        '[[destinations]]\nname = "weg"\ntelegram = "-1004440002"\ntopics = { sport = 2 }\n'
    )
    lines = asyncio.run(check(settings_for(tmp_path, fake_telegram, toml)))
    assert lines[1:] == [
        "FAIL groep: -1004440001 is not a forum supergroup: its topics cannot be used",
        "FAIL weg: @postbode_test_bot is not a member of -1004440002 (status: left)",
    ]
