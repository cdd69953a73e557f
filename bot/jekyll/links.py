"""Where a post points: its link and its feature image, by Jekyll's rules (pure)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from bot.jekyll.site import Site, expand_permalink, join_url, normalize_url

EXTERNAL_LINK_KEYS = ("externe_link", "external_link", "external_url", "link")
IMAGE_KEYS = ("feature_image", "image")


class NoLink(ValueError):
    """Neither a permalink, nor a site URL, nor an external link: no summary can link."""


def post_link(
    metadata: Mapping[str, Any],
    site: Site,
    date: dt.datetime,
    file_slug: str,
    categories: tuple[str, ...],
) -> str:
    """Front-matter permalink, else the Jekyll permalink under the site URL, else the
    external link: the first that is an http(s) URL. Raises NoLink with the reason."""
    slug = metadata.get("slug")
    slug = str(slug) if isinstance(slug, (str, int)) and str(slug).strip() else file_slug
    permalink = metadata.get("permalink")
    if isinstance(permalink, str) and permalink.strip():
        absolute = normalize_url(permalink)
        if absolute:
            return absolute
        if site.url and permalink.strip().startswith("/"):
            expanded = expand_permalink(
                permalink.strip(),
                date=date.astimezone(site.timezone),
                slug=slug,
                categories=categories,
            )
            joined = join_url(site.url, expanded)
            if joined:
                return joined
    if site.url:
        path = expand_permalink(
            site.permalink, date=date.astimezone(site.timezone), slug=slug, categories=categories
        )
        joined = join_url(site.url, path)
        if joined:
            return joined
    rejected = []
    for key in EXTERNAL_LINK_KEYS:
        value = metadata.get(key)
        if value is None or value == "":
            continue
        url = normalize_url(value)
        if url:
            return url
        rejected.append(f"{key} {str(value)[:80]!r} is not an http(s) URL")
    reason = "; ".join(rejected) or "no permalink, no site URL and no external link"
    raise NoLink(f"no link: {reason} (set SITE_URL or a link in front matter)")


def feature_image(
    metadata: Mapping[str, Any], site: Site, notes: list[str]
) -> tuple[str | None, str | None]:
    """(URL, site-relative path) of the post's image; other schemes are dropped with a note."""
    value = next((metadata[k] for k in IMAGE_KEYS if metadata.get(k)), None)
    if isinstance(value, dict):
        value = value.get("path")
    if not isinstance(value, str) or not value.strip():
        return None, None
    value = value.strip()
    url = normalize_url(value)
    if url:
        return url, None
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", value) or value.startswith("//"):
        notes.append(f"image {value[:80]!r} ignored: not an http(s) URL or a site path")
        return None, None
    local = value.lstrip("/")
    return (join_url(site.url, local) if site.url else None), local
