"""Rendering's short cuts give what the plain way gives: the fast paths (ASCII, one
regex instead of several, each part measured once) against the way they replace, over
texts that are hard to count: emoji, combining marks, CJK, RTL, joiners, URLs."""

from __future__ import annotations

import datetime as dt
import html
import itertools
import re
from collections.abc import Sequence
from zoneinfo import ZoneInfo

import pytest

from bot.channels.bluesky_record import cost as bluesky_cost
from bot.jekyll.posts import Post
from bot.summary import MastodonRules, Measure, console_date, fit, render_telegram
from bot.text import ELLIPSIS, clean_text, shorten, strip_controls, utf16_len
from tests.test_summary import make_post

TRICKY = [
    "",
    "a",
    "plain ASCII words. And a sentence! Another?",
    "Café crème",
    "e\u0301 a\u0308\u0301",  # combining marks
    "👍🏽 👨‍👩‍👧‍👦 🇳🇱🇧🇪 🏳️‍🌈",  # a skin tone, a ZWJ family, flags, a ZWJ flag
    "中文字日本語のテキスト한국어",  # CJK without a space
    "\u1100\u1161\u11a8 한국",  # Hangul jamo
    "שלום עולם \u200f مرحبا \u200e",  # RTL with direction marks
    "\U0001d165\U0001d16d 𝄞",  # astral combining marks
    "see https://example.org/a/b?c=d and HTTP://X.Y/",
    "ASCII … then shortened…",
    "  spaces\t\ttabs\nnewlines\r\n\x0bvt\x0cff\x1c\x1d\x1e\x1f\x85\u2028\u2029\u00a0 end  ",
    " \t",
    "ctrl\x00\x01\x07\x1b[31m\x7f\x9f del",
    "lone \ud800 surrogate \udfff",
    "ǅ ﬁ ａｂｃ \u0915\u094d\u0937 \u0e01\u0e33 x\u0903 \u0600\u0661",  # Indic, Thai, Arabic
]
_CONTROLS = "[\x00-\x1f\x7f-\x9f\ud800-\udfff]"


def test_text_helpers_agree_with_the_plain_way() -> None:
    for text in TRICKY + ["".join(pair) for pair in itertools.permutations(TRICKY, 2)]:
        assert clean_text(text) == re.sub(_CONTROLS, "", re.sub(r"\s+", " ", text)).strip()
        by_line = "\n".join(re.sub(_CONTROLS, "", line) for line in text.split("\n"))
        assert strip_controls(text) == by_line
        assert utf16_len(text) == len(text.encode("utf-16-le", "surrogatepass")) // 2


def _fit_measuring_candidates(
    post: Post, limit: int, measure: Measure, fixed: Sequence[str], tags: list[str]
) -> tuple[str, str, list[str]]:
    """What `fit` returns, each candidate measured whole (as it was first written)."""

    def cost(title: str, lead: str, tags: list[str]) -> int:
        parts = [p for p in (title, lead, *fixed, " ".join(tags)) if p]
        return sum(measure(p) for p in parts) + 2 * (len(parts) - 1)

    if cost(post.title, post.lead, tags) <= limit:
        return post.title, post.lead, tags
    for kept_tags in (tags, []):
        if not post.lead:
            if cost(post.title, "", kept_tags) <= limit:
                return post.title, "", kept_tags
            continue
        room = limit - cost(post.title, "", kept_tags) - 2
        lead = shorten(post.lead, room, measure) if room > 0 else ""
        enough = measure(lead) >= min(measure(post.lead), 100)
        if lead and (enough or not kept_tags):
            return post.title, lead, kept_tags
    room = limit - cost("", "", []) - 2
    if measure(post.title) <= room:
        return post.title, "", []
    return shorten(post.title, room, measure), "", []


def _shorten_through_every_cut(text: str, budget: int, measure: Measure) -> str:
    """What `shorten` returns, every sentence and word end of the text searched."""

    def longest(cuts: list[int], suffix: str) -> str:
        fitting = [
            c for c in cuts if text[:c].rstrip() and measure(text[:c].rstrip() + suffix) <= budget
        ]
        return text[: fitting[-1]].rstrip() + suffix if fitting else ""

    if measure(text) <= budget:
        return text
    if budget <= 0:
        return ""
    sentence = longest([m.end() for m in re.finditer(r"[.!?…][\"'”’»)\]]*(?=\s)", text)], "")
    if sentence and measure(sentence) * 3 >= budget:
        return sentence
    word = longest([m.start() for m in re.finditer(r"\s", text)], ELLIPSIS)
    if word and measure(word) * 3 >= budget:
        return word
    return shorten(text, budget, measure)  # between graphemes: not this test's


