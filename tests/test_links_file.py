"""LINKS_FILE (SPEC §12): each post's messages by the path Jekyll's `page.path` gives it,
built from the state database, written whole or not at all, and only when it changes."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path, PurePath

import pytest

from bot import app
from bot.config import ConfigError, load_settings
from bot.jekyll.site import page_path_prefix
from bot.links_file import LinksFile, LinksKeeper, render, table, write_if_changed
from bot.state import message_urls
from bot.state.store import Store
from tests.conftest import NOW, REPO

TELEGRAM, MASTODON = "telegram:@nieuws", "mastodon:https://m.example"


@pytest.mark.parametrize(
    ("rows", "prefix", "text"),
    [
        ([], "_posts", "{}\n"),
        (
            [
                ("a.md", MASTODON, "https://m.example/@n/2"),
                ("a.md", TELEGRAM, "https://t.me/nieuws/1"),
            ],
            "_posts",
            '{\n  "_posts/a.md": {"mastodon:https://m.example": "https://m.example/@n/2",'
            ' "telegram:@nieuws": "https://t.me/nieuws/1"}\n}\n',
        ),
        (
            [
                ("2026/a.md", TELEGRAM, "https://t.me/nieuws/1"),
                ("b.md", TELEGRAM, "https://t.me/nieuws/2"),
            ],
            "",
            '{\n  "2026/a.md": {"telegram:@nieuws": "https://t.me/nieuws/1"},\n'
            '  "b.md": {"telegram:@nieuws": "https://t.me/nieuws/2"}\n}\n',
        ),
        # Names as they come: accents kept, a newline escaped as JSON does.
        (
            [("café\nbar.md", TELEGRAM, "https://t.me/nieuws/3")],
            "world/_posts",
            '{\n  "world/_posts/café\\nbar.md": {"telegram:@nieuws": "https://t.me/nieuws/3"}\n}\n',
        ),
    ],
)
def test_the_links_are_one_object_one_post_a_line(
    rows: list[tuple[str, str, str]], prefix: str, text: str
) -> None:
    """Keyed by the post's path in the site, each destination's URL; valid JSON."""
    assert "".join(render(rows, prefix)) == text
    expected: dict[str, dict[str, str]] = {}
    for path, destination, url in rows:
        expected.setdefault(f"{prefix}/{path}" if prefix else path, {})[destination] = url
    assert json.loads(text) == expected


@pytest.mark.parametrize(
    ("posts_dir", "source", "collections_dir", "prefix"),
    [
        ("/site/_posts", "/site", "", "_posts"),  # POSTS_DIR=site/_posts, _config.yml beside it
        ("/site", "/site", "", ""),  # POSTS_DIR is the whole site: paths hold the _posts
        ("/site/world/_posts", "/site", "", "world/_posts"),  # a category folder's posts
        ("/site/my_collections/_posts", "/site", "my_collections", "_posts"),
        ("/elsewhere/_posts", "/site", "", ""),  # no site found around it
    ],
)
def test_the_keys_begin_as_jekylls_page_path_does(
    posts_dir: str, source: str, collections_dir: str, prefix: str
) -> None:
    """Relative to the site source, or to its collections_dir (Document#relative_path)."""
    assert page_path_prefix(PurePath(posts_dir), PurePath(source), collections_dir) == prefix


def test_links_file_is_relative_to_the_site_and_keyed_from_it(tmp_path: Path) -> None:
    """LINKS_FILE=_data/postbode.json is in the folder of _config.yml; keys start _posts/."""
    site = tmp_path / "site"
    (site / "_posts").mkdir(parents=True)
    (site / "_data").mkdir()
    (site / "_config.yml").write_text("title: Nieuws\n")
    settings = load_settings(
        {"POSTS_DIR": "site/_posts", "LINKS_FILE": "_data/postbode.json"}, tmp_path
    )
    links = app.links_file(settings)
    assert links is not None
    assert (links.path, links.prefix) == (site / "_data" / "postbode.json", "_posts")
    assert settings.describe()["links_file"] == str(site / "_data" / "postbode.json")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("_data/postbode.json", "LINKS_FILE: the folder of '_data/postbode.json' does not exist"),
        ("_posts", "LINKS_FILE: '_posts' is not a file name"),
    ],
)
def test_a_links_file_that_cannot_be_written_stops_start_up(
    tmp_path: Path, value: str, message: str
) -> None:
    """One line naming the setting, at start-up, not a failure at the first send."""
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_config.yml").write_text("title: Nieuws\n")
    with pytest.raises(ConfigError) as caught:
        load_settings({"POSTS_DIR": "_posts", "LINKS_FILE": value}, tmp_path)
    assert str(caught.value).startswith(message)


def test_the_same_links_are_not_written_again(tmp_path: Path) -> None:
    """Unchanged text leaves the file as it is (Jekyll would rebuild the site for it)
    and no temporary file behind; changed text replaces it."""
    path = tmp_path / "postbode.json"
    first = write_if_changed(path, ["{}\n"], None)
    before = path.stat()
    assert write_if_changed(path, ["{", "}\n"], first) == first
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    write_if_changed(path, ['{"a": {}}\n'], first)
    assert path.read_text() == '{"a": {}}\n' and path.stat().st_ino != before.st_ino
    assert sorted(p.name for p in tmp_path.iterdir()) == ["postbode.json"]


