"""`preview --json` over a generated site of N posts: wall time and peak memory, and
its floor in the same run (read every file, CSafeLoader-parse its front matter), so
each run is also a ratio to that floor.

python -m bench.preview --posts 10000
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import floor
from bench.generate_site import generate


def parse_floor(folder: Path) -> tuple[float, float]:
    """Seconds, and CPU seconds, to read every post file and parse its front matter, in
    this process."""
    files = floor.post_files(folder)
    floor.read_all(files)  # the page cache as warm as preview will find it
    started, cpu = time.perf_counter(), time.process_time()
    for raw in floor.read_all(files):
        floor.front_matter(raw)
    return time.perf_counter() - started, time.process_time() - cpu


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "posts"
        generate(folder, args.posts)
        size = sum(p.stat().st_size for p in folder.iterdir())
        print(
            f"site: {args.posts} posts, {size / 1e6:.1f} MB, on {os.cpu_count()} cores, {platform.python_version()}"
        )
        bottom, bottom_cpu = parse_floor(folder)
        print(f"floor (read + CSafeLoader front matter): {bottom:.2f} s, {bottom_cpu:.2f} CPU s")
        for run in range(1, args.runs + 1):
            start, cpu = time.perf_counter(), _children_cpu()
            # Into a file, not this process: its memory would count in the children's peak
            # (a child starts as a copy of it), growing with every run's output.
            with open(Path(tmp) / "out.jsonl", "w+b") as out:
                subprocess.run(
                    [sys.executable, "-m", "bot", "preview", "--json", str(folder)],
                    cwd=tmp, stdout=out, check=True,
                    env=os.environ | {"PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
                )  # fmt: skip
                elapsed = time.perf_counter() - start
                used = _children_cpu() - cpu  # preview and its parsing processes
                out.seek(0)
                lines = sum(1 for _ in out)
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(
                f"run {run}: {elapsed:.2f} s wall = {elapsed / bottom:.2f} x floor, {used:.2f} CPU s = {used / bottom_cpu:.2f} x its CPU, {lines} JSON lines, {elapsed / lines * 1e3:.3f} ms/post, peak RSS {peak:.0f} MB"
            )


if __name__ == "__main__":
    main()
