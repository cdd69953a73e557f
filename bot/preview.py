"""What `preview` and `status` print: the renderings of a post, a state report."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import sqlite_utils

from bot.channels.bluesky_record import BlueskyPost, render_bluesky  # no atproto
from bot.channels.mastodon_urls import instance_rules  # not Mastodon.py: half a second
from bot.config import Settings
from bot.folder.listing import list_post_files
from bot.folder.reading import PARALLEL_FROM, load, map_batches
from bot.jekyll.posts import Post, Rejected, read_post
from bot.live.rules import under_site
from bot.preview_text import as_text as as_text  # the text for people, imported from here
from bot.preview_text import status_text as status_text
from bot.routing.destinations import Destination
from bot.routing.rules import content_warning, refusal, topic
from bot.state.waiting import Waiting
from bot.summary import MastodonRules, render_console, render_mastodon, render_telegram

T = TypeVar("T")
Shown = dict[str, Any]
_RULES = instance_rules()  # the default instance's: preview asks no server


def _same(shown: Shown) -> Shown:
    return shown


def preview_paths(path: Path, settings: Settings, now: dt.datetime) -> Iterator[Shown]:
    """One preview per post file at `path` (a file, or a folder read recursively)."""
    return shaped_previews(path, settings, now, _same)


def shaped_previews(
    path: Path, settings: Settings, now: dt.datetime, shape: Callable[[Shown], T]
) -> Iterator[T]:
    """The previews of `path` as `shape` makes them of each one's dict (the CLI: a JSON
    line, or the text for people)."""
    waiting = waiting_for_pages(settings.state_db)
    if path.is_dir():
        files = list_post_files(path).paths  # in path order
        # Read, rendered and shaped as a scan parses: in one process per core for a big
        # folder, so that only the lines come back.
        job = _Previews(path, settings, now, waiting, shape)
        if len(files) >= PARALLEL_FROM:
            _warm(job)
        items = ((relative, None) for relative in files)
        # fork: `preview` runs no thread of its own.
        for batch in map_batches(job, items, len(files), fork=True):
            for relative, shaped in batch:
                if shaped is None:  # being written, or gone: read it here and say so
                    yield shape(preview_file(path / relative, relative, settings, _RULES, now))
                else:
                    yield shaped
    else:
        relative = _relative_to(path, settings.posts_dir)
        yield shape(preview_file(path, relative, settings, _RULES, now, waiting.get(relative)))


@dataclass(frozen=True)
class _Previews(Generic[T]):
    """A batch of a folder's files, each read and previewed (in a parsing process)."""

    root: Path
    settings: Settings
    now: dt.datetime
    waiting: dict[str, dict[str, Any]]
    shape: Callable[[Shown], T]

    def __call__(self, batch: list[tuple[str, str | None]]) -> list[tuple[str, T | None]]:
        shaped: list[tuple[str, T | None]] = []
        for relative, known in batch:
            loaded = load(self.root, relative, self.settings.site, known)
            if loaded.result is None:
                shaped.append((relative, None))
                continue
            path = self.root / relative
            # Resolving a path is three system calls: only when something waits.
            where = _relative_to(path, self.settings.posts_dir) if self.waiting else ""
            shown = preview_post(
                str(path), loaded.result, self.settings, _RULES, self.now, self.waiting.get(where)
            )
            shaped.append((relative, self.shape(shown)))
        return shaped


# Read and rendered once before the parsing processes fork, so that they start with what
# the first post of each kind loads (markdown-it's parsers, the grapheme tables: 0.25 s).
_SAMPLES = {
    "2000-01-01-a.md": "---\ntitle: Été\n---\n![a](/a.png)\n\nÉén *a* [b](c) `d`.\n",
    "2000-01-01-b.html": "---\ntitle: b\n---\n<div><p>é &amp; <i>b</i></p></div>\n",
}


def _warm(job: _Previews[T]) -> None:
    for name, text in _SAMPLES.items():
        post = read_post(text.encode(), name, job.settings.site, 0.0)
        job.shape(preview_post(name, post, job.settings, _RULES, job.now))


# A preview is a tree the code builds (no cycle to look for): 10-20 % faster to encode.
_JSON = json.JSONEncoder(ensure_ascii=False, check_circular=False)


def json_line(shown: Shown) -> str:
    """One preview as the line `preview --json` prints."""
    return _JSON.encode(shown)


