"""CPU the worker uses while nothing happens: watching a site, polling for chat
commands, its outbox asleep.

    python -m bench.idle --seconds 60 --posts 1000
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from bench.generate_site import generate
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.telegram import FakeTelegram
from tests.harness import platform_env, worker


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far, from /proc."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--posts", type=int, default=1000)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeTelegram() as telegram,
        FakeMastodon() as mastodon,
    ):
        root = Path(tmp)
        generate(root / "posts", args.posts)
        env = platform_env(root, telegram, mastodon)
        with worker(root, env) as process:
            process.wait_for_line("answering chat commands", timeout=120)
            assert process.process is not None
            pid = process.process.pid
            time.sleep(2)  # let start-up finish before measuring
            before, started = cpu_seconds(pid), time.monotonic()
            time.sleep(args.seconds)  # idle is what is measured
            used, elapsed = cpu_seconds(pid) - before, time.monotonic() - started
            process.terminate()
        print(
            f"idle worker over {elapsed:.0f} s with {args.posts} posts known, Telegram (chat polling) and Mastodon configured:"
        )
        print(
            f"{used:.2f} CPU seconds = {used / elapsed * 100:.2f} % of one core; getUpdates polls: {sum(1 for r in telegram.requests if r.method == 'getUpdates')}"
        )


if __name__ == "__main__":
    main()