# A child that rewrites the file in a loop, two big versions in turn, and says "wrote"
# after each: killed at any moment, it must leave one of them whole.
WRITER = """
import sys
from pathlib import Path
from bot.links_file import write_if_changed

path = Path(sys.argv[1])
versions = [[f'{{"v": "{v}", "pad": "'] + ["x" * 4096] * 1000 + ['"}\\n'] for v in "ab"]
digest = None
for n in range(10**9):
    digest = write_if_changed(path, versions[n % 2], digest)
    print("wrote", flush=True)
"""


def test_kill_9_while_writing_leaves_the_old_file_or_the_new_one_whole(tmp_path: Path) -> None:
    """SIGKILL in the middle of rewrites: the file is always complete JSON, one of the
    two versions; at most the one temporary file is left, and the next write takes it."""
    path = tmp_path / "postbode.json"
    seen = set()
    for kill in range(3):
        child = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        for _ in range(3 + kill):  # a few complete writes, then kill during the next
            assert child.stdout.readline() == "wrote\n"
        child.send_signal(signal.SIGKILL)
        child.wait(10)
        child.stdout.close()
        document = json.loads(path.read_text())
        assert document["v"] in ("a", "b") and len(document["pad"]) == 4096 * 1000
        seen.add(document["v"])
        assert {p.name for p in tmp_path.iterdir()} <= {"postbode.json", ".postbode.json.tmp"}
    assert seen  # and every one of the kills left a whole file
    write_if_changed(path, ["{}\n"], None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["postbode.json"]


def sent(store: Store, post_id: int, path: str, channel: str, url: str) -> None:
    """A post on the site and its message, as the outbox leaves them."""
    store.db.execute(
        "insert or ignore into posts (id, path, status, date_utc) values (?, ?, 'ready', ?)",
        [post_id, path, NOW.isoformat()],
    )
    store.db.execute(
        "insert into deliveries (post_id, channel, state, remote_id, remote_url,"
        " next_attempt_at) values (?, ?, 'sent', 'text:1', ?, ?)",
        [post_id, channel, url, NOW.isoformat()],
    )


def test_the_table_shows_each_message_on_a_line(store: Store) -> None:
    """`postbode links` for people: aligned columns, names with control characters escaped."""
    sent(store, 1, "a.md", TELEGRAM, "https://t.me/nieuws/1")
    sent(store, 1, "a.md", MASTODON, "https://m.example/@n/2")
    sent(store, 2, "b\x1b[31m.md", TELEGRAM, "https://t.me/nieuws/3")
    assert table(message_urls.live(store.db), "_posts") == [
        "post                 destination                 URL",
        "_posts/a.md          mastodon:https://m.example  https://m.example/@n/2",
        "_posts/a.md          telegram:@nieuws            https://t.me/nieuws/1",
        "_posts/b\\x1b[31m.md  telegram:@nieuws            https://t.me/nieuws/3",
    ]


def keep(
    store: Store,
    path: Path,
    scenario: Callable[[LinksKeeper, asyncio.Event], Awaitable[None]],
    **options: float,
) -> None:
    """Run a keeper while the scenario plays in the same event loop, then flush."""

    async def main() -> None:
        keeper = LinksKeeper(LinksFile(path), store.path, **options)
        stop = asyncio.Event()
        task = asyncio.create_task(keeper.run(stop))
        await asyncio.wait_for(scenario(keeper, stop), 20)
        await asyncio.wait_for(task, 10)
        await keeper.flush()

    asyncio.run(main())


async def wait_until(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    """Wait until `condition()` holds (looked at every 10 ms), or fail naming `what`."""
    for _ in range(int(timeout / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"waited {timeout} s for {what}")


def test_a_burst_of_changes_is_one_write_and_the_last_one_is_kept_at_stop(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The keeper writes once at its start, once for a burst of 50 messages, and the
    change that came after that at the stop, however long it would have waited."""
    path = tmp_path / "postbode.json"
    caplog.set_level(logging.INFO, logger="bot.links_file")

    async def scenario(keeper: LinksKeeper, stop: asyncio.Event) -> None:
        await wait_until(lambda: path.exists(), "the first write")
        for n in range(50):
            sent(store, n, f"p{n}.md", TELEGRAM, f"https://t.me/nieuws/{n}")
            keeper.changed()
            await asyncio.sleep(0)  # the changes come one by one, as the outbox makes them
        await wait_until(lambda: len(json.loads(path.read_text())) == 50, "the burst's write")
        keeper.settle = 3600.0  # the next write would wait an hour: only the stop writes it
        sent(store, 99, "last.md", TELEGRAM, "https://t.me/nieuws/99")
        keeper.changed()
        stop.set()

    keep(store, path, scenario, settle=0.2)
    assert len(json.loads(path.read_text())) == 51
    assert [r.getMessage() for r in caplog.records].count(f"links: wrote {path}") == 3


def test_a_links_file_that_cannot_be_written_is_an_error_line_and_tried_again(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Its folder gone at run time: one error line, delivery unaffected, and the file
    is written once the folder is back."""
    folder = tmp_path / "_data"
    path = folder / "postbode.json"
    sent(store, 1, "a.md", TELEGRAM, "https://t.me/nieuws/1")

    async def scenario(keeper: LinksKeeper, stop: asyncio.Event) -> None:
        await wait_until(lambda: "cannot write" in caplog.text, "the error line")
        folder.mkdir()
        await wait_until(lambda: path.exists(), "the write once the folder is back")
        stop.set()

    keep(store, path, scenario, settle=0.01, retry_after=0.05)
    assert json.loads(path.read_text()) == {"a.md": {TELEGRAM: "https://t.me/nieuws/1"}}
    (error, *_) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert error.getMessage().startswith(f"LINKS_FILE: cannot write {path} (")
    assert os.listdir(folder) == ["postbode.json"]
