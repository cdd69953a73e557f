"""Bluesky as a destination, the product wired as the worker wires it, against the fake
PDS: the environment's account and `[[destinations]]` tables, edits that Bluesky cannot
make (and `status` says so), ON_DELETE=delete, links, and a restart after a lost answer."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.app import check, deliver, folder_of, index
from bot.clock import utc_now
from bot.config import ConfigError, load_settings
from bot.outbox import Outbox
from bot.preview import as_text, preview_paths, status_text
from bot.state import message_urls
from bot.state.catalog import Catalog
from bot.state.deliveries import EDIT_SETTLE, RETURN_WINDOW
from tests.conftest import write_post
from tests.fakes.bluesky import DID, HANDLE, PASSWORD, FakeBluesky
from tests.harness import Publisher, assert_no_secrets, platform_env, worker
from tests.test_worker import drop_post

KEY = f"bluesky:{HANDLE}"


def bluesky_env(tmp_path: Path, fake: FakeBluesky, **extra: str) -> dict[str, str]:
    (tmp_path / "posts").mkdir(exist_ok=True)
    account = {
        "BLUESKY_HANDLE": "@" + HANDLE.upper(),
        "BLUESKY_APP_PASSWORD": PASSWORD,
        "BLUESKY_PDS_URL": fake.url,
    }
    return platform_env(tmp_path, None, None, **(account | extra))


def publisher_for(tmp_path: Path, fake: FakeBluesky, **extra: str) -> Publisher:
    publisher = Publisher(load_settings(bluesky_env(tmp_path, fake, **extra), tmp_path))
    publisher.scan()  # the first run: nothing there yet
    return publisher


def states(publisher: Publisher) -> list[tuple[str, str]]:
    return publisher.store.db.execute("select action, state from deliveries").fetchall()


def test_the_environment_makes_a_destination_and_its_links(
    tmp_path: Path, fake_bluesky: FakeBluesky
) -> None:
    publisher = publisher_for(tmp_path, fake_bluesky)
    (destination,) = publisher.settings.destinations
    assert (destination.name, destination.key, destination.pds) == (
        "bluesky",
        KEY,
        fake_bluesky.url,
    )
    write_post(tmp_path / "posts", "a.md", 'title: Storm\nexterne_link: "https://example.nl/a"')
    publisher.scan()
    publisher.deliver_until(lambda: states(publisher) == [("publish", "sent")])
    (record,) = fake_bluesky.records
    links = list(message_urls.live(publisher.store.db))
    assert links == [("a.md", KEY, f"https://bsky.app/profile/{DID}/post/{record.rkey}")]
    assert_no_secrets([], tmp_path / "state.db", [PASSWORD])
    publisher.close()


def test_an_edited_post_is_not_sent_again_and_status_says_so(
    tmp_path: Path, fake_bluesky: FakeBluesky
) -> None:
    publisher = publisher_for(tmp_path, fake_bluesky)
    path = write_post(tmp_path / "posts", "a.md", 'title: Eerste\nexterne_link: "https://e.nl/a"')
    publisher.scan()
    publisher.deliver_until(lambda: states(publisher) == [("publish", "sent")])
    path.write_text(path.read_text().replace("Eerste", "Tweede"))
    publisher.scan(now=utc_now() - EDIT_SETTLE)
    assert states(publisher) == [("edit", "pending")]
    publisher.deliver_until(lambda: states(publisher) == [("edit", "sent")])
    (record,) = fake_bluesky.records
    assert record.value["text"].startswith("Eerste")
    assert len(fake_bluesky.requests_to("createRecord")) == 1
    report = Catalog(publisher.store.db).report(cannot_edit=[KEY])
    assert report["not_edited"] == {KEY: 1}
    assert "1 posts changed after they were sent: Bluesky has no edit" in status_text(report)
    publisher.close()


def test_on_delete_delete_removes_the_record(tmp_path: Path, fake_bluesky: FakeBluesky) -> None:
    publisher = publisher_for(tmp_path, fake_bluesky, ON_DELETE="delete")
    path = write_post(tmp_path / "posts", "a.md", 'title: Weg\nexterne_link: "https://e.nl/a"')
    publisher.scan()
    publisher.deliver_until(lambda: states(publisher) == [("publish", "sent")])
    path.unlink()
    publisher.scan(now=utc_now() - RETURN_WINDOW)
    publisher.deliver_until(lambda: states(publisher) == [("delete", "deleted")])
    assert fake_bluesky.live_records == [] and len(fake_bluesky.records) == 1
    assert list(message_urls.live(publisher.store.db)) == []
    publisher.close()


def test_a_restart_after_the_answer_was_lost_does_not_post_twice(
    tmp_path: Path, fake_bluesky: FakeBluesky
) -> None:
    """createRecord carried out, the worker killed before recording it (the delivery
    left `sending`): the next worker does not post it again."""
    first = publisher_for(tmp_path, fake_bluesky)
    write_post(tmp_path / "posts", "a.md", 'title: Eén keer\nexterne_link: "https://e.nl/a"')
    first.scan()
    delivery = first.store.deliveries.head(KEY, utc_now())
    assert delivery is not None and first.store.deliveries.mark_sending(delivery.id, utc_now())
    key = Outbox(first.store, []).idempotency_key(delivery)
    # What the killed worker's request did: the record, under the delivery's own key.
    channel = first.channels[0]

    async def killed_worker() -> None:
        await channel.publish(delivery.post, key)
        await channel.close()

    asyncio.run(killed_worker())
    first.close()
    second = Publisher(first.settings)
    second.deliver_until(lambda: states(second) == [("publish", "sent")])
    (record,) = fake_bluesky.records
    (remote_id,) = second.store.db.execute("select remote_id from deliveries").fetchone()
    assert remote_id == record.uri
    # The second worker's create was refused (the key is taken); the record was found.
    assert [r.status for r in fake_bluesky.requests_to("createRecord")] == [200, 500]
    assert [r.status for r in fake_bluesky.requests_to("getRecord")] == [200]
    second.close()


def test_check_logs_in_once_per_destination(tmp_path: Path, fake_bluesky: FakeBluesky) -> None:
    settings = load_settings(bluesky_env(tmp_path, fake_bluesky), tmp_path)
    lines = asyncio.run(check(settings))
    assert lines[-1] == f"OK   {KEY}" and fake_bluesky.sessions_created == 1
    wrong = {"BLUESKY_APP_PASSWORD": "wrong-pass-word-xxxx"}
    (line,) = asyncio.run(
        check(load_settings(bluesky_env(tmp_path, fake_bluesky, **wrong), tmp_path))
    )[1:]
    assert line.startswith(f"FAIL {KEY}: Bluesky refused the account") and "xxxx" not in line


def test_check_names_a_tables_account_by_its_handle_and_never_its_password(
    tmp_path: Path, fake_bluesky: FakeBluesky
) -> None:
    """`postbode check` for a `[[destinations]]` table: its name says not which account
    it is, so the line (OK or FAIL) and the log name the handle; no password anywhere."""
    from tests.test_cli import run_cli

    (tmp_path / "posts").mkdir()
    (tmp_path / "postbode.toml").write_text(
        f'[[destinations]]\nname = "bsky"\nbluesky = "{HANDLE}"\npds = "{fake_bluesky.url}"\n'
        'password_env = "NEWS_APP_PASSWORD"\n',
        "utf-8",
    )
    for password, line in ((PASSWORD, f"OK   bsky (@{HANDLE})"), ("wrong-pass-word-xxxx", "")):
        env = platform_env(tmp_path, None, None, NEWS_APP_PASSWORD=password)
        result = run_cli("check", cwd=tmp_path, **env)
        lines = result.stdout.splitlines()
        if line:
            assert result.returncode == 0 and lines[-1] == line
            assert f"bsky: posting as @{HANDLE} ({DID})" in result.stdout  # the log line
        else:
            assert result.returncode == 1
            assert lines[-1].startswith(f"FAIL bsky (@{HANDLE}): Bluesky refused the account")
        assert password not in result.stdout + result.stderr


def test_a_destination_table_takes_its_password_from_password_env(
    tmp_path: Path, fake_bluesky: FakeBluesky
) -> None:
    (tmp_path / "posts").mkdir()
    (tmp_path / "postbode.toml").write_text(
        f'[[destinations]]\nname = "bsky"\nbluesky = "{HANDLE}"\npds = "{fake_bluesky.url}"\n'
        'password_env = "NEWS_APP_PASSWORD"\nhashtags = ["nieuws"]\n',
        "utf-8",
    )
    env = platform_env(tmp_path, None, None, NEWS_APP_PASSWORD=PASSWORD)
    publisher = Publisher(load_settings(env, tmp_path))
    publisher.scan()
    write_post(tmp_path / "posts", "a.md", 'title: Tabel\nexterne_link: "https://e.nl/a"')
    publisher.scan()
    publisher.deliver_until(lambda: states(publisher) == [("publish", "sent")])
    (record,) = fake_bluesky.records
    assert record.value["text"].endswith("#nieuws")
    publisher.close()
    with pytest.raises(
        ConfigError, match="password_env: the variable NEWS_APP_PASSWORD is not set"
    ):
        load_settings(platform_env(tmp_path, None, None), tmp_path)


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"BLUESKY_APP_PASSWORD": "p"}, "BLUESKY_HANDLE: BLUESKY_APP_PASSWORD is set"),
        ({"BLUESKY_PDS_URL": "https://pds.example"}, "BLUESKY_HANDLE: BLUESKY_PDS_URL is set"),
        ({"BLUESKY_HANDLE": "news.example.org"}, "BLUESKY_APP_PASSWORD: set the account"),
        ({"BLUESKY_HANDLE": "no handle", "BLUESKY_APP_PASSWORD": "p"}, "is not a handle"),
        (
            {
                "BLUESKY_HANDLE": "a.example.org",
                "BLUESKY_APP_PASSWORD": "p",
                "BLUESKY_PDS_URL": "x",
            },
            "BLUESKY_PDS_URL: 'x' is not an http(s) URL",
        ),
    ],
)
def test_wrong_bluesky_settings_stop_start_up(
    tmp_path: Path, env: dict[str, str], problem: str
) -> None:
    (tmp_path / "posts").mkdir()
    with pytest.raises(ConfigError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        load_settings(platform_env(tmp_path, None, None, **env), tmp_path)


def test_a_table_naming_the_environments_account_takes_over_its_posts(
    tmp_path: Path, fake_bluesky: FakeBluesky
) -> None:
    publisher = publisher_for(tmp_path, fake_bluesky)
    write_post(tmp_path / "posts", "a.md", 'title: Voor\nexterne_link: "https://e.nl/a"')
    publisher.scan()
    publisher.deliver_until(lambda: states(publisher) == [("publish", "sent")])
    publisher.close()
    (tmp_path / "postbode.toml").write_text(
        f'[[destinations]]\nname = "bsky"\nbluesky = "{HANDLE}"\npds = "{fake_bluesky.url}"\n',
        "utf-8",
    )
    later = Publisher(load_settings(bluesky_env(tmp_path, fake_bluesky), tmp_path))
    index(later.store, folder_of(later.settings, later.channels))  # as every start does
    write_post(tmp_path / "posts", "b.md", 'title: Na\nexterne_link: "https://e.nl/b"')
    later.scan()
    later.deliver_until(lambda: states(later) == [("publish", "sent")] * 2)
    channels = later.store.db.execute("select distinct channel from deliveries").fetchall()
    assert channels == [("bsky",)] and len(fake_bluesky.records) == 2
    later.close()


def test_preview_shows_the_record_its_budgets_and_facets(tmp_path: Path) -> None:
    (tmp_path / "posts").mkdir()
    path = write_post(
        tmp_path / "posts",
        "2026-12-01-a.md",
        'title: "Café ✨"\ncategories: [Weer]\nexterne_link: "https://example.nl/cafe"',
        "<p>Het waait.</p>",
    )
    settings = load_settings(platform_env(tmp_path, None, None), tmp_path)
    (shown,) = preview_paths(path, settings, utc_now())
    bluesky = shown["bluesky"]
    assert bluesky["text"] == "Café ✨\n\nHet waait.\n\nexample.nl/cafe\n\n#Weer"
    assert (bluesky["graphemes"], bluesky["limit"], bluesky["byte_limit"]) == (42, 300, 3000)
    assert bluesky["bytes"] == 45  # é is two bytes, ✨ three
    assert [(f["kind"], f["text"]) for f in bluesky["facets"]] == [
        ("link", "example.nl/cafe"),
        ("tag", "#Weer"),
    ]
    text = as_text(shown)
    assert "-- bluesky (42/300 graphemes, 45/3000 bytes, langs nl)" in text
    assert "link bytes 23-38 'example.nl/cafe' -> https://example.nl/cafe" in text


def test_a_run_once_with_nothing_due_never_logs_in(
    tmp_path: Path, fake_bluesky: FakeBluesky
) -> None:
    """createSession allows 300 a day: a cron run that sends nothing makes none."""
    publisher = publisher_for(tmp_path, fake_bluesky)
    assert asyncio.run(deliver(publisher.store, publisher.channels, publisher.settings)) == 0
    assert fake_bluesky.sessions_created == 0 and fake_bluesky.requests == []
    write_post(tmp_path / "posts", "a.md", 'title: Nu wel\nexterne_link: "https://e.nl/a"')
    publisher.scan()
    assert asyncio.run(deliver(publisher.store, publisher.channels, publisher.settings)) == 1
    assert fake_bluesky.sessions_created == 1
    publisher.close()


def test_kill_9_inside_createrecord_neither_loses_nor_duplicates(
    tmp_path: Path, fake_bluesky: FakeBluesky
) -> None:
    """The real worker, killed while its first record's answer is on its way: after the
    restart all five posts are on Bluesky, each once, in order."""
    env = bluesky_env(tmp_path, fake_bluesky)
    fake_bluesky.fail_next("accept_then_hold")
    logs: list[str] = []
    with worker(tmp_path, env) as first:
        first.wait_for_line("watching")
        for n in range(5):
            drop_post(tmp_path / "posts", n)
        fake_bluesky.wait_for(lambda: len(fake_bluesky.records) == 1)
        first.kill()  # the record exists; the worker never heard of it
        logs += first.lines
    with worker(tmp_path, env) as second:
        fake_bluesky.wait_for(lambda: len(fake_bluesky.records) == 5, timeout=30)
        second.wait_for_line("2026-11-20-post-04.md to")
        assert second.terminate() == 0
        logs += second.lines
    titles = [r.value["text"].split("\n")[0] for r in fake_bluesky.records]
    assert titles == [f"Post {n:02d}" for n in range(5)]
    assert fake_bluesky.sessions_created == 2 and fake_bluesky.violations == 0
    # The restarted worker's create of the first post was refused (its key was taken),
    # and the record under the key was taken as sent.
    statuses = [r.status for r in fake_bluesky.requests_to("createRecord")]
    assert statuses.count(500) == 1 and statuses.count(200) == 5
    assert [r.status for r in fake_bluesky.requests_to("getRecord")] == [200]
    assert_no_secrets(logs, tmp_path / "state.db", [PASSWORD])
