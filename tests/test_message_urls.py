"""Each sent message's public URL: what the adapters hand back with its id, what they
derive for messages an earlier release sent, and how the state keeps it (SPEC §12)."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from bot.app import learn_urls
from bot.channels.base import Sent
from bot.state import message_urls
from bot.state.store import Store
from tests.conftest import NOW
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.telegram import DEFAULT_CHANNEL_ID, DEFAULT_CHANNEL_USERNAME, FakeTelegram
from tests.test_adapter_errors import POST, mastodon_channel, run, telegram_channel

PRIVATE_ID = -1009876543210


def test_a_public_telegram_channel_gives_the_t_me_link_of_the_message(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    """Configured by its numeric id, the channel's username comes with the answer."""
    channel = telegram_channel(tmp_path, fake_telegram, TELEGRAM_CHANNEL=str(DEFAULT_CHANNEL_ID))
    sent = run(channel, lambda c: c.publish(POST, "key-1"))
    (message,) = fake_telegram.sent_messages(DEFAULT_CHANNEL_ID)
    assert sent == Sent(
        f"text:{message.message_id}",
        f"https://t.me/{DEFAULT_CHANNEL_USERNAME}/{message.message_id}",
    )


def test_a_private_telegram_channel_has_no_public_url(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    """A t.me/c/ link opens only for the channel's members: none is given."""
    fake_telegram.add_channel(PRIVATE_ID)
    channel = telegram_channel(tmp_path, fake_telegram, TELEGRAM_CHANNEL=str(PRIVATE_ID))
    sent = run(channel, lambda c: c.publish(POST, "key-1"))
    (message,) = fake_telegram.sent_messages(PRIVATE_ID)
    assert sent == Sent(f"text:{message.message_id}", "")


def test_mastodon_gives_the_status_url_it_answered(
    tmp_path: Path, fake_mastodon: FakeMastodon
) -> None:
    """The `url` of the created status, as the instance spells it."""
    channel = mastodon_channel(tmp_path, fake_mastodon)
    sent = run(channel, lambda c: c.publish(POST, "key-1"))
    (status,) = fake_mastodon.statuses
    assert sent == Sent(status.id, f"{fake_mastodon.url}/@{status.account}/{status.id}")


@pytest.mark.parametrize(
    ("configured", "remote_id", "url", "get_chat"),
    [
        # An @name needs no request; a bare id is release 0.1's form.
        ("@" + DEFAULT_CHANNEL_USERNAME, "101", f"https://t.me/{DEFAULT_CHANNEL_USERNAME}/101", 0),
        (str(DEFAULT_CHANNEL_ID), "photo:7", f"https://t.me/{DEFAULT_CHANNEL_USERNAME}/7", 1),
        (str(PRIVATE_ID), "text:7", "", 1),
    ],
)
def test_telegram_derives_the_url_of_an_older_message_from_the_channel_name(
    tmp_path: Path,
    fake_telegram: FakeTelegram,
    configured: str,
    remote_id: str,
    url: str,
    get_chat: int,
) -> None:
    """From the @name, or what getChat says of a numeric id, asked once for all."""
    fake_telegram.add_channel(PRIVATE_ID)
    channel = telegram_channel(tmp_path, fake_telegram, TELEGRAM_CHANNEL=configured)

    async def twice(c: object) -> list[str | None]:
        return [await channel.public_url(remote_id), await channel.public_url(remote_id)]

    assert run(channel, twice) == [url, url]
    assert len(fake_telegram.requests_for("getChat")) == get_chat


def test_telegram_cannot_tell_an_older_message_url_while_the_api_fails(
    tmp_path: Path,
) -> None:
    """None, not "": the row keeps waiting for a start at which getChat answers."""
    with FakeTelegram(fail_methods={"getChat"}) as fake:
        channel = telegram_channel(tmp_path, fake, TELEGRAM_CHANNEL=str(DEFAULT_CHANNEL_ID))
        fake.fail_next("500", count=10)
        assert run(channel, lambda c: c.public_url("text:5")) is None


def test_mastodon_derives_the_url_of_an_older_status_from_the_account(
    tmp_path: Path, fake_mastodon: FakeMastodon
) -> None:
    """The account's page and the status id, the account asked for once; None while
    the instance fails."""
    fake_mastodon.failure_endpoints = {"verify_credentials"}
    fake_mastodon.fail_next(503)
    channel = mastodon_channel(tmp_path, fake_mastodon)

    async def three(c: object) -> list[str | None]:
        return [await channel.public_url(s) for s in ("109", "109", "110")]

    account = f"{fake_mastodon.url}/@{fake_mastodon.default_username}"
    assert run(channel, three) == [None, f"{account}/109", f"{account}/110"]
    assert len(fake_mastodon.requests_to("verify_credentials")) == 2


class Deriving:
    """The port's public_url, hand-written: a URL for odd ids, none for even ones, and
    no answer at all for 0 (the platform is out of reach)."""

    key = "deriving"
    asked: list[str]

    def __init__(self) -> None:
        self.asked = []

    async def public_url(self, remote_id: str) -> str | None:
        self.asked.append(remote_id)
        number = int(remote_id)
        return None if number == 0 else f"https://x.example/{number}" if number % 2 else ""


def sent_row(store: Store, post_id: int, remote_id: str, url: str | None) -> None:
    store.db.execute(
        "insert into posts (id, path, status, date_utc) values (?, ?, 'ready', ?)",
        [post_id, f"p{post_id}.md", NOW.isoformat()],
    )
    store.db.execute(
        "insert into deliveries (post_id, channel, state, remote_id, remote_url,"
        " next_attempt_at) values (?, 'deriving', 'sent', ?, ?, ?)",
        [post_id, remote_id, url, NOW.isoformat()],
    )


def test_urls_not_recorded_are_learned_once_and_what_cannot_be_told_waits(
    store: Store,
) -> None:
    """Rows without a URL get the adapter's answer ("" included); a row the adapter
    cannot answer for now is asked again next time; rows with a URL are never asked."""
    for number, url in ((1, None), (2, None), (0, None), (3, "https://kept.example/3")):
        sent_row(store, number + 10, str(number), url)
    channel = Deriving()

    assert asyncio.run(learn_urls(store, [channel])) == 2  # type: ignore[list-item]
    assert sorted(channel.asked) == ["0", "1", "2"]
    assert sorted(message_urls.live(store.db)) == [
        ("p11.md", "deriving", "https://x.example/1"),
        ("p13.md", "deriving", "https://kept.example/3"),
    ]
    channel.asked.clear()
    asyncio.run(learn_urls(store, [channel]))  # type: ignore[list-item]
    assert channel.asked == ["0"]


def test_urls_not_recorded_are_found_through_their_partial_index(store: Store) -> None:
    """The start-up look-up repeats the index's condition: SQLite searches the few rows
    an earlier release left, whatever the number sent since."""
    plan = [
        row[-1]
        for row in store.db.execute(
            f"explain query plan select id from deliveries where channel = ? and"
            f" {message_urls.UNKNOWN}",
            ["c"],
        )
    ]
    assert plan == ["SEARCH deliveries USING INDEX deliveries_unknown_url (channel=?)"]


def test_an_edit_keeps_the_url_a_publication_recorded(store: Store) -> None:
    """mark_sent without a URL (an edit) leaves the one the message was sent with."""
    sent_row(store, 1, "text:1", None)
    (delivery_id,) = store.db.execute("select id from deliveries").fetchone()
    at = NOW + dt.timedelta(seconds=1)
    store.deliveries.mark_sent(delivery_id, "text:1", "k", at, url="https://t.me/a/1")
    store.deliveries.mark_sent(delivery_id, "text:1", "k2", at)
    assert list(message_urls.live(store.db)) == [("p1.md", "deriving", "https://t.me/a/1")]
