"""Post -> what each channel sends: Telegram HTML, Mastodon text, console text (pure).

Every rendering fits its channel's limit by construction: what does not fit is
the lead, shortened at a sentence or word; then the hashtags go; the title is cut
only when it alone does not fit. A Mastodon content warning counts against the
status's limit, as the server counts it.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

from bot.jekyll.posts import Post
from bot.text import clean_text, shorten, strip_controls, utf16_len
from bot.words import pick, words

TELEGRAM_TEXT_LIMIT = 4096  # sendMessage text, after entity parsing, UTF-16 units
TELEGRAM_CAPTION_LIMIT = 1024  # sendPhoto caption, same unit
MASTODON_DEFAULT_MAX_CHARACTERS = 500
MASTODON_DEFAULT_URL_CHARACTERS = 23
MAX_HASHTAGS = 5
# Keep the hashtags only when the lead keeps at least this much of itself.
_MIN_LEAD_WITH_TAGS = 100
# A content warning takes at most this share of a status: the title and link must fit.
_MAX_WARNING_SHARE = 0.5

_HTTP = re.compile(r"https?://", re.IGNORECASE)
_NOT_IN_TAGS = re.compile(r"[\W_]+")
_SEPARATOR = "\n\n"

Measure = Callable[[str], int]


# What a rendering gives is a NamedTuple, immutable as a frozen dataclass and built
# four times faster (preview builds one of each for every post of a site).
class TelegramMessage(NamedTuple):
    method: Literal["sendMessage", "sendPhoto"]
    text: str  # HTML parse mode: the message text, or the photo caption
    photo: str | None
    preview_url: str | None  # the link preview shown under a text message
    used: int
    limit: int
    parse_mode: str = "HTML"


@dataclass(frozen=True)
class MastodonRules:
    """How an instance counts: read from its configuration at start-up."""

    max_characters: int = MASTODON_DEFAULT_MAX_CHARACTERS
    url_characters: int = MASTODON_DEFAULT_URL_CHARACTERS
    # The exact cost of one URL (the Mastodon adapter knows the server's rule);
    # by default the safe upper bound: its own length plus the reserved count.
    url_cost: Measure | None = None

    def link_cost(self, url: str) -> int:
        return self.url_cost(url) if self.url_cost else len(url) + self.url_characters

    def text_cost(self, text: str) -> int:
        """An upper bound for free text: code points (≥ graphemes), and any URL in it
        may count as `url_characters` however short it is."""
        if "://" not in text:  # most text, and found faster than by the regex
            return len(text)
        return len(text) + self.url_characters * len(_HTTP.findall(text))


class MastodonStatus(NamedTuple):
    text: str
    language: str
    image_url: str | None
    image_path: str | None
    alt_text: str
    used: int  # spoiler_text included: Mastodon counts both against max_characters
    limit: int
    spoiler_text: str = ""  # the content warning; "" for none


def language_of(post: Post, default: str) -> str:
    """The post's own `lang` when it has one, else the configured LANGUAGE."""
    return post.language or default


def hashtags(post: Post, extra: Sequence[str] = ()) -> list[str]:
    """#CamelCase tags from categories and tags (letters and digits only), at most
    MAX_HASHTAGS, then a destination's own `extra` ones as they are written."""
    tags = _hashtags(post.categories, post.tags)
    if not extra:
        return list(tags)
    kept = {tag.lower() for tag in tags}
    return [*tags, *(f"#{tag}" for tag in dict.fromkeys(extra) if f"#{tag}".lower() not in kept)]


