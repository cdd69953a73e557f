"""The lead paragraph of a post body, as plain text (pure functions).

HTML bodies: the first `<p>` with text. Markdown bodies: the first block that is
not a heading, image, Liquid tag, HTML comment or code, parsed by markdown-it
(CommonMark) so emphasis, links and escapes come out as their text.
"""

from __future__ import annotations

import functools
import html
import re
from html.parser import HTMLParser
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

from bot.jekyll import quick_lead
from bot.text import clean_text

MORE_SEPARATOR = "<!--more-->"

# Liquid blocks whose content is not prose, then any remaining tag or output.
_LIQUID_BLOCKS = re.compile(
    r"{%-?\s*(comment|highlight|raw)\b.*?%}.*?{%-?\s*end\1\s*-?%}", re.DOTALL | re.IGNORECASE
)
_LIQUID = re.compile(r"{%.*?%}|{{.*?}}", re.DOTALL)
# kramdown attribute lists ({: .lead}, {:toc}) are markup, not text.
_KRAMDOWN_IAL = re.compile(r"{:[^}\n]*}")

_SKIPPED_HTML = frozenset(
    {"script", "style", "figure", "figcaption", "noscript", "template", "svg", "pre",
     "h1", "h2", "h3", "h4", "h5", "h6", "iframe", "video", "audio", "object", "button"}
)  # fmt: skip
# Elements that end an open <p> (HTML's implied end tag) or a loose text run.
_BLOCKS = frozenset(
    {"address", "article", "aside", "blockquote", "div", "dl", "fieldset", "footer", "form",
     "header", "hr", "li", "main", "nav", "ol", "p", "section", "table", "ul", "figure",
     "h1", "h2", "h3", "h4", "h5", "h6", "pre"}
)  # fmt: skip


# Made when a Markdown lead is first needed (markdown-it takes a while to import, and a
# restart with nothing changed reads no post).
@functools.cache
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


