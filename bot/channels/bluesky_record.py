"""Post -> the `app.bsky.feed.post` record a Bluesky account publishes (pure).

The text is the title, the lead, the link (shown shortened, whole in its facet) and the
hashtags, within 300 graphemes and 3,000 UTF-8 bytes (the lexicon's `maxGraphemes` and
`maxLength`); what does not fit is the lead, as on the other platforms. Facets address
the text in UTF-8 byte offsets, so an emoji or an accent before a link moves it by more
bytes than characters. The card under the text (`app.bsky.embed.external`) is built
from the post itself: Bluesky fetches no link preview. No atproto import here: preview
renders this without the SDK.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal, NamedTuple

from bot.jekyll.posts import Post
from bot.summary import fit, hashtags, language_of
from bot.text import ELLIPSIS, shorten, utf16_len

POST_COLLECTION = "app.bsky.feed.post"
BLUESKY_GRAPHEMES = 300  # app.bsky.feed.post#text maxGraphemes
BLUESKY_BYTES = 3000  # and maxLength, in UTF-8 bytes
THUMB_BYTES = 1_000_000  # app.bsky.embed.external#external thumb maxSize
TAG_GRAPHEMES = 64  # app.bsky.richtext.facet#tag: longer tags are not kept
LINK_SHOWN = 40  # characters of the link shown in the text (the facet has all of it)
DESCRIPTION_LIMIT = 1000  # characters of the lead on the card
_SEPARATOR = "\n\n"
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_SCHEME = re.compile(r"^https?://(www\.)?", re.IGNORECASE)
# Base32-sortable, the alphabet of a TID (a record key that is a timestamp).
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_TID_FALLBACK_EPOCH = 1_704_067_200_000_000  # 2024-01-01 in µs, for keys of another shape


class Facet(NamedTuple):  # as summary's renderings, for the speed of building one
    """A span of the text in UTF-8 bytes (start inclusive, end exclusive) and what it is."""

    start: int
    end: int
    kind: Literal["link", "tag"]
    value: str  # the whole URL; the tag without its '#'

    def as_json(self) -> dict[str, Any]:
        feature = (
            {"$type": "app.bsky.richtext.facet#link", "uri": self.value}
            if self.kind == "link"
            else {"$type": "app.bsky.richtext.facet#tag", "tag": self.value}
        )
        return {"index": {"byteStart": self.start, "byteEnd": self.end}, "features": [feature]}


class BlueskyPost(NamedTuple):
    """What a Bluesky destination publishes for a post, and the budget it used."""

    text: str
    facets: tuple[Facet, ...]
    langs: tuple[str, ...]
    created_at: str
    link: str
    title: str  # the card's
    description: str
    image_url: str | None
    image_path: str | None
    graphemes: int
    bytes: int
    limit: int = BLUESKY_GRAPHEMES
    byte_limit: int = BLUESKY_BYTES

    def record(self, thumb: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The record as createRecord takes it; `thumb`: the uploaded image's blob."""
        external: dict[str, Any] = {
            "uri": self.link,
            "title": self.title,
            "description": self.description,
        }
        if thumb is not None:
            external["thumb"] = dict(thumb)
        return {
            "$type": POST_COLLECTION,
            "text": self.text,
            "facets": [facet.as_json() for facet in self.facets],
            "langs": list(self.langs),
            "createdAt": self.created_at,
            "embed": {"$type": "app.bsky.embed.external", "external": external},
        }

    def facet_texts(self) -> list[str]:
        """The text each facet labels (preview shows them; the tests check them)."""
        raw = self.text.encode("utf-8")
        return [raw[f.start : f.end].decode("utf-8") for f in self.facets]


def graphemes(text: str) -> int:
    """User-perceived characters, as Bluesky counts `maxGraphemes`."""
    if text.isascii() or not _may_join(text):
        return len(text)  # every character a grapheme of its own
    import grapheme  # Mastodon.py's dependency too; pure Python, so only where needed

    return int(grapheme.length(text))


