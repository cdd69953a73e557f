"""Jekyll is the judge (SPEC §12): for the same files, postbode's reader must give
every post the url, date, title, categories and published state Jekyll itself gives.

Each site of tests/jekyll/corpus.py is built by the real `jekyll` (Debian's package,
4.3) with a small plugin that dumps what Jekyll read; postbode reads the same files
with the settings it would take from that `_config.yml`. Skipped where Jekyll is not
installed; CI installs it.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import load_settings
from bot.jekyll.posts import Post, read_post
from bot.jekyll.site import join_url
from bot.text import clean_text
from tests.jekyll.corpus import POSTS, SITES

pytestmark = pytest.mark.skipif(
    shutil.which("jekyll") is None or shutil.which("ruby") is None,
    reason="needs jekyll (apt-get install jekyll)",
)
HERE = Path(__file__).parent / "jekyll"

# Where postbode differs from Jekyll on purpose (the README names each difference).
DIFFERENT = {
    # A post needs a title to be announced: an empty one is the file name's, as for
    # a post without a title; Jekyll keeps the empty title.
    "_posts/2024-08-01-no-title.md": "title",
    # SPEC §10: a draft is not published, wherever it is; Jekyll builds one in _posts.
    "_posts/2024-06-22-draft.md": "published",
    # Themes leave a hidden post out of the site's lists; postbode's messages are a
    # list: not announced unless ANNOUNCE_HIDDEN=on. Jekyll builds it.
    "_posts/2024-06-22-hidden.md": "published",
}


def _write_site(site: Path, config: dict[str, Any], dump: Path) -> None:
    for path, content in POSTS.items():
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_bytes(content)
    (site / "_plugins").mkdir()
    shutil.copy(HERE / "dump_posts.rb", site / "_plugins")
    settings = {**config, "future": True, "unpublished": True, "postbode_dump": str(dump)}
    (site / "_config.yml").write_text(yaml.safe_dump(settings), encoding="utf-8")


@pytest.fixture(scope="module")
def jekyll_read(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """What Jekyll made of every post, per site; all sites built in one Ruby process
    (build_sites.rb does what `jekyll build -s SITE` does, without loading Jekyll again)."""
    root = tmp_path_factory.mktemp("jekyll")
    for name, config in SITES.items():
        _write_site(root / name, config, root / f"{name}.json")
    subprocess.run(
        ["ruby", HERE / "build_sites.rb", *(root / name for name in SITES)],
        check=True,
        capture_output=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(root)},
    )
    read = {}
    for name in SITES:
        read[name] = json.loads((root / f"{name}.json").read_text(encoding="utf-8"))
        read[name]["root"] = str(root / name)
    return read


def _postbode_read(site_root: Path, path: str, posts_dir: str = ".") -> dict[str, Any]:
    """The post as postbode reads it with POSTS_DIR at `posts_dir` under the site."""
    folder = site_root / posts_dir
    settings = load_settings({"POSTS_DIR": str(folder)}, site_root, check_folders=False)
    relative = (site_root / path).relative_to(folder.resolve()).as_posix()
    post = read_post((site_root / path).read_bytes(), relative, settings.site, mtime=0.0)
    assert isinstance(post, Post), post
    return {
        "url": post.link,
        "date": post.date,
        "title": post.title,
        "categories": list(post.categories),
        "published": post.published,
    }


def _as_jekyll_says(site: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    """Jekyll's `url` is under `url` + `baseurl`; its title is the raw value."""
    base = site["url"].rstrip("/") + "/" + str(site.get("baseurl", "")).strip("/")
    return {
        "url": join_url(base, entry["url"]),
        "date": dt.datetime.fromisoformat(entry["date"]),
        "title": clean_text(entry["title"]),
        # Each once, and no empty one: Jekyll's list may hold 7 and "7", or "" for a
        # null; its URLs (like postbode's lists) take each name once.
        "categories": list(dict.fromkeys(c for c in map(clean_text, entry["categories"]) if c)),
        "published": entry["published"],
    }


CASES = [(site, path) for site in SITES for path in POSTS]


@pytest.mark.parametrize(("site", "path"), CASES, ids=[f"{s}:{p}" for s, p in CASES])
def test_postbode_reads_a_post_as_jekyll_does(
    jekyll_read: dict[str, dict[str, Any]], site: str, path: str
) -> None:
    assert path in jekyll_read[site], f"Jekyll did not read {path} as a post"
    expected = _as_jekyll_says(SITES[site], jekyll_read[site][path])
    actual = _postbode_read(Path(jekyll_read[site]["root"]), path)
    different = DIFFERENT.get(path)
    if different:
        assert actual[different] != expected[different], (
            f"{path} now agrees: drop it from DIFFERENT"
        )
        del actual[different], expected[different]
    assert actual == expected
    # The same instant is not enough: the day and hour Jekyll shows are in the site's zone.
    assert actual["date"].utcoffset() == expected["date"].utcoffset()


IN_POSTS = [path for path in POSTS if path.startswith("_posts/")]


@pytest.mark.parametrize("path", IN_POSTS)
def test_a_posts_dir_that_is_the_sites_posts_folder_reads_the_same(
    jekyll_read: dict[str, dict[str, Any]], path: str
) -> None:
    """POSTS_DIR may be the site's `_posts`: paths then start below it, and the rules
    that read paths from the site's root (defaults' scopes, `:path`) still agree."""
    root = Path(jekyll_read["defaults"]["root"])
    expected = _as_jekyll_says(SITES["defaults"], jekyll_read["defaults"][path])
    actual = _postbode_read(root, path, posts_dir="_posts")
    for different in filter(None, [DIFFERENT.get(path)]):
        del actual[different], expected[different]
    assert actual == expected
