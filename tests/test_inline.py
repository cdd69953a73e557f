"""Inline mode, `@bot WORDS` in any chat, through the fake Bot API: the answers postbode
gives, and the fake refusing what Telegram refuses."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from telegram import InlineQueryResultArticle, InputTextMessageContent
from telegram.error import BadRequest

from bot.chat.flood import FloodGate
from bot.chat.search_replies import INLINE_CACHE_SECONDS, INLINE_PAGE
from bot.state.catalog import Catalog
from tests.fakes.telegram import ERR_QUERY_TOO_OLD, FakeTelegram, FakeUser
from tests.fakes.telegram_inline import InlineAnswer
from tests.test_commands import READER, run_bot
from tests.test_fake_telegram import with_bot
from tests.test_search import catalog_of

HARBOUR = 25  # more than a page


@pytest.fixture
def catalog(tmp_path: Path) -> Iterator[Catalog]:
    """25 posts about the harbour (one a day, the first oldest, every other one with an
    image) and one about the weather, the newest."""
    files = {
        f"h{n}.md": f'title: "Haven {n} <&>"\ndate: 2026-10-{n + 1:02} 10:00:00 +0100\n'
        + (f'image: "https://example.nl/{n}.jpg"\n' if n % 2 else "")
        + f'excerpt: "Schepen & kranen, dag {n}."\nexterne_link: "https://example.nl/h{n}"'
        for n in range(HARBOUR)
    }
    files["weer.md"] = (
        'title: "Het weer"\ndate: 2026-10-30 10:00:00 +0100\nexterne_link: "https://example.nl/w"'
    )
    yield from catalog_of(tmp_path, files)


def inline(
    fake: FakeTelegram,
    catalog: Catalog,
    queries: list[tuple[FakeUser, str, str]],
    flood: FloodGate | None = None,
) -> list[InlineAnswer]:
    """Each (user, query, offset) typed in turn; the answers."""
    answers: list[InlineAnswer] = []

    async def scenario() -> None:
        for user, text, offset in queries:
            update = fake.inject_inline_query(user, text, offset=offset)
            answers.append(await asyncio.to_thread(fake.wait_for_inline_answer, update))

    run_bot(fake, catalog, scenario, flood=flood)
    return answers


def titles(answer: InlineAnswer) -> list[str]:
    return [result["title"] for result in answer.results]


def test_an_empty_query_shows_the_latest_posts_a_page_at_a_time(
    fake_telegram: FakeTelegram, catalog: Catalog
) -> None:
    first, second = inline(fake_telegram, catalog, [(READER, "", ""), (READER, "  ", "20")])
    assert titles(first)[:3] == ["Het weer", "Haven 24 <&>", "Haven 23 <&>"]
    assert len(first.results) == INLINE_PAGE and first.next_offset == str(INLINE_PAGE)
    assert titles(second) == [f"Haven {n} <&>" for n in range(5, -1, -1)]
    assert second.next_offset == ""
    assert first.is_personal and first.cache_time == INLINE_CACHE_SECONDS


def test_an_article_is_the_posts_summary_with_its_title_lead_and_image(
    fake_telegram: FakeTelegram, catalog: Catalog
) -> None:
    (answer,) = inline(fake_telegram, catalog, [(READER, "haven 23", "")])
    (article,) = answer.results
    assert article["type"] == "article" and article["title"] == "Haven 23 <&>"
    assert article["description"] == "24 okt · Schepen & kranen, dag 23."
    assert article["thumbnail_url"] == "https://example.nl/23.jpg"
    assert article["url"] == "https://example.nl/h23"
    content = article["input_message_content"]
    assert content["parse_mode"] == "HTML"
    assert content["message_text"].startswith("<b>Haven 23 &lt;&amp;&gt;</b>\n\nSchepen &amp;")
    assert '<a href="https://example.nl/h23">Lees verder</a>' in content["message_text"]
    assert answer.texts[0].startswith("Haven 23 <&>\n\nSchepen & kranen")  # as Telegram shows it


def test_a_search_is_paged_best_first_in_the_readers_language(
    fake_telegram: FakeTelegram, catalog: Catalog
) -> None:
    german = FakeUser(id=3001, language_code="de")
    first, second, none = inline(
        fake_telegram,
        catalog,
        [(german, "HAVEN", ""), (german, "HAVEN", "20"), (german, "zeppelin", "")],
    )
    assert titles(first) == [f"Haven {n} <&>" for n in range(24, 4, -1)]
    assert first.next_offset == "20" and second.next_offset == ""
    assert titles(second) == [f"Haven {n} <&>" for n in range(4, -1, -1)]
    assert first.results[0]["description"].startswith("25. Okt.")
    assert "Weiterlesen</a>" in first.results[0]["input_message_content"]["message_text"]
    assert none.results == [] and none.next_offset == ""


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ('"', "Het weer"),  # no words: the latest
        ("haven*", "Haven 24 <&>"),
        ("^haven", "Haven 24 <&>"),
        ("NEAR(haven, 2)", None),  # every word is needed: "near", "haven", "2"
        ("haven -kraan", None),
        ("title:haven", None),
        ("(haven OR weer) AND NOT x", None),
        ("h\u0301a\u0301ven", "Haven 24 <&>"),  # accents folded
        ("ha\u200bven\u202e", "Haven 24 <&>"),  # invisible characters gone
        ("\x00haven", "Haven 24 <&>"),
        ("🔥" * 128, "Het weer"),  # nothing to look for: the latest
        ("x" * 256, None),
    ],
)
def test_any_query_gets_an_answer_telegram_takes(
    fake_telegram: FakeTelegram, catalog: Catalog, query: str, first: str | None
) -> None:
    """FTS syntax is text, unicode tricks are folded away: an answer, never an error."""
    (answer,) = inline(fake_telegram, catalog, [(READER, query, "")])
    assert all(r.status == 200 for r in fake_telegram.requests_for("answerInlineQuery"))
    assert (titles(answer) or [None])[0] == first


def test_too_many_words_get_a_short_notice_and_nothing_else(
    fake_telegram: FakeTelegram, catalog: Catalog
) -> None:
    (answer,) = inline(fake_telegram, catalog, [(READER, "haven " * 40, "")])
    assert answer.results == []
    assert answer.button == {
        "text": "Dat zijn veel woorden: ik zoek er hoogstens 10.",
        "start_parameter": "search",
    }


def test_typing_fast_is_answered_then_told_then_silence(
    fake_telegram: FakeTelegram, catalog: Catalog
) -> None:
    """Inline queries go through the reader's flood control, five to a command: past the
    burst one notice (a button, cached by no one), then no answer at all."""
    checks = itertools.count()  # the gate asks the time once a query: the 8th comes later
    ids: list[str] = []

    async def scenario() -> None:
        updates = [
            fake_telegram.inject_inline_query(READER, "haven"[: n % 5 + 1]) for n in range(7)
        ]
        # The reader's queries are handled in order: this one's answer shows they all were.
        later = fake_telegram.inject_inline_query(READER, "haven")
        await asyncio.to_thread(fake_telegram.wait_for_inline_answer, later)
        ids.extend(u["inline_query"]["id"] for u in [*updates, later])

    gate = FloodGate(burst=1, refill=5, clock=lambda: 0.0 if next(checks) < 7 else 1.0)
    run_bot(fake_telegram, catalog, scenario, flood=gate)
    answers = fake_telegram.inline_answers
    assert [query in answers for query in ids] == [True] * 6 + [False, True]
    notice = answers[ids[5]]
    assert notice.results == [] and notice.cache_time == 0
    assert notice.button is not None and notice.button["text"].startswith("Rustig aan")
    assert len(answers[ids[7]].results) == INLINE_PAGE


def test_a_reader_whose_answer_hangs_does_not_hold_up_the_others(
    fake_telegram: FakeTelegram, catalog: Catalog
) -> None:
    """Inline queries have no chat: each reader's are handled in order, readers side by
    side, so one slow answer does not make every other reader's query expire."""
    other = FakeUser(id=3001, language_code="nl")
    fake_telegram.fail_methods.add("answerInlineQuery")

    async def scenario() -> None:
        fake_telegram.fail_next("timeout")  # held until the client gives up (5 s)
        fake_telegram.inject_inline_query(READER, "haven")
        await asyncio.to_thread(
            fake_telegram.wait_for,
            lambda f: f.requests_for("answerInlineQuery"),
            10,
            "the first answer on its way",
        )
        update = fake_telegram.inject_inline_query(other, "weer")
        await asyncio.to_thread(fake_telegram.wait_for_inline_answer, update)
        # Answered while the first one hangs; it may end now (the connection drops)
        # rather than hold the bot's stop for the client's 5 s.
        fake_telegram.release_holds()

    run_bot(fake_telegram, catalog, scenario)
    held, answered = fake_telegram.requests_for("answerInlineQuery")
    assert held.status is None and answered.status == 200
    assert answered.time - held.time < 2.5  # not after the first one's 5 s


