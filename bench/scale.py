"""A site of N posts: the worker's first run (index + baseline), then a restart over
the same posts, each timed to the "watching" log line, with peak memory.

    python -m bench.scale --posts 100000
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

from bench.generate_site import generate
from tests.harness import WorkerProcess


def timed_start(root: Path, env: dict[str, str]) -> tuple[float, float, list[str]]:
    """Seconds from process start to "watching", and the process's peak RSS in MB."""
    process = WorkerProcess(root, env)
    started = time.monotonic()
    process.start()
    process.wait_for_line("watching", timeout=600)
    elapsed = time.monotonic() - started
    assert process.process is not None
    with open(f"/proc/{process.process.pid}/status") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024
    process.terminate(timeout=60)
    return elapsed, peak, process.lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--site", type=Path, help="reuse a generated site folder (made if missing)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        site = args.site or root / "site"
        if not site.exists():
            started = time.monotonic()
            generate(site, args.posts)
            print(f"generated {args.posts} posts in {time.monotonic() - started:.0f} s")
        posts = root / "posts"
        os.symlink(site.resolve(), posts) if args.site else shutil.move(site, posts)
        env = {"POSTS_DIR": str(posts), "STATE_DB": str(root / "state.db"), "TZ": "UTC"}
        size = sum(f.stat().st_size for f in posts.iterdir()) / 1e6
        print(f"site: {args.posts} posts, {size:.0f} MB; {os.cpu_count()} cores")
        first, first_peak, lines = timed_start(root, env)
        found = next(line for line in lines if "first run" in line)
        print(
            f"first run (index + baseline) to watching: {first:.1f} s, peak RSS {first_peak:.0f} MB"
        )
        print(f"  {found.split('INFO', 1)[1].strip()}")
        again, again_peak, _ = timed_start(root, env)
        print(
            f"restart over {args.posts} known posts to watching: {again:.2f} s, peak RSS {again_peak:.0f} MB"
        )
        print(
            f"state.db: {(root / 'state.db').stat().st_size / 1e6:.0f} MB; children max RSS {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB"
        )


if __name__ == "__main__":
    main()