def cost(text: str) -> int:
    """One number for both limits: within 300 exactly when the graphemes are within 300
    and the bytes within 3,000. Summed over parts it can only over-count."""
    if text.isascii() or not _may_join(text):  # ASCII (most text) without a call
        return len(text)  # and at most 4 bytes a character: the bytes cannot bind
    return max(graphemes(text), -(-len(text.encode("utf-8")) // 10))


def _may_join(text: str) -> bool:
    """Whether two of its characters may be one grapheme: a search in C, the astral
    planes' characters (a slow class for the regex engine) only when there are some."""
    if text.isascii():
        return False
    if text[-1] == ELLIPSIS and text[:-1].isascii():  # a shortened text: "…" joins nothing
        return False
    basic, astral = _joiners()
    if basic.search(text):
        return True
    # Astral characters take two UTF-16 units: counted by an encoding, faster than max().
    return utf16_len(text) != len(text) and astral.search(text) is not None


@functools.cache
def _joiners() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The characters that can join another into one grapheme (marks, joiners, Hangul
    jamo, regional indicators, prepended and spacing marks), from the grapheme library's
    own tables, as ranges: those of the basic plane, and the others."""
    from grapheme import grapheme_property_group as table

    group = table.GraphemePropertyGroup
    joining = {group.PREPEND, group.CR, group.EXTEND, group.REGIONAL_INDICATOR,
               group.SPACING_MARK, group.L, group.V, group.T, group.ZWJ}  # fmt: skip
    points = sorted(
        [c for c, kind in table.SINGLE_CHAR_MAPPINGS.items() if kind in joining]
        + [
            c
            for low, high, kind in table.RANGE_TREE[1]
            if kind in joining
            for c in range(low, high + 1)
        ]
    )
    ranges: list[list[int]] = []
    for point in points:
        if ranges and point == ranges[-1][1] + 1:
            ranges[-1][1] = point
        else:
            ranges.append([point, point])

    def pattern(spans: list[list[int]]) -> re.Pattern[str]:
        members = "".join(f"{re.escape(chr(low))}-{re.escape(chr(high))}" for low, high in spans)
        return re.compile(f"[{members}]")

    return (
        pattern([r for r in ranges if r[1] <= 0xFFFF]),
        pattern([r for r in ranges if r[1] > 0xFFFF]),
    )


def shown_link(link: str) -> str:
    """The link as the text shows it: without its scheme, at most LINK_SHOWN characters
    (a facet may label a shortened URL; it carries the whole one)."""
    shown = _SCHEME.sub("", link).rstrip("/") or link
    return shown if len(shown) <= LINK_SHOWN else shown[: LINK_SHOWN - 1] + ELLIPSIS


def render_bluesky(
    post: Post, language: str, *, now: dt.datetime, extra_tags: Sequence[str] = ()
) -> BlueskyPost:
    """The post's record: title, lead, link and hashtags within 300 graphemes and 3,000
    bytes; `now` is its createdAt (a backfilled post is not dated back: Bluesky marks
    such posts as archived)."""
    link_text = shown_link(post.link)
    tags = [tag for tag in hashtags(post, extra_tags) if graphemes(tag) <= TAG_GRAPHEMES + 1]
    title, lead, tags = fit(post, BLUESKY_GRAPHEMES, cost, fixed=[link_text], tags=tags)
    parts: list[str] = []
    facets: list[Facet] = []
    offset = 0  # bytes of the text so far

    def add(part: str) -> int:
        nonlocal offset
        if parts:
            offset += len(_SEPARATOR)
        start = offset
        parts.append(part)
        offset += len(part.encode("utf-8"))
        return start

    for part in (title, lead):
        if part:
            add(part)
    start = add(link_text)
    facets.append(Facet(start, offset, "link", post.link))
    if tags:
        position = add(" ".join(tags))
        for tag in tags:
            size = len(tag.encode("utf-8"))
            facets.append(Facet(position, position + size, "tag", tag[1:]))
            position += size + 1
    text = _SEPARATOR.join(parts)
    code = language_of(post, language)
    return BlueskyPost(
        text=text,
        facets=tuple(facets),
        langs=(code if _LANGUAGE.match(code) else language,),
        created_at=datetime_text(now),
        link=post.link,
        title=post.title,
        description=shorten(post.lead, DESCRIPTION_LIMIT, len),
        image_url=post.image_url,
        image_path=post.image_path,
        graphemes=graphemes(text),
        bytes=len(text.encode("utf-8")),
    )


@functools.lru_cache(maxsize=1)  # preview renders every post at the same moment
def datetime_text(moment: dt.datetime) -> str:
    """An atproto datetime: RFC 3339 in UTC with milliseconds and a Z."""
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


def record_key(idempotency_key: str) -> str:
    """The record key (a TID) a delivery's post gets, the same at every attempt: after a
    crash between createRecord and recording its answer, the retry finds the record
    under this key instead of posting it twice.

    The outbox's keys are `postbode-<database>-<delivery id>-<queued at, digits>`: the
    TID's time is the second the delivery was queued plus its id (mod 10⁶) in
    microseconds, its clock id from the database, so two deliveries never share a key.
    A key of another shape is hashed whole."""
    parts = idempotency_key.split("-")
    digits = parts[-1] if parts else ""
    if len(parts) >= 4 and parts[-2].isdigit() and digits.isdigit() and len(digits) >= 14:
        try:
            queued = dt.datetime.strptime(digits[:14], "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)
        except ValueError:
            queued = None
        if queued is not None:
            micros = int(queued.timestamp()) * 1_000_000 + int(parts[-2]) % 1_000_000
            database = "-".join(parts[1:-2]).encode()
            clock = int.from_bytes(hashlib.sha256(database).digest()[:2], "big") & 0x3FF
            return tid(micros, clock)
    digest = hashlib.sha256(idempotency_key.encode()).digest()
    micros = _TID_FALLBACK_EPOCH + int.from_bytes(digest[:6], "big") % (1 << 45)
    return tid(micros, int.from_bytes(digest[6:8], "big") & 0x3FF)


def tid(micros: int, clock: int) -> str:
    """A TID: 53 bits of microseconds and 10 of clock id, 13 base32-sortable characters."""
    value = ((micros & ((1 << 53) - 1)) << 10) | (clock & 0x3FF)
    return "".join(_TID_ALPHABET[(value >> (60 - 5 * i)) & 31] for i in range(13))


def post_url(uri: str, profile: str | None = None) -> str:
    """https://bsky.app/profile/<profile>/post/<rkey> for at://<did>/app.bsky.feed.post/
    <rkey> ("" for anything else); the profile is the DID unless one is given."""
    match = re.fullmatch(r"at://([^/]+)/app\.bsky\.feed\.post/([A-Za-z0-9._:~-]{1,512})", uri)
    if not match:
        return ""
    return f"https://bsky.app/profile/{profile or match.group(1)}/post/{match.group(2)}"
