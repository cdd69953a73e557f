"""The floor: the least work any reader of N post files must do, measured in the same
run as the product so that its figures are ratios, not absolutes on a busy machine.

(a) read every post file's bytes; (b) split off the front matter, YAML-parse it with
libyaml's CSafeLoader, and take a crude lead (the first paragraph); (c) one
`executemany` of equivalent rows into a fresh SQLite file with postbode's schema and
triggers. One process, no parallelism: the product may use more cores than this.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils
import yaml

from bot.state.schema import migrations

_TAGS = re.compile(r"<[^>]+>")


@dataclass
class Floor:
    read: float = 0.0
    parse: float = 0.0
    write: float = 0.0
    files: int = 0
    cpu: float = 0.0  # CPU seconds of the three parts: on a busy machine, the fairer base

    @property
    def total(self) -> float:
        return self.read + self.parse + self.write

    def describe(self) -> str:
        return (
            f"floor over {self.files} files: {self.total:.2f} s"
            f" (read {self.read:.2f} + parse {self.parse:.2f} + write {self.write:.2f});"
            f" {self.cpu:.2f} CPU s"
        )


def post_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in (".md", ".html") and p.is_file())


def read_all(files: list[Path]) -> list[bytes]:
    return [path.read_bytes() for path in files]


def front_matter(raw: bytes) -> tuple[Any, str]:
    """Jekyll's split, done the cheapest way, and the YAML through CSafeLoader."""
    text = raw.decode("utf-8")
    end = text.find("\n---", 3)
    metadata = yaml.load(text[4:end], Loader=yaml.CSafeLoader)
    return metadata, text[text.find("\n", end + 1) + 1 :]


def crude_lead(body: str) -> str:
    """The first paragraph that is not a heading or an image, tags stripped."""
    for block in body.split("\n\n"):
        block = block.strip()
        if block and not block.startswith(("#", "!", "<h", "<fig")):
            return " ".join(_TAGS.sub("", block).split())[:4096]
    return ""


def parse(raw: bytes) -> tuple[Any, str]:
    metadata, body = front_matter(raw)
    return metadata, crude_lead(body)


def measure(root: Path) -> Floor:
    """Time the three parts over every post file under `root`."""
    files = post_files(root)
    floor = Floor(files=len(files))
    read_all(files)  # the page cache as warm as the product will find it
    cpu = time.process_time()
    started = time.perf_counter()
    raws = read_all(files)
    floor.read = time.perf_counter() - started
    started = time.perf_counter()
    parsed = [parse(raw) for raw in raws]
    floor.parse = time.perf_counter() - started
    floor.cpu = time.process_time() - cpu
    now = dt.datetime.now(dt.UTC).isoformat()
    rows, categories = [], []
    for index, (path, raw, (meta, lead)) in enumerate(zip(files, raws, parsed, strict=True), 1):
        stat = path.stat()
        date = str(meta.get("date"))
        names = meta.get("categories") or []
        rows.append(
            (index, path.name, "ready", str(meta.get("title")), date, date,
             str(meta.get("externe_link")), lead, json.dumps(names), json.dumps(meta.get("tags")),
             meta.get("feature_image"), hashlib.sha256(raw).hexdigest()[:16],
             hashlib.sha256(raw).hexdigest(), stat.st_size, stat.st_mtime_ns, 1, now, now)
        )  # fmt: skip
        categories += [(index, name, name.lower(), date) for name in names]
    with tempfile.TemporaryDirectory() as tmp:
        db = sqlite_utils.Database(Path(tmp) / "floor.db")
        db.enable_wal()
        db.execute("PRAGMA synchronous = NORMAL")
        migrations.apply(db)
        started, cpu = time.perf_counter(), time.process_time()
        with db.conn:
            db.conn.executemany(
                "insert into posts (id, path, status, title, date, date_utc, link, lead,"
                " categories, tags, image_url, summary_key, content_hash, size, mtime_ns,"
                " baseline, first_seen, updated_at)"
                " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            db.conn.executemany(
                "insert into post_categories (post_id, name, key, date_utc) values (?, ?, ?, ?)",
                categories,
            )
        floor.write = time.perf_counter() - started
        floor.cpu += time.process_time() - cpu
        db.close()
    return floor


def peak_rss_mb(pid: int | str = "self") -> float:
    """VmHWM of a live process, in MB."""
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024


def cpu_count() -> int:
    return os.cpu_count() or 1
