"""From post file to what the platforms recorded: the real clients against the fakes."""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

import pytest
from mastodon import Mastodon

from bot.clock import utc_now
from bot.state.catalog import Catalog
from bot.state.deliveries import EDIT_SETTLE, RETURN_WINDOW
from tests import telegram_html
from tests.conftest import REPO, write_post
from tests.fakes.images import PNG
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.telegram import DEFAULT_CHANNEL_ID, FakeTelegram
from tests.harness import Publisher, assert_no_secrets

LIVE_SAMPLES = 6  # posts/ holds 8: one unpublished, one dated 2030


def telegram_posts(fake: FakeTelegram) -> list:
    return [m for m in fake.sent_messages(DEFAULT_CHANNEL_ID) if not m.deleted]


def refused(fake: FakeTelegram | FakeMastodon) -> list:
    return [r for r in fake.requests if r.status is not None and 400 <= r.status < 500]


def write_numbered(posts: Path, count: int) -> None:
    """Posts "Post 00" … one a minute apart, so their order is their number."""
    for n in range(count):
        write_post(
            posts,
            f"p{n:02d}.md",
            f'title: Post {n:02d}\ndate: 2026-11-20 10:{n:02d}:00 +0100\nexterne_link: "https://example.nl/{n}"',
        )


def allow(server_url: str) -> str:
    """IMAGE_HOSTS_ALLOW for a loopback image server (not a public address)."""
    return server_url.removeprefix("http://").split("/")[0]


def copy_samples(posts: Path, image_server: str) -> None:
    """The repository's sample posts, their images served from 127.0.0.1."""
    for source in (REPO / "posts").iterdir():
        text = source.read_text(encoding="utf-8")
        text = re.sub(
            r'feature_image: "https://[^"]+"', f'feature_image: "{image_server}/storm.png"', text
        )
        (posts / source.name).write_text(text, encoding="utf-8")


BIG = "Een zin die doorgaat en doorgaat zonder ooit te eindigen " * 90
HOSTILE_POSTS: list[tuple[str, str, str]] = [
    ("<script>alert(1)</script>", "<p>Lead</p>", ""),
    ("A & B < C > D \"q\" 'x'", "<p>&nbsp;&mdash; &lt;b&gt; entities &amp;amp;</p>", ""),
    ("🔥🔥🔥", "<p>" + "👨‍👩‍👧" * 1200 + "</p>", ""),
    ("عاجل: خبر مهم", "<p>" + "مرحبا بالعالم. " * 300 + "</p>", "lang: ar"),
    ("\u202eטקסט הפוך", "<p>שלום \u202e עולם</p>", ""),
    ("Run-on", f"<p>{BIG}</p>", ""),
    ("Many sentences", "<p>" + "Kort. " * 1000 + "</p>", ""),
    ("T" * 2000, "<p>lead</p>", ""),
    ("Unclosed", "<p>open <b>bold <i>italic", ""),
    ("JS link", '<p><a href="javascript:alert(1)">klik</a> hier</p>', ""),
    ("Code tags", "<p><code>&lt;/b&gt;&lt;/i&gt;</code> literal</p>", ""),
    ("Query link", "<p>x</p>", 'externe_link: "https://example.nl/?a=1&b=<x>&c=\\"q\\""'),
    ("Weird categories", "<p>x</p>", "categories: [c++, '#tag', ünïcödé, 2019, '']"),
    ("Zero\u200bwidth", "<p>a\u200bb\u200dc</p>", ""),
    ("Folded title", "<p>x</p>", ""),
    ("URLs", "<p>" + "zie http://a.nl en " * 60 + "</p>", ""),
    ("Mentions", "<p>" + "@user@instance.social " * 60 + "</p>", ""),
    ("-", "<p>-</p>", ""),
    ("CJK", "<p>" + "新闻报道" * 900 + "</p>", ""),
    ("Combining", "<p>" + "e\u0301" * 2500 + "</p>", ""),
    ("<tg-spoiler>x</tg-spoiler>", "<p><tg-spoiler>y</tg-spoiler></p>", ""),
    ("Control\x1b[31m", "<p>bell\x07 escape\x1b[2J</p>", ""),
    ("&#x27;&#60; numeric", "<p>&#x27;&#60;&#128512;</p>", ""),
    ("Long link", "<p>x</p>", 'externe_link: "https://example.nl/' + "a" * 1900 + '"'),
    ("Only figure", "<figure><img src=x></figure>", ""),
    ("Markdown table", "", ""),
    ("Emoji flags 🇳🇱🇧🇪", "<p>" + "🇳🇱" * 600 + "</p>", ""),
    ("Tabs\tand\nnewlines", "<p>a\tb\nc</p>", ""),
    ("Excerpt", "<p>body</p>", "excerpt: '<b>bold</b> & *md* <script>x</script>'"),
    ("Broken image", "<p>x</p>", 'feature_image: "http://127.0.0.1:9/gone.png"'),
    ("Local image", "<p>x</p>", "image: /assets/local.png"),
    ("Quote marks “ ” ‘ ’ „", "<p>„citaat”</p>", ""),
]


