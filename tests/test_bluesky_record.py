"""The Bluesky record: always within 300 graphemes and 3,000 bytes, every facet on the
text it labels, in UTF-8 byte offsets; record keys that are TIDs and never repeat."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import grapheme
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.channels.bluesky_record import (
    BLUESKY_BYTES,
    BLUESKY_GRAPHEMES,
    LINK_SHOWN,
    cost,
    graphemes,
    post_url,
    record_key,
    render_bluesky,
    shown_link,
    tid,
)
from bot.jekyll.posts import Post
from bot.outbox import Outbox
from bot.state.rows import FileState
from bot.state.store import Store
from bot.text import clean_text
from tests.test_summary import make_post

NOW = dt.datetime(2026, 12, 2, 5, 30, 1, 123456, tzinfo=dt.UTC)
TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")

texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=3000
).map(clean_text)
links = st.sampled_from(
    [
        "https://example.nl/a",
        "http://x.nl/" + "a" * 300,
        "https://xn--caf-dma.nl/%C3%A9t%C3%A9",
        "https://www.example.org/2026/12/02/een-heel-lang-bericht-over-alles.html",
    ]
)
labels = st.lists(st.text(min_size=1, max_size=80), max_size=8).map(tuple)


def check(rendered_post: Post, extra: tuple[str, ...] = ()) -> None:
    rendered = render_bluesky(rendered_post, "nl", now=NOW, extra_tags=extra)
    assert grapheme.length(rendered.text) <= BLUESKY_GRAPHEMES
    assert len(rendered.text.encode("utf-8")) <= BLUESKY_BYTES
    assert rendered.graphemes == grapheme.length(rendered.text)
    raw = rendered.text.encode("utf-8")
    starts = []
    for facet, shown in zip(rendered.facets, rendered.facet_texts(), strict=True):
        # On character boundaries (decoding would fail otherwise) and on its own text.
        assert raw[facet.start : facet.end].decode("utf-8") == shown
        if facet.kind == "link":
            assert facet.value == rendered_post.link
            assert shown == shown_link(rendered_post.link)
        else:
            assert shown == "#" + facet.value and 0 < grapheme.length(facet.value) <= 64
        starts.append(facet.start)
    assert starts == sorted(starts) and rendered.facets[0].kind == "link"
    assert rendered.text.startswith(rendered_post.title[:1])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=texts.filter(bool).map(lambda t: t[:1024]),
    lead=texts,
    link=links,
    categories=labels,
    tags=labels,
)
@example(
    title="👨‍👩‍👧" * 300, lead="😀" * 3000, link="https://example.nl/a", categories=(), tags=()
)
@example(
    title="Café", lead="é" * 2999, link="https://example.nl/a", categories=("Économie",), tags=()
)
@example(title="ש" * 1100, lead="مرحبا " * 600, link="https://example.nl/a", categories=(), tags=())
@example(title="t", lead="a" * 400, link="https://example.nl/a", categories=("x" * 80,), tags=())
def test_every_rendering_fits_and_every_facet_lands_on_its_text(
    title: str, lead: str, link: str, categories: tuple[str, ...], tags: tuple[str, ...]
) -> None:
    check(make_post(title=title, lead=lead, link=link, categories=categories, tags=tags))


def test_a_short_post_is_whole_with_its_card_language_and_date() -> None:
    post = make_post(
        title="Storm ✨ op zee",
        lead="Het waait hard.",
        link="https://example.nl/storm",
        categories=("Weer",),
        language="de",
        image_url="https://example.nl/storm.jpg",
    )
    rendered = render_bluesky(post, "nl", now=NOW, extra_tags=("nieuws",))
    assert (
        rendered.text == "Storm ✨ op zee\n\nHet waait hard.\n\nexample.nl/storm\n\n#Weer #nieuws"
    )
    assert rendered.facet_texts() == ["example.nl/storm", "#Weer", "#nieuws"]
    # "✨" is three bytes and one character: the link starts 2 bytes later than its index.
    assert rendered.facets[0].start == rendered.text.index("example") + 2
    record = rendered.record({"$type": "blob", "mimeType": "image/jpeg", "size": 3})
    assert record["langs"] == ["de"] and record["createdAt"] == "2026-12-02T05:30:01.123Z"
    assert record["embed"]["external"] == {
        "uri": "https://example.nl/storm",
        "title": "Storm ✨ op zee",
        "description": "Het waait hard.",
        "thumb": {"$type": "blob", "mimeType": "image/jpeg", "size": 3},
    }
    assert "thumb" not in rendered.record()["embed"]["external"]


def test_the_lead_is_cut_at_a_sentence_and_the_title_kept() -> None:
    lead = "Eerste zin is kort. " + "Tweede zin gaat maar door " * 30
    rendered = render_bluesky(make_post(title="Titel", lead=lead), "nl", now=NOW)
    assert rendered.text.startswith("Titel\n\nEerste zin is kort.")
    assert rendered.graphemes <= 300 and rendered.description.startswith("Eerste")


@pytest.mark.parametrize(
    ("link", "shown"),
    [
        ("https://example.nl/a", "example.nl/a"),
        ("https://www.example.nl/", "example.nl"),
        ("http://x.nl/" + "a" * 100, ("x.nl/" + "a" * 100)[: LINK_SHOWN - 1] + "…"),
    ],
)
def test_the_link_is_shown_short(link: str, shown: str) -> None:
    assert shown_link(link) == shown


def test_record_keys_are_tids_stable_and_distinct() -> None:
    keys = [f"postbode-4f2a9c-{n}-20261202053001123456000" for n in range(1, 2001)]
    made = [record_key(k) for k in keys]
    assert all(TID.match(k) for k in made)
    assert len(set(made)) == len(made)  # one scan queues them all in the same second
    assert made == [record_key(k) for k in keys]
    other_database = record_key("postbode-77aa01-1-20261202053001123456000")
    assert other_database != made[0]
    assert TID.match(record_key("anything")) and record_key("a") != record_key("b")
    # The time part is when the delivery was queued: TIDs sort as the clock does.
    assert made[0] > tid(1_700_000_000_000_000, 0)


def test_a_tid_encodes_as_the_spec_says() -> None:
    assert tid(0, 0) == "2222222222222"
    assert tid(1, 0)[-3:] == "322"  # the microsecond sits above the 10 clock bits (32 * 32)
    # A real TID from the specification decodes to its time (2023) and back.
    value = 0
    for char in "3jui7kd54zh2y":
        value = value * 32 + "234567abcdefghijklmnopqrstuvwxyz".index(char)
    assert dt.datetime.fromtimestamp((value >> 10) / 1e6, dt.UTC).year == 2023
    assert tid(value >> 10, value & 1023) == "3jui7kd54zh2y"
    assert TID.match(tid((1 << 53) - 1, 1023))


def test_post_urls() -> None:
    uri = "at://did:plc:abc/app.bsky.feed.post/3kabc"
    assert post_url(uri) == "https://bsky.app/profile/did:plc:abc/post/3kabc"
    assert post_url(uri, "news.example.org").endswith("/news.example.org/post/3kabc")
    assert post_url("at://did:plc:abc/app.bsky.feed.like/3kabc") == ""


def test_the_outboxs_keys_give_tids_of_the_second_they_were_queued(tmp_path: Path) -> None:
    """record_key reads the outbox's own key: its time is when the delivery was queued."""
    store = Store(tmp_path / "state.db")
    queued = dt.datetime(2026, 12, 2, 5, 30, 1, 654321, tzinfo=dt.UTC)
    post = make_post(link="https://example.nl/a")
    store.record(post, FileState(10, 1, "h"), ["bluesky:x"], queued)
    delivery = store.deliveries.head("bluesky:x", queued)
    assert delivery is not None
    key = Outbox(store, []).idempotency_key(delivery)
    value = 0
    for char in record_key(key):
        value = value * 32 + "234567abcdefghijklmnopqrstuvwxyz".index(char)
    micros = value >> 10
    assert micros // 1_000_000 == int(queued.replace(microsecond=0).timestamp())
    assert micros % 1_000_000 == delivery.id
    store.close()


@pytest.mark.parametrize(
    "text",
    [
        "Café",  # é precomposed: one character, one grapheme
        "Cafe\u0301",  # e and a combining acute: two characters, one grapheme
        "👨‍👩‍👧 en 🇳🇱",  # a ZWJ family and a flag
        "👍🏽",  # a skin tone
        "\u1100\u1161\u11a8 한국",  # Hangul jamo, and syllables
        "नमस्ते",  # Devanagari with a virama
        "𝅘𝅥𝅮 \U0001d165\U0001d16d",  # astral combining marks
        "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",  # a tag sequence
        "ศาสตร์ ไทย ำ",  # Thai, a spacing vowel
        "A shortened lead…",  # ASCII and an ellipsis: counted without the tables
        "Cafe\u0301…",  # not only ASCII before it: the tables
    ],
)
def test_graphemes_are_counted_as_the_grapheme_library_counts_them(text: str) -> None:
    assert graphemes(text) == grapheme.length(text)
    assert cost(text) >= grapheme.length(text)
    assert cost(text) * 10 >= len(text.encode("utf-8"))
