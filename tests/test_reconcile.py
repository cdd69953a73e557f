"""The reconcile's comparison: the listing and the database's rows, merged in path order."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from bot.folder.listing import Listing
from bot.folder.scan import Folder, changes, scan
from bot.jekyll.site import Site
from bot.state.store import Store
from tests.conftest import NOW, write_post


def test_changes_are_what_changed_and_what_is_gone() -> None:
    def on_disk() -> dict[str, tuple[int, int]]:
        return {"e.md": (5, 50), "a.md": (1, 10), "b.md": (2, 20), "d.md": (4, 40)}

    known = [
        ("f.md", 6, 60, "hf"),
        ("b.md", 2, 20, "hb"),
        ("c.md", 3, 30, "hc"),
        ("d.md", 4, 41, "hd"),
    ]
    listing = Listing(on_disk())
    assert changes(listing, known) == (
        [("a.md", None), ("d.md", "hd"), ("e.md", None)],
        ["f.md", "c.md"],
    )
    assert listing.files == {}  # consumed: the listing is the one thing the comparison holds
    again = changes(Listing(on_disk()), known, reread=True)[0]
    assert again == [(p, None) for p in sorted(on_disk())]
    assert changes(Listing(), []) == ([], [])


def test_a_folder_that_could_not_be_listed_is_unknown_not_empty() -> None:
    """Its files are neither gone nor changed; those elsewhere are compared as ever."""
    known = [("world/_posts/a.md", 1, 10, "ha"), ("b.md", 2, 20, "hb"), ("world/x.md", 3, 30, "hx")]
    assert changes(Listing({}, unknown=["world/"]), known) == ([], ["b.md"])
    assert changes(Listing({}, unknown=[""]), known) == ([], [])  # the root itself


def test_a_full_scan_reads_the_changed_file_only_and_withdraws_the_gone_one(
    tmp_path: Path, site: Site
) -> None:
    posts = tmp_path / "posts"
    for name in (
        "2026-11-01-a.md",
        "2026-11-02-b.md",
        "2026-11-03-c.md",
        "sub/_posts/2026-11-04-d.md",
    ):
        write_post(posts, name, f'title: {name}\nexterne_link: "https://example.nl/{name}"')
    store = Store(tmp_path / "state.db")
    folder = Folder(posts, site, ("console",))
    assert scan(store, folder, NOW).outcomes["baseline"] == 4
    (posts / "2026-11-01-a.md").unlink()
    changed = write_post(
        posts, "2026-11-02-b.md", 'title: B again\nexterne_link: "https://example.nl/b"'
    )
    os.utime(changed, ns=(10**18, 10**18))
    report = scan(store, folder, NOW + dt.timedelta(hours=1))
    assert report.files == 1
    assert report.outcomes == {"updated": 1, "withdrawn": 1}
    assert [row[0] for row in store.file_rows()] == [
        "2026-11-02-b.md",
        "2026-11-03-c.md",
        "sub/_posts/2026-11-04-d.md",
    ]
    assert scan(store, folder, NOW + dt.timedelta(hours=2)).files == 0
