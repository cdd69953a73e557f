"""What `preview` and `status` print: the three renderings of a post, a state report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bot.channels.mastodon import instance_rules
from bot.config import Settings
from bot.folder.listing import list_post_files
from bot.folder.reading import read_changed
from bot.jekyll.posts import Post, Rejected, read_post
from bot.summary import MastodonRules, render_console, render_mastodon, render_telegram


def preview_paths(path: Path, settings: Settings, now: dt.datetime) -> Iterator[dict[str, Any]]:
    """One preview per post file at `path` (a file, or a folder read recursively)."""
    rules = instance_rules()
    if path.is_dir():
        files = sorted(list_post_files(path).files)
        # Parsed as a scan parses: in one process per core for a big folder.
        items = ((relative, None) for relative in files)
        for batch in read_changed(path, settings.site, items, len(files)):
            for loaded in batch:
                if loaded.result is None:  # being written, or gone: read it here and say so
                    yield preview_file(path / loaded.path, loaded.path, settings, rules, now)
                else:
                    yield preview_post(str(path / loaded.path), loaded.result, settings, rules, now)
    else:
        yield preview_file(path, _relative_to(path, settings.posts_dir), settings, rules, now)


def preview_file(
    path: Path, relative: str, settings: Settings, rules: MastodonRules, now: dt.datetime
) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
        mtime = path.stat().st_mtime
    except OSError as error:
        return _empty(str(path), "invalid", f"cannot be read: {error.strerror}")
    return preview_post(
        str(path), read_post(raw, relative, settings.site, mtime), settings, rules, now
    )


def preview_post(
    path: str, result: Post | Rejected, settings: Settings, rules: MastodonRules, now: dt.datetime
) -> dict[str, Any]:
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
        "console": render_console(result, settings.language),
    }


def as_text(shown: dict[str, Any]) -> str:
    """A preview for people: each channel's text under a header with its budget."""
    head = f"== {shown['path']}  [{shown['status']}]"
    if shown["telegram"] is None:
        return f"{head}\n{shown['reason']}\n"
    telegram, mastodon = shown["telegram"], shown["mastodon"]
    lines = [
        head + (f"  ({shown['reason']})" if shown["reason"] else ""),
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
        "",
    ]
    return "\n".join(lines)


def status_text(report: dict[str, Any]) -> str:
    """The `status` report for people."""
    posts = report["posts"]
    lines = ["posts: " + (", ".join(f"{n} {s}" for s, n in sorted(posts.items())) or "none")]
    for channel, info in sorted(report["channels"].items()):
        counts = ", ".join(
            f"{info.get(state, 0)} {state}"
            for state in ("pending", "sending", "sent", "failed", "withdrawn")
        )
        lines.append(f"{channel}: {counts}; last sent {info['last_sent_at'] or 'never'}")
        if info["last_error"]:
            lines.append(f"  last error: {info['last_error']}")
    for failure in report["failures"]:
        lines.append(f"failed: {failure['channel']} {failure['path']}: {failure['last_error']}")
    for invalid in report["invalid"]:
        lines.append(f"invalid: {invalid['path']}: {invalid['reason']}")
    return "\n".join(lines)


def _relative_to(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _empty(path: str, status: str, reason: str) -> dict[str, Any]:
    return {
        "path": path, "status": status, "reason": reason, "title": None, "date": None,
        "link": None, "categories": [], "tags": [], "telegram": None, "mastodon": None,
        "console": None,
    }  # fmt: skip
