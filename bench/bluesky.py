"""CPU per post on the Bluesky path: postbode's outbox and adapter next to a bare atproto
loop posting the same records to the same fake PDS, side by side in one run.

    python -m bench.bluesky --posts 300 --rounds 5

N deliveries are queued in a real SQLite store; postbode's figure is the CPU of
`Outbox.drain()` over them (store, rendering, the adapter: a getRecord under the
delivery's record key, then createRecord), the bare figure that of a loop of
`com.atproto.repo.create_record` calls with the same records and keys, rendered
beforehand. Both log in before the clock starts. Each side gets a fresh fake PDS in a
child process (its CPU is not counted), without rate limits. CPU is
`time.process_time()` of this process. No log line is written.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing
import statistics
import tempfile
from multiprocessing.connection import Connection
from pathlib import Path

from atproto_client import AsyncClient, models

from bench.post_cost import Cpu, keys_in_order, queued_store
from bot.channels.bluesky import BlueskyChannel
from bot.channels.bluesky_record import POST_COLLECTION, record_key, render_bluesky
from bot.outbox import Outbox
from bot.routing.destinations import Destination
from tests.fakes.bluesky import HANDLE, PASSWORD

LANGUAGE = "nl"
KEY = "bluesky:bench"


def _serve(conn: Connection) -> None:
    """The child process: one fake PDS without limits, until the parent says stop."""
    from tests.fakes.bluesky import FakeBluesky

    with FakeBluesky(write_limit=10**9, ip_limit=10**9) as pds:
        conn.send(pds.url)
        conn.recv()
        conn.send([r.value["text"] for r in pds.records])


class Pds:
    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child,), daemon=True)
        self._process.start()
        self.url: str = self._conn.recv()

    def stop(self) -> list[str]:
        self._conn.send("stop")
        texts: list[str] = self._conn.recv()
        self._process.join(10)
        return texts


def postbode(url: str, root: Path, store_path: Path, posts: int) -> float:
    destination = Destination("bench", "bluesky", HANDLE, KEY, "BLUESKY_APP_PASSWORD", pds=url)
    channel = BlueskyChannel(destination, PASSWORD, LANGUAGE, root)

    async def run() -> float:
        from bot.state.store import Store

        store = Store(store_path)
        assert await channel.check() is None  # the session, before the clock starts
        started = Cpu()
        sent = await Outbox(store, [channel]).drain()
        spent = started.stop()
        await channel.close()
        store.close()
        assert sent == posts, f"{sent} of {posts} went out"
        return spent

    return asyncio.run(run())


def bare(url: str, records: list[tuple[str, dict[str, object]]]) -> float:
    async def run() -> float:
        client = AsyncClient(url)
        await client.login(HANDLE, PASSWORD, fetch_bsky_profile=False)
        did = (await client.com.atproto.server.get_session()).did
        started = Cpu()
        for rkey, record in records:
            data = models.ComAtprotoRepoCreateRecord.Data(
                repo=did, collection=POST_COLLECTION, rkey=rkey, record=record
            )
            await client.com.atproto.repo.create_record(data)
        spent = started.stop()
        await client.request.close()
        return spent

    return asyncio.run(run())


def one_round(posts: int, bare_first: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        store, items = queued_store(root / "state.db", posts, KEY)
        keys = keys_in_order(store, items)
        store.close()
        now = dt.datetime.now(dt.UTC)
        records = [
            (record_key(key), render_bluesky(post, LANGUAGE, now=now).record())
            for post, key in zip(items, keys, strict=True)
        ]
        spent: dict[str, float] = {}
        texts: dict[str, list[str]] = {}
        for side in ["bare", "postbode"] if bare_first else ["postbode", "bare"]:
            pds = Pds()
            try:
                if side == "bare":
                    spent[side] = bare(pds.url, records)
                else:
                    spent[side] = postbode(pds.url, root, root / "state.db", posts)
            finally:
                texts[side] = pds.stop()
        assert texts["bare"] == texts["postbode"], "the two sides posted different texts"
        assert len(texts["bare"]) == posts
        return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    ratios, ours, theirs = [], [], []
    for number in range(args.rounds):
        spent = one_round(args.posts, bare_first=number % 2 == 0)
        ours.append(spent["postbode"] / args.posts * 1000)
        theirs.append(spent["bare"] / args.posts * 1000)
        ratios.append(spent["postbode"] / spent["bare"])
        print(
            f"round {number + 1}: postbode {ours[-1]:.2f} ms/post,"
            f" bare atproto {theirs[-1]:.2f} ms/post, {ratios[-1]:.2f}x"
        )
    print(
        f"median: postbode {statistics.median(ours):.2f} ms/post, bare"
        f" {statistics.median(theirs):.2f} ms/post, {statistics.median(ratios):.2f}x"
        f" (rounds {min(ratios):.2f}-{max(ratios):.2f}x)"
    )


if __name__ == "__main__":
    main()