MEASURES: list[Measure] = [len, utf16_len, MastodonRules().text_cost, bluesky_cost]
TEXTS = [clean_text(t) for t in TRICKY if clean_text(t)]


@pytest.mark.parametrize("measure", MEASURES)
@pytest.mark.parametrize("fixed", [[], ["Lees verder"], ["x" * 23, "link…"]])
def test_fit_measuring_each_part_once_fits_as_measuring_every_candidate(
    measure: Measure, fixed: list[str]
) -> None:
    tags_choices: list[list[str]] = [[], ["#A"], ["#Économie", "#👍", "#中文"]]
    for title, lead, tags in itertools.product(TEXTS[::4], [*TEXTS[1:], ""], tags_choices):
        # The grapheme library is slow on long texts: Bluesky's count on shorter ones.
        for repeat in (1,) if measure is bluesky_cost else (1, 12):
            post = make_post(title=title, lead=" ".join([lead] * repeat))
            whole = sum(measure(p) + 2 for p in (post.title, post.lead, *fixed, *tags) if p)
            # Every limit near where a part stops fitting, and a few far off.
            for limit in {*range(whole - 120, whole + 3, 17), 0, 5, 40, 300}:
                assert fit(post, limit, measure, fixed=fixed, tags=tags) == (
                    _fit_measuring_candidates(post, limit, measure, fixed, tags)
                ), (title, lead, repeat, limit)


@pytest.mark.parametrize(
    "date",
    [
        dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 29, 3, 30, tzinfo=ZoneInfo("Europe/Amsterdam")),  # DST began
        dt.datetime(2026, 1, 1),  # naive: no offset at all
        dt.datetime(999, 1, 1, tzinfo=dt.UTC),  # a year strftime writes without padding
        dt.datetime(1000, 1, 1, tzinfo=dt.timezone(-dt.timedelta(hours=3, minutes=30))),
        dt.datetime(2020, 5, 5, 23, 59, 59, 999999, tzinfo=dt.timezone(dt.timedelta(0, 7, 3))),
        dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.timezone(-dt.timedelta(seconds=1))),
    ],
)
def test_the_console_date_is_strftimes(date: dt.datetime) -> None:
    assert console_date(date) == date.strftime("%Y-%m-%d %H:%M %z")


def test_telegram_escapes_as_html_escape_does() -> None:
    for text in [*TEXTS, "a & b", "<b>", 'say "x"', "it's", "&amp;", "👍 < 👎 & 中"]:
        post = make_post(title=text, lead=text, link=f"https://e.nl/?q={text}&r=1")
        sent = render_telegram(post, "nl", read_more=f"{text} »")
        link = f'<a href="{html.escape(post.link)}">{html.escape(text + " »")}</a>'
        assert sent.text == f"<b>{html.escape(text)}</b>\n\n{html.escape(text)}\n\n{link}"


@pytest.mark.parametrize("measure", MEASURES)
def test_shorten_looking_only_within_the_budget_cuts_where_every_cut_is_tried(
    measure: Measure,
) -> None:
    sentences = ["Een zin. ", "Nog één! ", "Vraag?» ", "https://e.nl/a. ", "(Haakjes.) "]
    tricky = [t for t in TRICKY if "\ud800" not in t]  # Bluesky's count encodes as UTF-8
    for text in [*tricky, *(s * n for s in sentences for n in (3, 20)), " ".join(tricky) * 3]:
        size = measure(text)
        # Budgets a cut meets exactly: where a sentence or a word ends, measured.
        ends = [m.start() for m in re.finditer(r"\s", text)][:15]
        edges = {measure(text[:end].rstrip() + suffix) for end in ends for suffix in ("", "…")}
        for budget in {0, 1, 2, 5, 99, 299, 500, size - 1, size // 2, size // 3, *edges}:
            expected = _shorten_through_every_cut(text, budget, measure)
            assert shorten(text, budget, measure) == expected, (text, budget)
