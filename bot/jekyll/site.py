"""The Jekyll site a post belongs to: its URL, timezone and permalink rules (pure)."""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

# Jekyll's built-in permalink styles (jekyll/jekyll docs/_data/permalinks.yml).
PERMALINK_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
_PLACEHOLDER = re.compile(r":([a-z_]+)")
# Characters left as they are in URL paths; everything else is percent-encoded.
_SAFE_PATH = "/:@!$&'()*+,;=-._~%"
_SAFE_QUERY = _SAFE_PATH + "?"
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")
# A URL that normalize_url would give back as it is: lower-case http(s) scheme and
# ASCII host (no port, no user), a path of safe characters only, no query or fragment.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_NORMAL_URL = re.compile(
    rf"https?://{_LABEL}(?:\.{_LABEL})*(?:/[\w/:@!$&'()*+,;=.~%-]*)?", re.ASCII
)


@dataclass(frozen=True)
class Site:
    """What we know about the site: where it lives and how Jekyll builds its URLs."""

    url: str | None = None
    timezone: dt.tzinfo = dt.UTC
    permalink: str = PERMALINK_STYLES["date"]
    excerpt_separator: str | None = None
    collections_dir: str = ""  # `_posts` and the other collections live here in the source


def site_from_config(config: Mapping[str, Any], *, url: str | None, timezone: dt.tzinfo) -> Site:
    """Build a Site from a parsed `_config.yml`; explicit settings win over it."""
    style = config.get("permalink")
    permalink = PERMALINK_STYLES.get(str(style), str(style)) if style else None
    separator = config.get("excerpt_separator")
    return Site(
        url=url,
        timezone=timezone,
        permalink=permalink or PERMALINK_STYLES["date"],
        excerpt_separator=separator if isinstance(separator, str) and separator else None,
        collections_dir=str(config.get("collections_dir") or "").strip("/"),
    )


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


def expand_permalink(
    template: str,
    *,
    date: dt.datetime,
    slug: str,
    categories: tuple[str, ...],
    output_ext: str = ".html",
) -> str:
    """Fill Jekyll's permalink placeholders; the date is read in the site's zone."""
    iso_year, iso_week, _ = date.isocalendar()
    values = {
        "year": f"{date.year:04d}",
        "short_year": f"{date.year % 100:02d}",
        "month": f"{date.month:02d}",
        "i_month": str(date.month),
        "short_month": date.strftime("%b"),
        "long_month": date.strftime("%B"),
        "day": f"{date.day:02d}",
        "i_day": str(date.day),
        "y_day": f"{date.timetuple().tm_yday:03d}",
        "hour": f"{date.hour:02d}",
        "minute": f"{date.minute:02d}",
        "second": f"{date.second:02d}",
        "week": f"{iso_week:02d}",
        "w_year": str(iso_year),
        "short_day": date.strftime("%a"),
        "long_day": date.strftime("%A"),
        "title": slug,
        "slug": slug,
        "name": slug,
        "categories": "/".join(dict.fromkeys(c.lower() for c in categories)),
        "slugified_categories": "/".join(dict.fromkeys(slugify(c) for c in categories)),
        "output_ext": output_ext,
    }
    path = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)
    path = re.sub(r"/{2,}", "/", "/" + path)
    return urllib.parse.quote(path, safe=_SAFE_PATH)


def slugify(text: str) -> str:
    """Jekyll's default slugify: lower case, runs of non-alphanumerics become '-'."""
    return re.sub(r"[^\w]+", "-", text.lower()).strip("-")
