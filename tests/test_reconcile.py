"""The reconcile's comparison: the listing against the database's (size, mtime) by path."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from bot.folder import stats
from bot.folder.listing import POST_NAME, Listing, list_post_files
from bot.folder.scan import Folder, changes, scan
from bot.jekyll.names import is_post_name
from bot.jekyll.site import Site
from bot.state.files import file_states, joined_file_states
from bot.state.store import Store
from tests.conftest import NOW, write_post


def columns(files: dict[str, tuple[int, int]]) -> tuple[list[str], list[int], list[int]]:
    """Paths in order, and their sizes and times: how the listing and the store hold files."""
    paths = sorted(files)
    return paths, [files[p][0] for p in paths], [files[p][1] for p in paths]


def listing(files: dict[str, tuple[int, int]], unknown: tuple[str, ...] = ()) -> Listing:
    return Listing(*columns(files), unknown=list(unknown))


@pytest.mark.parametrize(
    ("on_disk", "known", "expected"),
    [
        ({}, {}, ([], [])),
        ({"a.md": (1, 10)}, {"a.md": (1, 10)}, ([], [])),  # nothing changed
        ({"a.md": (9, 10), "b.md": (2, 20)}, {"a.md": (1, 10), "b.md": (2, 20)}, (["a.md"], [])),
        ({"a.md": (1, 10), "b.md": (2, 21)}, {"a.md": (1, 10), "b.md": (2, 20)}, (["b.md"], [])),
        ({"a.md": (1, 10)}, {}, (["a.md"], [])),  # a first run
        ({}, {"a.md": (1, 10)}, ([], ["a.md"])),
        (  # added, changed, gone and untouched at once
            {"e.md": (5, 50), "a.md": (1, 10), "b.md": (2, 20), "d.md": (4, 40)},
            {"f.md": (6, 60), "b.md": (2, 20), "c.md": (3, 30), "d.md": (4, 41)},
            (["a.md", "d.md", "e.md"], ["c.md", "f.md"]),
        ),
        ({"b.md": (1, 10)}, {"a.md": (1, 10)}, (["b.md"], ["a.md"])),  # a rename
    ],
)
def test_changes_are_what_changed_and_what_is_gone(
    on_disk: dict[str, tuple[int, int]],
    known: dict[str, tuple[int, int]],
    expected: tuple[list[str], list[str]],
) -> None:
    """New and changed files in path order, and gone ones, whichever way they differ."""
    assert changes(listing(on_disk), columns(known)) == expected


def test_reread_takes_every_file() -> None:
    """The site settings changed: every file is read again, gone ones still go."""
    on_disk = {"b.md": (2, 20), "a.md": (1, 10)}
    assert changes(listing(on_disk), columns({"a.md": (1, 10), "c.md": (3, 30)}), reread=True) == (
        ["a.md", "b.md"],
        ["c.md"],
    )


def test_a_folder_that_could_not_be_listed_is_unknown_not_empty() -> None:
    """Its files are neither gone nor changed; those elsewhere are compared as ever."""
    known = columns({"world/_posts/a.md": (1, 10), "b.md": (2, 20), "world/x.md": (3, 30)})
    assert changes(listing({}, unknown=("world/",)), known) == ([], ["b.md"])
    assert changes(listing({}, unknown=("",)), known) == ([], [])  # the root itself


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
    assert file_states(store.db)[0] == [
        "2026-11-02-b.md",
        "2026-11-03-c.md",
        "sub/_posts/2026-11-04-d.md",
    ]
    assert scan(store, folder, NOW + dt.timedelta(hours=2)).files == 0


TRICKY_NAMES = [
    "a.md", "A.MD", "x.Markdown", "x.mkdown", "x.mkdn", "x.mkd", "x.html", "x.HTM", "x.htm",
    "x.m\u212ad",  # KELVIN SIGN: lower() makes it "k"
    ".hidden.md", "#x.md#", "#x.md", "x.md~", "x.md.swp", "x.swp", "x.txt", "md", ".md", "x.",
    "x.htmlx", "x.md ", "x .md", "ünïcødé.md", "😀.md", "new\nline.md", "x\udcff.md", "",
    "x.md.tmp", "x..md", "-.md", "_x.md",
]  # fmt: skip


@pytest.mark.parametrize("name", TRICKY_NAMES)
def test_the_listing_regex_is_is_post_name(name: str) -> None:
    """The walk's one-call check takes exactly the names Jekyll's rules take."""
    assert bool(POST_NAME.fullmatch(name)) == is_post_name(name)


def test_the_listing_regex_folds_case_as_lower_does() -> None:
    """Every character of the Basic Multilingual Plane in a suffix, as the regex's case
    folding and str.lower() see it."""
    for code in range(0x10000):
        for name in (f"x.m{chr(code)}", f"x.{chr(code)}d", f"x.ht{chr(code)}l"):
            assert bool(POST_NAME.fullmatch(name)) == is_post_name(name), repr(name)


def test_the_listing_is_in_path_order_across_folders(tmp_path: Path) -> None:
    """Paths sort as strings do, whatever the folders ('a.md' < 'a/...' < 'a0.md'), with
    each file's size and time beside it; a folder named like a post is a folder, a
    symlink to one is a file (read, and refused, as one); hidden and `_` folders are
    not entered."""
    posts = tmp_path / "posts"
    names = ["a0.md", "a/_posts/b.md", "a.md", "a-b.md", "b/c/d.html", "x.md/y.md",
             "_drafts/no.md", ".git/no.md", "b/_site/no.md", "z.md"]  # fmt: skip
    for number, name in enumerate(names):
        path = write_post(posts, name, f"title: {number}")
        os.utime(path, ns=(number, 10**9 + number))
    (posts / "link.md").symlink_to(posts / "b", target_is_directory=True)
    (posts / "README").write_text("not a post")
    listing = list_post_files(posts)
    expected = sorted(n for n in names if "no.md" not in n)
    assert listing.paths == sorted([*expected, "link.md"])
    for path, size, mtime in zip(listing.paths, listing.sizes, listing.mtimes, strict=True):
        info = (posts / path).stat()
        assert (size, mtime) == (info.st_size, info.st_mtime_ns)
    assert listing.unknown == []


def odd_folder(posts: Path, count: int) -> None:
    """Posts, and among them what a helper could get wrong: a folder named like a
    post, a symlink to one, a dangling symlink, a FIFO."""
    posts.mkdir()
    for number in range(count):
        (posts / f"2026-01-01-p{number:04d}.md").write_text("x" * number)
    (posts / "2026-01-01-p0010.md").unlink()
    write_post(posts, "2026-01-01-p0010.md/2026-01-02-inside.md", "title: in a folder")
    (posts / "2026-01-01-p0020.md").unlink()
    (posts / "2026-01-01-p0020.md").symlink_to(posts / "2026-01-01-p0010.md")
    (posts / "2026-01-01-p0030.md").unlink()
    (posts / "2026-01-01-p0030.md").symlink_to(posts / "nowhere.md")
    (posts / "2026-01-01-p0040.md").unlink()
    os.mkfifo(posts / "2026-01-01-p0040.md")


def test_a_helper_process_looks_at_half_of_a_big_folder_as_this_one_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The listing is the same, column for column, with half of it looked at by the
    helper process, and without."""
    posts = tmp_path / "posts"
    odd_folder(posts, 500)
    alone = list_post_files(posts)
    monkeypatch.setattr(stats, "SPLIT_FROM", 100)
    monkeypatch.setattr(stats.os, "cpu_count", lambda: 2)
    started: list[int] = []
    real_helper = stats.Helper

    def counted(folder: int, names: list[str]) -> stats.Helper:
        started.append(len(names))
        return real_helper(folder, names)

    monkeypatch.setattr(stats, "Helper", counted)
    shared = list_post_files(posts)
    assert started == [250]  # the second half of the 500 names like posts
    assert (shared.paths, shared.sizes, shared.mtimes) == (alone.paths, alone.sizes, alone.mtimes)
    assert "2026-01-01-p0010.md/2026-01-02-inside.md" in shared.paths  # a folder
    assert "2026-01-01-p0020.md" in shared.paths  # a symlink to a folder: a file
    assert "2026-01-01-p0030.md" not in shared.paths  # dangling: not there


