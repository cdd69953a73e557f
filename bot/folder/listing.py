"""What is in the posts folder: post files and their (size, mtime_ns), one stat each.

A folder that cannot be listed (an unmounted share, permissions, a moment between
`rm -rf` and `git clone`) is unknown, not empty: its posts are neither gone nor
changed until it can be read again.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISDIR

from bot.jekyll.names import has_undecodable_name, is_post_folder, is_post_name, is_post_path

log = logging.getLogger(__name__)


@dataclass
class Listing:
    """The post files found (relative POSIX path -> (size, mtime_ns)), and the folders
    that could not be listed ("" for the root itself, else "a/b/")."""

    files: dict[str, tuple[int, int]] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)

    def knows(self, path: str) -> bool:
        """Whether the listing can tell if `path` is there."""
        return not any(path.startswith(prefix) for prefix in self.unknown)


def list_post_files(root: Path) -> Listing:
    """Every post file under `root`, and the folders that could not be listed.

    Called for every reconcile, so it is lean: no Path objects, one stat per file.
    """
    listing = Listing()
    files = listing.files
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
                            files[relative] = (stat.st_size, stat.st_mtime_ns)
                        elif has_undecodable_name(entry.name):
                            _refuse_name(relative)
                    except OSError:
                        continue  # vanished while we looked: the next scan settles it
        except OSError as error:
            listing.unknown.append(prefix)
            log.warning(
                "cannot list folder %s (%s): its posts are kept as they are until it can be",
                root / prefix, error.strerror,
            )  # fmt: skip
    return listing


_refused_names: set[str] = set()


def _refuse_name(relative: str) -> None:
    """Said once per name and process: the reconcile meets it every few minutes."""
    if relative not in _refused_names:
        _refused_names.add(relative)
        log.warning("%s is not read: its name is not valid UTF-8 (rename it)", relative)


def stat_post_files(root: Path, paths: Iterable[str]) -> dict[str, tuple[int, int] | None]:
    """(size, mtime_ns) of the given relative paths, None for those that are gone. A
    path that cannot be looked at (or the whole folder, when it is missing) is left
    out: unknown, not gone."""
    result: dict[str, tuple[int, int] | None] = {}
    if not root.is_dir():
        return result
    for relative in paths:
        if not is_post_path(relative):
            continue
        try:
            stat = (root / relative).stat()
        except (FileNotFoundError, NotADirectoryError):
            result[relative] = None
            continue
        except OSError:
            continue
        # Anything but a folder is there: a FIFO or a device is refused with its reason.
        result[relative] = None if S_ISDIR(stat.st_mode) else (stat.st_size, stat.st_mtime_ns)
    return result
