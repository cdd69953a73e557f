"""Readers subscribing in their private chat (SPEC §11), through the fake Bot API, and
the fan-out rules on a real state database: which posts start one, and when."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest

from bot.chat.replies import status_reply
from bot.chat.subscriptions import Subscriptions
from bot.clock import utc_now, utc_text
from bot.config import ConfigError, load_settings
from bot.folder.scan import Folder, scan
from bot.jekyll.site import Site
from bot.state.catalog import Catalog
from bot.state.fanout import Fanout
from bot.state.store import Store
from bot.state.subscribers import EVERY, MAX_PER_READER, Subscribers
from bot.state.waiting import Waiting
from bot.subscribers.report import subscription_lines
from tests.conftest import write_post
from tests.fakes.telegram import FakeTelegram, FakeUser
from tests.test_commands import run_bot

READER = FakeUser(id=1001, language_code="nl")
OTHER = FakeUser(id=2002, first_name="Bob", username="bob", language_code="de")
GROUP = -1009876543210


@pytest.fixture
def posts(tmp_path: Path) -> Path:
    folder = tmp_path / "posts"
    folder.mkdir()
    return folder


@pytest.fixture
def store(tmp_path: Path, posts: Path) -> Iterator[Store]:
    """Live posts in Sport, Économie and Cultuur; the folder's first scan was the baseline."""
    db = Store(tmp_path / "state.db")
    scan(db, Folder(posts, Site(), ["console"]), utc_now())
    for n, category in enumerate(["Sport", "Économie", "Sport", "Cultuur"]):
        write_post(
            posts,
            f"p{n}.md",
            f'title: "Post {n}"\ndate: 2026-11-0{n + 1} 10:00:00 +0100\ncategory: "{category}"\n'
            f'externe_link: "https://example.nl/{n}"',
        )
    scan(db, Folder(posts, Site(), ["console"]), utc_now())
    yield db
    db.close()


def talk(fake: FakeTelegram, store: Store, scenario: Callable[[], Awaitable[None]]) -> None:
    run_bot(fake, Catalog(store.db), scenario, features=[Subscriptions])


async def say(fake: FakeTelegram, chat: int, user: FakeUser, text: str) -> str:
    """Send a command, wait for the reply in that chat, return its HTML."""
    before = len(fake.replies_to(chat))
    fake.inject_message(chat, user, text)
    await asyncio.to_thread(
        fake.wait_for, lambda f: len(f.replies_to(chat)) > before, 10, f"a reply to {text!r}"
    )
    return fake.replies_to(chat)[-1].raw or ""


async def press(fake: FakeTelegram, chat: int, user: FakeUser, label: str) -> str:
    """Press the button with this label under the bot's last message; its new text."""
    message = fake.replies_to(chat)[-1]
    assert message.reply_markup is not None
    buttons = [b for row in message.reply_markup["inline_keyboard"] for b in row]
    button = next(b for b in buttons if b["text"] == label)
    fake.inject_callback_query(chat, user, button["callback_data"])
    edits = message.edit_count
    await asyncio.to_thread(
        fake.wait_for, lambda f: f.message(chat, message.message_id).edit_count > edits, 10
    )
    return fake.message(chat, message.message_id).raw or ""


def keys(store: Store, chat: int) -> list[str]:
    return [s.key for s in Subscribers(store.db).of(chat)]


