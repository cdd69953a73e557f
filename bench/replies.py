"""How long a chat reply takes to compute from the state database: the query plus the
HTML, for /latest, /category, /search and inline answers, with N posts known; and what
dates in readers' languages cost (Babel: its import and a language's data at the first
date, then each date).

    python -m bench.replies --posts 100000
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bot.chat import replies, search_replies
from bot.jekyll.posts import Post
from bot.state.catalog import Catalog
from bot.state.rows import FileState
from bot.state.store import Store
from bot.words.dates import short_date

CATEGORIES = [
    "Binnenland",
    "Buitenland",
    "Economie",
    "Sport",
    "Cultuur",
    "Tech",
    "Wetenschap",
    "Regio",
    "Politiek",
    "Media",
    "Klimaat",
    "Onderwijs",
    "Zorg",
    "Verkeer",
    "Wonen",
]


def fill(store: Store, posts: int) -> None:
    """N live posts, one every 10 minutes, one or two categories each."""
    rng = random.Random(1)
    start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    store.set_meta("baseline_at", "bench")
    for first in range(0, posts, 5000):
        with store.db.atomic():
            for n in range(first, min(posts, first + 5000)):
                post = Post(
                    path=f"{n}.md",
                    title=f"Bericht nummer {n} over {rng.choice(CATEGORIES).lower()}",
                    date=start + dt.timedelta(minutes=10 * n),
                    link=f"https://example.nl/{n}",
                    lead="Een lead. " * 20,
                    categories=tuple(rng.sample(CATEGORIES, rng.randint(1, 2))),
                )
                store.record(post, FileState(1, n, f"h{n}"), [], start, baseline=True)


def search_cases(catalog: Catalog, now: dt.datetime) -> dict[str, Callable[[], object]]:
    """/search and inline answers: words in every title, in every lead only (the title
    and label tiers find nothing first), a category's, a prefix, two words, nothing."""

    def search(words: str) -> Callable[[], object]:
        def reply() -> object:
            posts = catalog.search(words, search_replies.SEARCH_RESULTS, now)
            categories = [] if posts else catalog.categories(now)
            return search_replies.search_reply(words, posts, categories, "nl", now)

        return reply

    def inline(words: str, offset: int = 0, cold: bool = True) -> Callable[[], object]:
        """An inline answer; `cold`: its articles made afresh, not taken from the cache
        that a reader typing (or the next reader) finds them in."""
        page = search_replies.INLINE_PAGE + 1

        def answer() -> object:
            if cold:
                search_replies._article.cache_clear()
            if words:
                found = catalog.search(words, page, now, offset)
            else:
                found = catalog.latest(page, now, offset)
            return search_replies.inline_answer(found, offset, "nl", now)

        return answer

    return {
        "/search bericht (every title)": search("bericht"),
        "/search lead (every lead)": search("lead"),
        "/search economie": search("economie"),
        "/search nummer 99": search("nummer 99"),
        "/search zeppelin (none)": search("zeppelin"),
        "inline (no words: latest)": inline(""),
        "inline economie": inline("economie"),
        "inline economie, page 3": inline("economie", 40),
        "inline lead, page 3": inline("lead", 40),
        "inline economie, articles cached": inline("economie", cold=False),
    }


def timed(call: Callable[[], object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "state.db")
        started = time.monotonic()
        fill(store, args.posts)
        print(
            f"{args.posts} posts recorded in {time.monotonic() - started:.0f} s; {os.cpu_count()} cores"
        )
        catalog = Catalog(store.db)
        now = dt.datetime.now(dt.UTC)
        started = time.perf_counter()
        short_date(now, "nl", now)  # Babel is imported here, with the Dutch data
        first = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        short_date(now, "ja", now)
        another = (time.perf_counter() - started) * 1000
        days = [now - dt.timedelta(days=n) for n in range(args.runs)]  # none shown before
        started = time.perf_counter()
        for day in days:
            short_date(day, "de", now)
        each = (time.perf_counter() - started) / len(days) * 1e6
        again = statistics.median(timed(lambda: short_date(now, "de", now), args.runs)) * 1000
        print(
            f"dates: the first {first:.1f} ms (Babel's import and nl), the first in ja"
            f" {another:.1f} ms, then {each:.1f} µs each, {again:.1f} µs for one shown before"
        )
        cases: dict[str, Callable[[], object]] = {
            "/latest": lambda: replies.latest_reply(catalog.latest(5, now), "nl", now),
            "/latest 20": lambda: replies.latest_reply(catalog.latest(20, now), "nl", now),
            "/latest 20 (ja)": lambda: replies.latest_reply(catalog.latest(20, now), "ja", now),
            "/category (menu)": lambda: replies.categories_reply(catalog.categories(now), "nl"),
            "/category Economie": lambda: replies.category_reply(
                replies.find_category("Economie", catalog.categories(now)),  # type: ignore[arg-type]
                catalog.in_category("economie", 5, now),
                "nl",
                now,
            ),
            "/category Ekonomie (unknown)": lambda: replies.unknown_category_reply(
                "Ekonomie", catalog.categories(now), "nl"
            ),
        }
        cases.update(search_cases(catalog, now))
        for name, call in cases.items():
            call()  # warm: the category counts are cached until the data changes
            ms = sorted(timed(call, args.runs))
            p99 = ms[int(len(ms) * 0.99) - 1]
            print(
                f"{name:34} median {statistics.median(ms):.3f} ms, p99 {p99:.3f} ms, max {ms[-1]:.3f} ms"
            )
        store.close()


if __name__ == "__main__":
    main()
