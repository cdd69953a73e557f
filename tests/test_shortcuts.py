"""The fast paths of a first run give exactly what the general code gives: the lead of
a simple Markdown body without the block parser, an already normal URL as it is."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.jekyll import lead, site

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
