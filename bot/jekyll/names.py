"""Which files and folders are Jekyll posts, by their names alone (pure)."""

from __future__ import annotations

POST_SUFFIXES = frozenset({".md", ".markdown", ".mkdown", ".mkdn", ".mkd", ".html", ".htm"})


def is_post_folder(name: str) -> bool:
    """Folders Jekyll reads posts from: not hidden, no `_` folder but `_posts`."""
    return not name.startswith(".") and (not name.startswith("_") or name == "_posts")


def is_post_path(path: str) -> bool:
    """Jekyll's post files: no hidden parts, no drafts or other `_` folders, no editor
    leftovers. A site root may be watched, with posts in (category/)_posts/."""
    *folders, name = path.split("/")
    return is_post_name(name) and all(is_post_folder(folder) for folder in folders)


def is_post_name(name: str) -> bool:
    """A post file's own name (its folders aside): not hidden, no editor leftover, and
    valid UTF-8 (a name that is not could not be stored: see has_undecodable_name)."""
    if not name or name.startswith((".", "#")) or name.endswith("~"):
        return False
    if has_undecodable_name(name):
        return False
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    return suffix in POST_SUFFIXES


def has_undecodable_name(name: str) -> bool:
    """Bytes that are not UTF-8 in a file name (os.fsdecode keeps them as surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
