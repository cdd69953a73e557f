"""Jekyll post files to Post values, following Jekyll's own rules (pure functions).

`read_post(raw, path, site, mtime)` never raises for bad input: a file that is
not a publishable post comes back as `Rejected` with a reason a person can act on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Literal

import yaml

from bot.jekyll import dates, defaults, document, front_matter, lead
from bot.jekyll.links import NoLink, feature_image, post_link
from bot.jekyll.permalinks import UrlParts
from bot.jekyll.site import Site
from bot.jekyll.syndication import syndication
from bot.text import clean_text, shorten

MAX_POST_BYTES = 5 * 1024 * 1024
# No channel shows more than 4096 characters, so a longer lead is never needed.
MAX_LEAD_CHARS = 4096
MAX_TITLE_CHARS = 1024

EXCERPT_KEYS = ("excerpt", "description", "summary")
# Changed when postbode reads posts differently (a URL rule mended): posts that never
# went out are read again at the next start.
READING_RULES = "2: Jekyll 4.3 URLs, dates and categories"

# Jekyll's YAML_FRONT_MATTER_REGEXP: opens with ---, closes with --- or ...
_FRONT_MATTER_START = re.compile(r"\A---[ \t]*\n")
_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
_LANGUAGE = re.compile(r"^[a-z]{2}$")
# YAML aliases may repeat a value without end ("billion laughs"): a front matter that
# expands to more than this (in values, long strings counting per 64 characters) is refused.
MAX_YAML_SIZE = 100_000
MAX_REASON = 300  # characters of a value quoted in a reason

Status = Literal["ready", "future", "unpublished", "invalid", "ignored"]


# libyaml's loader, as python-frontmatter would use; the block is found with Jekyll's
# own rule (it also closes with `...`), so python-frontmatter's handler is not needed.
_LOADER = front_matter.LOADER


@dataclass(frozen=True)
class Post:
    """A publishable Jekyll post, everything a summary is built from."""

    path: str
    title: str
    date: dt.datetime
    link: str
    lead: str = ""
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    image_url: str | None = None
    image_path: str | None = None
    image_alt: str | None = None  # the site's own words for the image (else the title)
    language: str | None = None
    published: bool = True
    notes: tuple[str, ...] = ()
    # Where it goes (SPEC §10): `syndicate` names (None: wherever it matches, ():
    # nowhere), platforms it must not go to, and its content warning.
    syndicate: tuple[str, ...] | None = None
    not_on: tuple[str, ...] = ()
    content_warning: str | None = None

    def status(self, now: dt.datetime) -> Status:
        """Jekyll's publishing rules: `published: false` never, future dates later."""
        if not self.published:
            return "unpublished"
        return "future" if self.date > now else "ready"

    @property
    def summary_key(self) -> str:
        """Changes exactly when what readers see of the post changes."""
        parts = [self.title, self.lead, self.link, self.image_url or "", self.image_path or ""]
        if self.content_warning:  # kept out when empty: the keys of older releases hold
            parts.append(self.content_warning)
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Rejected:
    """A file that is not a publishable post, with the reason why."""

    path: str
    status: Literal["invalid", "ignored"]
    reason: str


def read_post(raw: bytes, path: str, site: Site, mtime: float) -> Post | Rejected:
    """Parse the bytes of the file at `path` (relative to the posts folder)."""
    try:
        text = _decode(raw)
        metadata, body = _split(text)
        return _build(metadata, body, path, site, mtime)
    except _NotAPost as rejection:
        return Rejected(path, rejection.status, _brief(rejection.reason))


def _brief(reason: str) -> str:
    """A reason is for a log line and `status`: a huge value quoted in it is cut."""
    return reason if len(reason) <= MAX_REASON else reason[: MAX_REASON - 1] + "…"