def write_hostile(posts: Path) -> int:
    for n, (title, body, extra) in enumerate(HOSTILE_POSTS):
        link = "" if "externe_link" in extra else f'externe_link: "https://example.nl/h/{n}"\n'
        escaped = (
            title.replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\x1b", "\\e")
        )
        front = f'title: "{escaped}"\ndate: 2026-11-20 10:{n:02d}:00 +0100\n{link}{extra}'
        name = f"h{n:02d}.md" if body == "" else f"h{n:02d}.html"
        body = body or "| a | b |\n|---|---|\n| 1 | 2 |\n\nNa de tabel."
        write_post(posts, name, front, body)
    return len(HOSTILE_POSTS)


def test_sample_and_hostile_posts_are_accepted_by_both_platforms(
    tmp_path: Path,
    fake_telegram: FakeTelegram,
    fake_mastodon: FakeMastodon,
    image_server: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Every sample post and 30+ nasty ones become messages both platforms accept, once."""
    caplog.set_level(logging.INFO)
    publisher = Publisher.for_fakes(
        tmp_path, fake_telegram, fake_mastodon, IMAGE_HOSTS_ALLOW=allow(image_server)
    )
    publisher.scan()  # first run: an empty site
    posts = tmp_path / "posts"
    copy_samples(posts, image_server)
    (posts / "assets").mkdir()
    (posts / "assets" / "local.png").write_bytes(PNG)
    expected = LIVE_SAMPLES + write_hostile(posts)
    publisher.scan()
    publisher.deliver_until(
        lambda: (
            len(fake_mastodon.statuses) >= expected
            and len(telegram_posts(fake_telegram)) >= expected
        )
    )
    publisher.close()

    assert refused(fake_telegram) == [] and refused(fake_mastodon) == []
    messages = telegram_posts(fake_telegram)
    assert len(messages) == expected
    for message in messages:
        text, _ = telegram_html.parse(message.raw)
        assert 0 < telegram_html.utf16_len(text) <= (1024 if message.photo else 4096)
    statuses = fake_mastodon.statuses
    assert len(statuses) == expected
    assert len({s.idempotency_key for s in statuses}) == expected
    assert all(Mastodon.get_status_length(s.text) <= 500 for s in statuses)
    storm = next(s for s in statuses if s.text.startswith("Storm veroorzaakt schade"))
    (media_id,) = storm.media_ids
    media = next(m for m in fake_mastodon.media if m.id == media_id)
    assert (
        media.description == "Storm veroorzaakt schade aan kust & duinen"
        and media.mime_type == "image/png"
    )
    broken = next(s for s in statuses if s.text.startswith("Broken image"))
    assert broken.media_ids == []  # the image could not be fetched: posted without it
    assert "without its image" in caplog.text
    local = next(s for s in statuses if s.text.startswith("Local image"))
    assert len(local.media_ids) == 1  # read from the site folder: the posts folder here
    arabic = next(s for s in statuses if s.text.startswith("عاجل"))
    assert arabic.language == "ar"
    assert_no_secrets([caplog.text], tmp_path / "state.db")


def test_telegram_photo_refused_is_sent_as_text(
    tmp_path: Path, fake_telegram: FakeTelegram, image_server: str
) -> None:
    """When Telegram cannot fetch the photo, the summary still goes out, as text with a preview."""
    publisher = Publisher.for_fakes(tmp_path, fake_telegram, None)
    publisher.scan()
    fake_telegram.bad_photo_urls.add(f"{image_server}/x.png")
    write_post(
        tmp_path / "posts",
        "a.md",
        f'title: Foto\nexterne_link: "https://example.nl/a"\nimage: "{image_server}/x.png"',
    )
    publisher.scan()
    publisher.deliver_until(lambda: len(telegram_posts(fake_telegram)) == 1)
    publisher.close()
    (message,) = telegram_posts(fake_telegram)
    assert message.kind == "text" and message.photo is None
    assert [r.method for r in fake_telegram.requests if r.method.startswith("send")] == [
        "sendPhoto",
        "sendMessage",
    ]


def test_edit_then_delete_reaches_both_platforms(
    tmp_path: Path, fake_telegram: FakeTelegram, fake_mastodon: FakeMastodon
) -> None:
    """A changed title edits the message and the status; a deleted file deletes both (ON_DELETE=delete)."""
    publisher = Publisher.for_fakes(tmp_path, fake_telegram, fake_mastodon, ON_DELETE="delete")
    publisher.scan()
    path = write_post(
        tmp_path / "posts", "a.md", 'title: Eerste versie\nexterne_link: "https://example.nl/a"'
    )
    publisher.scan()
    publisher.deliver_until(
        lambda: len(fake_mastodon.statuses) == 1 and len(telegram_posts(fake_telegram)) == 1
    )
    path.write_text(path.read_text().replace("Eerste versie", "Tweede versie"))
    publisher.scan(now=utc_now() - EDIT_SETTLE)  # changed that long ago: the edit is due
    publisher.deliver_until(
        lambda: fake_mastodon.statuses[0].edited and telegram_posts(fake_telegram)[0].edited
    )
    (status,) = fake_mastodon.statuses
    (message,) = telegram_posts(fake_telegram)
    assert status.text.startswith("Tweede versie") and "<b>Tweede versie</b>" in message.raw
    assert (
        len(fake_mastodon.statuses) == 1
        and len(fake_telegram.sent_messages(DEFAULT_CHANNEL_ID)) == 1
    )
    path.unlink()
    # Removals wait RETURN_WINDOW for the file to come back; seen from that long ago, they are due.
    publisher.scan(now=utc_now() - RETURN_WINDOW)
    publisher.deliver_until(
        lambda: fake_mastodon.statuses[0].deleted and not telegram_posts(fake_telegram)
    )
    states = publisher.store.db.execute(
        "select channel, state from deliveries order by channel"
    ).fetchall()
    publisher.close()
    assert [state for _, state in states] == ["deleted", "deleted"]


def test_a_mastodon_edit_keeps_the_statuss_image(
    tmp_path: Path, fake_mastodon: FakeMastodon, image_server: str
) -> None:
    """Mastodon drops the media of a status edited without media_ids (its controller
    hands the absent key on as none): the edit sends the status's own media again."""
    publisher = Publisher.for_fakes(
        tmp_path, None, fake_mastodon, IMAGE_HOSTS_ALLOW=allow(image_server)
    )
    publisher.scan()
    front = (
        f'title: Met foto\nexterne_link: "https://example.nl/a"\nimage: "{image_server}/storm.png"'
    )
    path = write_post(tmp_path / "posts", "a.md", front)
    publisher.scan()
    publisher.deliver_until(lambda: len(fake_mastodon.statuses) == 1)
    media = list(fake_mastodon.statuses[0].media_ids)
    assert len(media) == 1
    path.write_text(path.read_text().replace("Met foto", "Nog steeds met foto"))
    publisher.scan(now=utc_now() - EDIT_SETTLE)  # changed that long ago: the edit is due
    publisher.deliver_until(lambda: fake_mastodon.statuses[0].edited)
    publisher.close()
    (status,) = fake_mastodon.statuses
    assert status.text.startswith("Nog steeds met foto") and status.media_ids == media


def test_deleted_post_keeps_its_messages_by_default(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    """With ON_DELETE=keep (the default) a removed post is withdrawn, its message stays."""
    publisher = Publisher.for_fakes(tmp_path, fake_telegram, None)
    publisher.scan()
    path = write_post(
        tmp_path / "posts", "a.md", 'title: Blijft\nexterne_link: "https://example.nl/a"'
    )
    publisher.scan()
    publisher.deliver_until(lambda: len(telegram_posts(fake_telegram)) == 1)
    path.unlink()
    publisher.scan()
    row = publisher.store.db.execute(
        "select p.status, d.state from posts p join deliveries d on d.post_id = p.id"
    ).fetchone()
    publisher.close()
    assert row == ("withdrawn", "sent")
    assert not any(r.method == "deleteMessage" for r in fake_telegram.requests)


def test_retry_after_is_waited_out_exactly(tmp_path: Path, fake_telegram: FakeTelegram) -> None:
    """After a 429 with retry_after=N, nothing reaches Telegram before N seconds have passed."""
    publisher = Publisher.for_fakes(tmp_path, fake_telegram, None)
    publisher.scan()
    write_numbered(tmp_path / "posts", 3)
    publisher.scan()
    fake_telegram.rate_limit_next(retry_after=2)
    publisher.deliver_until(lambda: len(telegram_posts(fake_telegram)) == 3)
    publisher.close()
    sends = [r for r in fake_telegram.requests if r.method == "sendMessage"]
    assert [r.status for r in sends] == [429, 200, 200, 200]
    assert sends[1].time - sends[0].time >= 2.0
    assert fake_telegram.violations == 0
    assert [m.raw.split("\n")[0] for m in telegram_posts(fake_telegram)] == [
        "<b>Post 00</b>",
        "<b>Post 01</b>",
        "<b>Post 02</b>",
    ]


def test_flaky_platforms_lose_nothing_and_duplicate_nothing(
    tmp_path: Path, fake_telegram: FakeTelegram, fake_mastodon: FakeMastodon
) -> None:
    """With 30% of requests failing (5xx, dropped connections), 20 posts all arrive, in order, once."""
    publisher = Publisher.for_fakes(tmp_path, fake_telegram, fake_mastodon)
    publisher.scan()
    write_numbered(tmp_path / "posts", 20)
    publisher.scan()
    fake_telegram.set_failure_rate(0.3, kinds=("500", "502", "drop"), seed=7)
    fake_mastodon.set_failure_rate(
        0.3, kinds=("500", "502", "503", "drop", "accept_then_drop"), seed=7
    )
    publisher.deliver_until(
        lambda: len(fake_mastodon.statuses) >= 20 and len(telegram_posts(fake_telegram)) >= 20,
        timeout=60,
    )
    failures = publisher.store.db.execute(
        "select sum(attempts) - count(*) from deliveries"
    ).fetchone()[0]
    publisher.close()
    expected = [f"Post {n:02d}" for n in range(20)]
    assert [s.text.split("\n")[0] for s in fake_mastodon.statuses] == expected
    assert [m.raw.split("\n")[0] for m in telegram_posts(fake_telegram)] == [
        f"<b>{t}</b>" for t in expected
    ]
    injected = sum(
        1
        for r in fake_mastodon.requests
        if r.outcome in ("500", "502", "503", "drop", "accept_then_drop")
    )
    injected += sum(1 for r in fake_telegram.requests if r.failure in ("500", "502", "drop"))
    assert injected > 5 and failures >= injected  # the failures happened and each was retried


def test_wrong_telegram_token_pauses_only_telegram(
    tmp_path: Path,
    fake_telegram: FakeTelegram,
    fake_mastodon: FakeMastodon,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A rejected bot token: one clear log line, and Mastodon keeps publishing."""
    caplog.set_level(logging.INFO)
    wrong = "999999:WRONG-token-value"
    publisher = Publisher.for_fakes(
        tmp_path, fake_telegram, fake_mastodon, TELEGRAM_BOT_TOKEN=wrong
    )
    publisher.scan()
    for n in range(3):
        write_post(
            tmp_path / "posts",
            f"p{n}.md",
            f'title: Post {n}\nexterne_link: "https://example.nl/{n}"',
        )
    publisher.scan()
    publisher.deliver_until(
        lambda: len(fake_mastodon.statuses) == 3 and "CHANNEL PAUSED" in caplog.text
    )
    status = Catalog(publisher.store.db).counts()["channels"]
    publisher.close()
    paused = [r.getMessage() for r in caplog.records if "CHANNEL PAUSED" in r.getMessage()]
    assert len(paused) == 1 and "TELEGRAM_BOT_TOKEN" in paused[0]
    assert status["telegram:" + "@postbode_test"]["pending"] == 3
    assert "rejected" in status["telegram:@postbode_test"]["last_error"]
    assert telegram_posts(fake_telegram) == []
    assert_no_secrets([caplog.text], tmp_path / "state.db", secrets=[wrong])


def test_check_reports_credentials_and_rights(
    tmp_path: Path, fake_telegram: FakeTelegram, fake_mastodon: FakeMastodon
) -> None:
    """`check` says OK for good credentials and names the problem otherwise."""
    import asyncio

    from bot.app import check

    good = Publisher.for_fakes(tmp_path, fake_telegram, fake_mastodon)
    assert all(line.startswith("OK") for line in asyncio.run(check(good.settings)))
    good.close()
    fake_telegram.set_bot_status(DEFAULT_CHANNEL_ID, "member")
    lines = asyncio.run(check(good.settings))
    assert any(
        line.startswith("FAIL telegram:") and "not an administrator" in line for line in lines
    )
    shutil.rmtree(tmp_path / "posts")
    bad = Publisher.for_fakes(tmp_path, None, fake_mastodon, MASTODON_ACCESS_TOKEN="nope")
    lines = asyncio.run(check(bad.settings))
    bad.close()
    assert any(line.startswith("FAIL mastodon:") and "access token" in line for line in lines)


def test_mastodon_rate_limit_is_waited_out_without_violations(
    tmp_path: Path, fake_mastodon: FakeMastodon
) -> None:
    """A 429 on status creation: nothing more is sent before the announced reset."""
    publisher = Publisher.for_fakes(tmp_path, None, fake_mastodon)
    publisher.scan()
    write_numbered(tmp_path / "posts", 3)
    publisher.scan()
    fake_mastodon.rate_limit_next(reset_in=1.5, family="statuses")
    publisher.deliver_until(lambda: len(fake_mastodon.statuses) == 3)
    publisher.close()
    creates = fake_mastodon.requests_to("status_create")
    assert [r.status for r in creates] == [429, 200, 200, 200]
    assert creates[1].at - creates[0].at >= 1.5
    assert fake_mastodon.violations == 0
    assert [s.text.split("\n")[0] for s in fake_mastodon.statuses] == [
        "Post 00",
        "Post 01",
        "Post 02",
    ]


def test_media_rate_limit_posts_without_the_image_and_blocks_nothing(
    tmp_path: Path, fake_mastodon: FakeMastodon, image_server: str
) -> None:
    """Uploads have their own budget (30 per 30 min): when it is spent, the news goes out without the image."""
    publisher = Publisher.for_fakes(
        tmp_path, None, fake_mastodon, IMAGE_HOSTS_ALLOW=allow(image_server)
    )
    publisher.scan()
    write_post(
        tmp_path / "posts",
        "a.md",
        f'title: Met foto\nexterne_link: "https://example.nl/a"\nimage: "{image_server}/a.png"',
    )
    publisher.scan()
    fake_mastodon.rate_limit_next(reset_in=600)  # the next upload is refused for ten minutes
    publisher.deliver_until(lambda: len(fake_mastodon.statuses) == 1, timeout=10)
    publisher.close()
    assert [r.status for r in fake_mastodon.requests_to("media_upload")] == [429]
    (status,) = fake_mastodon.statuses
    assert status.media_ids == [] and status.text.startswith("Met foto")
