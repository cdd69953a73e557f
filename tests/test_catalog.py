"""The readers' queries: counts that follow every change, newest first, live posts only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.folder.scan import Folder, scan
from bot.jekyll.site import Site
from bot.state.catalog import Catalog, Category
from bot.state.store import Store
from tests.conftest import NOW, write_post


def post(
    posts: Path, name: str, category: str, date: str = "2026-11-01 10:00:00 +0100", extra: str = ""
) -> Path:
    return write_post(
        posts,
        name,
        f'title: {name}\ndate: {date}\ncategory: "{category}"\nexterne_link: "https://e.nl/{name}"\n{extra}',
    )


def test_category_counts_follow_posts_in_and_out(tmp_path: Path, store: Store) -> None:
    """Counts change with new, withdrawn, unpublished and scheduled posts; spellings merge."""
    posts = tmp_path / "posts"
    post(posts, "a.md", "Economie")
    post(posts, "b.md", "ÉCONOMIE")
    post(posts, "c.md", "Sport")
    post(posts, "d.md", "Sport", extra="published: false")
    post(posts, "e.md", "Sport", date="2026-12-24 10:00:00 +0100")
    scan(store, Folder(posts, Site(), []), NOW)
    catalog = Catalog(store.db)
    assert catalog.categories(NOW) == [
        Category("Economie", "economie", 2),
        Category("Sport", "sport", 1),
    ]
    christmas = dt.datetime(2026, 12, 24, 12, tzinfo=dt.UTC)
    assert catalog.categories(christmas)[1] == Category(
        "Sport", "sport", 2
    )  # the scheduled one is live
    (posts / "a.md").unlink()
    (posts / "c.md").unlink()
    scan(store, Folder(posts, Site(), []), NOW)
    assert catalog.categories(NOW) == [Category("Economie", "economie", 1)]


def test_latest_and_in_category_are_newest_first_and_live_only(
    tmp_path: Path, store: Store
) -> None:
    """Future and unpublished posts are not listed; the newest comes first."""
    posts = tmp_path / "posts"
    for day in range(1, 6):
        post(posts, f"p{day}.md", "Sport", date=f"2026-11-0{day} 10:00:00 +0100")
    post(posts, "future.md", "Sport", date="2030-01-01")
    post(posts, "draft.md", "Sport", extra="published: false")
    scan(store, Folder(posts, Site(), []), NOW)
    catalog = Catalog(store.db)
    assert [p.path for p in catalog.latest(3, NOW)] == ["p5.md", "p4.md", "p3.md"]
    assert [p.path for p in catalog.in_category("sport", 10, NOW)] == [
        "p5.md",
        "p4.md",
        "p3.md",
        "p2.md",
        "p1.md",
    ]
    assert catalog.in_category("nothing", 5, NOW) == []
