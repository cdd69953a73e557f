"""The strict Telegram HTML parser used by the fake Telegram (tests/telegram_html.py)."""

from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.telegram_html import (
    Entity,
    TelegramHTMLError,
    parse,
    strip_text,
    utf16_len,
    visible_length,
    visible_text,
)

E = Entity

# (markup, visible text, entities) -- expectations written by hand from Bot API rules.
VALID: list[tuple[str, str, list[Entity]]] = [
    ("plain text", "plain text", []),
    ("<b>bold</b>", "bold", [E("bold", 0, 4)]),
    ("<strong>x</strong><em>y</em>", "xy", [E("bold", 0, 1), E("italic", 1, 1)]),
    (
        "<u>u</u><ins>i</ins><s>s</s><strike>k</strike><del>d</del>",
        "uiskd",
        [
            E("underline", 0, 1),
            E("underline", 1, 1),
            E("strikethrough", 2, 1),
            E("strikethrough", 3, 1),
            E("strikethrough", 4, 1),
        ],
    ),
    (
        '<span class="tg-spoiler">sp</span><tg-spoiler>x</tg-spoiler>',
        "spx",
        [E("spoiler", 0, 2), E("spoiler", 2, 1)],
    ),
    ("<SPAN CLASS=tg-spoiler>s</span>", "s", [E("spoiler", 0, 1)]),
    ("<B>Case</b>", "Case", [E("bold", 0, 4)]),
    (
        '<a href="https://example.com/?a=1&amp;b=2">link</a>',
        "link",
        [E("text_link", 0, 4, url="https://example.com/?a=1&b=2")],
    ),
    ("<a href=example.com>x</a>", "x", [E("text_link", 0, 1, url="http://example.com")]),
    (
        "<a href='tg://resolve?domain=x'>t</a>",
        "t",
        [E("text_link", 0, 1, url="tg://resolve?domain=x")],
    ),
    ("1 &lt; 2 &amp;&amp; 3 &gt; 2 &quot;q&quot; &#x27;", '1 < 2 && 3 > 2 "q" \'', []),
    ("&#65;&#x42;&#x1F600;", "AB😀", []),
    ("😀<b>😀x</b>", "😀😀x", [E("bold", 2, 3)]),
    ("<b>👨‍👩‍👧</b>", "👨‍👩‍👧", [E("bold", 0, 8)]),
    ("<b>a<i>b</i></b>", "ab", [E("bold", 0, 2), E("italic", 1, 1)]),
    (
        '<pre><code class="language-python">print(1)</code></pre>',
        "print(1)",
        [E("pre", 0, 8, language="python")],
    ),
    ("<pre><code>x</code></pre>", "x", [E("pre", 0, 1)]),
    ("<pre>x &lt; y</pre>", "x < y", [E("pre", 0, 5)]),
    ("<code>a&amp;b</code>", "a&b", [E("code", 0, 3)]),
    (
        "<blockquote>q <b>bold</b></blockquote>",
        "q bold",
        [E("blockquote", 0, 6), E("bold", 2, 4)],
    ),
    ("<blockquote expandable>long</blockquote>", "long", [E("expandable_blockquote", 0, 4)]),
    (
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
        "👍",
        [E("custom_emoji", 0, 2, custom_emoji_id="5368324170671202286")],
    ),
    (
        '<tg-time unix="1647531900" format="wDT">22:45</tg-time>',
        "22:45",
        [E("date_time", 0, 5, unix_time=1647531900, date_time_format="wDT")],
    ),
    ("<b></b>x", "x", []),
    ("line1\nline2", "line1\nline2", []),
    ('<b class="ignored">x</b>', "x", [E("bold", 0, 1)]),
    ("<i>a</>", "a", [E("italic", 0, 1)]),
    ("<b>x</b >", "x", [E("bold", 0, 1)]),
    (
        '<a href="https://x.org"><b>bold link</b></a>',
        "bold link",
        [E("text_link", 0, 9, url="https://x.org"), E("bold", 0, 9)],
    ),
    ("<b>a</b><i>b</i> c", "ab c", [E("bold", 0, 1), E("italic", 1, 1)]),
    (
        '<blockquote><a href="https://x.org">x</a> <code>y</code></blockquote>',
        "x y",
        [E("blockquote", 0, 3), E("text_link", 0, 1, url="https://x.org"), E("code", 2, 1)],
    ),
    ("<b><code>x</code></b>", "x", [E("bold", 0, 1), E("code", 0, 1)]),
]

