"""A link's cost in a Mastodon status, counted here for the common link and by
Mastodon.py for the rest: always what Mastodon.py's own counter says."""

from __future__ import annotations

import os
import random
import subprocess
import sys

import pytest
from mastodon import Mastodon

from bot.channels.mastodon_urls import _COMMON_URL, COMMON_TLDS, url_cost
from tests.conftest import REPO

TRICKY = [
    "https://example.nl/2026/01/02/nieuws.html",
    "https://example.nl", "https://example.nl/", "HTTPS://EXAMPLE.NL/A", "http://a.b.c.nl/x/y/",
    "https://example.nl/x.", "https://example.nl/x,", "https://example.nl/x!", "https://example.nl/x~",
    "https://example.nl/a(b)", "https://example.nl/a)", "https://example.nl/%20", "https://example.nl/-",
    "https://example.nl/a?b=c", "https://example.nl:8080/x", "https://example.nl/#top",
    "https://a_b.example.nl/", "https://-a.nl/", "https://a-.nl/", "https://a..nl/",
    "https://localhost/x", "http://10.0.0.1/a", "https://example.invalidtld/x", "https://example.community/",
    "https://xn--bcher-kva.example/x", "https://bücher.de/x", "https://example.nl/über",
    "https://example.nl/caf\u00e9", "https://example.nl/cafe\u0301",  # é, and e + combining acute
    "https://example.nl/😀", "https://example.nl/x😀", "https://example.nl/\U0001f469\u200d\U0001f4bb",  # ZWJ
    "https://example.nl/\U0001f1f3\U0001f1f1",  # a flag: two regional indicators
    "https://a.nl/x https://b.nl/y", "https://a.nl/x\nhttps://b.nl/y",  # several URLs
    "https://example.nl/@user@example.social", "@user@example.social", "geen link", "",
    "ftp://example.nl/x", "https://example.nl/\u202ex", "https://ex\u200bample.nl/",
]  # fmt: skip


@pytest.mark.parametrize("url", TRICKY)
def test_a_tricky_link_counts_as_mastodon_py_counts_it(url: str) -> None:
    """Emoji, ZWJ sequences, combining accents, several URLs, trailing punctuation."""
    assert url_cost(url) == Mastodon.get_status_length(url)


@pytest.mark.parametrize("tld", COMMON_TLDS)
def test_every_common_tld_is_one_mastodon_knows(tld: str) -> None:
    assert Mastodon.get_status_length(f"https://www.example.{tld}/a") == 23


def test_generated_links_count_as_mastodon_py_counts_them() -> None:
    """Links made of the pieces around the shortcut's edges (other TLDs, odd host and
    path characters, endings the regex leaves out), in both directions."""
    rng = random.Random(12)
    plain_label, odd_label = "abcz09-", "_AZé"
    plain_path, odd_path = "az09AZ/_-.~%", "!,()@#?&=+:;é😀\u0301 "
    tlds = [*COMMON_TLDS, "NL", "invalidtld", "local", "community", "co.uk", "xn--p1ai", "рф", "n"]
    fast = 0
    for n in range(3000):
        plain = n % 2  # every other link near the shortcut: one odd character at most
        label_chars = plain_label + ("" if plain else odd_label)
        path_chars = plain_path + ("" if plain else odd_path)
        labels = [
            "".join(rng.choice(label_chars) for _ in range(rng.randint(1, 6)))
            for _ in range(rng.randint(1, 3))
        ]
        path = "".join(rng.choice(path_chars) for _ in range(rng.randint(0, 12)))
        if plain and rng.random() < 0.3:
            path += rng.choice(odd_path)
        scheme = rng.choice(["https://", "http://", "HTTP://", "ftp://", "https:/"])
        url = f"{scheme}{'.'.join(labels)}.{rng.choice(tlds)}{'/' if rng.random() < 0.8 else ''}{path}"
        fast += bool(_COMMON_URL.fullmatch(url))
        assert url_cost(url) == Mastodon.get_status_length(url), url
    assert fast > 150  # the shortcut itself was tried (205 of them), not only the fallback


def test_preview_counts_common_links_without_mastodon_py() -> None:
    """`preview` does not pay half a second to import Mastodon.py for a site's links."""
    code = (
        "import sys, bot.preview\n"
        "from bot.channels.mastodon_urls import url_cost\n"
        "assert url_cost('https://example.nl/2026/01/02/nieuws.html') == 23\n"
        "print('mastodon' in sys.modules)"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert shown.strip() == "False"
