"""Readers talking to the bot, through the fake Bot API: updates in, replies recorded."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Iterator, Sequence
from pathlib import Path

import pytest

from bot.chat.flood import FloodGate
from bot.chat.search import Search
from bot.chat.telegram import ChatBot, Feature
from bot.clock import utc_now
from bot.config import TelegramSettings
from bot.folder.scan import Folder, scan
from bot.jekyll.site import Site
from bot.state.catalog import Catalog
from bot.state.store import Store
from tests import telegram_html
from tests.conftest import write_post
from tests.fakes.telegram import BOT_USERNAME, DEFAULT_TOKEN, FakeTelegram, FakeUser

# Their apps are set to Dutch, LANGUAGE here: what they get is what everyone got before
# readers had languages of their own.
ADMIN = FakeUser(id=4242, first_name="Beheer", username="beheer", language_code="nl")
READER = FakeUser(id=1001, language_code="nl")
GROUP = -1009876543210
CATEGORIES = [
    "Economie",
    "économie",
    "Sport",
    "buitenlands nieuws",
    "Economie",
    "Sport",
    "Cultuur",
    "Economie",
]


@pytest.fixture
def catalog(tmp_path: Path) -> Iterator[Catalog]:
    """Eight live posts (one a day, Post 0 oldest) in a real state database, queued
    for the console channel (the first scan of an empty folder was the baseline)."""
    posts = tmp_path / "posts"
    posts.mkdir()
    store = Store(tmp_path / "state.db")
    scan(store, Folder(posts, Site(), ["console"]), utc_now())
    for n, category in enumerate(CATEGORIES):
        write_post(
            posts,
            f"p{n}.md",
            f'title: "Post {n} <&>"\ndate: 2026-11-0{n + 1} 10:00:00 +0100\ncategory: "{category}"\nexterne_link: "https://example.nl/{n}?a=1&b=2"',
        )
    write_post(
        posts,
        "draft.md",
        'title: Concept\npublished: false\ncategory: Economie\nexterne_link: "https://example.nl/d"',
    )
    scan(store, Folder(posts, Site(), ["console"]), utc_now())
    yield Catalog(store.db)
    store.close()


def run_bot(
    fake: FakeTelegram,
    catalog: Catalog,
    scenario: Callable[[], Awaitable[None]],
    *,
    flood: FloodGate | None = None,
    groups: FloodGate | None = None,
    features: Sequence[Callable[[ChatBot], Feature]] = (Search,),
) -> None:
    """Start the chat bot against the fake, play the scenario, stop (with the features
    the worker gives it)."""
    settings = TelegramSettings(
        token=DEFAULT_TOKEN,
        channels=("@postbode_test",),
        api_url=fake.url,
        admin_ids=frozenset({ADMIN.id}),
    )

    async def main() -> None:
        bot = ChatBot(
            settings,
            catalog,
            "nl",
            flood=flood or FloodGate(burst=100),
            groups=groups,
            features=features,
        )
        stop = asyncio.Event()
        task = asyncio.create_task(bot.run(stop))
        await asyncio.to_thread(fake.wait_for, lambda f: f.polling > 0, 10, "the bot polling")
        try:
            await scenario()
        finally:
            stop.set()
            await asyncio.wait_for(task, 10)

    asyncio.run(main())


def ask(fake: FakeTelegram, chat: int, user: FakeUser, text: str) -> Callable[[], Awaitable[str]]:
    """A scenario step: send a command, wait for the next reply in that chat, return its HTML."""

    async def step() -> str:
        before = len(fake.replies_to(chat))
        fake.inject_message(chat, user, text)
        await asyncio.to_thread(
            fake.wait_for,
            lambda f: len(f.replies_to(chat)) > before,
            10,
            f"a reply to {text[:40]!r}",
        )
        return fake.replies_to(chat)[-1].raw

    return step


def conversation(
    fake: FakeTelegram, catalog: Catalog, exchanges: list[tuple[int, FakeUser, str]]
) -> list[str]:
    """Replies to each command in turn, each parsed by the strict HTML checker."""
    answers: list[str] = []

    async def scenario() -> None:
        for chat, user, text in exchanges:
            answers.append(await ask(fake, chat, user, text)())

    run_bot(fake, catalog, scenario)
    for answer in answers:
        visible, _ = telegram_html.parse(answer)
        assert 0 < telegram_html.utf16_len(visible) <= 4096
    return answers


def titles(reply: str) -> list[str]:
    return re.findall(r'<a href="[^"]+">(.*?)</a>', reply)


def test_start_and_help_say_what_the_bot_does(
    fake_telegram: FakeTelegram, catalog: Catalog
) -> None:
    """/start and /help name the channel and the commands."""
    start, help_ = conversation(
        fake_telegram, catalog, [(READER.id, READER, "/start"), (READER.id, READER, "/help")]
    )
    assert start == help_
    assert "@postbode_test" in start and "/latest" in start and "/category" in start
    menu = fake_telegram.commands()
    assert [c["command"] for c in menu] == ["latest", "category", "help", "search"]
    assert menu[0]["description"] == "De nieuwste berichten"
    assert [
        c["command"] for c in fake_telegram.commands(scope={"type": "chat", "chat_id": ADMIN.id})
    ][-1] == "status"


def test_latest_lists_the_newest_titles_in_order(
    fake_telegram: FakeTelegram, catalog: Catalog
) -> None:
    """/latest gives 5, /latest 3 exactly the 3 newest, newest first, linked and dated."""
    default, three, all_ = conversation(
        fake_telegram, catalog,
        [(READER.id, READER, "/latest"), (READER.id, READER, "/latest 3"), (READER.id, READER, "/latest 20")],
    )  # fmt: skip
    assert titles(three) == ["Post 7 &lt;&amp;&gt;", "Post 6 &lt;&amp;&gt;", "Post 5 &lt;&amp;&gt;"]
    assert len(titles(default)) == 5
    assert len(titles(all_)) == 8  # the draft is not there
    assert '<a href="https://example.nl/7?a=1&amp;b=2">' in three
    assert "— 8 nov" in three  # with the year when it is not this one


@pytest.mark.parametrize(
    "argument",
    ["0", "21", "-1", "drie", "3 4", "3.5", "٣", "x" * 5000, "9" * 5000, "🔥", "<b>5</b>"],
)
def test_latest_with_a_wrong_argument_gets_the_usage_line(
    fake_telegram: FakeTelegram, catalog: Catalog, argument: str
) -> None:
    """Anything but 1–20 gets one short usage line, never an error or silence."""
    (reply,) = conversation(fake_telegram, catalog, [(READER.id, READER, f"/latest {argument}")])
    assert reply == "Gebruik: /latest [aantal], met een aantal van 1 tot 20."


def test_category_menu_and_a_button_press(fake_telegram: FakeTelegram, catalog: Catalog) -> None:
    """/category shows the categories with counts as buttons; a press shows that category."""
    pressed: list[str] = []

    async def scenario() -> None:
        await ask(fake_telegram, READER.id, READER, "/category")()
        menu = fake_telegram.replies_to(READER.id)[-1]
        buttons = [b for row in menu.reply_markup["inline_keyboard"] for b in row]
        pressed.extend(b["text"] for b in buttons)
        sport = next(b for b in buttons if b["text"].startswith("Sport"))
        update = fake_telegram.inject_callback_query(
            READER.id, READER, sport["callback_data"], message_id=menu.message_id
        )
        query_id = update["callback_query"]["id"]
        await asyncio.to_thread(
            fake_telegram.wait_for,
            lambda f: (
                query_id in f.callback_answers and f.message(READER.id, menu.message_id).edited
            ),
            10,
        )

    run_bot(fake_telegram, catalog, scenario)
    assert pressed == ["Economie (4)", "Sport (2)", "buitenlands nieuws (1)", "Cultuur (1)"]
    edited = fake_telegram.replies_to(READER.id)[-1]
    assert titles(edited.raw) == ["Post 5 &lt;&amp;&gt;", "Post 2 &lt;&amp;&gt;"]
    assert edited.reply_markup is not None  # the buttons stay for the next choice


@pytest.mark.parametrize("name", ["Economie", "economie", "ÉCONOMIE", "  Économie  "])
def test_category_names_match_without_case_or_accents(
    fake_telegram: FakeTelegram, catalog: Catalog, name: str
) -> None:
    """ "Economie", "economie" and "ÉCONOMIE" are the same category."""
    (reply,) = conversation(fake_telegram, catalog, [(READER.id, READER, f"/category {name}")])
    assert reply.startswith("<b>Economie</b> (4)")
    assert [t.split()[1] for t in titles(reply)] == ["7", "4", "1", "0"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Ekonomie", "Bedoel je: /category Economie?"),
        ("buitenland nieuws", "Bedoel je: /category buitenlands nieuws?"),
        ("<script>alert(1)</script>", "Geen categorie «&lt;script&gt;alert(1)&lt;/script&gt;»."),
        ("x" * 5000, "Geen categorie «" + "x" * 59 + "…»."),
        ("🔥🔥", "Kies er een met /category."),
    ],
)
def test_unknown_category_gets_the_closest_names(
    fake_telegram: FakeTelegram, catalog: Catalog, name: str, expected: str
) -> None:
    """An unknown name is answered with the nearest known ones, escaped, never silence."""
    (reply,) = conversation(fake_telegram, catalog, [(READER.id, READER, f"/category {name}")])
    assert expected in reply


def test_groups_answer_commands_for_this_bot_only(
    fake_telegram: FakeTelegram, catalog: Catalog
) -> None:
    """In a group with two bots, /latest@otherbot is ignored; /latest@ours and /latest are answered."""
    fake_telegram.add_group(GROUP, "Lezers")
    answered: list[str] = []

    async def scenario() -> None:
        fake_telegram.inject_message(GROUP, READER, "/latest@other_news_bot 2")
        answered.append(await ask(fake_telegram, GROUP, READER, f"/latest@{BOT_USERNAME} 2")())
        answered.append(await ask(fake_telegram, GROUP, READER, "/latest 1")())

    run_bot(fake_telegram, catalog, scenario)
    assert [len(titles(a)) for a in answered] == [2, 1]
    assert len(fake_telegram.replies_to(GROUP)) == 2  # nothing for the other bot's command


def test_status_is_for_admins_only(fake_telegram: FakeTelegram, catalog: Catalog) -> None:
    """An admin gets the state; anyone else gets the help text and nothing about the state."""
    reader, admin = conversation(
        fake_telegram, catalog, [(READER.id, READER, "/status"), (ADMIN.id, ADMIN, "/status")]
    )
    assert (
        reader.startswith("Ik ben de bot van") and "pending" not in reader and "ready" not in reader
    )
    assert admin.startswith("<b>postbode</b>: 8 ready, 1 unpublished")
    assert "<b>console</b>\npending 8, sent 0, failed 0\nlast sent: -" in admin


def test_a_user_spamming_gets_a_notice_then_silence(
    fake_telegram: FakeTelegram, catalog: Catalog
) -> None:
    """Past the burst, one polite notice; after that nothing until the bucket refills."""
    fake_telegram.add_group(GROUP, "Lezers")

    async def scenario() -> None:
        for _ in range(8):
            fake_telegram.inject_message(GROUP, READER, "/latest 1")
        # A chat's commands are handled in order: a marker in the same chat shows they all were.
        await ask(fake_telegram, GROUP, ADMIN, "/help")()

    run_bot(fake_telegram, catalog, scenario, flood=FloodGate(burst=3, refill=3600))
    replies = [m.raw for m in fake_telegram.replies_to(GROUP)]
    assert len(replies) == 5
    assert all(len(titles(r)) == 1 for r in replies[:3])
    assert replies[3].startswith("Rustig aan")
    assert replies[4].startswith("Ik ben de bot van")


def test_a_flood_in_one_group_does_not_delay_other_chats(
    fake_telegram: FakeTelegram, catalog: Catalog
) -> None:
    """60 readers at once in a group, which Telegram holds to 20 messages a minute: the
    group gets 20 answers and no queue of late ones, a private chat its answer at once."""
    fake_telegram.add_group(GROUP, "Lezers")
    private: list[str] = []

    async def scenario() -> None:
        for n in range(60):
            fake_telegram.inject_message(GROUP, FakeUser(id=7000 + n), "/latest 1")
        private.append(await ask(fake_telegram, READER.id, READER, "/latest 2")())
        await asyncio.to_thread(
            fake_telegram.wait_for, lambda f: len(f.replies_to(GROUP)) >= 20, 10, "20 in the group"
        )

    # The group's minute never refills here: however late a command is handled, it is not answered.
    run_bot(fake_telegram, catalog, scenario, groups=FloodGate(burst=20, refill=3600))
    assert len(titles(private[0])) == 2
    assert len(fake_telegram.replies_to(GROUP)) == 20
    assert fake_telegram.violations == 0


def test_a_chat_whose_reply_hangs_does_not_hold_up_the_others(
    fake_telegram: FakeTelegram, catalog: Catalog
) -> None:
    """Chats are handled side by side (each in its own order): while a group's reply
    hangs on a slow connection, a private chat gets its answer at once."""
    fake_telegram.add_group(GROUP, "Lezers")

    async def scenario() -> None:
        fake_telegram.fail_next("timeout")  # held until the client gives up (5 s)
        fake_telegram.inject_message(GROUP, READER, "/latest 1")
        await asyncio.to_thread(
            fake_telegram.wait_for,
            lambda f: f.requests_for("sendMessage", GROUP),
            10,
            "the group's reply on its way",
        )
        await ask(fake_telegram, ADMIN.id, ADMIN, "/latest 2")()
        # Answered while the group's reply hangs; it may end now (the connection drops)
        # rather than hold the bot's stop for the client's 5 s.
        fake_telegram.release_holds()

    run_bot(fake_telegram, catalog, scenario)
    (private,) = fake_telegram.replies_to(ADMIN.id)
    (held,) = fake_telegram.requests_for("sendMessage", GROUP)
    (answer,) = fake_telegram.requests_for("sendMessage", ADMIN.id)
    assert len(titles(private.raw)) == 2
    assert answer.time - held.time < 2.5  # not after the group's 5 s


def test_status_in_a_group_tells_the_admin_to_ask_in_private(
    fake_telegram: FakeTelegram, catalog: Catalog
) -> None:
    fake_telegram.add_group(GROUP, "Lezers")
    (reply,) = conversation(fake_telegram, catalog, [(GROUP, ADMIN, "/status")])
    assert reply.startswith("Vraag /status in een privégesprek") and "ready" not in reply


def test_readers_get_their_own_language_else_languages(
    fake_telegram: FakeTelegram, catalog: Catalog
) -> None:
    """A reader whose app speaks German gets German words and dates, Brazilian Portuguese
    our Portuguese; a language postbode does not speak gets LANGUAGE's (nl here); the
    menu is registered in every language, LANGUAGE's as the default."""
    german = FakeUser(id=3001, language_code="de")
    brazilian = FakeUser(id=3002, language_code="pt-br")
    other = FakeUser(id=3003, language_code="xx")
    unset = FakeUser(id=3004, language_code=None)
    answers = conversation(
        fake_telegram,
        catalog,
        [
            (german.id, german, "/latest 2"),
            (german.id, german, "/latest 99"),
            (german.id, german, "/category Ekonomie"),
            (brazilian.id, brazilian, "/help"),
            (other.id, other, "/latest 1"),
            (unset.id, unset, "/help"),
        ],
    )
    latest, usage, unknown, help_pt, latest_other, help_unset = answers
    assert latest.startswith("<b>Neueste Artikel</b>") and "— 8. Nov." in latest
    assert usage == "Verwendung: /latest [Anzahl], mit einer Anzahl von 1 bis 20."
    assert unknown.startswith("Keine Kategorie „Ekonomie“.\nMeinten Sie: /category Economie?")
    assert help_pt.startswith("Sou o bot de @postbode_test")
    assert latest_other.startswith("<b>Nieuwste berichten</b>") and "— 8 nov" in latest_other
    assert help_unset.startswith("Ik ben de bot van @postbode_test")
    assert fake_telegram.commands()[0]["description"] == "De nieuwste berichten"
    assert fake_telegram.commands(language="de")[0]["description"] == "Die neuesten Artikel"
    assert fake_telegram.commands(language="ja")[2]["description"] == "このボットについて"
    assert fake_telegram.commands(language="nl") == []  # the default is Dutch already
