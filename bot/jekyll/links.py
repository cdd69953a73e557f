"""Where a post points: its link and its feature image, by Jekyll's rules (pure)."""

from __future__ import annotations

import dataclasses
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.jekyll.permalinks import UnknownPlaceholder, UrlParts, expand
from bot.jekyll.site import Site, join_url, normalize_url

EXTERNAL_LINK_KEYS = ("externe_link", "external_link", "external_url", "link")
IMAGE_KEYS = ("feature_image", "image")
# Minimal Mistakes: the sharing image first, then the page's own.
HEADER_IMAGE_KEYS = ("og_image", "image", "teaser", "overlay_image")


class NoLink(ValueError):
    """Neither a permalink, nor a site URL, nor an external link: no summary can link."""


def post_link(metadata: Mapping[str, Any], site: Site, parts: UrlParts) -> str:
    """The post's URL under the site URL, from its `permalink` or the site's template,
    else the external link: the first that is an http(s) URL. A `permalink` that is a
    whole URL is taken as it is. Raises NoLink with the reason."""
    permalink = metadata.get("permalink")
    template = site.permalink
    if isinstance(permalink, str) and permalink.strip():
        absolute = normalize_url(permalink)
        if absolute:
            return absolute
        template = permalink
        extension = _extension(permalink)
        if extension:  # Jekyll: the permalink's own extension is the :output_ext
            parts = dataclasses.replace(parts, output_ext=extension)
    if site.url:
        try:
            joined = join_url(site.url, expand(template, parts))
        except UnknownPlaceholder as error:
            raise NoLink(f"{error} (Jekyll stops the build for it)") from None
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


def _extension(permalink: str) -> str:
    """Ruby's File.extname, for a permalink that names a file (not a folder)."""
    if permalink.endswith("/"):
        return ""
    return posixpath.splitext(posixpath.basename(permalink))[1]


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
    if not alt and isinstance(metadata.get("image_alt"), str):  # the flat key some themes use
        alt = metadata["image_alt"]
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
