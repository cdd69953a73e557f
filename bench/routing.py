"""What routing adds to a scan: deciding, for each post, which of 10 destinations it
goes to (SPEC §10), next to the floor of reading the same posts from their bytes.

    python -m bench.routing --posts 100000

The posts are parsed once (read_post, as a scan does), then routed through a Folder
with 10 destinations; the figure is the routing time per post, and its share of the
parse time measured in the same run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
import tomllib
from pathlib import Path

from bot.folder.scan import Folder
from bot.jekyll.posts import Post, read_post
from bot.jekyll.site import Site
from bot.routing.destinations import parse_destinations

CATEGORIES = ["Binnenland", "Buitenland", "Économie", "Sport", "Cultuur", "Politiek", "Tech"]
TAGS = ["voetbal", "verkiezingen", "klimaat", "ai", "film", "energie"]
TEN = "\n".join(
    f'[[destinations]]\nname = "d{n}"\ntelegram = "@channel_{n:02d}"\n{rules}\n'
    for n, rules in enumerate(
        [
            "",
            'categories = ["Sport"]',
            'categories = ["economie", "Politiek"]\nexclude_tags = ["ai"]',
            'tags = ["voetbal", "film"]',
            'exclude_categories = ["Sport"]\nlanguages = ["nl"]',
            'languages = ["en"]',
            'categories = ["Cultuur"]\ntopics = { cultuur = 3, "*" = 4 }',
            'categories = ["Tech"]\ntags = ["ai"]',
            'exclude_categories = ["Buitenland", "Sport"]',
            'categories = ["Binnenland"]\nlanguages = ["nl", "de"]',
        ]
    )
)


def posts(count: int, site: Site) -> list[Post]:
    rng = random.Random(7)
    parsed = []
    for n in range(count):
        cats = rng.sample(CATEGORIES, rng.randint(0, 3))
        tags = rng.sample(TAGS, rng.randint(0, 2))
        lang = rng.choice(["nl", "nl", "en", "de"])
        raw = (
            f"---\ntitle: Post {n}\ndate: 2026-11-01 10:00:00 +0100\ncategories: {cats}\n"
            f"tags: {tags}\nlang: {lang}\n---\n\n<p>Lead of post {n}.</p>\n"
        ).encode()
        result = read_post(raw, f"_posts/2026-11-01-post-{n}.html", site, 0.0)
        assert isinstance(result, Post)
        parsed.append(result)
    return parsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    args = parser.parse_args()
    site = Site(url="https://example.org", timezone=dt.UTC)
    started = time.process_time()
    items = posts(args.posts, site)
    parse = time.process_time() - started
    destinations = parse_destinations(tomllib.loads(TEN)["destinations"], {})
    folder = Folder(Path("."), site, tuple(d.key for d in destinations), destinations=destinations)
    started = time.process_time()
    routed = sum(len(folder.route(post)) for post in items)
    route = time.process_time() - started
    per_post = route / len(items) * 1e3
    print(
        f"posts: {len(items):,}; deliveries routed: {routed:,} ({routed / len(items):.1f} a post)"
    )
    print(f"parse (read_post): {parse / len(items) * 1e3:.3f} ms a post")
    print(f"routing to 10 destinations: {per_post:.4f} ms a post ({route / parse:.1%} of parsing)")


if __name__ == "__main__":
    main()
