"""What `preview` and `status` print: the renderings of a post, a state report."""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlite_utils

from bot.channels.bluesky_record import BlueskyPost, render_bluesky  # no atproto
from bot.channels.mastodon_urls import instance_rules  # not Mastodon.py: half a second
from bot.config import Settings
from bot.folder.listing import list_post_files
from bot.folder.reading import read_changed
from bot.jekyll.posts import Post, Rejected, read_post
from bot.live.rules import under_site
from bot.routing.destinations import Destination
from bot.routing.rules import content_warning, refusal, topic
from bot.state.waiting import Waiting
from bot.subscribers.report import subscription_lines
from bot.summary import MastodonRules, render_console, render_mastodon, render_telegram


def preview_paths(path: Path, settings: Settings, now: dt.datetime) -> Iterator[dict[str, Any]]:
    """One preview per post file at `path` (a file, or a folder read recursively)."""
    rules = instance_rules()
    waiting = waiting_for_pages(settings.state_db)
    if path.is_dir():
        files = list_post_files(path).paths  # in path order
        # Parsed as a scan parses: in one process per core for a big folder.
        items = ((relative, None) for relative in files)
        for batch in read_changed(path, settings.site, items, len(files)):
            for loaded in batch:
                if loaded.result is None:  # being written, or gone: read it here and say so
                    yield preview_file(path / loaded.path, loaded.path, settings, rules, now)
                else:
                    # Resolving a path is three system calls: only when something waits.
                    where = _relative_to(path / loaded.path, settings.posts_dir) if waiting else ""
                    known = waiting.get(where)
                    yield preview_post(
                        str(path / loaded.path), loaded.result, settings, rules, now, known
                    )
    else:
        relative = _relative_to(path, settings.posts_dir)
        yield preview_file(path, relative, settings, rules, now, waiting.get(relative))


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


def _destination_lines(shown: dict[str, Any]) -> list[str]:
    lines = ["-- destinations"] if shown.get("destinations") else []
    for d in shown.get("destinations", ()):
        extra = (f", topic {d['topic']}" if d["topic"] else "") + (
            f", content warning {d['content_warning']!r}" if d["content_warning"] else ""
        )
        lines.append(
            f"{d['name']} ({d['platform']} {d['target']}): "
            + (f"yes{extra}" if d["goes"] else f"no: {d['why_not']}")
        )
    return lines


def as_text(shown: dict[str, Any]) -> str:
    """A preview for people: each channel's text under a header with its budget."""
    head = f"== {shown['path']}  [{shown['status']}]"
    if shown["telegram"] is None:
        return f"{head}\n{shown['reason']}\n"
    telegram, mastodon = shown["telegram"], shown["mastodon"]
    lines = [
        head + (f"  ({shown['reason']})" if shown["reason"] else ""),
        *_waits(shown),
        *_destination_lines(shown),
        "-- console",
        shown["console"],
        f"-- telegram {telegram['method']} ({telegram['used']}/{telegram['limit']} UTF-16 units)"
        + (f" photo {telegram['photo']}" if telegram["photo"] else ""),
        telegram["text"],
        f"-- mastodon ({mastodon['used']}/{mastodon['limit']} characters, language"
        f" {mastodon['language']})"
        + (
            f" image {mastodon['media']['url'] or mastodon['media']['path']}"
            if mastodon["media"]
            else ""
        ),
        mastodon["status"],
        *_bluesky_lines(shown["bluesky"]),
        "",
    ]
    return "\n".join(lines)


def _bluesky_lines(bluesky: dict[str, Any]) -> list[str]:
    head = (
        f"-- bluesky ({bluesky['graphemes']}/{bluesky['limit']} graphemes,"
        f" {bluesky['bytes']}/{bluesky['byte_limit']} bytes, langs {','.join(bluesky['langs'])})"
        + (f" thumb {bluesky['image']}" if bluesky["image"] else "")
    )
    facets = [
        f"   {f['kind']} bytes {f['byte_start']}-{f['byte_end']} {f['text']!r}"
        + (f" -> {f['value']}" if f["kind"] == "link" else "")
        for f in bluesky["facets"]
    ]
    return [head, bluesky["text"], *facets]


def status_text(report: dict[str, Any]) -> str:
    """The `status` report for people."""
    posts = report["posts"]
    lines = ["posts: " + (", ".join(f"{n} {s}" for s, n in sorted(posts.items())) or "none")]
    for channel, info in sorted(report["channels"].items()):
        counts = ", ".join(
            f"{info.get(state, 0)} {state}"
            for state in ("waiting", "pending", "sending", "sent", "failed", "withdrawn")
            if state != "waiting" or info.get(state)  # most sites never wait: no "0 waiting"
        )
        lines.append(f"{channel}: {counts}; last sent {info['last_sent_at'] or 'never'}")
        if info["last_error"]:
            lines.append(f"  last error: {info['last_error']}")
        if report.get("not_edited", {}).get(channel):
            lines.append(
                f"  {report['not_edited'][channel]} posts changed after they were sent:"
                " Bluesky has no edit, so they show the summary first sent"
            )
    for failure in report["failures"]:
        lines.append(f"failed: {failure['channel']} {failure['path']}: {failure['last_error']}")
    for post in report["waiting"]:
        lines.append(f"waiting for its page: {post['path']} {waiting_text(post)}")
    for invalid in report["invalid"]:
        lines.append(f"invalid: {invalid['path']}: {invalid['reason']}")
    for post in report.get("unknown_destinations", ()):
        lines.append(f"syndicate names no destination: {post['path']}: {', '.join(post['names'])}")
    return "\n".join(lines + subscription_lines(report.get("subscriptions")))


def _waits(shown: dict[str, Any]) -> list[str]:
    if shown["waiting"]:
        return [f"-- waiting for its page: {waiting_text(shown['waiting'])}"]
    if shown["waits_for_page"]:
        return ["-- its first message waits until its page is live (WAIT_FOR_LIVE)"]
    return []


def waiting_text(waiting: dict[str, Any]) -> str:
    """Where a post waiting for its page stands, in one line."""
    answer = f", last answer: {waiting['last_answer']}" if waiting["last_answer"] else ""
    return (
        f"{waiting['link']} since {waiting['since']} ({waiting['checks']} looks{answer}),"
        f" next look {waiting['next_check']}, for {', '.join(waiting['channels'])}"
    )


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
