"""Summaries: always within the channel's limit, always accepted by its parser."""

from __future__ import annotations

import datetime as dt
import html

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from mastodon import Mastodon

from bot.channels.mastodon_urls import instance_rules
from bot.jekyll.posts import Post
from bot.summary import (
    TELEGRAM_CAPTION_LIMIT,
    TELEGRAM_TEXT_LIMIT,
    MastodonRules,
    hashtags,
    render_console,
    render_mastodon,
    render_telegram,
)
from bot.text import clean_text, shorten, utf16_len
from tests import telegram_html

DATE = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)


def make_post(
    title: str = "Titel", lead: str = "Lead.", link: str = "https://example.nl/a", **extra: object
) -> Post:
    return Post(path="p.md", title=title, date=DATE, link=link, lead=lead, **extra)  # type: ignore[arg-type]


# Text as it comes out of the parser: cleaned, never empty for a title.
texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=3000
).map(clean_text)
titles = texts.filter(bool).map(lambda t: t[:1024])
links = st.sampled_from(
    [
        "https://example.nl/a",
        "https://nos.nl/l/2284652",
        "http://x.nl/" + "a" * 300,
        "https://example.nl/a?b=1&c=%22<>%22",
        "https://example.internal/no-known-tld/" + "x" * 60,
        "https://xn--caf-dma.nl/%C3%A9t%C3%A9",
    ]
)
labels = st.lists(st.text(min_size=1, max_size=30), max_size=8).map(tuple)
images = st.sampled_from([None, "https://example.nl/a.jpg"])
hard_titles = ["<b>&amp;</b> & <script>", "👨‍👩‍👧" * 300, "ש" * 1100, "a" * 5000]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=titles, lead=texts, link=links, categories=labels, tags=labels, image=images)
@example(
    title=hard_titles[0],
    lead="x < y && y > z; <p>not a tag</p>",
    link="https://e.nl/?a=1&b=2",
    categories=("a b",),
    tags=(),
    image=None,
)
@example(
    title=hard_titles[1],
    lead="😀" * 3000,
    link="https://example.nl/a",
    categories=(),
    tags=(),
    image="https://example.nl/a.jpg",
)
@example(
    title=hard_titles[2],
    lead="مرحبا " * 600,
    link="https://example.nl/a",
    categories=(),
    tags=(),
    image=None,
)
@example(
    title=hard_titles[3],
    lead="",
    link="https://example.nl/a",
    categories=(),
    tags=(),
    image="https://example.nl/a.jpg",
)
def test_telegram_text_parses_and_fits(
    title: str, lead: str, link: str, categories: tuple, tags: tuple, image: str | None
) -> None:
    """Any title/lead/link gives HTML that Telegram's parser accepts, within 4096 / 1024."""
    post = make_post(title, lead, link, categories=categories, tags=tags, image_url=image)
    message = render_telegram(post, "nl")
    text, entities = telegram_html.parse(message.text)
    limit = TELEGRAM_CAPTION_LIMIT if image else TELEGRAM_TEXT_LIMIT
    assert message.limit == limit
    assert telegram_html.utf16_len(text) <= limit
    assert message.used == telegram_html.utf16_len(text)
    assert text.strip(), "Telegram rejects empty text"
    assert any(e.type == "text_link" and e.url == link for e in entities)
    assert message.method == ("sendPhoto" if image else "sendMessage")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=titles,
    lead=texts,
    link=links,
    categories=labels,
    tags=labels,
    limit=st.sampled_from([500, 280, 1000]),
)
@example(
    title="Kort",
    lead="Zie http://a.nl en https://b.nl/" + "x" * 100 + " voor meer. " * 40,
    link="https://example.nl/a",
    categories=(),
    tags=(),
    limit=500,
)
@example(
    title="@user@example.social " * 3,
    lead="@a@b.nl " * 100,
    link="https://example.nl/a",
    categories=(),
    tags=(),
    limit=500,
)
def test_mastodon_text_fits_when_counted_mastodons_way(
    title: str, lead: str, link: str, categories: tuple, tags: tuple, limit: int
) -> None:
    """Counted with Mastodon.py's implementation of the server rule, the status fits."""
    post = make_post(title, lead, link, categories=categories, tags=tags)
    status = render_mastodon(post, "nl", instance_rules(max_characters=limit))
    counted = Mastodon.get_status_length(status.text)
    assert counted <= limit
    assert status.used >= counted, "our count must never be below the server's"
    assert link in status.text.split("\n\n")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=titles,
    lead=texts,
    warning=texts,
    extra=st.lists(st.from_regex(r"\w{1,30}", fullmatch=True), max_size=4).map(tuple),
    limit=st.sampled_from([500, 280]),
)
@example(
    title="Kort",
    lead="Zie de foto's. " * 60,
    warning="Geweld, zie https://example.nl/uitleg en @redactie@example.social " * 12,
    extra=("nieuws",),
    limit=500,
)
@example(title="0", lead="0", warning="0  0", extra=(), limit=500)
def test_mastodon_status_fits_with_its_content_warning(
    title: str, lead: str, warning: str, extra: tuple[str, ...], limit: int
) -> None:
    """The warning counts against the limit as Mastodon counts it (spoiler_text and text
    together), and takes at most half of it; the link is always there."""
    post = make_post(title, lead, categories=("Oorlog",))
    status = render_mastodon(
        post, "nl", instance_rules(max_characters=limit), extra_tags=extra, spoiler_text=warning
    )
    counted = Mastodon.get_status_length(status.text, status.spoiler_text)
    assert counted <= limit
    assert status.used >= counted, "our count must never be below the server's"
    assert len(status.spoiler_text) <= limit // 2
    # On one line, its runs of spaces made one (hypothesis found "0  0").
    assert clean_text(warning).startswith(status.spoiler_text.removesuffix("…"))
    assert "https://example.nl/a" in status.text.split("\n\n")


