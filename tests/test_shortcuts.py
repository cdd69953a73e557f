"""The fast paths of a first run give exactly what the general code gives: the lead of
a simple Markdown body without the block parser, an already normal URL as it is."""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.generate_site import write_post
from bot.jekyll import front_matter, lead, quick_lead, site
from bot.jekyll.posts import Post, read_post
from bot.text import clean_text

PIECES = [*"ab Éx\t*_[]()!<>&\\`-=.>~:1\"'", "# ", "## ", "\n", "\n\n", "  \n", "[x]: /u\n", "<div>", "    ", "\u00a0"]  # fmt: skip
URL_PIECES = [*"aZ09-._~%/:@!$&'()*+,;=?#[] é\t", "http://", "https://", "HTTP://", ".nl", "a" * 64, ":80", "user@", "/", ":0", ":080", ":65535", ":65536", ":99999", ":8"]  # fmt: skip


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_the_simple_lead_is_the_parsed_lead(markdown: str) -> None:
    simple = lead._simple_lead(markdown)
    if simple is not None:
        assert simple == lead._first_prose(markdown, complete=True)


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(URL_PIECES), max_size=12).map("".join))
def test_a_normal_url_is_what_normalizing_it_gives(tail: str) -> None:
    for url in (tail, "https://" + tail, "http://ex" + tail):
        if site._NORMAL_URL.fullmatch(url.strip()):
            assert site.normalize_url(url) == site._normalized(url.strip())


def test_a_url_with_a_port_takes_the_fast_path() -> None:
    """Instances at a port of their own (and the tests' fakes): their statuses' URLs are
    given back as they are, without being taken apart."""
    for url in ("http://127.0.0.1:41234/@postbode/1", "https://ex.nl:65535", "http://a:1/"):
        assert site._NORMAL_URL.fullmatch(url)
        assert site.normalize_url(url) == site._normalized(url)
    for url in ("http://a:0/", "http://a:080/", "http://a:65536/"):
        assert not site._NORMAL_URL.fullmatch(url)


def _parsed_inline(content: str) -> str | None:
    """What the simple lead made of a paragraph before the quick path: markdown-it's
    inline parse, rendered and read back (None: only images, the block parser decides)."""
    inline = lead._markdown().parseInline(content, {})[0]
    if lead._only_images(inline):
        return None
    return clean_text(lead.html_text(lead._render_inline(inline)))


INLINE = [
    "Plain words.", "Een **vet** woord.", "Een *schuin* woord, en **vet**.",
    "Zie [de site](https://example.nl/x) nu.", "[Begin](/pad) van de zin.",
    "**a**", "Een **a** b **c** d.", "Tot **hier**, daar **daar**; **ook**: **nu**! **ja**?",
    "2 * 3 = 6", "a*b*c", "een **vet**woord", "een**vet** woord", "***drie***",
    "**open en niet dicht", "*a **b** c*", "**[link](/x)**", "[a *b*](/x)",
    "[a](javascript:alert(1))", "[a](/x y)", "[a](<x>)", "[a] (/x)", "[a](/x \"t\")",
    "![foto](/f.jpg)", "Tekst ![foto](/f.jpg) tekst.", "Hoera! [a](/x)", "!**a**",
    "a &amp; b", "a & b", "a < b", "`code` hier", "een\\*ster", "snake_case naam",
    "_schuin_ woord", "regel  \nregel", "[a](HTTPS://x)", "[](/x)", "[ ](/x)",
    "[a](https://x.nl/a_b*c)", "**é**", "**1**.", "** a**", "**a **", "**\"a\"** x",
    "x\u00a0**a**", "**a**\u00a0x", "[a\nb](/x)", "**a\nb**", "[a(b)](/x)",
    "Een [link](https://example.nl/(x)) hier",
]  # fmt: skip


@pytest.mark.parametrize("content", INLINE)
def test_the_quick_inline_text_is_markdown_its(content: str) -> None:
    quick = quick_lead.markdown_inline(content)
    if quick is not None:
        assert quick == _parsed_inline(content)


def test_the_quick_inline_text_reads_the_common_markup() -> None:
    """It must also answer, or it saves nothing: the generated posts' markup."""
    for content in INLINE[:8]:
        assert quick_lead.markdown_inline(content) == _parsed_inline(content), content


INLINE_PIECES = [*"ab Éx1.,;:!?\t*_[]()<>&\\`\"'", "**", "](", "](/", "](https://e.nl/",
                 "\n", "  \n", "![", " **", "** ", "\u00a0", "&amp;"]  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(INLINE_PIECES), max_size=30).map("".join))
def test_any_quick_inline_text_is_markdown_its(content: str) -> None:
    content = content.strip(" \t")
    if content:
        quick = quick_lead.markdown_inline(content)
        if quick is not None:
            assert quick == _parsed_inline(content)


