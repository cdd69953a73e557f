"""Bring the database in line with the posts folder: read what changed, nothing else.

A file is re-read only when its (size, mtime_ns) differs from what the database
holds, so a restart over 100,000 known posts reads none of them.
"""

from __future__ import annotations

import collections
import datetime as dt
import hashlib
import logging
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bot.clock import utc_text
from bot.folder.settle import ignore_lease_breaks, is_complete
from bot.jekyll.posts import Post, Rejected, is_post_folder, is_post_path, read_post
from bot.jekyll.site import Site
from bot.state.rows import FileState
from bot.state.store import Store

log = logging.getLogger(__name__)
# Records written per transaction on a big first run: fewer commits, same safety.
_BATCH = 500
# From this many changed files on, parsing runs in one process per core.
PARALLEL_FROM = 2000

# Called with (files read so far, files to read) while a big scan runs.
Progress = Callable[[int, int], None]


@dataclass
class ScanReport:
    """How many files ended up in each outcome, for the log and the CLI."""

    files: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    queued: int = 0
    edits: int = 0
    withdrawn: int = 0
    baseline: bool = False
    # Files still being written: not read now, to be checked again shortly.
    busy: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"{count} {outcome}" for outcome, count in sorted(self.outcomes.items())]
        return ", ".join(parts) or "nothing changed"


def list_post_files(root: Path) -> dict[str, tuple[int, int]]:
    """Every post file under `root` (relative POSIX path -> (size, mtime_ns)).

    Called for every reconcile, so it is lean: no Path objects, one stat per file.
    """
    found: dict[str, tuple[int, int]] = {}
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
                        elif is_post_path(relative):
                            stat = entry.stat()
                            found[relative] = (stat.st_size, stat.st_mtime_ns)
                    except OSError:
                        continue  # vanished while we looked: the next scan settles it
        except OSError as error:
            log.warning("cannot list folder %s: %s", root / prefix, error.strerror)
    return found


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


def scan(
    store: Store,
    root: Path,
    site: Site,
    channels: Sequence[str],
    now: dt.datetime,
    *,
    paths: Iterable[str] | None = None,
    progress: Progress | None = None,
    delete_remote: bool = False,
    reread: bool = False,
) -> ScanReport:
    """Read changed files under `root` into the store; withdraw the ones that are gone.

    With `paths`, only those paths are checked (a watcher batch); without, the
    whole folder (start-up and the periodic reconcile). The first scan of a new
    database is the baseline: posts already live are recorded as seen.
    `delete_remote` (ON_DELETE=delete): a removed post's messages are deleted too.
    `reread`: parse the given paths even if they did not change (the site settings did).
    """
    paths = None if paths is None else list(paths)
    known = store.file_states(paths)
    if paths is None:
        on_disk: dict[str, tuple[int, int] | None] = dict(list_post_files(root))
        on_disk.update({path: None for path in known if path not in on_disk})
    else:
        on_disk = stat_post_files(root, paths)
    changed = [
        p for p, state in on_disk.items() if state is not None and (reread or known.get(p) != state)
    ]
    gone = {p for p, state in on_disk.items() if state is None and p in known}
    report = ScanReport(files=len(changed), baseline=not store.baselined)
    # A new file can only be a renamed one if some file is gone, or went recently.
    renames_possible = bool(gone) or store.has_recent_withdrawals(now)
    done = 0
    for chunk in _load_changed(store, root, site, changed, reread):
        with store.transaction():
            for loaded in chunk:
                _store_one(
                    store,
                    loaded,
                    channels,
                    now,
                    gone if renames_possible else None,
                    report,
                    delete_remote,
                )
        done += len(chunk)
        if progress:
            progress(done, len(changed))
    for relative in sorted(gone):
        report.withdrawn += 1
        store.withdraw(relative, now, delete_remote=delete_remote)
        report.outcomes["withdrawn"] += 1
        log.info("post %s withdrawn: its file is gone", relative)
    if report.baseline:
        store.set_meta("baseline_at", utc_text(now))
    return report


