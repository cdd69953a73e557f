"""What is in the posts folder: post files and their (size, mtime_ns), one stat each.

A folder that cannot be listed (an unmounted share, permissions, a moment between
`rm -rf` and `git clone`) is unknown, not empty: its posts are neither gone nor
changed until it can be read again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISDIR

from bot.folder import ahead, stats
from bot.jekyll.names import POST_SUFFIXES, has_undecodable_name, is_post_folder, is_post_path

log = logging.getLogger(__name__)

# is_post_name in one regex call, for the walk that meets every file: not hidden, not an
# editor's `#...#`, no surrogate (a name that is not UTF-8), a post suffix in any case.
# tests/test_reconcile.py holds the two together.
_SUFFIXES = "|".join(re.escape(suffix[1:]) for suffix in sorted(POST_SUFFIXES))
POST_NAME = re.compile(rf"(?![.#])[^\ud800-\udfff]*\.(?:{_SUFFIXES})", re.IGNORECASE)
_FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC


@dataclass
class Listing:
    """The post files found, in path order: their relative POSIX paths and, at the same
    index, their size and mtime_ns (columns, not an object per file: a restart compares
    100,000 of them with the database's columns in one go). And the folders that could
    not be listed ("" for the root itself, else "a/b/")."""

    paths: list[str] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    mtimes: list[int] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    def knows(self, path: str) -> bool:
        """Whether the listing can tell if `path` is there."""
        return not any(path.startswith(prefix) for prefix in self.unknown)

    def joined(self) -> tuple[str, str, str]:
        """The columns as bot.state.files.joined_file_states spells them, built in C."""
        return (
            "\0".join(self.paths),
            ",".join(map(str, self.sizes)),
            ",".join(map(str, self.mtimes)),
        )

    def states(self) -> dict[str, tuple[int, int]]:
        """(size, mtime_ns) by path, built in C."""
        return dict(zip(self.paths, zip(self.sizes, self.mtimes, strict=True), strict=True))


def list_post_files(root: Path) -> Listing:
    """Every post file under `root`, in path order, and the folders that could not be
    listed.

    Called at every start and reconcile over up to 100,000 files, so it does the least
    per file: one stat through the folder's descriptor (no path to resolve again), a
    name checked by one regex call, no Path or entry object, and two ints appended.
    """
    listing = Listing()
    folders = 0  # that held post files: more than one, and the order is made at the end
    stack = [""]
    looked = ahead.take(root)
    while stack:
        prefix = stack.pop()
        try:
            folder = os.open(root / prefix if prefix else root, _FOLDER_FLAGS)
        except OSError as error:
            _cannot_list(listing, root, prefix, error)
            continue
        try:
            before = len(listing.paths)
            seen = looked.take() if looked and not prefix and looked.holds(folder) else None
            stack += _list_folder(listing, folder, prefix, seen)
            folders += len(listing.paths) > before
        except OSError as error:
            _cannot_list(listing, root, prefix, error)
        finally:
            os.close(folder)
            if looked and not prefix:
                looked.close()
    if folders > 1:  # each folder's files are in order; all of them together are not
        _sort(listing)
    return listing


def looking_ahead(root: Path) -> contextlib.AbstractContextManager[None]:
    """While the block runs, the first listing of `root` takes its stats from a helper
    process started now (bot.folder.ahead)."""
    return ahead.looking_ahead(root, POST_NAME.pattern)


def _list_folder(listing: Listing, folder: int, prefix: str, seen: ahead.Seen | None) -> list[str]:
    """Add the post files of one open folder (its names in order) to the listing;
    return its post folders ("a/b/"). The kernel is asked for the type of the few
    other names only: a folder of posts holds little else. `seen`: what the helper
    looking ahead found in it (names and stats)."""
    if seen is None:
        names = os.listdir(folder)
        posts = sorted(filter(POST_NAME.fullmatch, names))
        others: Iterable[str] = set(names).difference(posts) if len(posts) < len(names) else ()
    else:
        posts, others, _ = seen
    subfolders: list[str] = []
    if others:
        for name in others:
            readable = is_post_folder(name)
            if not readable and not has_undecodable_name(name):
                continue  # hidden, `_drafts`: not even a look
            try:
                if _is_folder(folder, name):
                    subfolders += [f"{prefix}{name}/"] if readable else []
                    continue
            except OSError:
                continue  # vanished while we looked: the next scan settles it
            if has_undecodable_name(name):
                _refuse_name(prefix + name)
    if seen is not None:
        return subfolders + _add_found(listing, folder, prefix, posts, seen[2])
    # A big folder's second half is looked at by a helper process, side by side.
    half = len(posts) // 2 if len(posts) >= stats.SPLIT_FROM and (os.cpu_count() or 1) > 1 else 0
    helper = stats.Helper(folder, posts[half:]) if half else None
    subfolders += _look_at(listing, folder, prefix, posts[:half] if helper else posts)
    if helper:
        found = helper.results()
        if found is None:  # it could not start, or it failed: look here
            subfolders += _look_at(listing, folder, prefix, helper.names)
        else:
            subfolders += _add_found(listing, folder, prefix, helper.names, found)
    return subfolders


def _look_at(listing: Listing, folder: int, prefix: str, names: list[str]) -> list[str]:
    """Add these post files of the open folder to the listing, one stat each; return
    the folders among them."""
    subfolders = []
    paths, sizes, mtimes, stat = listing.paths, listing.sizes, listing.mtimes, os.stat
    for name in names:
        try:
            info = stat(name, dir_fd=folder)  # a symlink's target, as a reader sees it
            if S_ISDIR(info.st_mode) and _is_folder(folder, name):
                subfolders.append(f"{prefix}{name}/")  # a folder named like a post
                continue
        except OSError:
            continue
        paths.append(prefix + name)
        sizes.append(info.st_size)
        mtimes.append(info.st_mtime_ns)
    return subfolders


def _add_found(
    listing: Listing,
    folder: int,
    prefix: str,
    names: list[str],
    found: tuple[list[int], list[int], list[int]],
) -> list[str]:
    """Add what the helper found, as _look_at would have: a name it could not look at
    is left out, a folder named like a post is a folder (a symlink to one, a file)."""
    sizes, mtimes, modes = found
    subfolders, dropped = [], set()
    for index in [i for i, mode in enumerate(modes) if S_ISDIR(mode) or sizes[i] < 0]:
        try:
            if sizes[index] >= 0 and not _is_folder(folder, names[index]):
                continue  # a symlink to a folder: read, and refused, as a file
            if sizes[index] >= 0:
                subfolders.append(f"{prefix}{names[index]}/")
        except OSError:
            pass
        dropped.add(index)
    keep = [i for i in range(len(names)) if i not in dropped] if dropped else range(len(names))
    listing.paths += [prefix + names[i] for i in keep]
    listing.sizes += [sizes[i] for i in keep]
    listing.mtimes += [mtimes[i] for i in keep]
    return subfolders


def _is_folder(folder: int, name: str) -> bool:
    """A folder itself, not a symlink to one (those are not followed: they are read,
    and refused, as files)."""
    return S_ISDIR(os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode)


def _sort(listing: Listing) -> None:
    order = sorted(range(len(listing.paths)), key=listing.paths.__getitem__)
    listing.paths = [listing.paths[i] for i in order]
    listing.sizes = [listing.sizes[i] for i in order]
    listing.mtimes = [listing.mtimes[i] for i in order]


def _cannot_list(listing: Listing, root: Path, prefix: str, error: OSError) -> None:
    listing.unknown.append(prefix)
    log.warning(
        "cannot list folder %s (%s): its posts are kept as they are until it can be",
        root / prefix, error.strerror,
    )  # fmt: skip


_refused_names: set[str] = set()


def _refuse_name(relative: str) -> None:
    """Said once per name and process: the reconcile meets it every few minutes."""
    if relative not in _refused_names:
        _refused_names.add(relative)
        # Its bytes shown as \xNN: a log line (JSON, journald) must be valid text itself.
        shown = relative.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        log.warning("%s is not read: its name is not valid UTF-8 (rename it)", shown)


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
