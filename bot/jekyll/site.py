"""The Jekyll site a post belongs to: its URL, timezone and permalink rules (pure)."""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from bot.jekyll.defaults import Default, post_defaults
from bot.jekyll.permalinks import PERMALINK_STYLES, site_template

# Jekyll's default `markdown_ext`.
MARKDOWN_EXT = frozenset({".markdown", ".mkdown", ".mkdn", ".mkd", ".md"})

# Characters left as they are in URL paths; everything else is percent-encoded.
_SAFE_PATH = "/:@!$&'()*+,;=-._~%"
_SAFE_QUERY = _SAFE_PATH + "?"
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")
# A URL that normalize_url would give back as it is: lower-case http(s) scheme and
# ASCII host (a port from 1 to 65535 without leading zeros, no user), a path of safe
# characters only, no query or fragment.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_PORT = r"[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]"
_NORMAL_URL = re.compile(
    rf"https?://{_LABEL}(?:\.{_LABEL})*(?::(?:{_PORT}))?(?:/[\w/:@!$&'()*+,;=.~%-]*)?", re.ASCII
)


@dataclass(frozen=True)
class Site:
    """What we know about the site: where it lives and how Jekyll builds its URLs."""

    url: str | None = None
    timezone: dt.tzinfo = dt.UTC
    permalink: str = PERMALINK_STYLES["date"]
    excerpt_separator: str | None = None
    markdown_ext: frozenset[str] = MARKDOWN_EXT  # suffixes Jekyll renders to .html
    defaults: tuple[Default, ...] = ()  # `defaults:` entries that may apply to posts
    # The posts folder's path in the site ("_posts/" when POSTS_DIR is the site's
    # _posts), from its collections folder: Jekyll's rules read paths from there.
    prefix: str = ""
    # `hidden: true` keeps a post out of the site's lists; postbode's messages are a
    # list too, so such a post is not announced unless ANNOUNCE_HIDDEN=on.
    announce_hidden: bool = False
    collections_dir: str = ""  # `_posts` and the other collections live here in the source


def site_from_config(
    config: Mapping[str, Any],
    *,
    url: str | None,
    timezone: dt.tzinfo,
    posts_dir: PurePath | None = None,
    source: PurePath | None = None,
    announce_hidden: bool = False,
) -> Site:
    """Build a Site from a parsed `_config.yml`; explicit settings win over it.
    `posts_dir` and `source` (the folder of `_config.yml`) place the posts in the site."""
    separator = config.get("excerpt_separator")
    collections_dir = str(config.get("collections_dir") or "").strip("/")
    inside = page_path_prefix(posts_dir, source, collections_dir) if posts_dir and source else ""
    return Site(
        url=url,
        timezone=timezone,
        permalink=site_template(config),
        excerpt_separator=separator if isinstance(separator, str) and separator else None,
        markdown_ext=_markdown_ext(config.get("markdown_ext")),
        defaults=post_defaults(config),
        prefix=inside + "/" if inside else "",
        announce_hidden=announce_hidden,
        collections_dir=collections_dir,
    )


def _markdown_ext(value: Any) -> frozenset[str]:
    """`markdown_ext: "md,markdown"` as suffixes; Jekyll compares them lower-cased."""
    if not isinstance(value, str):
        return MARKDOWN_EXT
    return frozenset("." + ext.strip().lower() for ext in value.split(",") if ext.strip())


def page_path_prefix(posts_dir: PurePath, source: PurePath, collections_dir: str = "") -> str:
    """What Jekyll's `page.path` of every post under `posts_dir` begins with ("_posts",
    "world/_posts", "" for the source itself): the folder's path from the collections
    folder, which is the source or its `collections_dir` (Document#relative_path in
    lib/jekyll/document.rb). A post's front matter cannot change it, unlike a page's."""
    for root in (source / collections_dir, source):
        if posts_dir.is_relative_to(root):
            inside = posts_dir.relative_to(root).as_posix()
            return "" if inside == "." else inside
    return ""


def site_url_from_config(config: Mapping[str, Any]) -> str | None:
    """`url` + `baseurl` from `_config.yml`, as Jekyll's absolute_url joins them."""
    url = config.get("url")
    if not isinstance(url, str) or not url.strip():
        return None
    base = config.get("baseurl")
    base = base.strip("/") if isinstance(base, str) else ""
    return normalize_url(url.rstrip("/") + ("/" + base if base else ""))


def normalize_url(value: Any) -> str | None:
    """An absolute http(s) URL with non-ASCII percent-encoded, or None if it is not one."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if _NORMAL_URL.fullmatch(text):
        return text if text.count("/") > 2 else text + "/"  # most links: already normal
    return _normalized(text)


def _normalized(text: str) -> str | None:
    if _SPACE_OR_CONTROL.search(text):
        return None
    try:
        parts = urllib.parse.urlsplit(text)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    netloc = ascii_host + (f":{port}" if port else "")
    return urllib.parse.urlunsplit(
        (
            parts.scheme.lower(),
            netloc,
            urllib.parse.quote(parts.path, safe=_SAFE_PATH) or "/",
            urllib.parse.quote(parts.query, safe=_SAFE_QUERY),
            urllib.parse.quote(parts.fragment, safe=_SAFE_QUERY),
        )
    )


def join_url(site_url: str, path: str) -> str | None:
    """The site's URL followed by a site-relative path."""
    return normalize_url(site_url.rstrip("/") + "/" + path.lstrip("/"))
