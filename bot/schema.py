"""The state database's schema, as numbered migrations (sqlite-utils Migrations).

A migration is never edited once released: later changes are new migrations.
"""

from __future__ import annotations

import json
import secrets

import sqlite_utils
from sqlite_utils.migrations import Migrations

from bot.text import search_key

migrations = Migrations("postbode")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db.table("posts").create(
        {
            "id": int, "path": str, "status": str, "reason": str, "title": str,
            "date": str, "date_utc": str, "link": str, "lead": str, "categories": str,
            "tags": str, "image_url": str, "image_path": str, "language": str,
            "summary_key": str, "content_hash": str, "size": int, "mtime_ns": int,
            "baseline": int, "first_seen": str, "updated_at": str,
        },
        pk="id",
        not_null={"path", "status"},
        defaults={"baseline": 0, "reason": ""},
    )  # fmt: skip
    db.table("posts").create_index(["path"], unique=True)
    db.table("posts").create_index(["status", "date_utc"])
    db.table("posts").create_index(["link"])
    db.table("posts").create_index(["content_hash"])
    db.table("deliveries").create(
        {
            "id": int, "post_id": int, "channel": str, "state": str, "attempts": int,
            "next_attempt_at": str, "remote_id": str, "sent_key": str, "last_error": str,
            "created_at": str, "sent_at": str, "updated_at": str,
        },
        pk="id",
        not_null={"post_id", "channel", "state"},
        defaults={"attempts": 0, "last_error": ""},
        foreign_keys=[("post_id", "posts", "id")],
    )  # fmt: skip
    db.table("deliveries").create_index(["post_id", "channel"], unique=True)
    db.table("deliveries").create_index(["channel", "state", "next_attempt_at"])
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("meta").insert({"key": "instance_id", "value": secrets.token_hex(8)})


@migrations()
def m002_post_categories(db: sqlite_utils.Database) -> None:
    """Categories one row each, so readers' /category is an index lookup."""
    db.table("post_categories").create(
        {"post_id": int, "name": str, "key": str, "date_utc": str},
        pk=("post_id", "key"),
        foreign_keys=[("post_id", "posts", "id")],
    )
    db.table("post_categories").create_index(["key", "date_utc"])
    rows = db.execute("select id, categories, date_utc from posts where categories is not null")
    db.table("post_categories").insert_all(
        (
            {"post_id": post_id, "name": name, "key": search_key(name), "date_utc": date_utc}
            for post_id, categories, date_utc in rows.fetchall()
            for name in json.loads(categories)
        ),
        ignore=True,
    )
