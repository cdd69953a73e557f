"""Generate a synthetic Jekyll site: dated, categorised posts of realistic size.

Bodies are 1-8 KB of HTML or Markdown with headings, figures, links and
entities, like a news site's. Deterministic for a given seed.

    python -m bench.generate_site OUT_DIR --posts 10000
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

CATEGORIES = [
    "binnenland",
    "buitenland",
    "economie",
    "sport",
    "cultuur",
    "tech",
    "wetenschap",
    "regio",
]
WORDS = [
    "de",
    "het",
    "een",
    "en",
    "van",
    "in",
    "op",
    "te",
    "dat",
    "met",
    "voor",
    "niet",
    "zijn",
    "er",
    "aan",
    "ook",
    "als",
    "bij",
    "nog",
    "door",
    "naar",
    "over",
    "gemeente",
    "raad",
    "minister",
    "onderzoek",
    "stad",
    "regering",
    "economie",
    "markt",
    "prijzen",
    "energie",
    "school",
    "zorg",
    "verkiezingen",
    "Europa",
    "klimaat",
    "wonen",
    "verkeer",
    "politie",
    "rechter",
    "museum",
    "festival",
    "wedstrijd",
    "club",
]


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(6, 18))]
    return " ".join(words).capitalize() + rng.choice([".", ".", ".", "?", "!"])


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(2, 6)))


def body(rng: random.Random, markdown: bool, size: int) -> str:
    parts: list[str] = []
    while sum(len(p) for p in parts) < size:
        kind = rng.random()
        if markdown:
            if kind < 0.1:
                parts.append(f"## {sentence(rng)}")
            elif kind < 0.15:
                parts.append(f"![foto](/assets/{rng.randint(1, 999)}.jpg)")
            else:
                text = (
                    paragraph(rng)
                    .replace(" de ", " **de** ", 1)
                    .replace(" met ", " [met](https://example.nl/x) ", 1)
                )
                parts.append(text)
        elif kind < 0.1:
            parts.append(f"<h2>{sentence(rng)}</h2>")
        elif kind < 0.15:
            parts.append(
                f'<figure><img src="/assets/{rng.randint(1, 999)}.jpg" alt=""><figcaption>{sentence(rng)}</figcaption></figure>'
            )
        else:
            parts.append(f"<p>{paragraph(rng).replace(' en ', ' &amp; ', 1)}</p>")
    return "\n\n".join(parts)


def write_post(folder: Path, index: int, rng: random.Random, date: dt.datetime) -> Path:
    markdown = rng.random() < 0.5
    slug = "-".join(rng.choice(WORDS) for _ in range(4)) + f"-{index}"
    name = f"{date:%Y-%m-%d}-{slug}.{'md' if markdown else 'html'}"
    categories = rng.sample(CATEGORIES, rng.randint(1, 2))
    front = [
        "---",
        "layout: post",
        f'title: "{sentence(rng).rstrip(".?!")} ({index})"',
        f"date: {date:%Y-%m-%d %H:%M:%S} +0100",
        f"categories: [{', '.join(categories)}]",
        f"tags: [{rng.choice(WORDS)}, {rng.choice(WORDS)}]",
        f'externe_link: "https://example.nl/{date:%Y/%m/%d}/{slug}"',
    ]
    if rng.random() < 0.3:
        front.append(f'feature_image: "https://example.nl/media/{index}.jpg"')
    front.append("---")
    path = folder / name
    path.write_text(
        "\n".join(front) + "\n\n" + body(rng, markdown, rng.randint(1024, 8192)) + "\n",
        encoding="utf-8",
    )
    return path


def generate(
    folder: Path, posts: int, seed: int = 1, start: dt.datetime | None = None
) -> list[Path]:
    """Write `posts` posts into `folder`, one every 10 minutes from `start`."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    first = start or dt.datetime(2020, 1, 1, 8, 0)
    return [write_post(folder, i, rng, first + dt.timedelta(minutes=10 * i)) for i in range(posts)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.out, args.posts, args.seed)
    print(f"wrote {args.posts} posts to {args.out}")


if __name__ == "__main__":
    main()
