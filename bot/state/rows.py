"""Rows and values: how a post and its file live in the database's columns."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from bot import lifecycle
from bot.clock import utc_text
from bot.jekyll.posts import Post, Rejected

# One encoder: json.dumps with an option builds a new one per call.
_json = json.JSONEncoder(ensure_ascii=False).encode


POST_COLUMNS = (  # what a file's row fills: `post_columns`, first_seen, baseline
    "path", "status", "reason", "title", "date", "date_utc", "link", "lead", "categories",
    "tags", "image_url", "image_path", "image_alt", "language", "syndicate", "not_on",
    "content_warning", "summary_key", "content_hash", "size",
    "mtime_ns", "baseline", "first_seen", "updated_at",
)  # fmt: skip


@dataclass(frozen=True)
class FileState:
    size: int
    mtime_ns: int
    content_hash: str


def post_columns(result: Post | Rejected, file: FileState, now: dt.datetime) -> dict[str, Any]:
    columns: dict[str, Any] = {
        "path": result.path,
        "size": file.size,
        "mtime_ns": file.mtime_ns,
        "content_hash": file.content_hash,
        "updated_at": utc_text(now),
    }
    if isinstance(result, Rejected):
        return {**columns, "status": result.status, "reason": result.reason, "summary_key": None}
    return {
        **columns,
        "status": "ready" if result.published else "unpublished",
        "reason": "; ".join(result.notes),
        "title": result.title,
        "date": result.date.isoformat(),
        "date_utc": utc_text(result.date),
        "link": result.link,
        "lead": result.lead,
        "categories": _json(result.categories),
        "tags": _json(result.tags),
        "image_url": result.image_url,
        "image_path": result.image_path,
        "image_alt": result.image_alt,
        "language": result.language,
        "syndicate": None if result.syndicate is None else _json(result.syndicate),
        "not_on": _json(result.not_on) if result.not_on else None,
        "content_warning": result.content_warning,
        "summary_key": result.summary_key,
    }


def post_from_row(row: dict[str, Any]) -> Post:
    return Post(
        path=row["path"],
        title=row["title"],
        date=dt.datetime.fromisoformat(row["date"]),
        link=row["link"],
        lead=row["lead"] or "",
        categories=tuple(json.loads(row["categories"] or "[]")),
        tags=tuple(json.loads(row["tags"] or "[]")),
        image_url=row["image_url"],
        image_path=row["image_path"],
        image_alt=row.get("image_alt"),
        language=row["language"],
        published=row["status"] != "unpublished",
        syndicate=None if row.get("syndicate") is None else tuple(json.loads(row["syndicate"])),
        not_on=tuple(json.loads(row.get("not_on") or "[]")),
        content_warning=row.get("content_warning"),
    )


def known(row: dict[str, Any] | None) -> lifecycle.Known | None:
    if row is None:
        return None
    return lifecycle.Known(
        status=row["status"],
        seen=bool(row["baseline"]),
        date_utc=row["date_utc"],
        summary_key=row["summary_key"],
    )