@dataclass(frozen=True)
class Loaded:
    """A changed file as read from disk. `result` is None when its bytes are the ones
    already recorded; `file` is None when it is still being written or is gone."""

    path: str
    file: FileState | None
    result: Post | Rejected | None = None
    busy: bool = False


def load(root: Path, relative: str, site: Site, known_hash: str | None) -> Loaded:
    """Read and parse one file, if it is complete (a pure function of the file system:
    big scans run it in worker processes)."""
    path = root / relative
    try:
        stat = path.stat()
        if not is_complete(path, stat.st_mtime_ns):
            return Loaded(relative, None, busy=True)
        raw = path.read_bytes()
        after = path.stat()
    except OSError:
        return Loaded(relative, None)  # gone between listing and reading: settled later
    if (after.st_size, after.st_mtime_ns) != (stat.st_size, stat.st_mtime_ns):
        return Loaded(relative, None, busy=True)  # written to while we read it
    file = FileState(stat.st_size, stat.st_mtime_ns, hashlib.sha256(raw).hexdigest())
    if file.content_hash == known_hash:
        return Loaded(relative, file)
    return Loaded(relative, file, read_post(raw, relative, site, stat.st_mtime))


def _load_chunk(root: Path, site: Site, items: list[tuple[str, str | None]]) -> list[Loaded]:
    return [load(root, relative, site, known) for relative, known in items]


def _load_changed(
    store: Store, root: Path, site: Site, changed: list[str], reread: bool
) -> Iterator[list[Loaded]]:
    """The changed files, read and parsed, a batch at a time in order. A big scan
    (a first run over a whole site) parses in one process per core."""
    batches = [
        [(p, None if reread else store.content_hash(p)) for p in changed[start : start + _BATCH]]
        for start in range(0, len(changed), _BATCH)
    ]
    cores = os.cpu_count() or 1
    if len(changed) < PARALLEL_FROM or cores < 2:
        for batch in batches:
            yield _load_chunk(root, site, batch)
        return
    # spawn: the worker process has threads (watcher, Mastodon), which fork would copy.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(cores, mp_context=context, initializer=ignore_lease_breaks) as pool:
        pending = collections.deque(
            pool.submit(_load_chunk, root, site, b) for b in batches[: 2 * cores]
        )
        for batch in batches[2 * cores :]:
            yield pending.popleft().result()
            pending.append(pool.submit(_load_chunk, root, site, batch))
        while pending:
            yield pending.popleft().result()


def _store_one(
    store: Store,
    loaded: Loaded,
    channels: Sequence[str],
    now: dt.datetime,
    gone: set[str] | None,
    report: ScanReport,
    delete_remote: bool,
) -> None:
    relative, file, result = loaded.path, loaded.file, loaded.result
    if loaded.busy:
        report.busy.append(relative)
    if file is None:
        return
    if result is None:
        store.touch(relative, file, now)
        report.outcomes["unchanged"] += 1
        return
    renamed_from = None
    new_post = isinstance(result, Post) and store.content_hash(relative) is None
    if gone is not None and new_post and isinstance(result, Post) and not store.has_path(relative):
        candidates = store.rename_candidates(
            link=result.link, content_hash=file.content_hash, now=now
        )
        renamed_from = next(
            (p for p, status in candidates if p in gone or status == "withdrawn"), None
        )
        gone.discard(renamed_from or "")
    recorded = store.record(
        result,
        file,
        channels,
        now,
        baseline=report.baseline,
        renamed_from=renamed_from,
        delete_remote=delete_remote,
    )
    report.outcomes[recorded.outcome] += 1
    report.queued += recorded.queued
    report.edits += recorded.edits
    if recorded.outcome == "invalid":
        log.warning("invalid post %s: %s", relative, getattr(result, "reason", ""))
    elif recorded.outcome in ("new", "updated", "renamed") or recorded.queued or recorded.edits:
        log.info(
            "post %s %s (%d queued, %d edits)",
            relative,
            recorded.outcome,
            recorded.queued,
            recorded.edits,
        )
