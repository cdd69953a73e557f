"""Front matter defaults (`defaults:` in `_config.yml`) as Jekyll applies them to a
post (jekyll/frontmatter_defaults.rb), pure.

Sites set a permalink, categories or `published` for all posts or a folder of them
there; a post's own front matter is merged over what applies to it.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Jekyll's deprecated singular type names.
_POST_TYPES = ("posts", "post")


@dataclass(frozen=True)
class Default:
    """One `defaults:` entry that can apply to posts."""

    path: str  # "" for every path
    typed: bool  # its scope names the type (posts): it wins over an untyped one
    values: Mapping[str, Any]


def post_defaults(config: Mapping[str, Any]) -> tuple[Default, ...]:
    """The `defaults:` entries whose scope may take in posts, in their order."""
    sets = config.get("defaults")
    if not isinstance(sets, list):
        return ()
    found = []
    for entry in sets:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("values"), Mapping):
            continue  # Jekyll warns and skips it
        scope = entry.get("scope")
        scope = scope if isinstance(scope, Mapping) else {}
        if "type" in scope and str(scope["type"]) not in _POST_TYPES:
            continue
        path = scope.get("path")
        found.append(
            Default(path if isinstance(path, str) else "", "type" in scope, entry["values"])
        )
    return tuple(found)


def applied(
    front_matter: Mapping[str, Any], path: str, defaults: tuple[Default, ...]
) -> dict[str, Any]:
    """The post's front matter over the defaults that apply to `path` (relative to the
    site): the longer scope path wins, then a typed scope. Categories add up."""
    matching = [default for default in defaults if _applies(default.path, path)]
    if not matching:
        return dict(front_matter)
    merged: dict[str, Any] = {}
    winner: Default | None = None
    for default in matching:
        if winner is None or _precedes(default, winner):
            merged = _deep_merge(merged, default.values)
            winner = default
        else:
            merged = _deep_merge(default.values, merged)
    categories = [*_split(merged.get("categories")), *_split(front_matter.get("categories"))]
    merged = _deep_merge(merged, front_matter)
    if categories:
        merged["categories"] = list(dict.fromkeys(categories))
    return merged


def _applies(scope: str, path: str) -> bool:
    if not scope:
        return True
    if "*" not in scope:
        return path.startswith(scope)
    # A glob names folders or files; the post is in (or is) one of them.
    parts, pattern = path.split("/"), scope.strip("/").split("/")
    return len(parts) >= len(pattern) and all(
        fnmatch.fnmatchcase(part, glob) for part, glob in zip(parts, pattern, strict=False)
    )


def _precedes(new: Default, old: Default) -> bool:
    """Jekyll's has_precedence?: a longer path, else a typed scope."""
    new_path, old_path = _sanitized(new.path), _sanitized(old.path)
    if len(new_path) != len(old_path):
        return len(new_path) >= len(old_path)
    return new.typed or not old.typed


def _sanitized(path: str) -> str:
    return path[1:] if path.startswith("/") else path


def _split(value: Any) -> list[Any]:
    if isinstance(value, str):
        return list(value.split())
    return [item for item in value if item is not None] if isinstance(value, list) else []


def _deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Jekyll's deep_merge_hashes: mappings merge, a null never replaces a value."""
    merged = dict(base)
    for key, value in over.items():
        old = merged.get(key)
        if key in merged and value is None:
            continue
        if isinstance(old, Mapping) and isinstance(value, Mapping):
            merged[key] = _deep_merge(old, value)
        else:
            merged[key] = value
    return merged