class _NotAPost(Exception):
    def __init__(self, reason: str, status: Literal["invalid", "ignored"] = "invalid") -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def _decode(raw: bytes) -> str:
    if len(raw) > MAX_POST_BYTES:
        raise _NotAPost("file is larger than the 5 MB a post may be")
    if b"\x00" in raw:
        raise _NotAPost("binary file, not a text post")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _NotAPost(
            f"not UTF-8 text (byte 0x{raw[error.start]:02x} at offset {error.start})"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _split(text: str) -> tuple[dict[str, Any], str]:
    start = _FRONT_MATTER_START.match(text)
    if not start:
        raise _NotAPost("no front matter (Jekyll ignores files without it)", "ignored")
    end = _FRONT_MATTER_END.search(text, start.end())
    if not end:
        raise _NotAPost("front matter is not closed: no second '---' line")
    block = text[start.end() : end.start()]
    try:
        if "&" in block and "*" in block:  # anchors and aliases: count before expanding
            _check_expansion(yaml.compose(block, Loader=_LOADER))
        metadata = front_matter.load(block)
    except yaml.YAMLError as error:
        raise _NotAPost(f"front matter is not valid YAML: {_yaml_problem(error)}") from None
    # PyYAML's functions for !!int "", !!bool x, !!timestamp x fail in their own ways.
    except (ValueError, TypeError, RecursionError, LookupError, AttributeError) as error:
        raise _NotAPost(f"front matter could not be read: {error}") from None
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        raise _NotAPost("front matter is not a list of `key: value` lines")
    # The body as Jekyll sees it: not stripped, so indented code stays code.
    return metadata, text[end.end() :]


def _check_expansion(root: yaml.Node | None) -> None:
    """Refuse a front matter whose aliases would expand it beyond MAX_YAML_SIZE; the
    node graph shares what aliases repeat, so this costs its size, not the expansion."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        if id(node) in sizes:
            return sizes[id(node)]
        sizes[id(node)] = 1  # an alias of itself (a cycle) counts once
        if isinstance(node, yaml.MappingNode):
            total = 1 + sum(size(key) + size(value) for key, value in node.value)
        elif isinstance(node, yaml.SequenceNode):
            total = 1 + sum(size(item) for item in node.value)
        else:
            total = 1 + len(str(node.value)) // 64
        sizes[id(node)] = min(total, MAX_YAML_SIZE + 1)
        return sizes[id(node)]

    if root is not None and size(root) > MAX_YAML_SIZE:
        raise _NotAPost(
            f"front matter expands to more than {MAX_YAML_SIZE:,} values through YAML aliases"
        )


def _yaml_problem(error: yaml.YAMLError) -> str:
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    mark = getattr(error, "problem_mark", None)
    # +2: the mark counts from 0, and from the line after the opening ---
    return f"{problem} (line {mark.line + 2})" if mark is not None else str(problem)


def _build(metadata: Mapping[str, Any], body: str, path: str, site: Site, mtime: float) -> Post:
    notes: list[str] = []
    in_site = site.prefix + path  # Jekyll's relative_path: from the site's root
    if site.defaults:
        metadata = defaults.applied(metadata, in_site, site.defaults)
    pure = PurePosixPath(path)  # one, not one per question: a first run reads 100,000
    # Through UTC: a local time the clocks skipped (02:30 on the night DST starts)
    # becomes the hour after it, as Jekyll shows it.
    date = _date(metadata, pure.name, site, mtime, notes).astimezone(dt.UTC)
    date = date.astimezone(site.timezone)
    slug = document.file_slug(path)
    categories = document.categories(metadata, in_site)
    own_slug = metadata.get("slug")
    markdown = pure.suffix.lower() in site.markdown_ext
    parts = UrlParts(
        date=date,
        slug=document.ruby_text(own_slug) if own_slug is not None else slug,
        basename=pure.stem,
        categories=categories,
        output_ext=".html" if markdown else pure.suffix,
        path=_cleaned_path(in_site, pure.suffix),
    )
    try:
        link = post_link(metadata, site, parts)
    except NoLink as error:
        raise _NotAPost(str(error)) from None
    image = feature_image(metadata, site, notes)
    routing = syndication(metadata, notes)
    return Post(
        path=path,
        title=_title(metadata, slug),
        date=date,
        link=link,
        lead=_lead(metadata, body, markdown, site),
        categories=_cleaned(categories),
        tags=_cleaned(document.tags(metadata)),
        image_url=image.url,
        image_path=image.path,
        image_alt=image.alt,
        language=_language(metadata),
        published=_published(metadata, site, notes),
        notes=tuple(notes),
        syndicate=routing.only,
        not_on=routing.not_on,
        content_warning=routing.content_warning,
    )


def _published(metadata: Mapping[str, Any], site: Site, notes: list[str]) -> bool:
    """Jekyll's rule, and two of postbode's own (the README names them): `draft: true`
    is not published (SPEC §10), and `hidden: true` is not announced unless the site
    says so (ANNOUNCE_HIDDEN=on)."""
    if not document.is_published(metadata):
        return False
    if document.is_set(metadata, "draft"):
        notes.append("draft: true, so not published")
        return False
    if document.is_set(metadata, "hidden") and not site.announce_hidden:
        notes.append("hidden: true, so not announced (ANNOUNCE_HIDDEN=on announces it)")
        return False
    return True


def _cleaned_path(path: str, suffix: str) -> str:
    """Jekyll's cleaned_relative_path, the `:path` placeholder: no extension, no
    `_posts`, no trailing dots."""
    return path[: len(path) - len(suffix)].replace("_posts", "", 1).rstrip(".")


def _cleaned(values: tuple[str, ...]) -> tuple[str, ...]:
    """Names as readers see them: whitespace collapsed, empty ones left out."""
    cleaned = (clean_text(value) for value in values)
    return tuple(dict.fromkeys(value for value in cleaned if value))


def _language(metadata: Mapping[str, Any]) -> str | None:
    """`lang` (nl, en-GB) or `locale` (nl_NL, as Minimal Mistakes and Chirpy write it),
    as the two-letter code the platforms take."""
    for key in ("lang", "locale"):
        value = metadata.get(key)
        if isinstance(value, str):
            code = value.strip().lower().replace("_", "-").split("-")[0]
            if _LANGUAGE.match(code):
                return code
    return None


def _date(
    metadata: Mapping[str, Any], name: str, site: Site, mtime: float, notes: list[str]
) -> dt.datetime:
    if metadata.get("date") is not None:
        try:
            return dates.parse_date(metadata["date"], site.timezone)
        except dates.DateError as error:
            raise _NotAPost(str(error)) from None
    from_name = dates.date_from_filename(name, site.timezone)
    if from_name is not None:
        return from_name
    notes.append("no date in front matter or file name: using the file's modification time")
    return dt.datetime.fromtimestamp(mtime, site.timezone)


def _title(metadata: Mapping[str, Any], slug: str) -> str:
    value = document.title(metadata, slug)
    if isinstance(value, (list, dict)):
        raise _NotAPost("title is a list or mapping, not text")
    # An empty title is Jekyll's to keep; a message needs one, so it is the file's.
    title = clean_text(document.ruby_text(value)) or document.title({}, slug)
    if not title:
        raise _NotAPost("no title in front matter or file name")
    return shorten(title, MAX_TITLE_CHARS, len)


def _lead(metadata: Mapping[str, Any], body: str, markdown: bool, site: Site) -> str:
    for key in EXCERPT_KEYS:
        value = metadata.get(key)
        if isinstance(value, str) and value.strip():
            text = lead.inline_text(value)
            if text:
                return shorten(text, MAX_LEAD_CHARS, len)
    separator = metadata.get("excerpt_separator")
    separator = separator if isinstance(separator, str) and separator else site.excerpt_separator
    head = lead.cut_at_separator(body, separator)
    text = lead.markdown_lead(head) if markdown else lead.html_lead(head)
    return shorten(text, MAX_LEAD_CHARS, len)