# Every rendering of a post asks (preview: four times a post), so the last ones are kept.
@functools.lru_cache(maxsize=64)
def _hashtags(categories: tuple[str, ...], tags: tuple[str, ...]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for label in (*categories, *tags):
        tag = _tag(label)
        if tag and not tag.isdigit():
            seen.setdefault(tag.lower(), "#" + tag)
    return tuple(seen.values())[:MAX_HASHTAGS]


# A site's categories and tags repeat from post to post, their combinations much less.
@functools.lru_cache(maxsize=4096)
def _tag(label: str) -> str:
    """One label in CamelCase without its spaces and punctuation (no '#')."""
    return "".join(w[0].upper() + w[1:] for w in _NOT_IN_TAGS.split(label) if w)


def render_telegram(
    post: Post,
    language: str,
    *,
    words_in: str | None = None,
    read_more: str | None = None,
    extra_tags: Sequence[str] = (),
) -> TelegramMessage:
    """HTML parse mode: bold title, lead, a "Lees verder" link, hashtags (the post's,
    then the destination's `extra_tags`).

    The link's words: `read_more` when given (a destination's own), else those of
    `words_in` (a destination's language), else of the post's language where
    postbode speaks it, else of `language` (LANGUAGE)."""
    has_photo = post.image_url is not None
    limit = TELEGRAM_CAPTION_LIMIT if has_photo else TELEGRAM_TEXT_LIMIT
    read_more = read_more or words(pick(words_in, post.language, fallback=language)).read_more
    link_html = f'<a href="{_escape(post.link)}">{_escape(read_more)}</a>'
    tags = hashtags(post, extra_tags)
    title, lead, tags = fit(post, limit, utf16_len, fixed=[read_more], tags=tags)
    visible = [title, lead, read_more, " ".join(tags)]
    markup = [f"<b>{_escape(title)}</b>", _escape(lead), link_html, " ".join(tags)]
    return TelegramMessage(
        method="sendPhoto" if has_photo else "sendMessage",
        text=_SEPARATOR.join(part for part in markup if part),
        photo=post.image_url,
        preview_url=None if has_photo else post.link,
        used=utf16_len(_SEPARATOR.join(part for part in visible if part)),
        limit=limit,
    )


def _escape(text: str) -> str:
    """html.escape, which replaces each of its five characters through the whole text:
    looked for first (by `in`, in C: a generator of them costs as much as the replacing),
    and most text has none."""
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        return html.escape(text)
    return text


def render_mastodon(
    post: Post,
    language: str,
    rules: MastodonRules,
    *,
    extra_tags: Sequence[str] = (),
    spoiler_text: str | None = None,
) -> MastodonStatus:
    """Plain text: title, lead, link, hashtags, within the instance's limit together
    with the content warning (`spoiler_text`), which Mastodon counts too."""
    warning = _warning(spoiler_text, rules.max_characters)
    link_cost = rules.link_cost(post.link)
    # The link counts as link_cost whatever its length; stand in for it with that many x's.
    stand_in = "x" * link_cost
    # The server counts the warning's graphemes as they are (URLs and mentions in it too):
    # its code points are an upper bound.
    limit = rules.max_characters - len(warning)
    tags = hashtags(post, extra_tags)
    title, lead, tags = fit(post, limit, rules.text_cost, fixed=[stand_in], tags=tags)
    parts = [title, lead, post.link, " ".join(tags)]
    counted = [title, lead, " ".join(tags)]
    return MastodonStatus(
        text=_SEPARATOR.join(part for part in parts if part),
        language=language_of(post, language),
        image_url=post.image_url,
        image_path=post.image_path,
        alt_text=post.image_alt or title,
        used=sum(rules.text_cost(p) for p in counted if p)
        + link_cost
        + len(_SEPARATOR) * (sum(1 for p in parts if p) - 1)
        + len(warning),
        limit=rules.max_characters,
        spoiler_text=warning,
    )


def _warning(text: str | None, max_characters: int) -> str:
    """The content warning on one line, shortened to its share of the status."""
    if not text:  # most statuses
        return ""
    return shorten(clean_text(text), int(max_characters * _MAX_WARNING_SHARE), len)


def render_console(post: Post, language: str) -> str:
    """Plain text for the terminal: nothing that moves the cursor or colours the screen."""
    parts = [post.title, post.lead, post.link, " ".join(hashtags(post))]
    date = console_date(post.date)
    return strip_controls("\n".join([f"{date}  {parts[0]}", *[p for p in parts[1:] if p]]))


def console_date(date: dt.datetime) -> str:
    """strftime("%Y-%m-%d %H:%M %z") (a sixth of a console rendering), from isoformat:
    the offset the same, without its colons."""
    if date.year < 1000:  # isoformat pads the year to four digits, strftime does not
        return date.strftime("%Y-%m-%d %H:%M %z")
    iso = date.isoformat(" ", "minutes")  # 2026-11-27 09:00+01:00
    return f"{iso[:16]} {iso[16:].replace(':', '')}"


def fit(
    post: Post, limit: int, measure: Measure, *, fixed: Sequence[str], tags: list[str]
) -> tuple[str, str, list[str]]:
    """Title, lead and `tags` (or none) that fit `limit` together with the `fixed` parts
    (every platform's rendering: Telegram, Mastodon, Bluesky)."""
    # Each part is measured once, with the separator before it; what a choice of parts
    # costs is then a sum (less the first part's separator, taken off `fixed`).
    sep = len(_SEPARATOR)
    title_size, lead_size = measure(post.title), measure(post.lead)
    title = title_size + sep if post.title else 0
    lead = lead_size + sep if post.lead else 0
    joined = " ".join(tags)
    all_tags = measure(joined) + sep if joined else 0
    fixed_size = sum(measure(part) + sep for part in fixed if part) - sep
    if title + lead + fixed_size + all_tags <= limit:
        return post.title, post.lead, tags
    for kept_tags, tag_size in ((tags, all_tags), ([], 0)):
        without_lead = title + fixed_size + tag_size
        if not post.lead:
            if without_lead <= limit:
                return post.title, "", kept_tags
            continue
        room = limit - without_lead - sep
        lead_text = shorten(post.lead, room, measure) if room > 0 else ""
        if lead_text and (
            not kept_tags or measure(lead_text) >= min(lead_size, _MIN_LEAD_WITH_TAGS)
        ):
            return post.title, lead_text, kept_tags
    # Not even a word of the lead fits: the title takes what the fixed parts leave.
    room = limit - fixed_size - sep
    if title_size <= room:
        return post.title, "", []
    return shorten(post.title, room, measure), "", []
