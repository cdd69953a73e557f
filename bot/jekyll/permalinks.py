"""A post's URL path as Jekyll builds it (jekyll/url.rb, drops/url_drop.rb), pure.

The template is the post's `permalink`, else the posts collection's, else the site's
style; each placeholder's value is percent-encoded on its own, the template's own text
is kept, and the result is cleaned as Jekyll's `URL#sanitize_url` does.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import urllib.parse
from collections.abc import Callable, Mapping
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


# Jekyll's UrlDrop: every placeholder a permalink template may use, each computed
# only when the template asks for it (a first run expands 100,000 links).
_VALUES: dict[str, Callable[[UrlParts], str]] = {
    "collection": lambda p: "posts",
    "path": lambda p: p.path,
    "name": lambda p: slugify(p.basename),
    "title": lambda p: slugify(p.slug, "pretty", cased=True),
    "slug": lambda p: slugify(p.slug),
    "categories": lambda p: "/".join(dict.fromkeys(c.lower() for c in p.categories)),
    "slugified_categories": lambda p: "/".join(dict.fromkeys(map(slugify, p.categories))),
    "year": lambda p: f"{p.date.year:04d}",
    "month": lambda p: f"{p.date.month:02d}",
    "day": lambda p: f"{p.date.day:02d}",
    "hour": lambda p: f"{p.date.hour:02d}",
    "minute": lambda p: f"{p.date.minute:02d}",
    "second": lambda p: f"{p.date.second:02d}",
    "i_day": lambda p: str(p.date.day),
    "i_month": lambda p: str(p.date.month),
    "short_month": lambda p: _MONTHS[p.date.month - 1][:3],
    "long_month": lambda p: _MONTHS[p.date.month - 1],
    "short_year": lambda p: f"{p.date.year % 100:02d}",
    "w_year": lambda p: str(p.date.isocalendar()[0]),
    "week": lambda p: f"{p.date.isocalendar()[1]:02d}",
    "w_day": lambda p: str(p.date.isoweekday()),
    "short_day": lambda p: _DAYS[p.date.weekday()][:3],
    "long_day": lambda p: _DAYS[p.date.weekday()],
    "y_day": lambda p: f"{p.date.timetuple().tm_yday:03d}",
    "output_ext": lambda p: p.output_ext,
}


def expand(template: str, parts: UrlParts) -> str:
    """The URL path Jekyll gives a post for `template`. Raises UnknownPlaceholder."""
    pieces = (
        piece if isinstance(piece, str) else _escape(_VALUES[piece[0]](parts))
        for piece in _pieces(template)
    )
    path = _squeeze("".join(pieces))
    # URL#sanitize_url: no "..", no "./", no "//".
    return _squeeze(("/" + path).replace("..", "/").replace("./", ""))


def check_template(template: str) -> None:
    """Raise UnknownPlaceholder for a template Jekyll would refuse to build with."""
    _pieces(template)


@functools.lru_cache(maxsize=64)  # a site has one template, and a few in front matter
def _pieces(template: str) -> tuple[str | tuple[str], ...]:
    """The template as literal text and (placeholder,) names, in order."""
    pieces: list[str | tuple[str]] = []
    end = 0
    for match in _PLACEHOLDER.finditer(template):
        name = match.group(1)
        # `:title_` is `:title` followed by "_" when no `title_` exists.
        pool = (name, name[:-1]) if name.endswith("_") else (name,)
        winner = next((key for key in pool if key in _VALUES), None)
        if winner is None:
            raise UnknownPlaceholder(f"permalink {template!r}: Jekyll has no :{name}")
        pieces += [template[end : match.start()], (winner,), name[len(winner) :]]
        end = match.end()
    pieces.append(template[end:])
    return tuple(piece for piece in pieces if piece)


def _escape(value: str) -> str:
    if not value or _PLAIN.fullmatch(value):
        return value
    return urllib.parse.quote(value, safe=_SAFE)


def _squeeze(path: str) -> str:
    return re.sub("/{2,}", "/", path)