@functools.cache
def _blocks() -> MarkdownIt:
    """Block structure only: inline markup is parsed for the one block that is the lead."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").disable("inline")


_HEAD_CHARS = 1024
# [text] or [text][ref] not followed by "(": a reference link, possibly defined later.
_REFERENCE = re.compile(r"\[[^\]]*\](?!\()")
_ATX_HEADING = re.compile(r"#{1,6}(?:[ \t]|$)")
# What CommonMark's inline rules act on (escapes, code, emphasis, links, images,
# autolinks and HTML, entities); text without them renders as itself.
_INLINE_MARKUP = re.compile(r"[\\`*_\[\]!<>&]")
_TAG = re.compile(r"<[^>]*>")


class _Found(Exception):
    """Raised inside the HTML parser to stop reading once the lead is known."""


class _TextParser(HTMLParser):
    """Collects visible text, leaving out non-prose elements (figures, code, headings)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip_depth = 0
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_HTML:
            self.skip_depth += 1
        elif tag == "br":
            self.handle_data(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.handle_data(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_HTML:
            self.skip_depth = max(0, self.skip_depth - 1)

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            self.chunks.append(data)


class _LeadParser(_TextParser):
    """Finds the text of the first non-empty <p>, remembering the first loose text run."""

    def __init__(self) -> None:
        super().__init__()
        self.in_paragraph = False
        self.first_loose = ""
        self.lead = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self._end_block()
        super().handle_starttag(tag, attrs)
        if tag == "p" and not self.skip_depth:
            self.in_paragraph = True

    def handle_endtag(self, tag: str) -> None:
        super().handle_endtag(tag)
        if tag in _BLOCKS:
            self._end_block()

    def _end_block(self) -> None:
        text = clean_text("".join(self.chunks))
        self.chunks.clear()
        if self.in_paragraph:
            self.in_paragraph = False
            if text:
                self.lead = text
                raise _Found
        elif not self.first_loose:
            self.first_loose = text

    def finish(self) -> str:
        try:
            self.close()
            self._end_block()
        except _Found:
            pass
        return self.lead or self.first_loose


def strip_liquid(text: str) -> str:
    """Remove Liquid tags, output and non-prose Liquid blocks."""
    if "{" not in text:  # most bodies: found in C, not by two searches of the regexes
        return text
    return _LIQUID.sub("", _LIQUID_BLOCKS.sub("", text))


def html_lead(html: str) -> str:
    """The text of the first <p> with text, else of the first loose text run."""
    source = strip_liquid(html)
    quick = quick_lead.html_lead(source)
    return quick if quick is not None else _parsed_html_lead(source)


def _parsed_html_lead(source: str) -> str:
    parser = _LeadParser()
    try:
        parser.feed(source)
    except _Found:
        return parser.lead
    return parser.finish()


def html_text(html: str) -> str:
    """All visible text of an HTML fragment, whitespace collapsed."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    return clean_text("".join(parser.chunks))


def markdown_lead(markdown: str) -> str:
    """The text of the first prose block of a Markdown body."""
    source = strip_liquid(markdown)
    source = _KRAMDOWN_IAL.sub("", source) if "{" in source else source
    # The lead is near the top: parse the head of a long body first, and all of it
    # only when the head does not settle it.
    simple = _simple_lead(source)
    if simple is not None:
        return simple
    cut = source.rfind("\n\n", 0, _HEAD_CHARS) if len(source) > _HEAD_CHARS else -1
    if cut > 0:
        found = _first_prose(source[:cut], complete=False)
        if found is not None:
            return found
    return _first_prose(source, complete=True) or ""


def _simple_lead(source: str) -> str | None:
    """The lead of a body that opens with nothing but ATX headings and then a paragraph
    of lines that start with a letter (most posts), found without the block parser:
    such lines can neither start nor interrupt another kind of block. None when the
    top is anything else, or the paragraph may use a [reference]; the parser decides."""
    lines: list[str] = []
    for line in source.split("\n"):
        if not line.strip(" \t"):
            if lines:
                break
        elif lines or line[0].isalpha():
            if not line[0].isalpha():
                return None
            lines.append(line)
        elif not _ATX_HEADING.match(line):
            return None
    content = "\n".join(lines).strip(" \t")
    if not content or _REFERENCE.search(content):
        return None
    if not _INLINE_MARKUP.search(content):
        return clean_text(content)  # what rendering it and reading the text back gives
    quick = quick_lead.markdown_inline(content)
    if quick is not None:
        return quick
    inline = _markdown().parseInline(content, {})[0]
    if _only_images(inline):
        return None
    if "<" in content:
        return clean_text(html_text(_render_inline(inline)))
    # Without raw HTML, the rendering holds only markdown-it's own inline tags, none of
    # them with text to leave out: dropping the tags reads the same text back.
    return clean_text(html.unescape(_TAG.sub("", _render_inline(inline))))


def _first_prose(source: str, *, complete: bool) -> str | None:
    """The lead of `source`; for a head (not `complete`), None when the head cannot
    tell: the lead could continue past the cut or use a [reference] defined later."""
    env: dict[str, object] = {}  # the block parse collects [reference]: definitions here
    blocks = _top_level_blocks(_blocks().parse(source, env))
    for index, block in enumerate(blocks):
        if not complete and (
            index == len(blocks) - 1 or _REFERENCE.search("".join(t.content for t in block))
        ):
            return None
        opener = block[0]
        if opener.type in ("heading_open", "fence", "code_block", "hr"):
            continue
        if opener.type == "html_block":
            text = html_lead(opener.content)
        else:
            inlines = [
                _markdown().parseInline(t.content, env)[0] for t in block if t.type == "inline"
            ]
            kept = [t for t in inlines if not _only_images(t)]
            text = clean_text(" ".join(html_text(_render_inline(t)) for t in kept))
        if text:
            return text
    return "" if complete else None


def inline_text(fragment: str) -> str:
    """Plain text of a front-matter excerpt, which may hold Markdown or HTML."""
    return html_text(_markdown().renderInline(strip_liquid(fragment)))


def cut_at_separator(body: str, separator: str | None) -> str:
    """The body before Jekyll's excerpt separator, or all of it when none is found."""
    for marker in (separator, MORE_SEPARATOR):
        if marker and marker in body:
            head = body.split(marker, 1)[0]
            if head.strip():
                return head
    return body


def _top_level_blocks(tokens: list[Token]) -> list[list[Token]]:
    blocks: list[list[Token]] = []
    current: list[Token] = []
    for token in tokens:
        current.append(token)
        if token.level == 0 and token.nesting <= 0:
            blocks.append(current)
            current = []
    return blocks


def _render_inline(inline: Token) -> str:
    markdown = _markdown()
    return str(markdown.renderer.render(inline.children or [], markdown.options, {}))


def _only_images(inline: Token) -> bool:
    """True for a paragraph that holds nothing but images (and links around them)."""
    for child in inline.children or []:
        if child.type in ("image", "softbreak", "hardbreak", "link_open", "link_close"):
            continue
        if child.type == "text" and not child.content.strip():
            continue
        return False
    return True
