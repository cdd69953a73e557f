"""/search WORDS through the fake Bot API, and the answers' HTML (bot.chat.search_replies)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.chat import search_replies
from bot.clock import utc_now
from bot.folder.scan import Folder, scan
from bot.jekyll.site import Site
from bot.state import search
from bot.state.catalog import Catalog, Category
from bot.state.store import Store
from bot.words import LANGUAGES, words
from tests import telegram_html
from tests.conftest import write_post
from tests.fakes.telegram import BOT_USERNAME, FakeTelegram, FakeUser
from tests.test_commands import GROUP, READER, ask, run_bot, titles
from tests.test_words import post

POSTS = [  # title, category, lead
    ("Havenstaking legt Rotterdam stil", "Economie", "De haven ligt stil door een staking."),
    ("Café in Łódź weer open", "Cultuur", "Het café is verbouwd."),
    ("Straßenbahn fährt wieder", "Verkeer", "Die Bahn in Köln fährt."),
    ("Staking bij de spoorwegen", "Verkeer", "Treinen rijden niet; ook de haven merkt het."),
    ("Nieuwe <haven> & meer", "Economie", "Escapes in titels."),
]


def catalog_of(tmp_path: Path, files: dict[str, str]) -> Iterator[Catalog]:
    """These post files (name: front matter) in a real state database, after a first
    scan of the empty folder (the baseline): all of them news, queued for the console."""
    posts = tmp_path / "posts"
    posts.mkdir()
    store = Store(tmp_path / "state.db")
    scan(store, Folder(posts, Site(), ["console"]), utc_now())
    for name, front_matter in files.items():
        write_post(posts, name, front_matter)
    scan(store, Folder(posts, Site(), ["console"]), utc_now())
    yield Catalog(store.db)
    store.close()


@pytest.fixture
def catalog(tmp_path: Path) -> Iterator[Catalog]:
    """Five live posts (one a day, the first oldest), a scheduled one and a draft."""
    files = {
        f"p{n}.md": f'title: "{title}"\ndate: 2026-11-0{n + 1} 10:00:00 +0100\n'
        f'category: "{category}"\nexcerpt: "{lead}"\nexterne_link: "https://example.nl/{n}?a=1&b=2"'
        for n, (title, category, lead) in enumerate(POSTS)
    }
    files["later.md"] = 'title: "Staking later"\ndate: 2099-01-01\nexterne_link: "https://e.nl/l"'
    files["draft.md"] = 'title: "Staking concept"\npublished: false\nexterne_link: "https://e.nl/d"'
    yield from catalog_of(tmp_path, files)


def search_replies_to(
    fake: FakeTelegram, catalog: Catalog, asks: list[tuple[int, FakeUser, str]]
) -> list[str]:
    answers: list[str] = []

    async def scenario() -> None:
        for chat, user, text in asks:
            answers.append(await ask(fake, chat, user, text)())

    run_bot(fake, catalog, scenario)
    for answer in answers:  # each parsed by the strict checker, within 4096
        visible, _ = telegram_html.parse(answer)
        assert 0 < telegram_html.utf16_len(visible) <= 4096
    return answers


def test_search_lists_linked_titles_best_first(
    fake_telegram: FakeTelegram, catalog: Catalog
) -> None:
    """Titles first, then leads; newest first among equals; linked, dated, escaped; the
    scheduled post and the draft are not found."""
    (staking, haven) = search_replies_to(
        fake_telegram,
        catalog,
        [(READER.id, READER, "/search staking"), (READER.id, READER, "/search HAVEN")],
    )
    assert staking.startswith("<b>Berichten met «staking»</b>\n")
    assert titles(staking) == ["Staking bij de spoorwegen", "Havenstaking legt Rotterdam stil"]
    assert '<a href="https://example.nl/3?a=1&amp;b=2">' in staking and "— 4 nov" in staking
    assert titles(haven) == [
        "Nieuwe &lt;haven&gt; &amp; meer",  # in its title
        "Havenstaking legt Rotterdam stil",  # the start of a word in its title
        "Staking bij de spoorwegen",  # in its lead
    ]


@pytest.mark.parametrize(
    ("words", "found"),
    [
        ("cafe", ["Café in Łódź weer open"]),
        ("lodz", ["Café in Łódź weer open"]),
        ("strasse", ["Straßenbahn fährt wieder"]),
        ("KOLN", ["Straßenbahn fährt wieder"]),
        ("verkeer", ["Staking bij de spoorwegen", "Straßenbahn fährt wieder"]),  # a category
        ("staking spoor", ["Staking bij de spoorwegen"]),  # the last word a prefix; all needed
    ],
)
def test_search_folds_accents_and_case(
    fake_telegram: FakeTelegram, catalog: Catalog, words: str, found: list[str]
) -> None:
    (reply,) = search_replies_to(fake_telegram, catalog, [(READER.id, READER, f"/search {words}")])
    assert titles(reply) == found


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        ("", "Gebruik: /search met de woorden die je zoekt."),
        ("* - : ^ ( )", "Gebruik: /search met de woorden die je zoekt."),
        ('" NEAR(', "Niets gevonden voor «&quot; NEAR(»."),  # quoted back, escaped
        ("AND OR NOT", "Niets gevonden voor «AND OR NOT»."),
        ("\u200b\u202e\u0301", "Gebruik: /search met de woorden die je zoekt."),
        ("wo " * 1000, "Dat zijn veel woorden: ik zoek er hoogstens 10."),
        ("<script>x</script>", "Niets gevonden voor «&lt;script&gt;x&lt;/script&gt;»."),
        ("ha\u202even", "<b>Berichten met «haven»</b>"),  # found; the override not echoed
    ],
)
def test_bad_words_get_one_short_answer(
    fake_telegram: FakeTelegram, catalog: Catalog, asked: str, expected: str
) -> None:
    """Empty, syntax, unicode tricks, 1,000 words: a short answer, never an error."""
    (reply,) = search_replies_to(fake_telegram, catalog, [(READER.id, READER, f"/search {asked}")])
    assert reply.split("\n")[0] == expected


def test_nothing_found_suggests_a_category_or_other_words(
    fake_telegram: FakeTelegram, catalog: Catalog
) -> None:
    close, other = search_replies_to(
        fake_telegram,
        catalog,
        [(READER.id, READER, "/search economy"), (READER.id, READER, "/search zeppelin")],
    )
    assert close == "Niets gevonden voor «economy».\nBedoel je: /category Economie?"
    assert other == (
        "Niets gevonden voor «zeppelin».\nProbeer minder of andere woorden, of het begin van"
        " een woord; /latest toont de nieuwste berichten."
    )


def test_search_in_groups_and_in_the_readers_language(
    fake_telegram: FakeTelegram, catalog: Catalog
) -> None:
    """In a group, /search@ours is answered and another bot's is not; a German reader
    gets German words and dates; the menu has /search in every language."""
    fake_telegram.add_group(GROUP, "Lezers")
    german = FakeUser(id=3001, language_code="de")
    answers: list[str] = []

    async def scenario() -> None:
        fake_telegram.inject_message(GROUP, READER, "/search@other_news_bot staking")
        answers.append(await ask(fake_telegram, GROUP, READER, f"/search@{BOT_USERNAME} staking")())
        answers.append(await ask(fake_telegram, german.id, german, "/search haven")())
        answers.append(await ask(fake_telegram, german.id, german, "/search zeppelin")())

    run_bot(fake_telegram, catalog, scenario)
    group, found, none = answers
    assert titles(group) == ["Staking bij de spoorwegen", "Havenstaking legt Rotterdam stil"]
    assert len(fake_telegram.replies_to(GROUP)) == 1
    assert found.startswith("<b>Artikel mit „haven“</b>") and "— 5. Nov." in found
    assert none.startswith("Nichts gefunden für „zeppelin“.")
    for language in LANGUAGES:
        menu = fake_telegram.commands(language="" if language == "nl" else language)
        assert {"command": "search", "description": words(language).cmd_search} in menu


# -- the pure answers -----------------------------------------------------------------

NOW = dt.datetime(2026, 12, 2, 9, tzinfo=dt.UTC)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_search_answer_in_every_language_fits_and_parses(language: str) -> None:
    many = [post(n) for n in range(search_replies.SEARCH_RESULTS)]
    categories = [Category("Economie", "economie", 3)]
    built = [
        search_replies.search_reply("<b>x</b> " * 50, many, categories, language, NOW),
        search_replies.search_reply("economi", [], categories, language, NOW),
        search_replies.search_reply("🔥", [], categories, language, NOW),
        search_replies.problem("", language),
        search_replies.problem("w " * 11, language),
    ]
    for reply in built:
        assert reply is not None
        visible, _ = telegram_html.parse(reply.text)
        assert 0 < telegram_html.utf16_len(visible) <= 4096
    said = words(language)
    assert telegram_html.visible_text(built[1].text).endswith(
        "/category Economie" + said.did_you_mean.split("{names}")[1]
    )
    assert search_replies.problem("haven", language) is None


@pytest.mark.parametrize(
    ("offset", "parsed"),
    [
        ("", 0),
        ("20", 20),
        ("0020", 20),
        ("-1", 0),
        ("x", 0),
        ("٣", 0),
        ("99999", 0),
        ("9999", 1000),
    ],
)
def test_parse_offset(offset: str, parsed: int) -> None:
    assert search_replies.parse_offset(offset) == parsed


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_words_get_an_answer_that_parses(asked: str) -> None:
    """Whatever a reader types, the reply is valid Telegram HTML (never an exception)."""
    reply = search_replies.problem(asked, "nl") or search_replies.search_reply(
        asked, [post(1)] if len(asked) % 2 else [], [Category("Sport", "sport", 1)], "nl", NOW
    )
    telegram_html.parse(reply.text)
    assert search.match(asked) or reply.text == "Gebruik: /search met de woorden die je zoekt."


def test_an_article_is_cut_short_and_dated_as_of_now() -> None:
    """Its lead cut at a word; the date as /latest shows it at that moment (the rest of
    an article is made once per post and language)."""
    made = search_replies.article(post(3, image_url="https://example.nl/a.jpg"), "nl", NOW)
    assert made.description.startswith("4 nov · Een lange alinea & meer.")
    assert len(made.description) <= search_replies.MAX_DESCRIPTION
    assert made.description.endswith(" lange…")  # at a space
    assert made.thumbnail == "https://example.nl/a.jpg" and len(made.id.encode()) <= 64
    next_year = search_replies.article(post(3), "nl", NOW.replace(year=2027))
    assert next_year.description.startswith("4 nov 2026 · ")
    visible, _ = telegram_html.parse(made.text)
    assert len(visible) <= 4096 and visible.endswith("Lees verder\n\n#Economie #Buitenland")
