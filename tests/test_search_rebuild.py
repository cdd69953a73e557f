"""A big import (a first run) is indexed in bulk (bot.state.search_build): every post
is found as it is written and after the scan's final merge, as if indexed one by one;
posts that come, change or go later are kept one by one; a crash before the merge, or
an older release's index owed a rebuild, is made good at the next scan."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.folder.reading import load
from bot.folder.scan import Folder, scan
from bot.jekyll.posts import Post
from bot.jekyll.site import Site
from bot.state import search, search_build
from bot.state.catalog import Catalog
from bot.state.rows import FileState
from bot.state.store import Store
from tests.conftest import write_post

START = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
WORDS = ["harbour", "strike", "café", "Łódź", "東京都", "economie", "sport", "rain"]


def post(n: int, **more: object) -> Post:
    """Post `n`: two of WORDS in its title, one in its lead, one as a category; every
    seventh unpublished; every 500th in the same minute."""
    fields: dict[str, object] = {
        "path": f"p{n:05}.md",
        "title": f"{WORDS[n % 8]} {WORDS[(n // 8) % 8]} number{n}",
        "date": START + dt.timedelta(minutes=n % 500),
        "link": f"https://e.nl/{n}",
        "lead": f"about {WORDS[(n + 3) % 8]}",
        "categories": (WORDS[(n + 5) % 8].title(),),
        "tags": ("tagged",) if n % 3 == 0 else (),
        "published": n % 7 != 0,
    }
    return Post(**(fields | more))  # type: ignore[arg-type]


def file(n: int) -> FileState:
    return FileState(1, n, f"hash{n}")


def import_all(store: Store, numbers: range, *, bulk: bool) -> None:
    """New posts as a scan writes them: 500 a transaction."""
    indexing = search_build.Bulk(store.db.conn) if bulk else None
    for start in range(numbers.start, numbers.stop, 500):
        batch = [(post(n), file(n)) for n in range(start, min(start + 500, numbers.stop))]
        store.record_new(batch, [], START, baseline=True, bulk=indexing)


def automerge(store: Store) -> list[int]:
    """FTS5's automerge setting of each index (4 when never set: its default)."""
    return [
        store.db.execute(
            f"select coalesce(max(v), 4) from {t}_config where k = 'automerge'"
        ).fetchone()[0]
        for t in search.TABLES
    ]


def check_integrity(store: Store) -> None:
    for table in search.TABLES:  # raises on a corrupt index
        store.db.execute(f"insert into {table} ({table}) values ('integrity-check')")


def found(store: Store, words: str, count: int = 1000) -> list[str]:
    return [p.title for p in Catalog(store.db).search(words, count, NOW)]


QUERIES = [*WORDS, "harbour strike", "cafe lodz", "東京", "tagged", "about rain", "num",
           "number1", "number12", "ha", "str", "sport harb", "nothing"]  # fmt: skip


def test_a_big_import_is_found_as_written_merged_at_the_end_then_kept_post_by_post(
    store: Store,
) -> None:
    import_all(store, range(1, 1201), bulk=True)
    published = [n for n in range(1, 1201) if post(n).published]
    every_title = {post(n).title for n in published}
    # Before the merge: every post found already; the merge owed, FTS5's merging held off.
    assert {t for w in WORDS for t in found(store, w)} == every_title
    assert store.meta(search_build.OWED) is not None
    assert automerge(store) == [0, 0, 0]
    assert store.refresh_search() is True
    assert search.indexed(store.db.conn) == len(published)
    assert found(store, "number1200") == [post(1200).title]
    assert {t for w in WORDS for t in found(store, w)} == every_title
    assert store.meta(search_build.OWED) is None
    assert automerge(store) == [4, 4, 4]
    check_integrity(store)
    assert store.refresh_search() is False  # nothing owed: no merge
    # Later, one at a time: a new post, an edit, a withdrawal.
    store.record(post(5000, title="Airport news"), file(5000), [], NOW)
    store.record(post(1, title="Renamed title"), file(1), [], NOW)
    store.withdraw(post(2).path, NOW)
    assert found(store, "airport") == ["Airport news"]
    assert found(store, "renamed") == ["Renamed title"]
    assert post(1).title not in found(store, "number1")
    assert post(2).title not in found(store, "number2")
    assert search.indexed(store.db.conn) == len(published)  # one in, one out, one again


