"""Platforms that answer 2xx with something that is not their JSON: the request was
carried out, the answer cannot say so. Real client libraries against the fakes."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.channels.base import Retryable
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.telegram import DEFAULT_CHANNEL_ID, FakeTelegram
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
        return await channel.publish(POST, "key-1")

    status_id = run(channel, twice)
    (status,) = fake_mastodon.statuses
    assert status_id == str(status.id)