HTML = [
    "<p>Een zin.</p>", "\n\n<h2>Kop</h2>\n\n<p>Tekst &amp; meer.</p>",
    '<figure><img src="/a.jpg" alt=""><figcaption>Onder</figcaption></figure>\n<p>Tekst</p>',
    "<p></p><p>Tweede</p>", "<p> </p>", "Los <p>tekst</p>", "<p>a<b>b</b></p>",
    "<h2>a</h3><p>x</p>", "<P>x</P>", "<p>a &lt; b &gt; c &amp c &#233;</p>",
    "<h1>a</h1><figure><img src=x></figure><p>x</p>", "<p>a\n\nb</p>",
    '<figure><img src="a>b"></figure><p>x</p>', "<div><p>x</p></div>",
]  # fmt: skip


@pytest.mark.parametrize("source", HTML)
def test_the_quick_html_lead_is_the_parsers(source: str) -> None:
    quick = quick_lead.html_lead(source)
    if quick is not None:
        assert quick == lead._parsed_html_lead(source)
    if source in HTML[:3]:
        assert quick is not None


def _posts() -> list[tuple[str, bytes]]:
    root = Path(__file__).parent.parent
    files = [*(root / "posts").glob("*.*"), *(root / "tests" / "data").rglob("*.*")]
    seeds = [(p.name, p.read_bytes()) for p in files if p.suffix in (".md", ".html")]
    return seeds + _generated(random.Random(7), dt.datetime(2021, 3, 1, 9, 0))


def _generated(rng: random.Random, start: dt.datetime) -> list[tuple[str, bytes]]:
    with tempfile.TemporaryDirectory() as tmp:
        paths = [write_post(Path(tmp), i, rng, start + dt.timedelta(hours=i)) for i in range(400)]
        return [(p.name, p.read_bytes()) for p in paths]


def test_the_quick_leads_change_no_post(monkeypatch: pytest.MonkeyPatch) -> None:
    """Over the sample posts, the test data and 400 generated posts: each lead is the
    one the parsers alone give."""
    site_ = site.Site(url="https://example.nl", timezone=dt.UTC)
    posts = _posts()
    quick = [read_post(raw, name, site_, 0.0) for name, raw in posts]
    monkeypatch.setattr(quick_lead, "markdown_inline", lambda content: None)
    monkeypatch.setattr(quick_lead, "html_lead", lambda source: None)
    parsed = [read_post(raw, name, site_, 0.0) for name, raw in posts]
    assert len(posts) > 400
    assert quick == parsed
    assert sum(isinstance(p, Post) and bool(p.lead) for p in quick) > 400


def _loaded(block: str, load: Callable[[str], Any]) -> tuple[str, Any]:
    """A value, or the error's kind and words: both must agree."""
    try:
        return "value", load(block)
    except Exception as error:  # PyYAML's functions fail in several ways
        return type(error).__name__, str(error)


def _pyyaml(block: str) -> Any:
    return yaml.load(block, Loader=yaml.CSafeLoader)  # PyYAML alone, its own resolver too


FRONT_MATTER = [
    "", "# only a comment", "title: a", "title: 'a'\ndate: 2024-01-02 10:00:00 +0100",
    "date: 2024-01-02", "date: 2024-13-02", "date: 2024-02-30 10:00", "n: 0x1F\nm: 1:30",
    "f: .inf\ng: 1e3\nh: -0.5", "b: yes\nc: off\nd: ~\ne: null", "t: !!str 12", "t: !!int x",
    "t: !!binary aGk=", "t: !!binary !!", "s: !!set {a, b}", "o: !!omap [a: 1]", "x: !foo 1",
    "a: &x 1\nb: *x", "a: &x [1]\nb: *x", "base: &b {k: 1}\nc:\n  <<: *b\n  j: 2",
    "<<: {a: 1}", "=: a", "a: =", "[1, 2]", "- a\n- b", "just text", "a: 1\na: 2",
    "? [1, 2]\n: x", "? {a: 1}\n: x", "1: a\n2.5: b\nnull: c\ntrue: d\n2024-01-01: e",
    "a: {b: {c: [d, {e: f}]}}", "a: [" * 60 + "]" * 60, "a: b: c", "a: [1, 2", "a: *nope",
    "categories: [a, b]\ntags:\n  - x\n  - 'y'", "a: |\n  line\n  two\nb: >\n  folded",
    "a: !!seq x", "a: !!map x", "--- a\n--- b", "a: 'it''s'\nb: \"\\u00e9\"",
    "star: a * b", "amp: Q&A", "k: !!timestamp 2024-01-01", "k: !!null ''", "k: !!float 1",
]  # fmt: skip


@pytest.mark.parametrize("block", FRONT_MATTER)
def test_the_plain_walk_loads_what_pyyaml_loads(block: str) -> None:
    assert _loaded(block, front_matter.load) == _loaded(block, _pyyaml)


YAML_PIECES = [*"ab1-:[]{},'\"&*!|>#?\n ", "\n  ", ": ", "- ", "<<", "~", "yes", "2024-01-02",
               " 10:00:00", "!!str ", "!!int ", "&a ", "*a", "0x1", "1.5", ".nan", "=", "\t"]  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(YAML_PIECES), max_size=24).map("".join))
def test_any_front_matter_loads_as_pyyaml_loads_it(block: str) -> None:
    assert _loaded(block, front_matter.load) == _loaded(block, _pyyaml)