def test_a_long_post_with_a_warning_gives_up_lead_not_warning() -> None:
    """With a content warning the lead is shortened further, and the warning stays whole."""
    lead = "Een lange zin over wat er gebeurde in de stad. " * 30
    warning = "Beelden van geweld en van gewonden, op de foto's en in de video"
    plain = render_mastodon(make_post("Titel", lead), "nl", MastodonRules())
    warned = render_mastodon(make_post("Titel", lead), "nl", MastodonRules(), spoiler_text=warning)
    assert warned.spoiler_text == warning
    assert len(warned.text) < len(plain.text)
    assert warned.text.split("\n\n")[1].endswith("stad.")
    assert Mastodon.get_status_length(warned.text, warning) <= warned.used <= 500


def test_destination_hashtags_follow_the_posts_own() -> None:
    """A destination's extra hashtags come after the post's, as written, without doubles;
    on both platforms."""
    post = make_post(categories=("Sport",), tags=("voetbal",))
    assert hashtags(post, ("nieuws", "Sport", "nieuws")) == ["#Sport", "#Voetbal", "#nieuws"]
    message = render_telegram(post, "nl", extra_tags=("nieuws",))
    assert message.text.endswith("\n\n#Sport #Voetbal #nieuws")
    status = render_mastodon(post, "nl", MastodonRules(), extra_tags=("nieuws",))
    assert status.text.endswith("\n\n#Sport #Voetbal #nieuws")


def test_lead_is_shortened_at_a_sentence_and_the_title_kept() -> None:
    """What does not fit is the lead, cut after a sentence; the title stays whole."""
    lead = "Eerste zin is kort. " + "Tweede zin is veel langer dan de eerste zin. " * 30
    post = make_post("Een titel die blijft", lead, image_url="https://e.nl/x.jpg")
    message = render_telegram(post, "nl")
    text, _ = telegram_html.parse(message.text)
    assert text.startswith("Een titel die blijft\n\n")
    shown_lead = text.split("\n\n")[1]
    assert shown_lead.endswith(".") and not shown_lead.endswith("…")
    assert lead.startswith(shown_lead)
    assert 1024 - 100 < message.used <= 1024


def test_lead_without_sentences_is_cut_at_a_word_with_an_ellipsis() -> None:
    """A run-on lead is cut between words and marked with …"""
    lead = "woord " * 400
    status = render_mastodon(make_post("T", lead), "nl", MastodonRules())
    shown = status.text.split("\n\n")[1]
    assert shown.endswith("woord…")
    assert Mastodon.get_status_length(status.text) <= 500


def test_title_is_cut_only_when_it_alone_does_not_fit() -> None:
    """A 5,000-character title is shortened; the link is always there."""
    message = render_telegram(make_post("titel " * 1000, "lead"), "nl")
    text, _ = telegram_html.parse(message.text)
    assert utf16_len(text) <= 4096
    assert text.endswith("Lees verder")
    assert "…" in text.split("\n\n")[0]


def test_telegram_escapes_every_fragment() -> None:
    """<, > and & in titles, leads and links never become markup."""
    post = make_post("A <b> & C", "x < y & z", 'https://e.nl/?a=1&b="2"')
    message = render_telegram(post, "en")
    assert "<b>A &lt;b&gt; &amp; C</b>" in message.text
    assert "x &lt; y &amp; z" in message.text
    assert 'href="https://e.nl/?a=1&amp;b=&quot;2&quot;"' in message.text
    assert ">Read more</a>" in message.text
    assert html.unescape(message.text.split("\n\n")[1]) == "x < y & z"


def test_hashtags_are_camel_case_letters_and_digits() -> None:
    """#BuitenlandsNieuws from 'buitenlands nieuws'; numbers alone and duplicates dropped."""
    post = make_post(
        categories=("buitenlands nieuws", "2019", "Économie"), tags=("économie", "c++", "a_b")
    )
    assert hashtags(post) == ["#BuitenlandsNieuws", "#Économie", "#C", "#AB"]


def test_mastodon_language_and_image() -> None:
    """The post's lang wins over LANGUAGE; the image travels with the title as alt text."""
    post = make_post("Titel", language="en", image_url="https://e.nl/x.jpg")
    status = render_mastodon(post, "nl", MastodonRules())
    assert (status.language, status.image_url, status.alt_text) == (
        "en",
        "https://e.nl/x.jpg",
        "Titel",
    )
    assert render_mastodon(make_post(), "nl", MastodonRules()).language == "nl"


def test_console_text_has_no_control_characters() -> None:
    """Nothing that moves a terminal's cursor or colours it reaches the console."""
    post = make_post("T\x1b[2J", "lead\x07\x1b[31m", categories=("a",))
    text = render_console(post, "nl")
    assert "\x1b" not in text and "\x07" not in text
    assert text.splitlines()[1:] == ["lead[31m", "https://example.nl/a", "#A"]


def test_shorten_never_splits_a_grapheme() -> None:
    """A lead of emoji families is cut between families, never inside one."""
    family = "👨‍👩‍👧"
    cut = shorten(family * 100, 50, utf16_len)
    assert cut.endswith("…")
    assert cut[:-1] == family * (len(cut[:-1]) // len(family))
    assert utf16_len(cut) <= 50


@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF)))
@example("😀 and 𝄞")
@example("\ud800 lone")
def test_utf16_len_counts_astral_characters_twice(text: str) -> None:
    """Encoded or counted by hand, the same unit Telegram counts in."""
    assert utf16_len(text) == sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)
