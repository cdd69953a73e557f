"""Answers to Mastodon mentions (MASTODON_REPLIES=on) in a real worker process: how
long from a mention's notification to the answer's status, on the streaming path and
polling, and what the listener costs while nothing happens (CPU seconds a minute,
beside the same worker with MASTODON_REPLIES=off, measured in the same run).

    python -m bench.mastodon_replies --mentions 20 --seconds 60 --poll 5
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import random
import statistics
import tempfile
import time
from pathlib import Path

from bench.generate_site import generate
from tests.fakes.mastodon import FakeMastodon
from tests.harness import WorkerProcess, platform_env, worker

ASKER = "asker-token"


def latencies(fake: FakeMastodon, count: int, text: str, spread: float = 0.0) -> list[float]:
    """Seconds from each mention's notification to its answer's status (the fake's
    clock for both), one mention at a time, each from an account of its own (no flood
    control in the way), each after a pause drawn from [0, spread) (a poll's phase)."""
    found, rng = [], random.Random(1)
    for n in range(count):
        time.sleep(rng.uniform(0, spread))
        token = f"{ASKER}-{text[:1]}-{n}"
        fake.add_account(f"asker{text[:1]}{n}", token)
        asked = str(fake.client(access_token=token).status_post(f"@postbode {text}").id)
        fake.wait_for(functools.partial(answered, fake, asked), 60)
        note = next(x for x in fake.notifications_of("postbode") if x.status_id == asked)
        answer = next(s for s in fake.statuses if s.in_reply_to_id == asked)
        found.append(answer.created_at - note.created_at)
    return found


def answered(fake: FakeMastodon, status_id: str) -> bool:
    return any(s.in_reply_to_id == status_id for s in fake.statuses)


def cpu_seconds(pid: int) -> float:
    """CPU time of a process's threads to the nanosecond (the scheduler's own count;
    /proc/PID/stat counts in 10 ms ticks, too coarse for an idle minute)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):  # a thread that just ended
            total += int((task / "schedstat").read_text().split()[0])
    return total / 1e9


def idle_cpu(process: WorkerProcess, seconds: float) -> float:
    """CPU seconds a minute the worker uses over `seconds` of nothing happening."""
    assert process.process is not None
    pid = process.process.pid
    time.sleep(2)  # start-up done
    before, started = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    return (cpu_seconds(pid) - before) / (time.monotonic() - started) * 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--poll", type=int, default=5, help="MASTODON_POLL_INTERVAL for the polling path"
    )
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--idle-only", action="store_true", help="skip the answers' latency")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, FakeMastodon() as fake:
        root = Path(tmp)
        generate(root / "posts", args.posts)
        fake.set_rate_limits(api_limit=100_000, status_limit=100_000)
        on = {"MASTODON_REPLIES": "on"}
        stream, searched, polled = [0.0], [0.0], [0.0]
        with worker(root, platform_env(root, None, fake, **on)) as process:
            process.wait_for_line("answering mentions of @postbode (streaming)", timeout=120)
            if not args.idle_only:
                stream = latencies(fake, args.mentions, "latest 5")
                searched = latencies(fake, max(1, args.mentions // 4), "search article")
            process.terminate()
        fake.streaming = False
        polling = {**on, "MASTODON_POLL_INTERVAL": str(args.poll)}
        with worker(root, platform_env(root, None, fake, **polling)) as process:
            process.wait_for_line("answering mentions of @postbode (polling", timeout=120)
            if not args.idle_only:
                polled = latencies(fake, max(3, args.mentions // 2), "latest 5", spread=args.poll)
            process.terminate()
        idle = {}
        for name, env in (
            ("off", {"MASTODON_REPLIES": "off"}),
            ("streaming", on),
            ("polling every 30 s", {**on}),
        ):
            fake.streaming = name != "polling every 30 s"
            with worker(root, platform_env(root, None, fake, **env)) as process:
                process.wait_for_line("watching", timeout=120)
                idle[name] = idle_cpu(process, args.seconds)
                process.terminate()

    def line(name: str, values: list[float]) -> str:
        return (
            f"{name}: median {statistics.median(values) * 1000:.0f} ms,"
            f" max {max(values) * 1000:.0f} ms over {len(values)} mentions"
        )

    if not args.idle_only:
        print(f"mention → answer, {args.posts} posts known:")
        print("  " + line("streaming, latest 5", stream))
        print("  " + line("streaming, search", searched))
        print("  " + line(f"polling every {args.poll} s, latest 5", polled))
    print(f"idle worker, CPU seconds a minute over {args.seconds:.0f} s:")
    for name, value in idle.items():
        extra = "" if name == "off" else f" (+{value - idle['off']:.3f} beside off)"
        print(f"  MASTODON_REPLIES {name}: {value:.3f}{extra}")


if __name__ == "__main__":
    main()
