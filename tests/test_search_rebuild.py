"""A big import (a first run) leaves the search index to one rebuild at the end of its
scan (bot.state.search.rebuild): every post is found after it, as if indexed one by one;
posts that come, change or go later are kept one by one; a crash before the rebuild
is made good at the next scan."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.folder.reading import load
from bot.folder.scan import Folder, scan
from bot.jekyll.posts import Post
from bot.jekyll.site import Site
from bot.state import search
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


def import_all(store: Store, numbers: range, *, later: bool) -> None:
    """New posts as a scan writes them: 500 a transaction."""
    for start in range(numbers.start, numbers.stop, 500):
        batch = [(post(n), file(n)) for n in range(start, min(start + 500, numbers.stop))]
        store.record_new(batch, [], START, baseline=True, index_later=later)


def found(store: Store, words: str, count: int = 1000) -> list[str]:
    return [p.title for p in Catalog(store.db).search(words, count, NOW)]


QUERIES = [*WORDS, "harbour strike", "cafe lodz", "東京", "tagged", "about rain", "num",
           "number1", "number12", "ha", "str", "sport harb", "nothing"]  # fmt: skip


def test_a_big_import_is_found_once_rebuilt_and_later_posts_one_by_one(store: Store) -> None:
    import_all(store, range(1, 1201), later=True)
    assert found(store, "harbour") == []  # not yet: the database says the index is owed
    assert store.meta(search.STALE) is not None
    assert store.refresh_search() is True
    published = [n for n in range(1, 1201) if post(n).published]
    assert search.indexed(store.db.conn) == len(published)
    assert found(store, "number1200") == [post(1200).title]
    assert {t for w in WORDS for t in found(store, w)} == {post(n).title for n in published}
    assert store.meta(search.STALE) is None
    assert store.refresh_search() is False  # nothing owed: no rebuild
    # Later, one at a time: a new post, an edit, a withdrawal.
    store.record(post(5000, title="Airport news"), file(5000), [], NOW)
    store.record(post(1, title="Renamed title"), file(1), [], NOW)
    store.withdraw(post(2).path, NOW)
    assert found(store, "airport") == ["Airport news"]
    assert found(store, "renamed") == ["Renamed title"]
    assert post(1).title not in found(store, "number1")
    assert post(2).title not in found(store, "number2")
    assert search.indexed(store.db.conn) == len(published)  # one in, one out, one again


def test_a_rebuilt_index_answers_as_one_kept_post_by_post(tmp_path: Path) -> None:
    """The same posts, indexed one transaction at a time or rebuilt at once: the same
    answers, best match first, to every query, the prefixes' words too."""
    numbers = range(1, 1101)
    by_post, rebuilt = Store(tmp_path / "a.db"), Store(tmp_path / "b.db")
    import_all(by_post, numbers, later=False)
    import_all(rebuilt, numbers, later=True)
    rebuilt.refresh_search()
    for words in QUERIES:
        assert found(rebuilt, words) == found(by_post, words), words
    assert found(rebuilt, "harbour")  # the queries find something to compare
    for table in (search.ROWS, search.WORDS):
        rows = f"select * from {table} order by 1"
        assert rebuilt.db.execute(rows).fetchall() == by_post.db.execute(rows).fetchall()
    by_post.close()
    rebuilt.close()


def test_a_crash_before_the_rebuild_is_made_good_at_the_next_scan(tmp_path: Path) -> None:
    """Posts written without the index, then the worker killed before the scan's end:
    the next start's scan, finding nothing changed in the folder, rebuilds it."""
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
    store.record_new(rows, [], START, baseline=True, index_later=True)
    store.close()  # the kill: the rows and the note are committed, the index is not
    store = Store(tmp_path / "state.db")
    assert found(store, "harbour") == []
    report = scan(store, Folder(posts, Site(), []), NOW)
    assert report.files == 0  # nothing to read again
    assert found(store, "harbour") == ["Harbour 2", "Harbour 1", "Harbour 0"]
    store.close()


def test_only_a_scan_of_many_new_files_leaves_the_index_to_its_end(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "BULK", 4)  # a few files stand for a first run's thousands
    posts = tmp_path / "posts"
    for n in range(5):
        write_post(
            posts,
            f"2026-01-0{n + 1}-p{n}.md",
            f'title: Harbour {n}\nexterne_link: "https://e.nl/{n}"',
        )
    folder = Folder(posts, Site(), [])
    assert scan(store, folder, NOW).index_later is True
    assert len(found(store, "harbour")) == 5
    write_post(
        posts, "2026-01-09-late.md", 'title: Harbour late\nexterne_link: "https://e.nl/late"'
    )
    report = scan(store, folder, NOW)
    assert (report.files, report.index_later) == (1, False)
    assert found(store, "harbour")[0] == "Harbour late"
    assert store.meta(search.STALE) is None
    # Four new beside five indexed: more than a quarter, so worth a rebuild too.
    assert search.worth_rebuilding(store.db.conn, 4)
    assert not search.worth_rebuilding(store.db.conn, 1)
