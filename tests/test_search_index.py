"""Full-text search's core (bot.state.search): folding, the FTS5 queries a reader's words
make, and the index the store keeps in step with the posts."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.jekyll.posts import Post
from bot.state import search, search_build
from bot.state.catalog import Catalog
from bot.state.rows import FileState
from bot.state.store import Store

START = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Café", "cafe"),
        ("ÉCONOMIE", "economie"),
        ("Łódź", "lodz"),
        ("Straße", "strasse"),
        ("Œuvre", "oeuvre"),
        ("Ærø", "aero"),
        ("Đà Nẵng", "da nang"),
        ("İstanbul ılık", "istanbul ilik"),
        ("ĳs", "ijs"),  # the Dutch ligature, as typed: i j
        ("ﬁn", "fin"),
        ("Ｆｕｌｌ", "full"),
        ("Ünïcödé", "unicode"),
        ("Ελλάδα", "ελλαδα"),  # Greek accents go
        ("Ёлка", "елка"),  # ё is е, as Russian writes it
        ("йод", "йод"),  # й is a letter of its own
        ("ガス", " ガ  ス "),  # kana keep their voicing marks; each is a word
        ("東京都", " 東  京  都 "),
        ("ca\u200bfé", "cafe"),  # a zero-width space is not there
        ("\u202eevil", "evil"),  # nor a right-to-left override
        ("a\x00b\nc", "a b c"),
        ("e\u0301", "e"),  # a combining accent of its own
        ("\ud800x", "x"),  # a lone surrogate (JSON can carry one)
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert search.fold(text) == folded


@pytest.mark.parametrize(
    ("words", "query"),
    [
        ("cafe", '"cafe"*'),
        ("Café PARIS", '"cafe" AND "paris"*'),
        ("a", '"a"'),  # one letter: no prefix
        ("paris a", '"paris" AND "a"'),
        ("NOT", '"not"*'),  # operators are words
        ("sport AND OR NEAR", '"sport" AND "and" AND "or" AND "near"*'),
        ('say "hi"', '"say" AND "hi"*'),  # syntax is no word
        ("-sport", '"sport"*'),
        ("title:x ^y (z)", '"title x" AND "y" AND "z"'),
        ("e-mail", '"e mail"*'),  # a phrase of its words
        ("*", ""),
        ('- : ^ ( ) "', ""),
        ("", ""),
        ("   \n\t", ""),
        ("\u200b\u200d\u202e", ""),
        ("東京", '"東 京"'),  # a phrase of its characters
        ("x x x", '"x"'),  # each word once
    ],
)
def test_match_quotes_every_word(words: str, query: str) -> None:
    assert search.match(words) == query


def test_match_takes_the_first_words_only() -> None:
    words = " ".join(f"w{n}" for n in range(1000))
    assert search.match(words).count('"') == 2 * search.MAX_WORDS
    assert search.too_many_words(words)
    assert not search.too_many_words(" ".join(["w"] * search.MAX_WORDS))


def empty_index() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute("create table posts (id, date_utc, title, lead, categories, tags, status)")
    db.execute(
        "insert into posts values (1, '2026-01-01T00:00:00+00:00', 'a café', 'b',"
        " '[\"Économie\"]', '[]', 'ready')"
    )
    search_build.create(db)
    return db


INDEX = empty_index()  # one for every example: hypothesis runs hundreds


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_every_query_is_one_fts5_reads(words: str) -> None:
    """Whatever a reader types, SQLite is given queries it parses."""
    query = search.match(words)
    for table in (search.TABLE, search.TITLES, search.NAMES):
        INDEX.execute(f"select rowid from {table} where {table} match ?", [query or '""'])


def post(
    n: int, title: str, lead: str = "", categories: tuple[str, ...] = (), **more: object
) -> Post:
    return Post(
        path=f"p{n}.md",
        title=title,
        date=more.pop("date", START + dt.timedelta(days=n)),  # type: ignore[arg-type]
        link=f"https://e.nl/{n}",
        lead=lead,
        categories=categories,
        **more,  # type: ignore[arg-type]
    )


def record(store: Store, *posts: Post) -> None:
    for p in posts:
        store.record(p, FileState(1, 1, p.title), [], START, baseline=True)


def titles(store: Store, words: str, count: int = 10, offset: int = 0) -> list[str]:
    return [p.title for p in Catalog(store.db).search(words, count, NOW, offset)]


def test_best_match_first_then_newer_first(store: Store) -> None:
    """Title, then categories and tags, then lead; newest first within each."""
    record(
        store,
        post(1, "Old lead", lead="about the harbour strike"),
        post(2, "Harbour strike, old"),
        post(3, "Strike news", categories=("Harbour",)),
        post(4, "Harbour strike, new"),
        post(5, "New lead", lead="the harbour strike goes on"),
        post(6, "Tagged", tags=("harbour", "strike")),
        post(7, "Harbour only"),
    )
    assert titles(store, "harbour strike") == [
        "Harbour strike, new",
        "Harbour strike, old",
        "Tagged",
        "Strike news",
        "New lead",
        "Old lead",
    ]
    assert titles(store, "harbour strike", count=2, offset=1) == ["Harbour strike, old", "Tagged"]
    assert titles(store, "harbour strike", count=10, offset=5) == ["Old lead"]
    assert titles(store, "harbour strike", offset=search.MAX_OFFSET) == []
    assert titles(store, "harb") == ["Harbour only", "Harbour strike, new", "Harbour strike, old",
                                     "Tagged", "Strike news", "New lead", "Old lead"]  # fmt: skip


def test_accents_and_case_fold_both_ways(store: Store) -> None:
    record(
        store,
        post(1, "Café in Łódź", categories=("Économie",)),
        post(2, "Die Straße"),
        post(3, "東京都の天気"),
    )
    assert titles(store, "cafe") == ["Café in Łódź"]
    assert titles(store, "CAFÉ lodz") == ["Café in Łódź"]
    assert titles(store, "economie") == ["Café in Łódź"]
    assert titles(store, "strasse") == titles(store, "STRASSE") == ["Die Straße"]
    assert titles(store, "東京") == titles(store, "天気") == ["東京都の天気"]
    assert titles(store, "京東") == []  # a phrase, not any order


def test_only_live_published_posts_are_found(store: Store) -> None:
    later = NOW + dt.timedelta(days=1)
    record(store, post(1, "Harbour now"), post(2, "Harbour later", date=later))
    record(store, post(3, "Harbour draft", published=False))
    assert titles(store, "harbour") == ["Harbour now"]
    assert [p.title for p in Catalog(store.db).search("harbour", 5, later)] == [
        "Harbour later",
        "Harbour now",
    ]


def test_the_index_follows_edits_unpublishing_and_withdrawals(store: Store) -> None:
    record(store, post(1, "Harbour strike"), post(2, "Harbour strike two"))
    record(store, post(1, "Airport strike"))  # the same file, a new title
    assert titles(store, "harbour") == ["Harbour strike two"]
    assert titles(store, "airport") == ["Airport strike"]
    record(store, post(1, "Airport strike", published=False))
    assert titles(store, "strike") == ["Harbour strike two"]
    record(store, post(1, "Airport strike"))
    store.withdraw("p2.md", NOW)
    assert titles(store, "strike") == ["Airport strike"]
    assert store.db.execute(f"select count(*) from {search.ROWS}").fetchone() == (1,)
    # The contentless indexes hold what they were given, no more: their words are gone.
    for table in (search.TITLES, search.NAMES, search.TABLE):
        assert store.db.execute(
            f"select count(*) from {table} where {table} match 'harbour'"
        ).fetchone() == (0,), table


def test_a_changed_date_moves_the_post_in_the_order(store: Store) -> None:
    record(store, post(1, "Strike one"), post(2, "Strike two"))
    record(store, post(1, "Strike one", date=START + dt.timedelta(days=9)))
    assert titles(store, "strike") == ["Strike one", "Strike two"]


def test_meaningless_words_find_nothing(store: Store) -> None:
    record(store, post(1, "Harbour strike"))
    for words in ["", "   ", "*", '"', "NEAR(", "\x00", "\u200b", "-", "a" * 10_000]:
        assert titles(store, words) == []
    assert Catalog(store.db).search("harbour", 0, NOW) == []
    assert Catalog(store.db).search("harbour", 5, NOW, offset=-3) != []


def test_the_migration_indexes_an_existing_database(tmp_path: Path) -> None:
    """m009 builds the index from the posts a database already holds."""
    store = Store(tmp_path / "state.db")
    record(store, post(1, "Harbour strike"), post(2, "Harbour draft", published=False))
    for table in (search.TABLE, search.TITLES, search.NAMES, search.ROWS, search.WORDS):
        store.db.execute(f"drop table {table}")
    store.db.execute("delete from _sqlite_migrations where name = 'm009_search'")
    store.db.conn.commit()
    store.close()
    store = Store(tmp_path / "state.db")
    assert titles(store, "harbour") == ["Harbour strike"]
    store.close()


@settings(max_examples=300, deadline=None)
@given(st.text(), st.integers(), st.integers())
def test_search_never_raises(words: str, count: int, offset: int) -> None:
    assert isinstance(search.find(INDEX, words, count % 100, NOW, offset), list)


def test_the_index_built_from_rows_finds_them() -> None:
    assert search.find(INDEX, "CAFE", 5, NOW) == search.find(INDEX, "econ", 5, NOW) == [1]


def test_a_prefix_of_many_words_is_fts5s_own(store: Store) -> None:
    """A last word that starts more words than are looked up one by one is a prefix
    FTS5 reads itself: the same posts are found, the newest first."""
    many = search.MAX_EXPANSION + 5
    record(store, *(post(n, f"Harbour{n:03}") for n in range(1, many + 1)))
    assert titles(store, "harbour0", count=2) == [f"Harbour{many:03}", f"Harbour{many - 1:03}"]
    assert len(titles(store, "harbour0", count=100)) == many
    assert titles(store, "harbour04") == [f"Harbour04{n}" for n in range(9, -1, -1)]


def test_posts_whose_rowids_clash_each_get_a_row_of_their_own(store: Store) -> None:
    """Ids 2^24 apart in one second want the same rowid: one already in the index and
    two in the same batch each take the next free one, and all three are found."""
    same = START + dt.timedelta(days=3)
    apart = 1 << 24
    first = post(1, "Clash one", date=same)
    search.index(store.db.conn, [(5 + 2 * apart, first)])
    search.index(
        store.db.conn,
        [(5, post(2, "Clash two", date=same)), (5 + apart, post(3, "Clash three", date=same))],
    )
    rows = [r for (r,) in store.db.execute(f"select row from {search.ROWS} order by row")]
    assert len(set(rows)) == 3 == len(rows)
    assert rows[-1] == search.rowid(same, 5)
    found = {
        post_id
        for (post_id,) in store.db.execute(
            f"select post_id from {search.ROWS} where row in"
            f" (select rowid from {search.TITLES} where {search.TITLES} match 'clash')"
        )
    }
    assert found == {5, 5 + apart, 5 + 2 * apart}
