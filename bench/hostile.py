"""The hostile cases' worst time and memory, each measured in this process.

    python -m bench.hostile --site /tmp/site20k   # a generated site of old posts

Each case runs the product's own code on a real file or a loopback server; the
figures are wall seconds and the peak of Python's allocations (tracemalloc).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.addresses import parse_allowed
from bot.channels.images import ImageFetcher, ImageRefused
from bot.clock import utc_now
from bot.folder.reading import load
from bot.folder.scan import Folder, scan
from bot.jekyll.site import Site
from bot.state.store import Store
from tests.fakes.images import Server


def measure(name: str, case: Callable[[], Any]) -> None:
    tracemalloc.start()
    started = time.monotonic()
    outcome = case()
    elapsed = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    print(f"| {name} | {elapsed:.3f} s | {peak:.1f} MB | {outcome} |")


def laughs(root: Path) -> str:
    levels = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for n in range(1, 9):
        levels.append(f"{chr(97 + n)}: &{chr(97 + n)} [{', '.join(['*' + chr(96 + n)] * 9)}]")
    (root / "lol.md").write_text("---\ntitle: T\n" + "\n".join(levels) + "\ndate: *i\n---\n")
    return str(getattr(load(root, "lol.md", Site(), None).result, "reason", ""))


def sparse(root: Path) -> str:
    with (root / "huge.md").open("wb") as huge:
        huge.truncate(50 * 1024**3)
    return str(getattr(load(root, "huge.md", Site(), None).result, "reason", ""))


def fifo(root: Path) -> str:
    os.mkfifo(root / "pipe.md")
    return str(getattr(load(root, "pipe.md", Site(), None).result, "reason", ""))


def trickle() -> str:
    server = Server({"/slow.png": (200, {"Content-Type": "image/png"}, None)})
    with server.running():
        fetcher = ImageFetcher(parse_allowed(f"127.0.0.1:{server.port}"), 8 << 20, Path("."))

        async def once() -> str:
            try:
                await fetcher.fetch(f"{server.url}/slow.png")
            except ImageRefused as refused:
                return str(refused)
            finally:
                await fetcher.close()
            return "fetched?"

        return asyncio.run(once())


def flood(tmp: Path, site: Path) -> str:
    (tmp / "empty").mkdir()
    store = Store(tmp / "state.db")
    scan(store, Folder(tmp / "empty", Site(), ("console",)), utc_now())  # the first run
    report = scan(store, Folder(site, Site(), ("console",)), utc_now())
    (queued,) = store.db.execute("select count(*) from deliveries").fetchone()
    store.close()
    return f"{report.outcomes['imported']} imported, {queued} queued"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, required=True, help="a generated site (old posts)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        print("| case | time | peak allocations | outcome |\n|---|---|---|---|")
        measure("YAML 'billion laughs' (9 levels of 9 aliases)", lambda: laughs(root))
        measure("a sparse 50 GB file named *.md", lambda: sparse(root))
        measure("a FIFO named *.md", lambda: fifo(root))
        measure("an image server sending a byte every 0.3 s", trickle)
        count = len(os.listdir(args.site))
        measure(f"{count} old files appearing after the first run", lambda: flood(root, args.site))


if __name__ == "__main__":
    main()
