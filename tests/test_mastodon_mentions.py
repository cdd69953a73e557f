"""What a mention asks and what the account answers (pure): commands out of HTML and
hostile text, which notifications get no answer, answers within every limit."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mastodon import Mastodon

from bot.chat import mastodon_replies as texts
from bot.chat.mastodon_mentions import (
    MAX_WORDS,
    Command,
    answerable,
    id_order,
    ignored,
    mention_text,
    parse,
)
from bot.jekyll.posts import Post
from bot.state.catalog import Category
from bot.summary import MastodonRules
from bot.words import LANGUAGES

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
OURS = '<span class="h-card" translate="no"><a href="https://m.nl/@postbode" class="u-url mention">@<span>postbode</span></a></span>'


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("latest", Command("latest", count=5)),
        ("latest 3", Command("latest", count=3)),
        ("Latest, 3", Command("latest", count=3)),  # the word's own punctuation goes
        ("LATEST: 20", Command("latest", count=20)),
        ("/latest 7", Command("latest", count=7)),
        ("latest 21", Command("latest", valid=False)),
        ("latest 0", Command("latest", valid=False)),
        ("latest 99999999999999999999", Command("latest", valid=False)),
        ("latest ３", Command("latest", count=3)),  # fullwidth digit, folded
        ("ｌａｔｅｓｔ 2", Command("latest", count=2)),  # fullwidth letters
        ("la\u200btest", Command("latest", count=5)),  # a zero-width space inside
        ("\u202elatest", Command("latest", count=5)),  # a bidi override before it
        ("category", Command("category")),
        ("categorie Économie", Command("category", "Économie")),
        ("category  sport   en  spel", Command("category", "sport en spel")),
        ("search klimaat", Command("search", "klimaat")),
        ("zoek Klimaat Akkoord!", Command("search", "Klimaat Akkoord")),
        ('search "NEAR(a b)" OR c* -d', Command("search", "NEAR a b OR c d")),
        ("search", Command("search", valid=False)),
        ("search !!! ???", Command("search", valid=False)),
        ("search " + " ".join(["w"] * (MAX_WORDS + 1)), Command("search", valid=False)),
        ("search " + "woord " * 1000, Command("search", valid=False)),
        ("search " + "x" * 5000, Command("search", "x" * 40)),
        ("", Command("help", written=False)),
        ("   ", Command("help", written=False)),
        ("hello there", Command("help", written=False)),
        ("@postbode @alice latest 2", Command("latest", count=2)),  # plain-text mentions
        ("thanks! latest", Command("help", written=False)),
    ],
)
def test_commands(text: str, command: Command) -> None:
    assert parse(text) == command


@pytest.mark.parametrize(
    ("content", "text"),
    [
        (f"<p>{OURS} latest 3</p>", "latest 3"),
        (f"<p>{OURS} {OURS.replace('postbode', 'alice')} search a &amp; b</p>", "search a & b"),
        (f"<p>{OURS}</p><p>category<br>sport</p>", "category sport"),
        (
            f'<p>{OURS} zoek <a href="https://m.nl/tags/x" class="mention hashtag">#<span>x</span></a></p>',
            "zoek #x",
        ),
        ("<p>@postbode latest</p>", "@postbode latest"),  # not linked: parse drops it
        ("<p><a class='mention'><a>nested</a></a> latest", "latest"),
        ("<p>latest</b></i></span>", "latest"),
        ("", ""),
    ],
)
def test_the_text_of_a_mention(content: str, text: str) -> None:
    assert mention_text(content) == text


def notification(**changes: object) -> dict[str, object]:
    status: dict[str, object] = {
        "id": "9",
        "account": {"id": "2", "acct": "alice", "bot": False},
        "reblog": None,
        "edited_at": None,
        "in_reply_to_account_id": None,
    }
    body: dict[str, object] = {"id": "1", "type": "mention", "created_at": NOW, "status": status}
    for key, value in changes.items():
        (status if key in status else body)[key] = value
    return body


@pytest.mark.parametrize(
    ("note", "reason"),
    [
        (notification(), None),
        (notification(type="reblog"), "not a mention"),
        (notification(type="update"), "not a mention"),
        (notification(status=None), "a mention without its status"),
        (notification(id=None), "a mention without its status"),
        (notification(account={"id": "3", "acct": "x y"}), "an account without a handle"),
        (notification(account={"id": "3"}), "an account without a handle"),
        (notification(account={"id": "3", "acct": "bob@elders.example"}), None),
        (notification(account={"id": "1", "acct": "postbode"}), "our own status"),
        (notification(account={"id": "3", "acct": "echo", "bot": True}), "from a bot"),
        (notification(reblog={"id": "8"}), "a boost"),
        (notification(edited_at="2026-12-02T08:59:00Z"), "an edit of a status"),
        (notification(edited_at="2026-12-02T09:00:01Z"), None),  # edited after: the mention
        (notification(created_at="2026-11-30T09:00:00.000Z"), "older than a day"),
        (notification(created_at="yesterday"), None),  # unreadable: answered
    ],
)
def test_which_notifications_get_no_answer(note: dict[str, object], reason: str | None) -> None:
    assert ignored(note, own_id="1", now=NOW) == reason


def test_a_reply_to_ours_is_answered_only_when_it_asks() -> None:
    to_us = {"in_reply_to_account_id": "1"}
    assert not answerable(parse("thanks!"), to_us, "1")
    assert answerable(parse("latest"), to_us, "1")
    assert answerable(parse("thanks!"), {"in_reply_to_account_id": "5"}, "1")


def test_ids_in_the_order_of_their_numbers() -> None:
    assert sorted(["110", "99", "1000", "101"], key=id_order) == ["99", "101", "110", "1000"]


def post(n: int, title: str = "") -> Post:
    return Post(
        path=f"p{n}.md",
        title=title or f"Post number {n}",
        date=dt.datetime(2026, 11, n + 1, 10, tzinfo=dt.UTC),
        link=f"https://krant.nl/{n}",
    )


RULES = MastodonRules(500, 23)
SMALL = MastodonRules(120, 23)
POSTS = [post(n, "@everyone #tag " + "lang " * 40 if n == 2 else "") for n in range(1, 21)]
CATEGORIES = [Category(f"Categorie {n}", f"categorie {n}", n) for n in range(1, 60)]


def every_answer(asker: str, language: str, rules: MastodonRules) -> list[str]:
    return [
        texts.help_answer(asker, "krant.nl", language, rules),
        texts.latest_answer(asker, POSTS, language, NOW, rules),
        texts.latest_answer(asker, [], language, NOW, rules),
        texts.search_answer(asker, "a@b #c https://x.nl " * 20, POSTS, language, NOW, rules),
        texts.search_answer(asker, "niets", [], language, NOW, rules),
        texts.categories_answer(asker, CATEGORIES, language, rules),
        texts.categories_answer(asker, [], language, rules),
        texts.unknown_category_answer(asker, "Categorie 7x", CATEGORIES, language, rules),
        texts.unknown_category_answer(asker, "@x " * 100, CATEGORIES, language, rules),
        texts.usage(asker, "latest", language, rules),
        texts.usage(asker, "search", language, rules),
    ]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("rules", [RULES, SMALL], ids=["500", "120"])
@pytest.mark.parametrize("asker", ["alice", "a_very_long_name@a.very.long.instance.example"])
def test_every_answer_fits_and_mentions_only_the_asker(
    language: str, rules: MastodonRules, asker: str
) -> None:
    """Counted as the server counts (Mastodon.py's counter), every answer fits; the
    only @handle in it is the asker's, and it tags nothing."""
    for text in every_answer(asker, language, rules):
        assert Mastodon.get_status_length(text) <= rules.max_characters, text
        assert text.startswith(f"@{asker} ") and text.count("@") == asker.count("@") + 1, text
        assert "#" not in text, text


def test_a_listing_keeps_whole_entries_and_the_newest_first() -> None:
    text = texts.latest_answer("alice", POSTS, "en", NOW, RULES)
    links = [line for line in text.splitlines() if line.startswith("https://")]
    assert links == [f"https://krant.nl/{n}" for n in range(1, len(links) + 1)]
    assert 3 <= len(links) < 20
    assert "＠everyone ＃tag" in text  # shown, but linking no one


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_content_gives_a_command(content: str) -> None:
    """Whatever a server sends as content (HTML or not), a command comes out."""
    assert parse(mention_text(content)).kind in ("latest", "category", "search", "help")
