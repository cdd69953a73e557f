"""Bring the database in line with the posts folder: read what changed, nothing else.

A file is re-read only when its (size, mtime_ns) differs from what the database
holds, so a restart over 100,000 known posts reads none of them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import operator
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.clock import utc_text
from bot.folder.listing import Listing, list_post_files, stat_post_files
from bot.folder.reading import Loaded, read_changed
from bot.jekyll.posts import Post, Rejected
from bot.jekyll.site import Site
from bot.routing.destinations import Destination
from bot.routing.rules import refusal
from bot.state import search, search_build
from bot.state.files import content_hashes, file_rows, file_states, joined_file_states
from bot.state.rows import FileState
from bot.state.store import Recorded, Store

log = logging.getLogger(__name__)

# In a flood of new files (FLOOD_LIMIT), posts older than this are an import.
IMPORT_AGE = dt.timedelta(days=7)
# Outcomes worth a line in the log (a first run's thousands of baselines are not).
_NEWS = ("new", "updated", "renamed", "returned", "rescheduled", "unpublished")
# Called with (files read so far, files to read) while a big scan runs.
Progress = Callable[[int, int], None]
# Asked between batches: True when the worker is stopping (the scan ends early;
# what it did not reach is read at the next start).
Stopping = Callable[[], bool]


@dataclass(frozen=True)
class Folder:
    """The posts folder and everything reading it needs, built once from the settings."""

    root: Path
    site: Site
    channels: tuple[str, ...]
    delete_remote: bool = False  # ON_DELETE=delete: a removed post's messages go too
    flood_limit: int = 50  # more new files than this in one scan: maybe an import
    live_site: str | None = None  # new posts under this site wait for their page (§12)
    # Where posts go (SPEC §10); none: every channel, as before destinations.
    destinations: tuple[Destination, ...] = ()
    language: str = "nl"  # a post without `lang` is in the site's language

    def route(self, post: Post) -> tuple[str, ...]:
        """The keys of the channels this post goes to."""
        if not self.destinations:
            return self.channels
        return tuple(d.key for d in self.destinations if refusal(post, d, self.language) is None)


@dataclass
class ScanReport:
    """How many files ended up in each outcome, for the log and the CLI."""

    files: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    queued: int = 0
    edits: int = 0
    withdrawn: int = 0
    baseline: bool = False
    # A flood of new files (an import): new posts dated before this are recorded as seen.
    archive_before: dt.datetime | None = None
    stopped: bool = False  # ended early: the worker is stopping
    # So many new files that they are indexed in bulk (a first run: bot.state.search_build).
    bulk_index: bool = False
    # Files still being written: not read now, to be checked again shortly.
    busy: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"{count} {outcome}" for outcome, count in sorted(self.outcomes.items())]
        return ", ".join(parts) or "nothing changed"

    def add(self, recorded: Recorded) -> None:
        self.outcomes[recorded.outcome] += 1
        self.queued += recorded.queued
        self.edits += recorded.edits


class Renames:
    """The files that are gone in this scan. A new file with the same link or bytes as
    one of them (or as a post withdrawn moments ago) is that post, renamed."""

    def __init__(self, store: Store, gone: Iterable[str], now: dt.datetime) -> None:
        self.store = store
        self.gone = set(gone)
        self.now = now
        # A new file can only be a renamed one if some file is gone, or went recently.
        self.possible = bool(self.gone) or store.has_recent_withdrawals(now)

    def claim(self, post: Post, content_hash: str) -> str | None:
        """The path `post` was renamed from, if any; it is then no longer gone."""
        if not self.possible or self.store.has_path(post.path):
            return None
        candidates = self.store.rename_candidates(
            link=post.link, content_hash=content_hash, now=self.now
        )
        source = next(
            (path for path, status in candidates if path in self.gone or status == "withdrawn"),
            None,
        )
        self.gone.discard(source or "")
        return source


def scan(
    store: Store,
    folder: Folder,
    now: dt.datetime,
    *,
    paths: Iterable[str] | None = None,
    progress: Progress | None = None,
    reread: bool = False,
    stopping: Stopping | None = None,
) -> ScanReport:
    """Read changed files under the folder into the store; withdraw the ones that are gone.

    With `paths`, only those paths are checked (a watcher batch); without, the
    whole folder (start-up and the periodic reconcile). The first scan of a new
    database is the baseline: posts already live are recorded as seen.
    `reread`: parse the given paths even if they did not change (the site settings did).
    """
    changed, gone = _compare(store, folder.root, paths, reread)
    report = ScanReport(files=len(changed), baseline=not store.baselined)
    new = sum(digest is None for _, digest in changed)
    bulk = search_build.for_import(store.db.conn, 0 if reread else new)
    report.bulk_index = bulk is not None
    unseen = 0 if reread or report.baseline else new
    if unseen > folder.flood_limit:
        report.archive_before = now - IMPORT_AGE
        log.warning(
            "%d new files at once: an import (a migration, a re-clone), not news; posts"
            " older than %d days among them are recorded as seen (`postbode backfill`"
            " sends them)", unseen, IMPORT_AGE.days,
        )  # fmt: skip
    renames = Renames(store, gone, now)
    done = 0
    for batch in read_changed(folder.root, folder.site, changed, len(changed)):
        with store.transaction():
            _record_batch(store, folder, batch, now, renames, report, bulk)
        done += len(batch)
        if progress:
            progress(done, len(changed))
        if stopping and stopping():
            report.stopped = True
            return report  # neither withdrawals nor the baseline mark: the scan is not whole
    for relative in sorted(renames.gone):
        report.withdrawn += 1
        store.withdraw(relative, now, delete_remote=folder.delete_remote)
        report.outcomes["withdrawn"] += 1
        log.info("post %s withdrawn: its file is gone", relative)
    if report.baseline:
        store.set_meta("baseline_at", utc_text(now))
    if store.refresh_search():  # also one a scan that stopped early, or crashed, owed
        log.info("search index complete: %d posts", search.indexed(store.db.conn))
    return report


def _compare(
    store: Store, root: Path, paths: Iterable[str] | None, reread: bool
) -> tuple[list[tuple[str, str | None]], list[str]]:
    """(changed files, each with the hash of the bytes recorded, and gone files): the
    folder, or these paths, against the database."""
    if paths is None:
        # Read first: a restart's helper process is meanwhile looking at the files.
        recorded = None if reread else joined_file_states(store.db)
        listing = list_post_files(root)
        # The usual restart: nothing changed, seen in three string comparisons.
        if recorded is not None and listing.paths and recorded == listing.joined():
            return [], []
        states = file_states(store.db)
        changed_paths, gone = changes(listing, states, reread=reread)
        hashes = content_hashes(store.db, changed_paths) if states[0] and not reread else {}
        return [(path, hashes.get(path)) for path in changed_paths], gone
    paths = list(paths)
    known = {
        path: (size, mtime, digest) for path, size, mtime, digest in file_rows(store.db, paths)
    }
    changed, gone = [], []
    for path, state in stat_post_files(root, paths).items():
        size, mtime, digest = known.get(path, (None, None, None))
        if state is None:
            gone += [path] if path in known else []
        elif reread or state != (size, mtime):
            changed.append((path, None if reread else digest))
    return changed, gone


def changes(
    listing: Listing,
    known: tuple[list[str], list[int], list[int]],
    *,
    reread: bool = False,
) -> tuple[list[str], list[str]]:
    """The listing against the database's files (bot.state.files): (changed or new
    files, gone files), each in path order. A path in a folder that could not be listed
    is neither. Both sides are columns in path order, so the usual cases are compared
    in C: nothing changed (three list comparisons, no step per file), or the same
    files with some sizes or times changed; only files added or gone are looked for
    through dicts."""
    paths, sizes, mtimes = known
    if reread:
        changed = list(listing.paths)
    elif listing.paths == paths:
        if listing.sizes == sizes and listing.mtimes == mtimes:
            return [], []
        differs = map(operator.or_, map(operator.ne, listing.sizes, sizes),
                      map(operator.ne, listing.mtimes, mtimes))  # fmt: skip
        return list(itertools.compress(listing.paths, differs)), []
    else:
        on_disk = listing.states()
        before = dict(zip(paths, zip(sizes, mtimes, strict=True), strict=True))
        changed = sorted(path for path, _ in on_disk.items() - before.items())
    on_disk_paths = set(listing.paths)
    gone = [path for path in paths if path not in on_disk_paths and listing.knows(path)]
    return changed, gone


def _record_batch(
    store: Store,
    folder: Folder,
    batch: list[Loaded],
    now: dt.datetime,
    renames: Renames,
    report: ScanReport,
    bulk: search_build.Bulk | None,
) -> None:
    """Record a batch in order; runs of files at paths never seen (a first run's every
    file) are written together, unless a new post may be a renamed one."""
    known = store.post_ids([loaded.path for loaded in batch])
    fresh: list[tuple[Post | Rejected, FileState]] = []
    for loaded in batch:
        result, file = loaded.result, loaded.file
        new = loaded.path not in known and not (renames.possible and isinstance(result, Post))
        if new and result is not None and file is not None:
            fresh.append((result, file))
            continue
        _flush(store, folder, fresh, now, report, bulk)
        _record(store, folder, loaded, now, renames, report)
    _flush(store, folder, fresh, now, report, bulk)


def _flush(
    store: Store,
    folder: Folder,
    fresh: list[tuple[Post | Rejected, FileState]],
    now: dt.datetime,
    report: ScanReport,
    bulk: search_build.Bulk | None,
) -> None:
    for recorded, (result, _) in zip(
        store.record_new(
            fresh,
            folder,
            now,
            baseline=report.baseline,
            archive_before=report.archive_before,
            live_site=folder.live_site,
            bulk=bulk,
        ),
        fresh,
        strict=True,
    ):
        _report(report, recorded, result)
    fresh.clear()


def _record(
    store: Store,
    folder: Folder,
    loaded: Loaded,
    now: dt.datetime,
    renames: Renames,
    report: ScanReport,
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
    renamed_from = renames.claim(result, file.content_hash) if isinstance(result, Post) else None
    recorded = store.record(
        result,
        file,
        folder,
        now,
        baseline=report.baseline,
        renamed_from=renamed_from,
        delete_remote=folder.delete_remote,
        archive_before=report.archive_before,
        live_site=folder.live_site,
    )
    _report(report, recorded, result)


def _report(report: ScanReport, recorded: Recorded, result: Post | Rejected) -> None:
    report.add(recorded)
    if recorded.outcome == "invalid":
        log.warning("invalid post %s: %s", recorded.path, getattr(result, "reason", ""))
    elif recorded.outcome in _NEWS or recorded.queued or recorded.edits:
        log.info(
            "post %s %s (%d queued, %d edits)",
            recorded.path, recorded.outcome, recorded.queued, recorded.edits,
        )  # fmt: skip
