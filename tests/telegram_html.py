"""A strict parser for the Telegram Bot API HTML parse mode (PLATFORMS.md §A3).

Used by the fake Telegram server and by tests to check what the product sends.

Two modes:

* ``strict=True`` (the default) rejects everything Telegram rejects **and** markup that
  Telegram accepts but renders wrongly, because that is a bug in what postbode sends:
  - a bare ``&``, ``>`` or an unknown/invalid entity such as ``&nbsp;`` or ``&#0;``
    (Telegram shows the literal characters "&nbsp;"); entities must end with ``;``;
  - nesting Telegram would silently repair by dropping entities: anything inside
    ``code``; anything but one ``code`` spanning the whole content inside ``pre``;
    ``blockquote`` inside ``blockquote``; one of a/code/pre/tg-emoji/tg-time/blockquote
    inside a/code/pre/tg-emoji/tg-time ("all other entities can't contain each other");
  - ``<a>`` without ``href`` (Telegram uses the link text as the URL) or with an URL
    Telegram refuses (``javascript:``, ``data:``, ``mailto:``...; Telegram keeps the text
    and silently drops the link).  Accepted: ``http://``, ``https://``, ``tg://``,
    ``ton://`` and bare domains such as ``example.com/x`` (stored as ``http://example.com/x``).
* ``strict=False`` follows Telegram's own parser (tdlib ``parse_html``) as far as it is
  known: literal ``&``/``>`` pass through, entities without ``;`` are decoded, unknown
  entities stay literal, bad links are dropped, impossible nesting is kept as parsed.

Errors reuse Telegram's wording where Telegram has one ("Unsupported start tag ...",
"Unmatched end tag ...", "Can't find end tag ..."); byte offsets count UTF-8 bytes of
the source, as Telegram's do. Entity offsets and lengths are UTF-16 code units.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = [
    "Entity",
    "TelegramHTMLError",
    "parse",
    "strip_text",
    "utf16_len",
    "visible_length",
    "visible_text",
]


class TelegramHTMLError(ValueError):
    """Markup Telegram would answer with "Bad Request: can't parse entities: ..."."""

    def __init__(self, detail: str, byte_offset: int | None = None) -> None:
        self.detail = detail
        self.byte_offset = byte_offset
        super().__init__(f"Can't parse entities: {detail}")


@dataclass(frozen=True)
class Entity:
    """A Bot API ``MessageEntity``; offset/length are UTF-16 code units."""

    type: str
    offset: int
    length: int
    url: str | None = None
    language: str | None = None
    custom_emoji_id: str | None = None
    unix_time: int | None = None
    date_time_format: str | None = None

    def to_api(self) -> dict[str, object]:
        """The JSON object Telegram returns for this entity (unset fields omitted)."""
        out: dict[str, object] = {"type": self.type, "offset": self.offset, "length": self.length}
        for name in ("url", "language", "custom_emoji_id", "unix_time", "date_time_format"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        return out


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (astral characters count 2)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


# Telegram trims the message text after parsing. The exact character set it trims is not
# documented; ASCII whitespace is the part that is certain, so that is what we strip.
_TRIM = " \t\n\r\v\f"


def strip_text(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Trim leading/trailing whitespace like Telegram and clip the entities to match."""
    stripped = text.strip(_TRIM)
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip(_TRIM))])
    end = lead + utf16_len(stripped)
    out: list[Entity] = []
    for ent in entities:
        start, stop = max(ent.offset, lead), min(ent.offset + ent.length, end)
        if stop > start:
            out.append(_replace(ent, offset=start - lead, length=stop - start))
    return stripped, out


def _replace(ent: Entity, *, offset: int, length: int) -> Entity:
    return Entity(
        ent.type,
        offset,
        length,
        ent.url,
        ent.language,
        ent.custom_emoji_id,
        ent.unix_time,
        ent.date_time_format,
    )


def parse(html: str, *, strict: bool = True, strip: bool = False) -> tuple[str, list[Entity]]:
    """Parse Telegram HTML into (visible text, entities sorted by offset).

    ``strip=True`` also trims the text as Telegram does before storing a message.
    Raises TelegramHTMLError when Telegram (or, in strict mode, our stricter rules)
    would reject the markup.
    """
    text, entities = _Parser(html, strict).run()
    if strip:
        return strip_text(text, entities)
    return text, entities