def test_a_helper_that_fails_leaves_the_looking_to_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A helper that cannot start, or answers nothing, costs nothing but its try."""
    posts = tmp_path / "posts"
    odd_folder(posts, 300)
    alone = list_post_files(posts)
    monkeypatch.setattr(stats, "SPLIT_FROM", 100)
    monkeypatch.setattr(stats.os, "cpu_count", lambda: 2)
    for program in ("/nonexistent/python", "/bin/false", "/bin/true"):
        monkeypatch.setattr(stats.sys, "executable", program)
        shown = list_post_files(posts)
        assert (shown.paths, shown.sizes, shown.mtimes) == (alone.paths, alone.sizes, alone.mtimes)


def test_an_unchanged_folder_is_told_by_the_joined_columns(tmp_path: Path, site: Site) -> None:
    """The restart's shortcut holds for names with a newline, a comma or any script:
    the database's joined columns are the listing's, so no row is read."""
    posts = tmp_path / "posts"
    names = ["2026-01-01-a,b.md", "2026-01-02-new\nline.md", "2026-01-03-ünï😀.md", "x/_posts/d.md"]
    for name in names:
        write_post(posts, name, f'title: t\nexterne_link: "https://example.nl/{len(name)}"')
    store = Store(tmp_path / "state.db")
    scan(store, Folder(posts, site, ("console",)), NOW)
    assert joined_file_states(store.db) == list_post_files(posts).joined()
    assert joined_file_states(Store(tmp_path / "empty.db").db) is None