# (markup, error detail) -- the detail follows "Can't parse entities: ".
INVALID: list[tuple[str, str]] = [
    ("<p>x</p>", 'Unsupported start tag "p" at byte offset 0'),
    ("a<br>b", 'Unsupported start tag "br" at byte offset 1'),
    ("ab<br/>", 'Unsupported start tag "br/" at byte offset 2'),
    ("é<p>", 'Unsupported start tag "p" at byte offset 2'),
    ("😀 <p>", 'Unsupported start tag "p" at byte offset 5'),
    ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
    ("a &nbsp; b", 'Unsupported HTML entity "&nbsp;" at byte offset 2'),
    ("&mdash;", 'Unsupported HTML entity "&mdash;" at byte offset 0'),
    ("AT&T", 'Character "&" must be escaped as "&amp;" at byte offset 2'),
    ("&lt", 'Character "&" must be escaped as "&amp;" at byte offset 0'),
    ("a > b", 'Character ">" must be escaped as "&gt;" at byte offset 2'),
    ("a < b", 'Unsupported start tag "" at byte offset 2'),
    ("&#0;", 'Unsupported character reference "&#0;" at byte offset 0'),
    ("x&#xD800;", 'Unsupported character reference "&#xD800;" at byte offset 1'),
    ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
    ("<strong>x</b>", 'Unmatched end tag at byte offset 9, expected "</strong>", found "</b>"'),
    ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
    ("<b><i>x</i>", 'Can\'t find end tag corresponding to start tag "b"'),
    ("x</b>", "Unexpected end tag at byte offset 1"),
    ("<b", "Unclosed start tag at byte offset 0"),
    ('<a href="https://x.org>x</a>', "Unclosed start tag at byte offset 0"),
    ("<b>x</b", "Unclosed end tag at byte offset 4"),
    ("<a href=https://x.org>x</a>", "Unexpected end of name token at byte offset 8"),
    (
        "<b foo>x</b>",
        'Expected equal sign in declaration of an attribute of the tag "b" at byte offset 0',
    ),
    ("<a>x</a>", 'Tag "a" must have attribute "href" at byte offset 0'),
    (
        '<a href="javascript:alert(1)">x</a>',
        'Unsupported URL "javascript:alert(1)" in the tag "a" at byte offset 0',
    ),
    ('<a href="">x</a>', 'Unsupported URL "" in the tag "a" at byte offset 0'),
    ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    (
        "<tg-emoji>x</tg-emoji>",
        'Tag "tg-emoji" must have a numeric attribute "emoji-id" at byte offset 0',
    ),
    ("<pre><b>x</b></pre>", 'Tag "b" can\'t be nested in the tag "pre" at byte offset 5'),
    ("<code><i>x</i></code>", 'Tag "i" can\'t be nested in the tag "code" at byte offset 6'),
    ("<pre>x<code>y</code></pre>", 'Tag "code" can\'t be nested in the tag "pre" at byte offset 6'),
    (
        '<pre><code class="language-py">y</code>z</pre>',
        'Text outside of the "code" tag inside "pre" at byte offset 39',
    ),
    (
        "<blockquote><blockquote>x</blockquote></blockquote>",
        'Tag "blockquote" can\'t be nested in the tag "blockquote" at byte offset 12',
    ),
    (
        '<a href="https://a.org"><a href="https://b.org">x</a></a>',
        'Tag "a" can\'t be nested in the tag "a" at byte offset 24',
    ),
    (
        "<a href='https://x.org'><code>x</code></a>",
        'Tag "code" can\'t be nested in the tag "a" at byte offset 24',
    ),
]

LENIENT: list[tuple[str, str, list[Entity]]] = [
    ("AT&T &nbsp; a > b", "AT&T &nbsp; a > b", []),
    ("&lt &#X41;", "< &#X41;", []),
    ("<a>example.com</a>", "example.com", [E("text_link", 0, 11, url="http://example.com")]),
    ('<a href="javascript:x">x</a>', "x", []),
    ("<code><b>x</b></code>", "x", [E("code", 0, 1), E("bold", 0, 1)]),
]


@pytest.mark.parametrize(("markup", "text", "entities"), VALID)
def test_valid_markup(markup: str, text: str, entities: list[Entity]) -> None:
    """Supported markup yields Telegram's visible text and UTF-16 entities."""
    assert parse(markup) == (text, entities)