def visible_text(html: str, *, strict: bool = True) -> str:
    """The text Telegram would show, trimmed as Telegram trims it."""
    return parse(html, strict=strict, strip=True)[0]


def visible_length(html: str, *, strict: bool = True) -> int:
    """UTF-16 length of the text after entity parsing and Telegram's trimming.

    This is the number Telegram compares with 4096 (text) or 1024 (caption).
    """
    return utf16_len(visible_text(html, strict=strict))


# --- implementation -------------------------------------------------------------------

_SPACES = frozenset(" \t\r\n\v\f\0")
_SUPPORTED = frozenset(
    {"a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span"}
    | {"tg-spoiler", "tg-emoji", "tg-time", "code", "pre", "blockquote"}
)
_SIMPLE_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
}
# Entities that "can't contain each other" (Bot API formatting options).
_CONTINUOUS = frozenset({"a", "code", "pre", "tg-emoji", "tg-time"})
_PLAIN = re.compile(r"[^<>&]+")
_NAME_TOKEN = re.compile(r"[A-Za-z0-9.-]*")
# Numeric references need a lowercase "x" in Telegram's decoder: "&#X41;" stays literal.
_STRICT_ENTITY = re.compile(r"&(?:#([0-9]+)|#x([0-9A-Fa-f]+)|([A-Za-z][A-Za-z0-9]*));")
_LENIENT_ENTITY = re.compile(r"&(?:#([0-9]+)|#x([0-9A-Fa-f]+)|([A-Za-z]+));?")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_URL_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_ALLOWED_SCHEMES = frozenset({"http", "https", "tg", "ton"})
_BARE_DOMAIN = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}(?::\d+)?")
_TIME_FORMAT = re.compile(r"r|w?[dD]?[tT]?")


@dataclass
class _Open:
    tag: str  # lower-case tag name
    u16_start: int
    order: int
    attrs: dict[str, str] = field(default_factory=dict)
    had_content: bool = False  # text or a child tag seen since the tag opened
    code_child: bool = False  # <pre> whose content is one <code>