def test_subscribe_unsubscribe_and_the_list(fake_telegram: FakeTelegram, store: Store) -> None:
    replies: list[str] = []

    async def scenario() -> None:
        me = READER.id
        for text in ("/subscribe", "/subscribe", "/subscribe ÉCONOMIE", "/subscribe sprot",
                     "/subscriptions", "/unsubscribe economie", "/unsubscribe economie",
                     "/unsubscribe all", "/subscriptions"):  # fmt: skip
            replies.append(await say(fake_telegram, me, READER, text))

    talk(fake_telegram, store, scenario)
    every, again, economie, typo, listing, left, not_there, all_gone, empty = replies
    assert every.startswith("Klaar: elk nieuw artikel komt naar deze chat.")
    assert again.startswith("Dat komt hier al.")
    assert economie == "Klaar: de nieuwe artikelen in <b>Économie</b> komen naar deze chat."
    assert "/subscribe Sport" in typo  # the closest name, as a command
    assert listing == "<b>Dit komt naar deze chat:</b>\n• elk nieuw artikel\n• Économie"
    assert left == "<b>Économie</b> komt niet meer naar deze chat."
    assert not_there == "Dat kwam hier niet."
    assert all_gone == "Klaar: er komt niets meer naar deze chat."
    assert empty.startswith("Er komt nog niets naar deze chat")
    assert keys(store, READER.id) == []
    menu = fake_telegram.commands()
    assert [c["command"] for c in menu][-3:] == ["subscribe", "unsubscribe", "subscriptions"]


def test_the_buttons_narrow_every_post_down_to_categories(
    fake_telegram: FakeTelegram, store: Store
) -> None:
    texts: list[str] = []

    async def scenario() -> None:
        texts.append(await say(fake_telegram, READER.id, READER, "/subscribe"))
        texts.append(await press(fake_telegram, READER.id, READER, "Sport"))
        texts.append(await say(fake_telegram, READER.id, READER, "/unsubscribe"))
        texts.append(await press(fake_telegram, READER.id, READER, "Sport"))

    talk(fake_telegram, store, scenario)
    offered, narrowed, menu, left = texts
    assert "Liever alleen sommige categorieën? Kies ze:" in offered
    assert narrowed == "Klaar: de nieuwe artikelen in <b>Sport</b> komen naar deze chat."
    assert menu == "Wat moet er stoppen?"
    assert left == "<b>Sport</b> komt niet meer naar deze chat."
    assert keys(store, READER.id) == []


def test_only_in_a_private_chat_and_only_for_oneself(
    fake_telegram: FakeTelegram, store: Store
) -> None:
    texts: list[str] = []

    async def scenario() -> None:
        texts.append(await say(fake_telegram, GROUP, READER, "/subscribe"))
        texts.append(await say(fake_telegram, GROUP, READER, "/subscriptions"))
        # Bob presses a button under the reader's own chat's message: nothing changes.
        await say(fake_telegram, READER.id, READER, "/subscribe")
        update = fake_telegram.inject_callback_query(READER.id, OTHER, "s:sport")
        query = update["callback_query"]["id"]
        await asyncio.to_thread(fake_telegram.wait_for, lambda f: query in f.callback_answers, 10)

    talk(fake_telegram, store, scenario)
    assert (
        texts[0]
        == texts[1]
        == ("Abonneren gaat in een privéchat: open een chat met mij en stuur daar /subscribe.")
    )
    assert keys(store, READER.id) == [EVERY]  # not narrowed by someone else
    assert keys(store, OTHER.id) == [] and keys(store, GROUP) == []


def test_a_flood_of_changes_is_stopped(fake_telegram: FakeTelegram, store: Store) -> None:
    """Twelve changes at once: ten are made, the eleventh is told to wait, the twelfth
    gets silence (bot.chat.flood)."""
    texts: list[str] = []

    async def scenario() -> None:
        for n in range(12):
            command = "/subscribe sport" if n % 2 == 0 else "/unsubscribe sport"
            fake_telegram.inject_message(READER.id, READER, command)
        await asyncio.to_thread(
            fake_telegram.wait_for, lambda f: len(f.replies_to(READER.id)) >= 11, 10, "11 replies"
        )
        texts.extend(m.raw or "" for m in fake_telegram.replies_to(READER.id))

    talk(fake_telegram, store, scenario)
    assert not any(t.startswith("Dat zijn veel") for t in texts[:10])
    assert texts[10].startswith("Dat zijn veel wijzigingen")
    assert keys(store, READER.id) == []  # the tenth change, an unsubscribe, was the last


