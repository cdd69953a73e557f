"""LINKS_FILE as publishing leaves it: the real adapters against the fake platforms, a
real site folder and state database (SPEC §12)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from bot import app
from bot.clock import utc_now
from bot.config import load_settings
from bot.state.deliveries import EDIT_SETTLE, RETURN_WINDOW
from tests.conftest import write_post
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.telegram import DEFAULT_CHANNEL_ID, DEFAULT_CHANNEL_USERNAME, FakeTelegram
from tests.harness import CHANNEL, Publisher, platform_env, worker
from tests.test_cli import run_cli

PRIVATE_ID = -1009876543210
A, B = "2026-11-20-storm.md", "2026-11-21-haven.md"


def a_site(tmp_path: Path) -> Path:
    """A Jekyll site: _config.yml, _posts and _data; POSTS_DIR is its _posts."""
    site = tmp_path / "site"
    (site / "_posts").mkdir(parents=True)
    (site / "_data").mkdir()
    (site / "_config.yml").write_text("title: Nieuws\n")
    return site


def a_post(site: Path, name: str, title: str) -> None:
    write_post(site / "_posts", name, f'title: {title}\nexterne_link: "https://e.nl/{name}"')


def links_of(path: Path) -> dict[str, dict[str, str]]:
    return dict(json.loads(path.read_text()))


def test_the_links_follow_sends_edits_removals_and_a_restart(
    tmp_path: Path, fake_telegram: FakeTelegram, fake_mastodon: FakeMastodon
) -> None:
    """Sent: both URLs under the post's site path. Edited: the same file, not rewritten.
    Withdrawn: gone; back within the minute: back; deleted on the platforms: gone.
    A restart over a lost file rebuilds it from the database, byte for byte."""
    site = a_site(tmp_path)
    env = platform_env(
        tmp_path, fake_telegram, fake_mastodon,
        POSTS_DIR=str(site / "_posts"), LINKS_FILE="_data/postbode.json", ON_DELETE="delete",
    )  # fmt: skip
    publisher = Publisher(load_settings(env, tmp_path))
    links = app.links_file(publisher.settings)
    assert links is not None and links.path == site / "_data" / "postbode.json"
    publisher.scan()  # the first run, over an empty folder
    a_post(site, A, "Storm")
    a_post(site, B, "Haven")
    publisher.scan()
    publisher.deliver_until(lambda: len(fake_mastodon.statuses) == 2)
    publisher.deliver_until(lambda: len(fake_telegram.sent_messages(DEFAULT_CHANNEL_ID)) == 2)
    assert links.refresh(publisher.store.db)

    telegram, mastodon = publisher.keys
    messages = {m.raw.split("\n")[0]: m for m in fake_telegram.sent_messages(DEFAULT_CHANNEL_ID)}
    statuses = {s.text.split("\n")[0]: s for s in fake_mastodon.statuses}
    expected = {
        f"_posts/{name}": {
            mastodon: f"{fake_mastodon.url}/@{statuses[title].account}/{statuses[title].id}",
            telegram: f"https://t.me/{DEFAULT_CHANNEL_USERNAME}/"
            f"{messages[f'<b>{title}</b>'].message_id}",
        }
        for name, title in ((A, "Storm"), (B, "Haven"))
    }
    assert links_of(links.path) == expected
    written = links.path.stat()

    # An edit keeps each message where it is: the file is not touched.
    a_post(site, A, "Storm, nu ook hagel")
    publisher.scan(utc_now() - EDIT_SETTLE)  # changed that long ago: the edit is due
    publisher.deliver_until(lambda: statuses["Storm"].id in edited_statuses(fake_mastodon))
    publisher.deliver_until(
        lambda: fake_telegram.message(DEFAULT_CHANNEL_ID, message_id(expected, A)).edited
    )
    assert not links.refresh(publisher.store.db)
    assert (links.path.stat().st_ino, links.path.stat().st_mtime_ns) == (
        written.st_ino, written.st_mtime_ns,
    )  # fmt: skip

    # The file goes: its page is gone, so are its links, though the messages wait out
    # the minute in which it may come back. It does: its links are back.
    (site / "_posts" / B).unlink()
    publisher.scan()
    assert links.refresh(publisher.store.db)
    assert links_of(links.path) == {f"_posts/{A}": expected[f"_posts/{A}"]}
    a_post(site, B, "Haven")
    publisher.scan()
    assert links.refresh(publisher.store.db)
    assert links_of(links.path) == expected

    # Gone for good (the minute is over): both messages are deleted, the links with them.
    (site / "_posts" / B).unlink()
    publisher.scan(utc_now() - RETURN_WINDOW - dt.timedelta(seconds=1))
    assert links.refresh(publisher.store.db)
    publisher.deliver_until(lambda: fake_mastodon.status(statuses["Haven"].id).deleted)
    publisher.deliver_until(
        lambda: fake_telegram.message(DEFAULT_CHANNEL_ID, message_id(expected, B)).deleted
    )
    assert not links.refresh(publisher.store.db)  # they left with the file
    kept = links.path.read_bytes()
    assert links_of(links.path) == {f"_posts/{A}": expected[f"_posts/{A}"]}
    publisher.close()

    # A restart: the same links, from the database alone.
    links.path.unlink()
    restarted = Publisher(load_settings(env, tmp_path))
    again, later = app.links_file(restarted.settings), app.links_file(restarted.settings)
    assert again is not None and later is not None
    assert again.refresh(restarted.store.db)
    assert links.path.read_bytes() == kept
    assert not later.refresh(restarted.store.db)  # a start over a file that is right
    restarted.close()


def edited_statuses(fake: FakeMastodon) -> set[str]:
    return {s.id for s in fake.statuses if s.edited}


def message_id(expected: dict[str, dict[str, str]], name: str) -> int:
    return int(expected[f"_posts/{name}"][f"telegram:{CHANNEL}"].rsplit("/", 1)[1])


def test_a_private_channel_is_left_out_and_a_public_one_kept(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    """A private channel's messages have no public URL: no entry; the public channel's,
    configured by its numeric id, has its t.me link."""
    fake_telegram.add_channel(PRIVATE_ID)
    site = a_site(tmp_path)
    env = platform_env(
        tmp_path, fake_telegram, None, POSTS_DIR=str(site / "_posts"),
        TELEGRAM_CHANNEL=f"{DEFAULT_CHANNEL_ID},{PRIVATE_ID}", LINKS_FILE="_data/postbode.json",
    )  # fmt: skip
    publisher = Publisher(load_settings(env, tmp_path))
    publisher.scan()
    a_post(site, A, "Storm")
    publisher.scan()
    publisher.deliver_until(
        lambda: (
            len(fake_telegram.sent_messages(PRIVATE_ID))
            == len(fake_telegram.sent_messages(DEFAULT_CHANNEL_ID))
            == 1
        )
    )
    links = app.links_file(publisher.settings)
    assert links is not None and links.refresh(publisher.store.db)
    (public,) = fake_telegram.sent_messages(DEFAULT_CHANNEL_ID)
    assert links_of(links.path) == {
        f"_posts/{A}": {
            f"telegram:{DEFAULT_CHANNEL_ID}": f"https://t.me/{DEFAULT_CHANNEL_USERNAME}/{public.message_id}"
        }
    }
    publisher.close()


def mastodon_site(tmp_path: Path, fake: FakeMastodon) -> tuple[Path, dict[str, str], Path]:
    """A site, the environment that publishes it to the fake, and its LINKS_FILE."""
    site = a_site(tmp_path)
    env = platform_env(
        tmp_path, None, fake, POSTS_DIR=str(site / "_posts"), LINKS_FILE="_data/postbode.json"
    )
    return site, env, site / "_data" / "postbode.json"


def test_run_once_writes_the_links_after_sending_and_the_command_prints_them(
    tmp_path: Path, fake_mastodon: FakeMastodon
) -> None:
    """`run --once` writes LINKS_FILE once it has sent (the first run: no links yet);
    `postbode links` shows them as a table, `--json` as the file holds them."""
    site, env, path = mastodon_site(tmp_path, fake_mastodon)
    assert run_cli("run", "--once", cwd=tmp_path, **env).returncode == 0  # the first run
    assert path.read_text() == "{}\n"
    a_post(site, A, "Storm")
    result = run_cli("run", "--once", cwd=tmp_path, **env)
    assert result.returncode == 0, result.stderr
    url = status_url(fake_mastodon)
    assert links_of(path) == {f"_posts/{A}": {f"mastodon:{fake_mastodon.url}": url}}
    shown = run_cli("links", cwd=tmp_path, **env).stdout.splitlines()
    assert [line.split() for line in shown] == [
        ["post", "destination", "URL"],
        [f"_posts/{A}", f"mastodon:{fake_mastodon.url}", url],
    ]
    assert run_cli("links", "--json", cwd=tmp_path, **env).stdout == path.read_text()


def test_the_worker_writes_the_links_and_a_restart_rebuilds_them(
    tmp_path: Path, fake_mastodon: FakeMastodon
) -> None:
    """`postbode run` writes LINKS_FILE after sending (at the latest when it stops);
    started again over a lost file, it writes it again from its database."""
    site, env, path = mastodon_site(tmp_path, fake_mastodon)
    with worker(tmp_path, env) as running:
        running.wait_for_line("watching")  # the first run, over an empty folder
        a_post(site, A, "Storm")
        running.wait_for_line(f"published {A}")
        assert running.terminate() == 0
    expected = {f"_posts/{A}": {f"mastodon:{fake_mastodon.url}": status_url(fake_mastodon)}}
    assert links_of(path) == expected

    path.unlink()
    with worker(tmp_path, env) as restarted:
        restarted.wait_for_line(f"links: wrote {path}")
        assert restarted.terminate() == 0
    assert links_of(path) == expected


def status_url(fake: FakeMastodon) -> str:
    (status,) = fake.statuses
    return f"{fake.url}/@{status.account}/{status.id}"
