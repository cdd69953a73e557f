"""Platforms that answer 2xx with something that is not their JSON: the request was
carried out, the answer cannot say so. Real client libraries against the fakes."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.channels.base import Retryable
from bot.state.catalog import Catalog
from tests.conftest import write_post
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.telegram import DEFAULT_CHANNEL_ID, FakeTelegram
from tests.harness import Publisher, assert_no_secrets
from tests.test_adapter_errors import POST, mastodon_channel, run, telegram_channel


def test_telegram_garbled_success_is_an_uncertain_retry(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    """The message is in the channel; sending again may show it twice, and the outbox
    says so (Telegram has no idempotency key)."""
    channel = telegram_channel(tmp_path, fake_telegram)
    fake_telegram.fail_next("accept_then_garble")
    with pytest.raises(Retryable) as caught:
        run(channel, lambda c: c.publish(POST, "key-1"))
    assert caught.value.uncertain
    assert len(fake_telegram.sent_messages(DEFAULT_CHANNEL_ID)) == 1


def test_mastodon_garbled_success_is_retried_safely_with_its_key(
    tmp_path: Path, fake_mastodon: FakeMastodon
) -> None:
    """Not a failure for good: the same Idempotency-Key gets the status that exists."""
    channel = mastodon_channel(tmp_path, fake_mastodon)
    fake_mastodon.fail_next("accept_then_garble")

    async def twice(_: object) -> str | None:
        with pytest.raises(Retryable, match="not its JSON"):
            await channel.publish(POST, "key-1")
        return (await channel.publish(POST, "key-1")).remote_id

    status_id = run(channel, twice)
    (status,) = fake_mastodon.statuses
    assert status_id == str(status.id)


def test_a_token_echoed_in_an_error_is_neither_stored_nor_shown(
    tmp_path: Path, fake_mastodon: FakeMastodon
) -> None:
    """A proxy in front of the instance repeats the Authorization header in its 502: the
    delivery's stored error, the log and /status's report hold "[redacted]" instead."""
    publisher = Publisher.for_fakes(tmp_path, None, fake_mastodon)
    publisher.scan()
    write_post(
        tmp_path / "posts", "2026-01-01-a.md", 'title: A\nexterne_link: "https://example.nl/a"'
    )
    publisher.scan()
    fake_mastodon.fail_next("echo_token")
    publisher.deliver_until(lambda: bool(fake_mastodon.requests_to("status_create")))
    report = Catalog(publisher.store.db).report()
    publisher.close()
    (error,) = {c["last_error"] for c in report["channels"].values()}
    assert "upstream refused the request with Authorization" in error and "[redacted]" in error
    assert_no_secrets([repr(report)], tmp_path / "state.db")


@pytest.mark.parametrize(
    ("answered", "kept"),
    [
        ("javascript:alert(document.cookie)", ""),  # not a page: no link at all
        ('https://m.example/@a/1 " onmouseover="steal()', ""),  # spaces: not a URL
        (
            'https://m.example/@a/1"onmouseover="steal()',
            "https://m.example/@a/1%22onmouseover=%22steal()",  # cannot leave an href="…"
        ),
    ],
)
def test_a_status_url_that_is_not_a_plain_web_address_never_reaches_the_site(
    tmp_path: Path, fake_mastodon: FakeMastodon, answered: str, kept: str
) -> None:
    """The URL goes into the site's pages (LINKS_FILE, a template's href): only an http(s)
    URL, percent-encoded, so that it cannot run a script or leave its attribute."""
    fake_mastodon.status_url = answered
    channel = mastodon_channel(tmp_path, fake_mastodon)
    sent = run(channel, lambda c: c.publish(POST, "key-1"))
    assert sent.url == kept