def test_a_category_gone_from_the_site_is_a_notice(
    fake_telegram: FakeTelegram, store: Store, posts: Path
) -> None:
    Subscribers(store.db).subscribe(READER.id, "cultuur", "Cultuur", "nl", utc_now())
    (posts / "p3.md").unlink()
    scan(store, Folder(posts, Site(), ["console"]), utc_now())
    texts: list[str] = []

    async def scenario() -> None:
        texts.append(await say(fake_telegram, READER.id, READER, "/subscriptions"))
        texts.append(await say(fake_telegram, READER.id, READER, "/unsubscribe cultuur"))

    talk(fake_telegram, store, scenario)
    assert "Cultuur (niet meer op de site" in texts[0]
    assert texts[1] == "<b>Cultuur</b> komt niet meer naar deze chat."


def test_a_reader_keeps_a_bounded_number(store: Store) -> None:
    subscribers = Subscribers(store.db)
    now = utc_now()
    made = [
        subscribers.subscribe(7, f"c{n}", f"C{n}", "nl", now) for n in range(MAX_PER_READER + 3)
    ]
    assert made.count(True) == MAX_PER_READER and len(subscribers.of(7)) == MAX_PER_READER


# -- when a fan-out starts -------------------------------------------------------------


def open_fanouts(store: Store) -> list[int]:
    return [r[0] for r in store.db.execute("select post_id from fanouts where state = 'open'")]


def test_only_new_posts_start_a_fan_out(store: Store, posts: Path) -> None:
    """The archive (the baseline) and edits do not; a new post does, once; a post that
    goes and comes back does not get a second one."""
    before = set(open_fanouts(store))
    assert len(before) == 4  # the fixture's four new posts; none for the baseline
    folder = Folder(posts, Site(), ["console"])
    write_post(
        posts,
        "p0.md",
        'title: "Post 0, edited"\ncategory: Sport\nexterne_link: "https://example.nl/0"',
    )
    scan(store, folder, utc_now())
    assert set(open_fanouts(store)) == before


@pytest.mark.parametrize("delete_remote", [False, True])
def test_a_post_sent_before_fan_outs_that_comes_back_reaches_no_reader(
    store: Store, posts: Path, delete_remote: bool
) -> None:
    """As after an upgrade: its channel message is out and it has no fan-out; the file
    goes and comes back (with ON_DELETE=delete its message was deleted, and the
    channel gets it anew), and still no reader gets it."""
    folder = Folder(posts, Site(), ["console"], delete_remote=delete_remote)
    post_id = store.post_ids(["p0.md"])["p0.md"]
    store.db.execute("delete from fanouts where post_id = ?", [post_id])
    store.db.execute(
        "update deliveries set state = 'sent', remote_id = 'm1', sent_at = ?", [utc_text(utc_now())]
    )
    store.db.conn.commit()
    text = (posts / "p0.md").read_text()
    (posts / "p0.md").unlink()
    scan(store, folder, utc_now())
    store.db.execute("update deliveries set state = 'deleted' where action = 'delete'")
    store.db.conn.commit()  # as the outbox leaves it
    (posts / "p0.md").write_text(text)
    report = scan(store, folder, utc_now() + dt.timedelta(minutes=5))
    assert report.outcomes["returned"] == 1 and report.queued == int(delete_remote)
    assert post_id not in open_fanouts(store)


def test_news_is_the_posts_own_date_not_its_fan_outs(store: Store) -> None:
    """A fan-out row made today for a post dated and first seen long ago is closed."""
    old, new = (store.post_ids([f"p{n}.md"])[f"p{n}.md"] for n in (0, 1))
    store.db.execute(
        "update posts set date_utc = ?, first_seen = ? where id = ?",
        ["2025-01-01T10:00:00.000000+00:00", "2025-01-01T10:00:00.000000+00:00", old],
    )
    store.db.execute("update posts set date_utc = ? where id = ?", [utc_text(utc_now()), new])
    store.db.conn.commit()
    startable = Fanout(store.db).startable(utc_now() + dt.timedelta(seconds=1))
    assert old not in startable and new in startable
    assert store.db.execute("select state from fanouts where post_id = ?", [old]).fetchone() == (
        "dropped",
    )


