"""50,000 old files appearing at once after the first run (a migration, a re-clone into
a new folder) are an import, not 41 hours of news."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest

from bot.clock import utc_now
from bot.folder.scan import Folder, scan
from bot.jekyll.site import Site
from bot.state.store import Store
from tests.conftest import write_post


def site_with(posts: Path, old: int, recent: int) -> None:
    today = utc_now().date()
    for n in range(old):
        write_post(
            posts,
            f"2020-01-01-old-{n}.md",
            f'title: Oud {n}\nexterne_link: "https://example.nl/o{n}"',
        )
    for n in range(recent):
        day = today - dt.timedelta(days=1)
        write_post(
            posts, f"{day}-new-{n}.md", f'title: Nieuw {n}\nexterne_link: "https://example.nl/n{n}"'
        )


def queued(store: Store) -> int:
    (count,) = store.db.execute("select count(*) from deliveries").fetchone()
    return int(count)


@pytest.mark.parametrize(("old", "recent", "news"), [(60, 3, 3), (40, 3, 43)])
def test_a_flood_of_old_files_is_an_import(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, old: int, recent: int, news: int
) -> None:
    """More than FLOOD_LIMIT (50) new files: the old ones are recorded as seen, the
    recent ones are news. Fewer: every one is news, as before."""
    posts = tmp_path / "posts"
    posts.mkdir()
    store = Store(tmp_path / "state.db")
    folder = Folder(posts, Site(), ("console",), flood_limit=50)
    scan(store, folder, utc_now())  # the first run, over an empty site
    site_with(posts, old, recent)
    caplog.set_level(logging.WARNING)
    report = scan(store, folder, utc_now())
    assert queued(store) == news
    if old + recent > 50:
        assert report.outcomes["imported"] == old
        assert "new files at once: an import" in caplog.text and "backfill" in caplog.text
    else:
        assert "imported" not in report.outcomes
    store.close()