# -- the fake, as Telegram ----------------------------------------------------------------


def article(n: int, text: str = "<b>ok</b>") -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        id=f"r{n}",
        title=f"T{n}",
        input_message_content=InputTextMessageContent(text, parse_mode="HTML"),
    )


@pytest.mark.parametrize(
    ("results", "extra", "error"),
    [
        ([article(n) for n in range(51)], {}, "RESULTS_TOO_MUCH"),
        ([article(1), article(1)], {}, "RESULT_ID_DUPLICATE"),
        ([InlineQueryResultArticle(id="x" * 65, title="T", input_message_content=InputTextMessageContent("a"))], {}, "RESULT_ID_INVALID"),
        ([article(1, "<b>open")], {}, "can't parse entities"),
        ([article(1, "x" * 4097)], {}, "MESSAGE_TOO_LONG"),
        ([article(1)], {"next_offset": "1" * 65}, "NEXT_OFFSET_INVALID"),
    ],
)  # fmt: skip
def test_the_fake_refuses_what_telegram_refuses(
    fake_telegram: FakeTelegram, results: list[Any], extra: dict[str, Any], error: str
) -> None:
    update = fake_telegram.inject_inline_query(READER, "q")
    query_id = update["inline_query"]["id"]
    with pytest.raises(BadRequest, match=f"(?i){error}"):
        with_bot(fake_telegram, lambda bot: bot.answer_inline_query(query_id, results, **extra))
    assert fake_telegram.inline_answers == {}


def test_the_fake_takes_one_answer_per_query_within_its_lifetime(
    fake_telegram: FakeTelegram,
) -> None:
    clock = [1000.0]
    fake_telegram.clock = lambda: clock[0]
    first = fake_telegram.inject_inline_query(READER, "q")["inline_query"]["id"]
    late = fake_telegram.inject_inline_query(READER, "q")["inline_query"]["id"]
    assert with_bot(fake_telegram, lambda bot: bot.answer_inline_query(first, [article(1)]))
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        with_bot(fake_telegram, lambda bot: bot.answer_inline_query(first, [article(1)]))
    clock[0] += fake_telegram.inline_query_lifetime + 1
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        with_bot(fake_telegram, lambda bot: bot.answer_inline_query(late, []))
    assert list(fake_telegram.inline_answers) == [first]
    assert ERR_QUERY_TOO_OLD.startswith("Bad Request: query is too old")
