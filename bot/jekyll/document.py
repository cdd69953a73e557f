"""What Jekyll's Document makes of a post's file name and front matter: its slug,
title, categories and tags, and whether it is published (jekyll/document.rb), pure."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# Jekyll's DATE_FILENAME_MATCHER and DATELESS_FILENAME_MATCHER, on the relative path.
_DATED = re.compile(r"(?:.+/)*?\d{2,4}-\d{1,2}-\d{1,2}-(?P<slug>[^/]*)\.[^./]+", re.DOTALL)
_DATELESS = re.compile(r"(?:.+/)*(?P<slug>.*)\.[^./]+", re.DOTALL)


def file_slug(path: str) -> str:
    """The file name without its date and extension, trailing dots dropped."""
    match = _DATED.fullmatch(path) or _DATELESS.fullmatch(path)
    slug = match.group("slug") if match else path.rsplit("/", 1)[-1]
    return slug.rstrip(".")


def title(metadata: Mapping[str, Any], slug: str) -> Any:
    """The `title` as it is, else the file's slug titleized: "my-first-post" →
    "My First Post" (only hyphens split words; the rest of a word is lower-cased)."""
    value = metadata.get("title")
    if value is None or value is False:
        words = slug.split("-")
        while words and not words[-1]:  # Ruby's split drops trailing empty fields
            words.pop()
        return " ".join(word.capitalize() for word in words)
    return value


def categories(metadata: Mapping[str, Any], path: str) -> tuple[str, ...]:
    """The folders above `_posts`, then `categories` (a string is split on spaces),
    then `category` (never split), each once, as Jekyll orders them."""
    folders = _folder_categories(path)
    plural = metadata.get("categories")
    listed = plural.split() if isinstance(plural, str) else _listed(plural)
    singular = metadata.get("category")
    extra = _listed(singular) if singular is not None else listed
    return tuple(dict.fromkeys(ruby_text(value) for value in (*folders, *listed, *extra)))


def tags(metadata: Mapping[str, Any]) -> tuple[str, ...]:
    """`tag` if there is one, else `tags` (a string is split on spaces)."""
    singular = metadata.get("tag")
    if singular is not None:
        return tuple(dict.fromkeys(ruby_text(value) for value in _listed(singular)))
    plural = metadata.get("tags")
    listed = plural.split() if isinstance(plural, str) else _listed(plural)
    return tuple(dict.fromkeys(ruby_text(value) for value in listed))


def is_published(metadata: Mapping[str, Any]) -> bool:
    """Jekyll's Publisher: a `published` key that is false or empty (null) means not
    published; anything else (even the text "false") is published."""
    return "published" not in metadata or is_set(metadata, "published")


def is_set(metadata: Mapping[str, Any], key: str) -> bool:
    """A flag as Liquid and Ruby read it: any value but null and false is true."""
    value = metadata.get(key)
    return value is not None and value is not False


def ruby_text(value: Any) -> str:
    """A YAML value as Ruby's `to_s` writes it, for the scalars front matter holds."""
    if value is True or value is False:
        return "true" if value else "false"
    return "" if value is None else str(value)


def _listed(value: Any) -> list[Any]:
    """A list's scalar items (nulls and nested structures left out), or the scalar."""
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, (str, int, float))]


def _folder_categories(path: str) -> list[str]:
    """Folders above a `_posts` folder are categories (`world/_posts/` → world)."""
    parts = path.split("/")
    return [part for part in parts[: parts.index("_posts")] if part] if "_posts" in parts else []
