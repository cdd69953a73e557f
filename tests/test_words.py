"""postbode's own words in every language it speaks: complete, fitting, parsed by
Telegram, dates in the reader's language, and which language a code means."""

from __future__ import annotations

import dataclasses
import datetime as dt
import string
import subprocess
import sys

import pytest

from bot.chat import replies
from bot.jekyll.posts import Post
from bot.state.catalog import Category
from bot.summary import TELEGRAM_CAPTION_LIMIT, TELEGRAM_TEXT_LIMIT, render_telegram
from bot.text import utf16_len
from bot.words import FALLBACK, LANGUAGES, Words, pick, resolve, words
from bot.words.dates import short_date
from tests import telegram_html
from tests.conftest import REPO

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
FIELDS = [f.name for f in dataclasses.fields(Words)]


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_the_languages_of_the_sites_we_test_against() -> None:
    """The 18 languages the issue names, no more, no fewer."""
    assert sorted(LANGUAGES) == sorted(
        [
            "en",
            "nl",
            "de",
            "fr",
            "es",
            "it",
            "pt",
            "pl",
            "cs",
            "uk",
            "ru",
            "bg",
            "tr",
            "ja",
            "zh",
            "ko",
            "vi",
            "id",
        ]
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_has_english_placeholders_and_no_markup(language: str) -> None:
    """Each text exists, says something, and takes exactly the values English's takes;
    it is plain text (HTML is escaped where it is sent), with no stray whitespace."""
    said, english = words(language), words("en")
    for name in FIELDS:
        text = getattr(said, name)
        assert text.strip() == text != "", (language, name)
        assert placeholders(text) == placeholders(getattr(english, name)), (language, name)
        assert "<" not in text and "&" not in text, (language, name)
    if language != "en":  # a language that is English in disguise is not a translation
        assert said.read_more != english.read_more and said.help != english.help


@pytest.mark.parametrize("language", LANGUAGES)
def test_command_descriptions_fit_the_menu(language: str) -> None:
    """setMyCommands takes descriptions of 1–256 characters, on one line."""
    said = words(language)
    for text in (
        said.cmd_latest,
        said.cmd_category,
        said.cmd_search,
        said.cmd_help,
        said.cmd_status,
    ):
        assert 1 <= len(text) <= 256 and "\n" not in text


def post(n: int = 0, **extra: object) -> Post:
    return Post(  # type: ignore[arg-type]
        path=f"{n}.md",
        title=f"Bericht {n} <&> " + "lang " * 60,
        date=dt.datetime(2026, 11, 1 + n % 28, 10, tzinfo=dt.UTC),
        link=f"https://example.nl/{n}?a=1&b=2",
        lead="Een lange alinea & meer. " * 300,
        categories=("Economie", "Buitenland"),
        **extra,
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("image", [None, "https://example.nl/a.jpg"])
def test_every_language_renders_a_summary_within_the_limit(
    language: str, image: str | None
) -> None:
    """A summary too long for its message or caption fits in every language, parses, and
    ends with the link in that language."""
    message = render_telegram(post(image_url=image), "nl", words_in=language)
    visible, entities = telegram_html.parse(message.text)
    limit = TELEGRAM_CAPTION_LIMIT if image else TELEGRAM_TEXT_LIMIT
    assert utf16_len(visible) == message.used <= limit
    link = next(e for e in entities if e.type == "text_link")
    shown = visible.encode("utf-16-le")[2 * link.offset : 2 * (link.offset + link.length)]
    assert shown.decode("utf-16-le") == words(language).read_more


@pytest.mark.parametrize(
    ("post_language", "words_in", "read_more", "shown"),
    [
        (None, None, None, "Lees verder"),  # LANGUAGE
        ("de", None, None, "Weiterlesen"),  # the post's own language, where we speak it
        ("ar", None, None, "Lees verder"),  # one we do not: LANGUAGE
        ("de", "fr", None, "Lire la suite"),  # a destination's language wins
        ("de", "fr", "Het hele verhaal <hier>", "Het hele verhaal <hier>"),  # its own text
    ],
)
def test_the_read_more_words(
    post_language: str | None, words_in: str | None, read_more: str | None, shown: str
) -> None:
    """Whose words the link under a summary is in, and a destination's own text, escaped."""
    message = render_telegram(
        post(language=post_language), "nl", words_in=words_in, read_more=read_more
    )
    visible, _ = telegram_html.parse(message.text)
    assert visible.split("\n\n")[-2] == shown


CATEGORIES = [Category(f"Categorie {n} <&>" + "x" * 50, f"categorie {n}", n) for n in range(40)]


def every_reply(language: str) -> dict[str, str]:
    """Each reply a reader can get, with as much in it as it can hold."""
    many = [post(n) for n in range(replies.MAX_LATEST)]
    said = words(language)
    built = {
        "help": replies.help_reply(language, ["@postbode_test", "-1001234567890"]),
        "usage": replies.usage_reply(language),
        "latest": replies.latest_reply(many, language, NOW),
        "none": replies.latest_reply([], language, NOW),
        "category": replies.category_reply(CATEGORIES[3], many, language, NOW),
        "categories": replies.categories_reply(CATEGORIES, language),
        "no_categories": replies.categories_reply([], language),
        "did_you_mean": replies.unknown_category_reply("Categorie 3", CATEGORIES, language),
        "pick": replies.unknown_category_reply("<b>🔥</b>" * 100, CATEGORIES, language),
        "flood": replies.Reply(replies.say(said.flood)),
        "private": replies.Reply(replies.say(said.private)),
    }
    return {name: reply.text for name, reply in built.items()}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_reply_in_every_language_fits_and_parses(language: str) -> None:
    """Every reply is valid Telegram HTML within 4096, in the reader's words."""
    for name, text in every_reply(language).items():
        visible, _ = telegram_html.parse(text)
        assert 0 < utf16_len(visible) <= TELEGRAM_TEXT_LIMIT, (language, name)
    said = words(language)
    texts = every_reply(language)
    assert telegram_html.visible_text(texts["none"]) == said.none
    assert telegram_html.visible_text(texts["latest"]).startswith(said.latest)
    assert telegram_html.visible_text(texts["usage"]) == said.usage.format(most=20)


@pytest.mark.parametrize(
    ("language", "when", "shown"),
    [
        ("nl", dt.datetime(2026, 5, 14, 20, tzinfo=dt.UTC), "14 mei"),
        ("en", dt.datetime(2026, 5, 14, 20, tzinfo=dt.UTC), "May 14"),
        ("de", dt.datetime(2026, 5, 14, 20, tzinfo=dt.UTC), "14. Mai"),
        ("fr", dt.datetime(2026, 2, 3, 20, tzinfo=dt.UTC), "3 févr."),
        ("ru", dt.datetime(2026, 5, 14, 20, tzinfo=dt.UTC), "14 мая"),
        ("ja", dt.datetime(2026, 5, 14, 20, tzinfo=dt.UTC), "5月14日"),
        ("zh", dt.datetime(2026, 5, 14, 20, tzinfo=dt.UTC), "5月14日"),
        # Another year: with the year, as the language writes it.
        ("nl", dt.datetime(2019, 5, 4, 20, tzinfo=dt.UTC), "4 mei 2019"),
        ("en", dt.datetime(2019, 5, 4, 20, tzinfo=dt.UTC), "May 4, 2019"),
        ("ko", dt.datetime(2019, 5, 4, 20, tzinfo=dt.UTC), "2019년 5월 4일"),
        # The day as the post's own zone has it, and "this year" there too.
        ("nl", dt.datetime(2025, 12, 31, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5))), "31 dec 2025"),
        ("en", dt.datetime(2026, 1, 1, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))), "Jan 1"),
    ],
)  # fmt: skip
def test_dates_in_the_readers_language(language: str, when: dt.datetime, shown: str) -> None:
    """CLDR's short day-and-month for the language, the year only when it is not this one."""
    assert short_date(when, language, NOW) == shown


