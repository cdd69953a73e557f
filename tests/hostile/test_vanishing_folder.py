"""A posts folder that goes away for a while (unmounted, moved, between `rm -rf` and
`git clone`) or a subfolder that cannot be read: nothing is withdrawn or deleted."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bot.clock import utc_now
from bot.folder.scan import Folder, scan
from bot.jekyll.site import Site
from bot.state.store import Store
from tests.conftest import write_post

NAMES = ("2026-01-01-a.md", "world/_posts/2026-01-02-b.md")


def statuses(store: Store) -> dict[str, str]:
    return dict(store.db.execute("select path, status from posts").fetchall())


@pytest.fixture
def site(tmp_path: Path) -> tuple[Store, Folder]:
    posts = tmp_path / "posts"
    for name in NAMES:
        write_post(posts, name, f'title: {name}\nexterne_link: "https://example.nl/{name}"')
    store = Store(tmp_path / "state.db")
    folder = Folder(posts, Site(), ("console",), delete_remote=True)
    scan(store, folder, utc_now())
    assert set(statuses(store).values()) == {"ready"}
    return store, folder


def test_a_missing_posts_folder_withdraws_nothing(
    tmp_path: Path, site: tuple[Store, Folder]
) -> None:
    store, folder = site
    shutil.move(folder.root, tmp_path / "away")
    for paths in (None, list(NAMES)):  # the reconcile, and a watcher batch
        report = scan(store, folder, utc_now(), paths=paths)
        assert report.withdrawn == 0
    assert set(statuses(store).values()) == {"ready"}
    shutil.move(tmp_path / "away", folder.root)
    assert scan(store, folder, utc_now()).outcomes == {}  # back: nothing to do


@pytest.mark.skipif(
    os.geteuid() == 0, reason="needs a user other than root: root reads every folder"
)
def test_a_subfolder_that_cannot_be_listed_withdraws_nothing(site: tuple[Store, Folder]) -> None:
    store, folder = site
    world = folder.root / "world"
    world.chmod(0)
    try:
        assert scan(store, folder, utc_now()).withdrawn == 0
    finally:
        world.chmod(0o755)
    assert set(statuses(store).values()) == {"ready"}
