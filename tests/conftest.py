"""Shared fixtures: real files in tmp folders, a real SQLite file, the seed post."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import zoneinfo
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.folder.settle import ignore_lease_breaks
from bot.jekyll.site import Site
from bot.state.store import Store
from tests.fakes.images import serve_images
from tests.fakes.site import FakeSite

pytest_plugins = [
    "tests.fakes.telegram_fixtures",
    "tests.fakes.mastodon_fixtures",
    "tests.fakes.bluesky_fixtures",
]

REPO = Path(__file__).resolve().parent.parent


def fresh_python(code: str) -> str:
    """What `code` prints in a Python process of its own (nothing imported yet)."""
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip


# A post of our own in the exact shape of the one the product was designed from
# (RFC 2822 date, externe_link, feature_image, an HTML body with <h2>).
SAMPLE_POST = REPO / "tests" / "data" / "2019-05-14-havenstaking-legt-rotterdam-stil.html"
# That post itself sits beside our checkout only on the team's machines and in CI.
SEED_POST = REPO.parent / "shared" / "seed" / "2019-05-14-pompeo-op-eerste-trip-naar-rusland.html"
needs_seed = pytest.mark.skipif(
    not SEED_POST.exists(), reason="needs ../shared/seed beside the checkout"
)
AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)


# Scans take read leases (bot.folder.settle); a lease break must not end the test run.
ignore_lease_breaks()

# The modules whose tests wait longest (worker processes, paces, kills, settles) run
# first: xdist hands tests out one at a time (--maxschedchunk 1, pyproject), so the
# quick ones fill in around these and no 10 s test starts last while the other idles.
SLOW_FIRST = frozenset(
    f"tests/{name}.py"
    for name in (
        "test_worker", "test_fanout", "hostile/test_edit_storm", "test_mastodon_replies",
        "test_bluesky_operations", "test_preview_folder", "test_links_publishing",
        "test_parsing_processes", "test_publishing", "test_cli", "test_live_operations",
    )
)  # fmt: skip


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow modules' tests first, each module's and the rest in collection order."""
    items.sort(key=lambda item: item.nodeid.split("::")[0] not in SLOW_FIRST)


@pytest.fixture
def site() -> Site:
    """A site with no URL (links come from front matter), in Amsterdam time."""
    return Site(timezone=AMSTERDAM)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A real SQLite state database in a temporary folder."""
    db = Store(tmp_path / "state.db")
    yield db
    db.close()


def write_post(folder: Path, name: str, front_matter: str, body: str = "<p>Lead.</p>") -> Path:
    """Write a post file the way an editor would: front matter, then body."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{front_matter.strip()}\n---\n\n{body}\n", encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests talk to 127.0.0.1 only: any other connection attempt fails the test."""
    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: object) -> None:
        host = address[0] if isinstance(address, tuple) else None
        if self.family in (socket.AF_INET, socket.AF_INET6) and host not in (
            "127.0.0.1",
            "::1",
            "localhost",
        ):
            raise AssertionError(
                f"a test tried to connect to {address!r}; only 127.0.0.1 is allowed"
            )
        real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", connect)


# Child processes cannot be patched: any HTTP request they make to a host that is
# not loopback goes to a proxy port where nothing listens, and fails there.
OFFLINE_ENV = {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
               "ALL_PROXY": "http://127.0.0.1:9", "NO_PROXY": "127.0.0.1,localhost"}  # fmt: skip


@pytest.fixture
def image_server() -> Iterator[str]:
    """A web server on 127.0.0.1 serving a tiny PNG at any *.png path; yields its root URL."""
    with serve_images() as url:
        yield url


@pytest.fixture
def fake_site() -> Iterator[FakeSite]:
    """A Jekyll site on 127.0.0.1 whose pages answer 404 until they are deployed."""
    with FakeSite().running() as site:
        yield site
