"""The lead of the commonest bodies read without a parser (pure): a Markdown paragraph
whose only markup is **strong**, *emphasis* and [text](link), an HTML body that opens
with headings and figures and then a plain `<p>`. None for anything else, and lead.py's
parsers decide; tests/test_shortcuts.py holds the two to the same answers.

markdown-it's inline parser takes about 0.2 ms for a paragraph with one link; a first
run and `preview` read every post.
"""

from __future__ import annotations

import html
import re

from bot.text import clean_text

_MARKUP = r"\\`*_\[\]!<>&"
# A delimiter run opening after a space (or the start) and closing after a letter or
# digit before a space, the end or . , ; : ! ? can be read only one way: the opener
# cannot close, the closer cannot open, so each pair is emphasis of its own.
_EMPHASIS = rf"(?<![^ \t\n])(\*\*?)(?=[^\s*])([^{_MARKUP}]*?[^\W_])\1(?=[ \t\n.,;:!?]|\Z)"
# An inline link to http(s) or a path, its text plain: the destination is read whole
# (what is in it is no markup), and validateLink accepts these schemes.
_LINK = rf"\[([^{_MARKUP}\n]+)\]\((?:https?://|/)[^\s()<>\\`\"']*\)"
_COMMON = re.compile(f"{_EMPHASIS}|{_LINK}")
_LEFT = re.compile(r"[\\`*_\[\]<>&]")  # markup left over: markdown-it decides

# Headings and a figure of one image and its caption are never the lead; the first
# plain paragraph after them is (its text as HTMLParser gives it: entities decoded).
_HTML_LEAD = re.compile(
    r"\s*(?:(?:<h([1-6])>[^<]*</h\1>|<figure><img\b[^<>]*>"
    r"(?:<figcaption>[^<]*</figcaption>)?</figure>)\s*)*<p>([^<]*)</p>"
)


def markdown_inline(content: str) -> str | None:
    """The text of one paragraph's inline Markdown, when its markup is only the common
    kinds; None when markdown-it must read it."""
    if "![" in content:  # an image
        return None
    text = _COMMON.sub(lambda m: m.group(2) if m.group(1) else m.group(3), content)
    if _LEFT.search(text):
        return None
    return clean_text(text) or None  # nothing left: perhaps only images, the parser says


def html_lead(source: str) -> str | None:
    """The lead of an HTML body (Liquid already gone) that opens the common way; None
    when the parser must read it."""
    found = _HTML_LEAD.match(source)
    if found is None:
        return None
    return clean_text(html.unescape(found.group(2))) or None
