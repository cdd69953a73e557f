"""The periodic reconcile over an unchanged site of N known posts, in this process: the
CPU seconds of one full comparison `scan(store, folder, now)` and its tracemalloc peak.

    python -m bench.reconcile --posts 100000 --site /tmp/site100k --state /tmp/state100k.db
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import tempfile
import time
import tracemalloc
from pathlib import Path

from bench.generate_site import generate
from bot.folder.scan import Folder, scan
from bot.jekyll.site import Site
from bot.state.store import Store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--site", type=Path, help="reuse a generated site folder (made if missing)")
    parser.add_argument(
        "--state", type=Path, help="reuse a state.db of that site (made if missing)"
    )
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site or Path(tmp) / "site"
        if not site.exists():
            generate(site, args.posts)
        folder = Folder(site, Site(), ("console",))
        state = Path(tmp) / "state.db"
        if args.state and args.state.exists():
            shutil.copy(args.state, state)
        store = Store(state)
        started = time.monotonic()
        report = scan(store, folder, dt.datetime.now(dt.UTC))
        print(f"first scan: {report.summary()} in {time.monotonic() - started:.1f} s")
        if args.state and not args.state.exists():
            store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            shutil.copy(state, args.state)
        for run in range(1, args.runs + 1):
            cpu, wall = time.process_time(), time.perf_counter()
            report = scan(store, folder, dt.datetime.now(dt.UTC))
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            tracemalloc.start()
            scan(store, folder, dt.datetime.now(dt.UTC))
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(
                f"run {run}: {report.summary()}; {cpu:.2f} CPU s, {wall:.2f} s wall;"
                f" tracemalloc peak {peak / 1e6:.1f} MB (a second scan, traced)"
            )
        store.close()


if __name__ == "__main__":
    main()
