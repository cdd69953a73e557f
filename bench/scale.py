"""A site of N posts: the worker's first run (index + baseline), then restarts over
the same posts, each timed to the "watching" log line, with peak memory; and the
floors measured in the same run, so each figure is also a ratio: the first run's
(bench/floor.py), and beside each restart a fresh Python process that stats every
file (what any restart that notices every change must do).

    python -m bench.scale --posts 100000 --restarts 5
    python -m bench.scale --posts 100000 --destinations 10

With --destinations N the worker has N Telegram destinations (a loopback fake Bot
API, category rules on most of them), and after the restart one more destination is
added and the worker started again: what adding a destination to the site costs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench import floor
from bench.generate_site import generate
from tests.fakes.telegram import DEFAULT_TOKEN, FakeTelegram
from tests.harness import WorkerProcess

CATEGORY_RULES = ["", 'categories = ["Sport"]', 'exclude_categories = ["Sport"]',
                  'categories = ["Politiek", "Economie"]', 'languages = ["nl"]']  # fmt: skip


def destination_table(fake: FakeTelegram, n: int) -> str:
    """Destination number `n`, on a channel the fake knows."""
    fake.add_channel(-1003000000000 - n, f"bench_channel_{n:02d}")
    rules = CATEGORY_RULES[n % len(CATEGORY_RULES)]
    return f'[[destinations]]\nname = "d{n}"\ntelegram = "@bench_channel_{n:02d}"\n{rules}\n\n'


class ChildWatch(threading.Thread):
    """Samples the worker's child processes (the parsing pool) for their peak RSS."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peaks: dict[str, float] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.1):
            try:
                # Each thread's children: the pool is started by the scan thread.
                pids = [
                    pid
                    for task in os.listdir(f"/proc/{self.pid}/task")
                    for pid in Path(f"/proc/{self.pid}/task/{task}/children").read_text().split()
                ]
                for child in pids:
                    self.peaks[child] = max(self.peaks.get(child, 0.0), floor.peak_rss_mb(child))
            except (OSError, StopIteration):
                continue  # a child came and went between the two reads

    def describe(self) -> str:
        if not self.peaks:
            return "no children"
        return f"{len(self.peaks)} children, peak RSS max {max(self.peaks.values()):.0f} MB"


def cpu_seconds(pid: int) -> float:
    """CPU time of a process and of its children it has waited for (the pool's)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def timed_start(root: Path, env: dict[str, str]) -> tuple[float, float, list[str], str, float]:
    """Seconds from process start to "watching", the worker's peak RSS in MB (VmHWM),
    its output, and its children's peaks and the CPU seconds of all of them."""
    process = WorkerProcess(root, env)
    started = time.monotonic()
    process.start()
    assert process.process is not None
    watch = ChildWatch(process.process.pid)
    watch.start()
    process.wait_for_line("watching", timeout=900)
    elapsed = time.monotonic() - started
    watch.done.set()
    peak = floor.peak_rss_mb(process.process.pid)
    cpu = cpu_seconds(process.process.pid)
    process.terminate(timeout=60)
    return elapsed, peak, process.lines, watch.describe(), cpu


def restart_floor(posts: Path) -> float:
    """Seconds for a fresh Python process to start, list the folder and stat each file:
    what any restart that notices every change must do, in one process."""
    code = (
        "import os, sys\n"
        "for top, _, names in os.walk(sys.argv[1]):\n"
        "    for name in names:\n"
        "        os.stat(os.path.join(top, name))"
    )
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", code, str(posts) + "/"], check=True)
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--site", type=Path, help="reuse a generated site folder (made if missing)")
    parser.add_argument("--destinations", type=int, default=0, help="Telegram destinations")
    parser.add_argument("--restarts", type=int, default=1, help="restarts after the first run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, FakeTelegram() as fake:
        root = Path(tmp)
        site = args.site or root / "site"
        if not site.exists():
            started = time.monotonic()
            generate(site, args.posts)
            print(f"generated {args.posts} posts in {time.monotonic() - started:.0f} s")
        posts = root / "posts"
        os.symlink(site.resolve(), posts) if args.site else shutil.move(site, posts)
        env = {"POSTS_DIR": str(posts), "STATE_DB": str(root / "state.db"), "TZ": "UTC"}
        if args.destinations:
            env |= {"TELEGRAM_BOT_TOKEN": DEFAULT_TOKEN, "TELEGRAM_API_URL": fake.url,
                    "TELEGRAM_COMMANDS": "off", "WAIT_FOR_LIVE": "off"}  # fmt: skip
            tables = "".join(destination_table(fake, n) for n in range(args.destinations))
            (root / "postbode.toml").write_text(tables)
            print(f"{args.destinations} Telegram destinations (loopback Bot API)")
        size = sum(f.stat().st_size for f in posts.iterdir()) / 1e6
        print(f"site: {args.posts} posts, {size:.0f} MB; {floor.cpu_count()} cores")
        bottom = floor.measure(posts)
        print(bottom.describe())
        first, first_peak, lines, children, cpu = timed_start(root, env)
        found = next(line for line in lines if "first run" in line)
        print(
            f"first run (index + baseline) to watching: {first:.1f} s"
            f" = {first / bottom.total:.2f} x floor; {cpu:.1f} CPU s with children"
            f" = {cpu / bottom.cpu:.2f} x the floor's CPU;"
            f" worker peak RSS {first_peak:.0f} MB; {children}"
        )
        print(f"  {found.split('INFO', 1)[1].strip()}")
        restarts = []
        for _ in range(args.restarts):
            bare = restart_floor(posts)  # beside each restart: the machine is shared
            again, again_peak, _, children, cpu = timed_start(root, env)
            restarts.append(again / bare)
            print(
                f"restart over {args.posts} known posts to watching: {again:.2f} s"
                f" = {again / bare:.2f} x its floor ({bare:.2f} s), {cpu:.2f} CPU s;"
                f" worker peak RSS {again_peak:.0f} MB; {children}"
            )
        if len(restarts) > 1:
            print(
                f"restart / floor over {len(restarts)} runs: median {statistics.median(restarts):.2f}"
            )
        if args.destinations:
            toml = root / "postbode.toml"
            toml.write_text(toml.read_text() + destination_table(fake, args.destinations))
            added, _, _, _, cpu = timed_start(root, env)
            print(f"restart with a destination added: {added:.2f} s, {cpu:.2f} CPU s")
        print(f"state.db: {(root / 'state.db').stat().st_size / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
