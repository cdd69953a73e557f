"""A post's URL path as Jekyll builds it (jekyll/url.rb, drops/url_drop.rb), pure.

The template is the post's `permalink`, else the posts collection's, else the site's
style; each placeholder's value is percent-encoded on its own, the template's own text
is kept, and the result is cleaned as Jekyll's `URL#sanitize_url` does.
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.jekyll.slugs import slugify

# Jekyll's built-in permalink styles (jekyll/jekyll docs/_data/permalinks.yml).
PERMALINK_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
_PLACEHOLDER = re.compile(r":([a-z_]+)")
_PLAIN = re.compile(r"[a-zA-Z0-9./-]+")
# What Jekyll's escape_path leaves alone besides letters and digits (Addressable's
# encode_component with unreserved, sub-delims, ":", "@" and "/").
_SAFE = "-._~!$&'()*+,;=:@/"
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class UnknownPlaceholder(ValueError):
    """Jekyll stops the build for a placeholder it does not know."""


def site_template(config: Mapping[str, Any]) -> str:
    """The posts' URL template from `_config.yml`: `collections.posts.permalink`, else
    the `permalink` style (a style name, or a template as it is)."""
    collections = config.get("collections")
    posts = collections.get("posts") if isinstance(collections, Mapping) else None
    if isinstance(posts, Mapping) and isinstance(posts.get("permalink"), str):
        return str(posts["permalink"])
    style = config.get("permalink")
    if not isinstance(style, str) or not style:
        return PERMALINK_STYLES["date"]
    return PERMALINK_STYLES.get(style, style)


@dataclass(frozen=True)
class UrlParts:
    """What a post's placeholders are made of."""

    date: dt.datetime  # in the site's zone
    slug: str  # front matter `slug`, else the file name's (no date, no extension)
    basename: str  # the file name without its extension, date included
    categories: tuple[str, ...]
    output_ext: str
    path: str  # the path under the site without its extension or `_posts`


def placeholders(parts: UrlParts) -> dict[str, str]:
    """Jekyll's UrlDrop: every placeholder a permalink template may use."""
    date = parts.date
    iso_year, iso_week, iso_day = date.isocalendar()
    return {
        "collection": "posts",
        "path": parts.path,
        "name": slugify(parts.basename),
        "title": slugify(parts.slug, "pretty", cased=True),
        "slug": slugify(parts.slug),
        "categories": "/".join(dict.fromkeys(c.lower() for c in parts.categories)),
        "slugified_categories": "/".join(dict.fromkeys(slugify(c) for c in parts.categories)),
        "year": f"{date.year:04d}",
        "month": f"{date.month:02d}",
        "day": f"{date.day:02d}",
        "hour": f"{date.hour:02d}",
        "minute": f"{date.minute:02d}",
        "second": f"{date.second:02d}",
        "i_day": str(date.day),
        "i_month": str(date.month),
        "short_month": _MONTHS[date.month - 1][:3],
        "long_month": _MONTHS[date.month - 1],
        "short_year": f"{date.year % 100:02d}",
        "w_year": str(iso_year),
        "week": f"{iso_week:02d}",
        "w_day": str(iso_day),
        "short_day": _DAYS[iso_day - 1][:3],
        "long_day": _DAYS[iso_day - 1],
        "y_day": f"{date.timetuple().tm_yday:03d}",
        "output_ext": parts.output_ext,
    }


def expand(template: str, values: Mapping[str, str]) -> str:
    """The URL path Jekyll gives a post for `template`. Raises UnknownPlaceholder."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        # `:title_` is `:title` followed by "_" when no `title_` exists.
        pool = (name, name[:-1]) if name.endswith("_") else (name,)
        winner = next((key for key in pool if key in values), None)
        if winner is None:
            raise UnknownPlaceholder(f"permalink {template!r}: Jekyll has no :{name}")
        return match.group(0).replace(":" + winner, _escape(values[winner]), 1)

    path = _squeeze(_PLACEHOLDER.sub(fill, template))
    # URL#sanitize_url: no "..", no "./", no "//".
    return _squeeze(("/" + path).replace("..", "/").replace("./", ""))


def _escape(value: str) -> str:
    if not value or _PLAIN.fullmatch(value):
        return value
    return urllib.parse.quote(value, safe=_SAFE)


def _squeeze(path: str) -> str:
    return re.sub("/{2,}", "/", path)