class _Parser:
    def __init__(self, src: str, strict: bool) -> None:
        self.src = src
        self.strict = strict
        self.out: list[str] = []
        self.u16 = 0
        self.stack: list[_Open] = []
        # (open order, entity): sorted at the end so that outer entities come first.
        self.entities: list[tuple[int, Entity]] = []
        self.opened = 0

    # Offsets in errors are UTF-8 bytes of the source, like Telegram's.
    def byte_offset(self, pos: int) -> int:
        return len(self.src[:pos].encode("utf-8", "surrogatepass"))

    def fail(self, message: str, pos: int | None = None) -> TelegramHTMLError:
        if pos is None:
            return TelegramHTMLError(message)
        offset = self.byte_offset(pos)
        return TelegramHTMLError(f"{message} at byte offset {offset}", offset)

    def emit(self, text: str, pos: int) -> None:
        if not text:
            return
        if self.stack:
            top = self.stack[-1]
            if self.strict and top.tag == "pre" and top.code_child:
                raise self.fail('Text outside of the "code" tag inside "pre"', pos)
            top.had_content = True
        self.out.append(text)
        self.u16 += utf16_len(text)

    def run(self) -> tuple[str, list[Entity]]:
        src, n, i = self.src, len(self.src), 0
        while i < n:
            c = src[i]
            if c == "<":
                i = self.end_tag(i) if i + 1 < n and src[i + 1] == "/" else self.start_tag(i)
            elif c == "&":
                text, end = self.char_ref(i)
                self.emit(text, i)
                i = end
            elif c == ">":
                if self.strict:
                    raise self.fail('Character ">" must be escaped as "&gt;"', i)
                self.emit(">", i)
                i += 1
            else:
                m = _PLAIN.match(src, i)
                assert m is not None
                self.emit(m.group(), i)
                i = m.end()
        if self.stack:
            raise self.fail(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].tag}"'
            )
        self.entities.sort(key=lambda item: (item[1].offset, -item[1].length, item[0]))
        return "".join(self.out), [ent for _, ent in self.entities]

    def char_ref(self, i: int) -> tuple[str, int]:
        """Decode the reference at src[i] == "&"; returns (text, next index)."""
        pattern = _STRICT_ENTITY if self.strict else _LENIENT_ENTITY
        m = pattern.match(self.src, i)
        value: str | None = None
        if m:
            dec, hexa, name = m.groups()
            if name is not None:
                value = _NAMED.get(name)
            else:
                code = int(dec) if dec is not None else int(hexa, 16)
                # Telegram's limits: no NUL, no surrogates, nothing from U+10FFFF up.
                if 0 < code < 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
                    value = chr(code)
        if value is not None and m is not None:
            return value, m.end()
        if self.strict:
            if m is None:
                raise self.fail('Character "&" must be escaped as "&amp;"', i)
            kind = "HTML entity" if m.group(3) else "character reference"
            raise self.fail(f'Unsupported {kind} "{m.group()}"', i)
        return "&", i + 1  # Telegram keeps what it cannot decode as literal text

    def start_tag(self, begin: int) -> int:
        src, n = self.src, len(self.src)
        i = begin + 1
        while i < n and src[i] not in _SPACES and src[i] != ">":
            i += 1
        if i >= n:
            raise self.fail("Unclosed start tag", begin)
        tag = src[begin + 1 : i].lower()
        if tag not in _SUPPORTED:
            raise self.fail(f'Unsupported start tag "{tag}"', begin)
        attrs: dict[str, str] = {}
        while True:
            while i < n and src[i] in _SPACES:
                i += 1
            if i >= n:
                raise self.fail(f'Unclosed start tag "{tag}"', begin)
            if src[i] == ">":
                break
            name_start = i
            while i < n and src[i] not in _SPACES and src[i] not in "=>":
                i += 1
            name = src[name_start:i].lower()
            if not name:
                raise self.fail(f'Empty attribute name in the tag "{tag}"', begin)
            while i < n and src[i] in _SPACES:
                i += 1
            if i >= n or src[i] != "=":
                # The only attribute Telegram accepts without a value.
                if tag == "blockquote" and name == "expandable":
                    attrs[name] = ""
                    continue
                raise self.fail(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}"', begin
                )
            i += 1
            while i < n and src[i] in _SPACES:
                i += 1
            if i >= n:
                raise self.fail(f'Unclosed start tag "{tag}"', begin)
            if src[i] in "\"'":
                value, i = self.quoted_value(i, begin)
            else:
                # Unquoted values are HTML "name tokens": letters, digits, "." and "-".
                m = _NAME_TOKEN.match(src, i)
                assert m is not None
                if m.end() < n and src[m.end()] not in _SPACES and src[m.end()] != ">":
                    raise self.fail("Unexpected end of name token", i)
                if m.end() >= n:
                    raise self.fail("Unclosed start tag", begin)
                value, i = m.group().lower(), m.end()
            attrs.setdefault(name, value)
        self.open_tag(tag, attrs, begin)
        return i + 1

    def quoted_value(self, i: int, begin: int) -> tuple[str, int]:
        src, n = self.src, len(self.src)
        quote = src[i]
        i += 1
        parts: list[str] = []
        while i < n and src[i] != quote:
            if src[i] == "&":
                text, i = self.char_ref(i)
                parts.append(text)
            else:
                parts.append(src[i])
                i += 1
        if i >= n:
            raise self.fail("Unclosed start tag", begin)
        return "".join(parts), i + 1

    def open_tag(self, tag: str, attrs: dict[str, str], begin: int) -> None:
        if tag == "span" and attrs.get("class") != "tg-spoiler":
            raise self.fail('Tag "span" must have class "tg-spoiler"', begin)
        if tag == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
            raise self.fail('Tag "tg-emoji" must have a numeric attribute "emoji-id"', begin)
        if tag == "tg-time":
            if not attrs.get("unix", "").isdigit():
                raise self.fail('Tag "tg-time" must have a numeric attribute "unix"', begin)
            if not _TIME_FORMAT.fullmatch(attrs.get("format", "")):
                raise self.fail('Invalid "format" attribute of the tag "tg-time"', begin)
        if tag == "a" and self.strict:
            if "href" not in attrs:
                raise self.fail('Tag "a" must have attribute "href"', begin)
            if _check_url(attrs["href"]) is None:
                raise self.fail(f'Unsupported URL "{attrs["href"]}" in the tag "a"', begin)
        if self.strict:
            self.check_nesting(tag, begin)
        if self.stack:
            self.stack[-1].had_content = True
        self.stack.append(_Open(tag, self.u16, self.opened, attrs))
        self.opened += 1

    def check_nesting(self, tag: str, begin: int) -> None:
        if not self.stack:
            return
        top = self.stack[-1]
        if top.tag == "pre" and tag == "code" and not top.had_content:
            top.code_child = True  # <pre><code class="language-x"> is the one allowed pair
            return
        for outer in self.stack:
            if outer.tag in ("pre", "code") or (
                tag in _CONTINUOUS | {"blockquote"}
                and (outer.tag in _CONTINUOUS or (tag == "blockquote" == outer.tag))
            ):
                raise self.fail(f'Tag "{tag}" can\'t be nested in the tag "{outer.tag}"', begin)

    def end_tag(self, begin: int) -> int:
        src, n = self.src, len(self.src)
        if not self.stack:
            raise self.fail("Unexpected end tag", begin)
        i = begin + 2
        while i < n and src[i] not in _SPACES and src[i] != ">":
            i += 1
        name = src[begin + 2 : i]
        while i < n and src[i] in _SPACES:
            i += 1
        if i >= n or src[i] != ">":
            raise self.fail("Unclosed end tag", begin)
        top = self.stack[-1]
        # "</>" closes whatever is open, as in Telegram.
        if name and name.lower() != top.tag:
            offset = self.byte_offset(begin)
            raise TelegramHTMLError(
                f'Unmatched end tag at byte offset {offset}, expected "</{top.tag}>", '
                f'found "</{name}>"',
                offset,
            )
        self.stack.pop()
        self.close(top)
        return i + 1

    def close(self, tag: _Open) -> None:
        length = self.u16 - tag.u16_start
        if length <= 0:
            return  # Telegram drops empty entities
        offset, name, attrs = tag.u16_start, tag.tag, tag.attrs
        ent: Entity | None
        if name in _SIMPLE_TYPES:
            ent = Entity(_SIMPLE_TYPES[name], offset, length)
        elif name == "a":
            url = _check_url(attrs.get("href") or self.text_since(tag))
            ent = Entity("text_link", offset, length, url=url) if url else None
        elif name == "code":
            language = attrs.get("class", "")
            language = language[9:] if language.startswith("language-") else ""
            ent = Entity("code", offset, length, language=language or None)
        elif name == "pre":
            ent = Entity("pre", offset, length)
            if self.entities:
                _, last = self.entities[-1]
                if last.type == "code" and (last.offset, last.length) == (offset, length):
                    # <pre><code class="language-x">: one pre entity carrying the language.
                    self.entities.pop()
                    ent = Entity("pre", offset, length, language=last.language)
        elif name == "blockquote":
            kind = "expandable_blockquote" if "expandable" in attrs else "blockquote"
            ent = Entity(kind, offset, length)
        elif name == "tg-emoji":
            ent = Entity("custom_emoji", offset, length, custom_emoji_id=attrs["emoji-id"])
        else:  # tg-time
            ent = Entity(
                "date_time",
                offset,
                length,
                unix_time=int(attrs["unix"]),
                date_time_format=attrs.get("format") or None,
            )
        if ent is not None:
            self.entities.append((tag.order, ent))

    def text_since(self, tag: _Open) -> str:
        text = "".join(self.out)
        units = text.encode("utf-16-le", "surrogatepass")[tag.u16_start * 2 :]
        return units.decode("utf-16-le", "surrogatepass")


def _check_url(url: str) -> str | None:
    """The URL Telegram would store for a text link, or None if Telegram refuses it."""
    url = url.strip()
    m = _URL_SCHEME.match(url)
    if m and m.group(1).lower() in _ALLOWED_SCHEMES:
        rest = url[m.end() :]
        return url if rest.startswith("//") and len(rest) > 2 else None
    host = re.split(r"[/?#]", url, maxsplit=1)[0]
    if _BARE_DOMAIN.fullmatch(host):
        return "http://" + url  # Telegram accepts bare domains and adds the scheme
    return None