def preview_file(
    path: Path,
    relative: str,
    settings: Settings,
    rules: MastodonRules,
    now: dt.datetime,
    waiting: dict[str, Any] | None = None,
) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
        mtime = path.stat().st_mtime
    except OSError as error:
        return _empty(str(path), "invalid", f"cannot be read: {error.strerror}")
    return preview_post(
        str(path), read_post(raw, relative, settings.site, mtime), settings, rules, now, waiting
    )


def preview_post(
    path: str,
    result: Post | Rejected,
    settings: Settings,
    rules: MastodonRules,
    now: dt.datetime,
    waiting: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """`waiting`: where the state database has the post waiting for its page."""
    if not isinstance(result, Post):
        return _empty(path, result.status, result.reason)
    telegram = render_telegram(result, settings.language)
    mastodon = render_mastodon(result, settings.language, rules)
    media = (
        {"url": mastodon.image_url, "path": mastodon.image_path, "description": mastodon.alt_text}
        if mastodon.image_url or mastodon.image_path
        else None
    )
    return {
        "path": path,
        "status": result.status(now),
        "reason": "; ".join(result.notes),
        "title": result.title,
        "date": result.date.isoformat(),
        "link": result.link,
        "categories": list(result.categories),
        "tags": list(result.tags),
        "telegram": {
            "method": telegram.method,
            "text": telegram.text,
            "parse_mode": telegram.parse_mode,
            "photo": telegram.photo,
            "used": telegram.used,
            "limit": telegram.limit,
        },
        "mastodon": {
            "status": mastodon.text,
            "language": mastodon.language,
            "media": media,
            "used": mastodon.used,
            "limit": mastodon.limit,
        },
        "bluesky": _bluesky(render_bluesky(result, settings.language, now=now)),
        "console": render_console(result, settings.language),
        # SPEC §12: its first Telegram or Mastodon message waits for the page to be live.
        "waits_for_page": settings.wait_for_live and under_site(result.link, settings.site.url),
        "waiting": waiting,
        "destinations": [_destination(result, d, settings) for d in settings.destinations],
    }


def _bluesky(rendered: BlueskyPost) -> dict[str, Any]:
    """The record's text with its budgets, and what each facet labels."""
    return {
        "text": rendered.text,
        "graphemes": rendered.graphemes,
        "limit": rendered.limit,
        "bytes": rendered.bytes,
        "byte_limit": rendered.byte_limit,
        "langs": list(rendered.langs),
        "facets": [
            {
                "kind": f.kind,
                "text": text,
                "value": f.value,
                "byte_start": f.start,
                "byte_end": f.end,
            }
            for f, text in zip(rendered.facets, rendered.facet_texts(), strict=True)
        ],
        "card": {
            "uri": rendered.link,
            "title": rendered.title,
            "description": rendered.description,
        },
        "image": rendered.image_url or rendered.image_path,
    }


def _destination(post: Post, destination: Destination, settings: Settings) -> dict[str, Any]:
    """Whether the post goes to the destination, and why not, or how it looks there."""
    why = refusal(post, destination, settings.language)
    return {
        "name": destination.name,
        "platform": destination.platform,
        "target": destination.target,
        "goes": why is None,
        "why_not": why,
        "topic": topic(post, destination) if destination.platform == "telegram" else None,
        "content_warning": (
            content_warning(post, destination) if destination.platform == "mastodon" else None
        ),
    }


def waiting_for_pages(state_db: Path) -> dict[str, dict[str, Any]]:
    """The posts the state database has waiting for their page, by path; read-only, and
    nothing when there is no database (yet) or it cannot be read."""
    if not state_db.is_file():
        return {}
    try:
        with contextlib.closing(sqlite3.connect(state_db.as_uri() + "?mode=ro", uri=True)) as conn:
            posts = Waiting(sqlite_utils.Database(conn)).every()
    except sqlite3.Error:  # an older release's database, a locked or broken file
        return {}
    return {post.path: post.shown() for post in posts}


def _relative_to(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _empty(path: str, status: str, reason: str) -> dict[str, Any]:
    return {
        "path": path, "status": status, "reason": reason, "title": None, "date": None,
        "link": None, "categories": [], "tags": [], "telegram": None, "mastodon": None,
        "bluesky": None, "console": None, "waits_for_page": False, "waiting": None,
    }  # fmt: skip