def test_a_post_only_for_mastodon_or_bluesky_starts_no_fan_out(store: Store, posts: Path) -> None:
    before = set(open_fanouts(store))
    for name, syndicate in [("m", "[mastodon]"), ("b", "[bluesky]"), ("t", "[telegram]")]:
        write_post(
            posts,
            f"{name}.md",
            f'title: {name}\nsyndicate: {syndicate}\nexterne_link: "https://example.nl/{name}"',
        )
    scan(store, Folder(posts, Site(), ["console"]), utc_now())
    ids = store.post_ids(["m.md", "b.md", "t.md"])
    assert set(open_fanouts(store)) - before == {ids["t.md"]}


def test_a_fan_out_waits_for_the_post_to_be_out(tmp_path: Path, posts: Path) -> None:
    db = Store(tmp_path / "other.db")
    folder = Folder(posts, Site(), ["console"])
    scan(db, folder, utc_now())  # the baseline: an empty folder
    later = (utc_now() + dt.timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S +0000")
    write_post(
        posts, "later.md", f'title: Later\ndate: {later}\nexterne_link: "https://example.nl/l"'
    )
    write_post(posts, "nu.md", 'title: Nu\nexterne_link: "https://example.nl/nu"')
    write_post(
        posts,
        "nergens.md",
        'title: Nergens\nsyndicate: false\nexterne_link: "https://example.nl/x"',
    )
    now = utc_now() + dt.timedelta(seconds=1)  # the files' times are the posts' dates
    scan(db, folder, now)
    fanout = Fanout(db.db)
    ids = db.post_ids(["later.md", "nu.md", "nergens.md"])
    assert "nergens.md" in ids and ids["nergens.md"] not in open_fanouts(db)
    assert fanout.startable(now) == [ids["nu.md"]]  # the scheduled one at its date
    assert set(fanout.startable(now + dt.timedelta(days=1, minutes=1))) == {
        ids["nu.md"],
        ids["later.md"],
    }
    # Gone before it went out, and no longer news: closed, never sent late.
    (posts / "nu.md").unlink()
    scan(db, folder, now)
    assert fanout.startable(now + dt.timedelta(days=3)) == []
    assert open_fanouts(db) == []
    db.close()


def test_the_fan_out_goes_in_chunks_and_status_shows_it(store: Store) -> None:
    subscribers = Subscribers(store.db)
    before = utc_now() - dt.timedelta(hours=1)
    for chat in range(1, 26):
        subscribers.subscribe(chat, EVERY if chat % 5 == 0 else "sport", "Sport", "nl", before)
    subscribers.subscribe(99, "sport", "Sport", "nl", utc_now() + dt.timedelta(hours=1))
    fanout, now = Fanout(store.db), utc_now()
    sport_post = store.post_ids(["p0.md"])["p0.md"]
    chunks = []
    while (added := fanout.expand(sport_post, now, chunk=10)) is not None:
        chunks.append(added)
    assert chunks == [10, 10, 5]  # 99 subscribed after the post: not theirs
    culture = store.post_ids(["p3.md"])["p3.md"]
    assert fanout.expand(culture, now) == 5 and fanout.expand(culture, now) is None
    info = Catalog(store.db).report()["subscriptions"]
    assert info["readers"] == 26 and info["queued"] == 30
    assert info["per_category"] == {"Sport": 21, "every post": 5}
    lines = subscription_lines(info)
    assert lines[0] == "subscribers: 26 readers (21 Sport, 5 every post); 0 left (blocked)"
    assert lines[1].startswith("private messages to send: 30 (0.0/s), 2 posts still to fan out")


def test_a_post_waiting_for_its_page_reaches_subscribers_once_live(
    tmp_path: Path, posts: Path
) -> None:
    db = Store(tmp_path / "live.db")
    folder = Folder(posts, Site(), ("console",), live_site="https://example.nl")
    scan(db, folder, utc_now())
    write_post(posts, "wacht.md", 'title: Wacht\nexterne_link: "https://example.nl/wacht"')
    now = utc_now() + dt.timedelta(seconds=1)
    scan(db, folder, now)
    (post_id,) = db.post_ids(["wacht.md"]).values()
    fanout = Fanout(db.db)
    assert open_fanouts(db) == [post_id] and fanout.startable(now) == []
    assert Waiting(db.db).release(post_id, now) == 1  # its page answered
    assert fanout.startable(now) == [post_id]
    db.close()


@pytest.mark.parametrize(
    ("env", "subscriptions", "paid"),
    [
        ({}, False, False),
        ({"TELEGRAM_SUBSCRIPTIONS": "on"}, True, False),
        ({"TELEGRAM_SUBSCRIPTIONS": "ON", "TELEGRAM_PAID_BROADCAST": "on"}, True, True),
    ],
)
def test_the_settings(tmp_path: Path, env: dict[str, str], subscriptions: bool, paid: bool) -> None:
    base = {"TELEGRAM_BOT_TOKEN": "1:x", "TELEGRAM_CHANNEL": "@kanaal", "POSTS_DIR": str(tmp_path)}
    telegram = load_settings(base | env, tmp_path).telegram
    assert telegram is not None
    assert (telegram.subscriptions, telegram.paid_broadcast) == (subscriptions, paid)
    with pytest.raises(ConfigError, match="TELEGRAM_SUBSCRIPTIONS"):
        load_settings(base | {"TELEGRAM_SUBSCRIPTIONS": "yes please"}, tmp_path)


@pytest.mark.parametrize(
    ("env", "why"),
    [
        ({"TELEGRAM_COMMANDS": "off"}, "TELEGRAM_COMMANDS is off"),
        ({"TELEGRAM_BOT_TOKEN": None, "TELEGRAM_CHANNEL": None}, "no TELEGRAM_BOT_TOKEN"),
    ],
)
def test_subscriptions_without_the_bot_are_refused(
    tmp_path: Path, env: dict[str, str | None], why: str
) -> None:
    """They would silently do nothing: no reader could ever subscribe."""
    values = {
        "TELEGRAM_BOT_TOKEN": "1:x",
        "TELEGRAM_CHANNEL": "@kanaal",
        "MASTODON_BASE_URL": "https://mastodon.example",
        "MASTODON_ACCESS_TOKEN": "t",
        "TELEGRAM_SUBSCRIPTIONS": "on",
        "POSTS_DIR": str(tmp_path),
    }
    values = {k: v for k, v in (values | env).items() if v is not None}
    with pytest.raises(ConfigError, match=f"^TELEGRAM_SUBSCRIPTIONS: .*{why}") as caught:
        load_settings(values, tmp_path)
    assert "\n" not in str(caught.value)


def test_the_admins_status_shows_the_subscribers(store: Store) -> None:
    Subscribers(store.db).subscribe(5, EVERY, "", "nl", utc_now() - dt.timedelta(hours=1))
    Subscribers(store.db).drop_reader(6)  # one who blocked the bot
    text = status_reply(Catalog(store.db).report(), "nl").text
    assert "subscribers: 1 readers (1 every post); 1 left (blocked)" in text
    # The fixture's four posts wait for the sender to fan them out.
    assert "private messages to send: 0 (0.0/s), 4 posts still to fan out" in text


def test_a_chunk_is_read_in_chat_order_from_the_primary_key(store: Store) -> None:
    """Each chunk reads its own readers only: the fan-out is linear in its readers."""
    from bot.state.fanout import _MATCHING

    plan = store.db.execute(
        f"explain query plan select distinct chat_id {_MATCHING} order by chat_id limit 10",
        [0, "", EVERY, 1],
    ).fetchall()
    steps = [row[-1] for row in plan]
    assert "SEARCH subscriptions USING PRIMARY KEY (chat_id>?)" in steps
    assert not any("TEMP B-TREE" in step for step in steps)