@pytest.mark.parametrize(("markup", "detail"), INVALID)
def test_invalid_markup(markup: str, detail: str) -> None:
    """Markup Telegram rejects (or would mangle) raises with Telegram-shaped wording."""
    with pytest.raises(TelegramHTMLError) as info:
        parse(markup)
    assert info.value.detail == detail
    assert str(info.value) == f"Can't parse entities: {detail}"


@pytest.mark.parametrize(("markup", "text", "entities"), LENIENT)
def test_lenient_mode_matches_telegram_leniency(
    markup: str, text: str, entities: list[Entity]
) -> None:
    """strict=False keeps what Telegram keeps: literal &, >, unknown entities, dropped links."""
    assert parse(markup, strict=False) == (text, entities)


def test_error_carries_byte_offset_and_is_value_error() -> None:
    """The error is a ValueError with the UTF-8 byte offset Telegram would report."""
    with pytest.raises(ValueError, match="byte offset 5") as info:
        parse("ü€<p>")  # "ü" is 2 bytes and "€" 3, so "<p>" starts at byte 5
    assert isinstance(info.value, TelegramHTMLError)
    assert info.value.byte_offset == len("ü€".encode())


def test_unmatched_end_tag_has_offset() -> None:
    """Mis-nesting errors expose their byte offset too."""
    with pytest.raises(TelegramHTMLError) as info:
        parse("é<b><i>x</b></i>")
    assert info.value.byte_offset == 9


def test_strip_matches_telegram_trimming() -> None:
    """strip=True trims outer whitespace and shifts/clips entities as Telegram does."""
    assert parse("  <b> x </b>  ", strip=True) == ("x", [E("bold", 0, 1)])
    assert parse(" a <b>b</b> \n", strip=True) == ("a b", [E("bold", 2, 1)])
    assert parse("<i> </i>x", strip=True) == ("x", [])


def test_visible_length_counts_utf16_after_parsing_and_trimming() -> None:
    """visible_length ignores markup and outer whitespace and counts astral chars twice."""
    assert visible_length("  <b>abc</b>\n") == 3
    assert visible_length("😀" * 2048) == 4096
    assert visible_length('<a href="https://example.com/long/path">x</a>') == 1
    assert visible_length("&lt;&#x1F600;") == 3
    assert visible_text("\n <b>hi</b> \n") == "hi"


def test_visible_length_raises_on_bad_markup() -> None:
    """visible_length refuses markup Telegram would refuse."""
    with pytest.raises(TelegramHTMLError, match="Unsupported start tag"):
        visible_length("<p>x</p>")


def test_entity_to_api_omits_unset_fields() -> None:
    """Entities serialise to the Bot API MessageEntity shape."""
    assert E("bold", 1, 2).to_api() == {"type": "bold", "offset": 1, "length": 2}
    assert E("pre", 0, 3, language="py").to_api() == {
        "type": "pre",
        "offset": 0,
        "length": 3,
        "language": "py",
    }


def test_strip_text_without_change_returns_same_entities() -> None:
    """strip_text leaves already-trimmed text alone."""
    ents = [E("bold", 0, 1)]
    assert strip_text("x", ents) == ("x", ents)


@given(st.text())
def test_escaped_text_round_trips(text: str) -> None:
    """html.escape output always parses back to the original text with no entities."""
    assert parse(html.escape(text)) == (text, [])
    assert parse(html.escape(text, quote=False)) == (text, [])


@given(st.text(min_size=1), st.text())
def test_bold_prefix_entity_covers_utf16_length(inner: str, tail: str) -> None:
    """A bold entity's length is the UTF-16 length of its escaped content."""
    text, entities = parse(f"<b>{html.escape(inner)}</b>{html.escape(tail)}")
    assert text == inner + tail
    assert entities == [E("bold", 0, utf16_len(inner))]


@given(st.text())
def test_visible_length_of_escaped_text(text: str) -> None:
    """visible_length equals the UTF-16 length of the trimmed plain text."""
    assert visible_length(html.escape(text)) == utf16_len(text.strip(" \t\n\r\v\f"))


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_parser_never_crashes_on_arbitrary_input(source: str) -> None:
    """Arbitrary input either parses or raises TelegramHTMLError, in both modes."""
    for strict in (True, False):
        try:
            text, entities = parse(source, strict=strict)
        except TelegramHTMLError:
            continue
        for ent in entities:
            assert ent.offset >= 0 and ent.offset + ent.length <= utf16_len(text)
