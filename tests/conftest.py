"""Shared fixtures: real files in tmp folders, a real SQLite file, the seed post."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.site import Site
from bot.store import Store

pytest_plugins = ["tests.fakes.telegram_fixtures", "tests.fakes.mastodon_fixtures"]

REPO = Path(__file__).resolve().parent.parent
SEED_DIR = REPO.parent / "shared" / "seed"
SEED_POST = SEED_DIR / "2019-05-14-pompeo-op-eerste-trip-naar-rusland.html"
AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)


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
