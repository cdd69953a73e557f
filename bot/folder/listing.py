"""What is in the posts folder: post files and their (size, mtime_ns), one stat each."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from bot.jekyll.posts import is_post_folder, is_post_name, is_post_path

log = logging.getLogger(__name__)


def list_post_files(root: Path) -> dict[str, tuple[int, int]]:
    """Every post file under `root` (relative POSIX path -> (size, mtime_ns))."""
    return {path: (size, mtime_ns) for path, size, mtime_ns in walk_post_files(root)}


def walk_post_files(root: Path) -> Iterator[tuple[str, int, int]]:
    """Every post file under `root` as (relative POSIX path, size, mtime_ns).

    Called for every reconcile, so it is lean: no Path objects, one stat per file.
    """
    stack = [""]
    while stack:
        prefix = stack.pop()
        try:
            with os.scandir(root / prefix if prefix else root) as entries:
                for entry in entries:
                    relative = prefix + entry.name
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            if is_post_folder(entry.name):
                                stack.append(relative + "/")
                        elif is_post_name(entry.name):  # its folders passed on the way
                            stat = entry.stat()
                            yield relative, stat.st_size, stat.st_mtime_ns
                    except OSError:
                        continue  # vanished while we looked: the next scan settles it
        except OSError as error:
            log.warning("cannot list folder %s: %s", root / prefix, error.strerror)


def stat_post_files(root: Path, paths: Iterable[str]) -> dict[str, tuple[int, int] | None]:
    """(size, mtime_ns) of the given relative paths, None for those that are gone."""
    result: dict[str, tuple[int, int] | None] = {}
    for relative in paths:
        if not is_post_path(relative):
            continue
        try:
            stat = (root / relative).stat()
        except OSError:
            result[relative] = None
            continue
        result[relative] = (
            (stat.st_size, stat.st_mtime_ns) if os.path.isfile(root / relative) else None
        )
    return result
