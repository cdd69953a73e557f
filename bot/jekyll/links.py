"""Where a post points: its link and its feature image, by Jekyll's rules (pure)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.jekyll.site import Site, expand_permalink, join_url, normalize_url

EXTERNAL_LINK_KEYS = ("externe_link", "external_link", "external_url", "link")
IMAGE_KEYS = ("feature_image", "image")
# Minimal Mistakes: the sharing image first, then the page's own.
HEADER_IMAGE_KEYS = ("og_image", "image", "teaser", "overlay_image")


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


@dataclass(frozen=True)
class Image:
    """A post's feature image: its URL, its path in the site (for a local file), its alt."""

    url: str | None = None
    path: str | None = None
    alt: str | None = None


def feature_image(metadata: Mapping[str, Any], site: Site, notes: list[str]) -> Image:
    """The image the site shows for the post, in the keys themes use: `feature_image`,
    `image` (a path, or jekyll-seo-tag's and Chirpy's {path, alt}, under Chirpy's
    `media_subpath`), Minimal Mistakes' `header` (og_image, image, teaser, overlay_image).
    Other schemes than http(s) are dropped with a note."""
    value: Any = next((metadata[k] for k in IMAGE_KEYS if metadata.get(k)), None)
    header = metadata.get("header")
    if value is None and isinstance(header, Mapping):
        value = next((header[k] for k in HEADER_IMAGE_KEYS if header.get(k)), None)
    alt = None
    if isinstance(value, Mapping):
        alt = value.get("alt") if isinstance(value.get("alt"), str) else None
        value = value.get("path")
    if not isinstance(value, str) or not value.strip():
        return Image()
    value = value.strip()
    alt = (alt or "").strip() or None
    url = normalize_url(value)
    if url:
        return Image(url, None, alt)
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", value) or value.startswith("//"):
        notes.append(f"image {value[:80]!r} ignored: not an http(s) URL or a site path")
        return Image()
    subpath = metadata.get("media_subpath")
    if not value.startswith("/") and isinstance(subpath, str) and subpath.strip():
        value = subpath.strip().rstrip("/") + "/" + value  # Chirpy: relative to it
    local = value.lstrip("/")
    return Image(join_url(site.url, local) if site.url else None, local, alt)