@pytest.mark.parametrize("how", ["bulk", "rebuild"])
def test_an_index_made_in_bulk_answers_as_one_kept_post_by_post(tmp_path: Path, how: str) -> None:
    """The same posts, indexed one transaction at a time, in bulk, or rebuilt at once
    from the posts table: the same answers, best match first, to every query, the
    prefixes' words too."""
    numbers = range(1, 1101)
    by_post, other = Store(tmp_path / "a.db"), Store(tmp_path / "b.db")
    import_all(by_post, numbers, bulk=False)
    import_all(other, numbers, bulk=how == "bulk")
    if how == "rebuild":
        with other.transaction():
            search_build.rebuild(other.db.conn)
    else:
        other.refresh_search()
    check_integrity(other)
    for words in QUERIES:
        assert found(other, words) == found(by_post, words), words
    assert found(other, "harbour")  # the queries find something to compare
    for table in (search.ROWS, search.WORDS):
        rows = f"select * from {table} order by 1"
        assert other.db.execute(rows).fetchall() == by_post.db.execute(rows).fetchall()
    by_post.close()
    other.close()


@pytest.mark.parametrize("owed", [search_build.OWED, search_build.STALE])
def test_what_a_crash_left_owed_is_made_good_at_the_next_scan(tmp_path: Path, owed: str) -> None:
    """Posts written in bulk, then the worker killed before the scan's end (the merge
    owed), or an older release's posts written without the index (a rebuild owed): the
    next start's scan, finding nothing changed in the folder, makes the index whole."""
    posts = tmp_path / "posts"
    for n in range(3):
        write_post(
            posts,
            f"2026-01-0{n + 1}-p{n}.md",
            f'title: Harbour {n}\nexterne_link: "https://e.nl/{n}"',
        )
    store = Store(tmp_path / "state.db")
    loaded = [load(posts, p.name, Site(), None) for p in sorted(posts.iterdir())]
    rows = [(one.result, one.file) for one in loaded if one.result and one.file]
    store.record_new(rows, [], START, baseline=True, bulk=search_build.Bulk(store.db.conn))
    if owed == search_build.STALE:  # as the release before this one left a big import
        with store.transaction():
            for table in search.TABLES:
                store.db.execute(f"insert into {table} ({table}) values ('delete-all')")
            store.db.execute(f"delete from {search.ROWS}")
            store.db.execute("delete from meta where key = ?", [search_build.OWED])
            store.set_meta(search_build.STALE, "1")
        assert found(store, "harbour") == []
    store.close()  # the kill: the rows and the note are committed, the merge is not
    store = Store(tmp_path / "state.db")
    report = scan(store, Folder(posts, Site(), []), NOW)
    assert report.files == 0  # nothing to read again
    assert found(store, "harbour") == ["Harbour 2", "Harbour 1", "Harbour 0"]
    assert (store.meta(search_build.OWED), store.meta(search_build.STALE)) == (None, None)
    assert automerge(store) == [4, 4, 4]
    check_integrity(store)
    store.close()


def test_only_a_scan_of_many_new_files_leaves_the_index_to_its_end(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_build, "BULK", 4)  # a few files stand for a first run's thousands
    posts = tmp_path / "posts"
    for n in range(5):
        write_post(
            posts,
            f"2026-01-0{n + 1}-p{n}.md",
            f'title: Harbour {n}\nexterne_link: "https://e.nl/{n}"',
        )
    folder = Folder(posts, Site(), [])
    assert scan(store, folder, NOW).bulk_index is True
    assert len(found(store, "harbour")) == 5
    write_post(
        posts, "2026-01-09-late.md", 'title: Harbour late\nexterne_link: "https://e.nl/late"'
    )
    report = scan(store, folder, NOW)
    assert (report.files, report.bulk_index) == (1, False)
    assert found(store, "harbour")[0] == "Harbour late"
    assert store.meta(search_build.OWED) is None
    # Four new beside six indexed: more than a quarter, so worth bulk indexing too.
    assert search_build.for_import(store.db.conn, 4) is not None
    assert search_build.for_import(store.db.conn, 1) is None