def test_the_year_is_this_years_in_the_posts_own_zone() -> None:
    """At 02:00 UTC on New Year's Day it is still the old year in New York."""
    new_york = dt.timezone(dt.timedelta(hours=-5))
    when = dt.datetime(2026, 12, 31, 18, tzinfo=new_york)
    assert short_date(when, "nl", dt.datetime(2027, 1, 1, 2, tzinfo=dt.UTC)) == "31 dec"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_its_dates(language: str) -> None:
    """Babel knows each of our languages; a date is never the English one in disguise
    (where the language writes months in words of its own)."""
    when = dt.datetime(2019, 5, 4, tzinfo=dt.UTC)
    short, long = (
        short_date(when.replace(year=2026), language, NOW),
        short_date(when, language, NOW),
    )
    assert "4" in short and "2019" in long and "2019" not in short


@pytest.mark.parametrize(
    ("code", "ours"),
    [
        # Telegram's language_code: IETF tags, lower case, as the reader's app is set.
        ("en", "en"),
        ("de", "de"),
        ("pt-br", "pt"),
        ("zh-hans", "zh"),
        ("zh-hant", "zh"),  # Simplified reads better for them than the fallback
        ("uk", "uk"),
        ("id", "id"),
        ("xx", None),
        ("ar", None),
        ("", None),
        (None, None),
        # Locales and front matter: gettext's and other spellings.
        ("de_DE.UTF-8", "de"),
        ("sr@latin", None),
        ("nl_NL@euro", "nl"),
        ("en-GB", "en"),
        (" JA ", "ja"),
        ("C", None),
    ],
)
def test_a_language_code_to_one_of_ours(code: str | None, ours: str | None) -> None:
    """Only the primary subtag counts; a language we do not speak is None."""
    assert resolve(code) == ours


def test_pick_takes_the_first_we_speak_else_the_fallback() -> None:
    """A reader's language where we have it, else LANGUAGE; unknown words are English."""
    assert pick("de", fallback="nl") == "de"
    assert pick("xx", "pt-br", fallback="nl") == "pt"
    assert pick(None, "xx", fallback="nl") == "nl"
    assert words("xx") == words(FALLBACK) == words("en")
    assert short_date(NOW, "xx", NOW) == short_date(NOW, "en", NOW) == "Dec 2"


def test_babel_is_not_imported_on_the_publishing_path() -> None:
    """Babel costs ~30 ms to import: the worker, the summaries and the replies module
    load without it, and it comes with the first date a reader asks for."""
    code = (
        "import sys, datetime as dt, bot.worker, bot.app, bot.summary, bot.chat.replies\n"
        "assert 'babel' not in sys.modules, 'imported at start-up'\n"
        "from bot.words.dates import short_date\n"
        "short_date(dt.datetime(2026, 5, 14, tzinfo=dt.UTC), 'nl', dt.datetime.now(dt.UTC))\n"
        "assert 'babel' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)
