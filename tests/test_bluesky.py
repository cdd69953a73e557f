"""The Bluesky adapter with the real atproto SDK against the fake PDS: records, the
session (made once, refreshed, made again only when refreshing fails), rate limits and
errors in the outbox's words, the card's image, and no duplicate after a lost answer."""

from __future__ import annotations

import dataclasses
import logging
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest

from bot.addresses import parse_allowed
from bot.channels.base import AuthFailed, NoEdit, Permanent, RateLimited, Retryable
from bot.channels.bluesky import BlueskyChannel
from bot.routing.destinations import Destination
from tests.conftest import REPO
from tests.fakes.bluesky import DID, HANDLE, PASSWORD, FakeBluesky
from tests.fakes.images import Server
from tests.test_adapter_errors import POST, run

T = TypeVar("T")
KEY = "postbode-4f2a9c-{n}-20261202053001123456000"


def channel_for(
    fake: FakeBluesky, tmp_path: Path, password: str = PASSWORD, **extra: object
) -> BlueskyChannel:
    destination = Destination(
        name="bsky", platform="bluesky", target=HANDLE, key="bsky", pds=fake.url,
        credential_env="BLUESKY_APP_PASSWORD", **extra,  # type: ignore[arg-type]
    )  # fmt: skip
    return BlueskyChannel(
        destination, password, "nl", tmp_path, image_hosts=parse_allowed("127.0.0.1")
    )


def with_channel(
    fake: FakeBluesky, tmp_path: Path, work: Callable[[BlueskyChannel], Awaitable[T]]
) -> T:
    return run(channel_for(fake, tmp_path), work)  # type: ignore[arg-type]


def test_posts_are_records_with_facets_card_and_one_session(
    fake_bluesky: FakeBluesky, tmp_path: Path
) -> None:
    async def work(channel: BlueskyChannel) -> list[str]:
        sent = []
        for n in range(1, 6):
            post = dataclasses.replace(POST, title=f"Storm {n} ✨", categories=("Weer",))
            sent.append((await channel.publish(post, KEY.format(n=n))).url)
        return sent

    urls = with_channel(fake_bluesky, tmp_path, work)
    records = fake_bluesky.records
    assert len(records) == 5 and fake_bluesky.sessions_created == 1
    assert urls == [f"https://bsky.app/profile/{DID}/post/{r.rkey}" for r in records]
    value = records[0].value
    assert value["text"] == (
        "Storm 1 ✨\n\nDe haven ligt stil door de storm.\n\nexample.nl/storm\n\n#Weer"
    )
    raw = value["text"].encode()
    spans = [raw[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode() for f in value["facets"]]
    assert spans == ["example.nl/storm", "#Weer"]
    assert value["facets"][0]["features"][0]["uri"] == "https://example.nl/storm"
    assert value["langs"] == ["nl"]
    assert value["embed"]["external"]["uri"] == "https://example.nl/storm"
    assert value["embed"]["external"]["description"] == POST.lead


def test_check_logs_in_and_names_the_handle_and_did(
    fake_bluesky: FakeBluesky, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        assert with_channel(fake_bluesky, tmp_path, lambda c: c.check()) is None
    assert f"posting as @{HANDLE} ({DID})" in caplog.text
    assert PASSWORD not in caplog.text
    assert fake_bluesky.requests_to("createRecord") == []


def test_a_wrong_app_password_pauses_the_channel(fake_bluesky: FakeBluesky, tmp_path: Path) -> None:
    channel = channel_for(fake_bluesky, tmp_path, password="wrong-pass-word-xxxx")
    problem = run(channel, lambda c: c.check())  # type: ignore[arg-type]
    assert problem and "Invalid identifier or password" in problem
    with pytest.raises(AuthFailed):
        run(channel_for(fake_bluesky, tmp_path, "nope"), lambda c: c.publish(POST, KEY.format(n=1)))  # type: ignore[arg-type]


def test_an_expired_token_is_refreshed_not_logged_in_again(
    fake_bluesky: FakeBluesky, tmp_path: Path
) -> None:
    async def work(channel: BlueskyChannel) -> None:
        await channel.publish(POST, KEY.format(n=1))
        fake_bluesky.expire_access_tokens()
        await channel.publish(POST, KEY.format(n=2))
        await channel.publish(POST, KEY.format(n=3))

    with_channel(fake_bluesky, tmp_path, work)
    assert len(fake_bluesky.live_records) == 3
    assert fake_bluesky.sessions_created == 1 and fake_bluesky.refreshes == 1


def test_a_session_is_made_again_only_when_refreshing_fails(
    fake_bluesky: FakeBluesky, tmp_path: Path
) -> None:
    async def work(channel: BlueskyChannel) -> None:
        await channel.publish(POST, KEY.format(n=1))
        fake_bluesky.expire_access_tokens()
        fake_bluesky.revoke_refresh_tokens()
        await channel.publish(POST, KEY.format(n=2))

    with_channel(fake_bluesky, tmp_path, work)
    assert len(fake_bluesky.live_records) == 2
    assert fake_bluesky.sessions_created == 2
    assert [r.error for r in fake_bluesky.requests_to("refreshSession")] == ["ExpiredToken"]


def test_a_429_is_waited_out_exactly_as_long_as_ratelimit_reset_says(
    fake_bluesky: FakeBluesky, tmp_path: Path
) -> None:
    async def work(channel: BlueskyChannel) -> tuple[float, float]:
        await channel.check()
        fake_bluesky.rate_limit_next(reset_in=120)
        with pytest.raises(RateLimited) as first:
            await channel.publish(POST, KEY.format(n=1))
        with pytest.raises(RateLimited) as second:  # not asked again before the reset
            await channel.publish(POST, KEY.format(n=1))
        return first.value.retry_after, second.value.retry_after

    first, second = with_channel(fake_bluesky, tmp_path, work)
    assert 118 <= first <= 121 and second <= first
    assert fake_bluesky.violations == 0 and len(fake_bluesky.requests_to("createRecord")) == 1


def test_the_write_budget_is_kept_from_the_headers(tmp_path: Path) -> None:
    """5,000 points an hour, 3 a create: with 7 left, two posts go and the third waits
    for the reset without asking."""
    with FakeBluesky(write_limit=7) as fake:

        async def work(channel: BlueskyChannel) -> float:
            await channel.publish(POST, KEY.format(n=1))
            await channel.publish(POST, KEY.format(n=2))
            with pytest.raises(RateLimited) as waits:
                await channel.publish(POST, KEY.format(n=3))
            return waits.value.retry_after

        wait = with_channel(fake, tmp_path, work)
        assert 3500 < wait <= 3601
        assert len(fake.requests_to("createRecord")) == 2 and fake.violations == 0


def test_a_record_the_pds_refuses_fails_for_good_with_its_message(
    fake_bluesky: FakeBluesky, tmp_path: Path
) -> None:
    bad = dataclasses.replace(POST, link="not a uri")
    with pytest.raises(Permanent, match=r"Invalid app\.bsky\.feed\.post record: Record/embed"):
        with_channel(fake_bluesky, tmp_path, lambda c: c.publish(bad, KEY.format(n=1)))


@pytest.mark.parametrize("failure", ["503", "500", "drop", "timeout"])
def test_network_trouble_and_5xx_are_retried(
    fake_bluesky: FakeBluesky, tmp_path: Path, failure: str
) -> None:
    fake_bluesky.hold_limit = 20.0

    async def work(channel: BlueskyChannel) -> str:
        fake_bluesky.fail_next(failure)
        with pytest.raises(Retryable):
            await channel.publish(POST, KEY.format(n=1))
        return (await channel.publish(POST, KEY.format(n=1))).remote_id or ""

    channel = channel_for(fake_bluesky, tmp_path)
    channel.request_timeout = 0.5  # a held request gives up soon
    uri = run(channel, work)  # type: ignore[arg-type]
    assert [r.uri for r in fake_bluesky.live_records] == [uri]


@pytest.mark.parametrize("failure", ["accept_then_drop", "accept_then_garble"])
def test_a_lost_answer_does_not_post_twice(
    fake_bluesky: FakeBluesky, tmp_path: Path, failure: str
) -> None:
    """Created, then the answer lost: the record under its key is found, and it is sent."""

    async def work(channel: BlueskyChannel) -> str:
        fake_bluesky.fail_next(failure)
        return (await channel.publish(POST, KEY.format(n=7))).url

    url = with_channel(fake_bluesky, tmp_path, work)
    (record,) = fake_bluesky.records
    assert url.endswith("/post/" + record.rkey)
    assert len(fake_bluesky.requests_to("createRecord")) == 1
    assert [r.status for r in fake_bluesky.requests_to("getRecord")] == [200]


def test_a_record_an_earlier_process_made_is_taken_as_sent(
    fake_bluesky: FakeBluesky, tmp_path: Path
) -> None:
    """Killed after createRecord, before recording it: the next process's create is
    refused (the key is taken), and the record under the key is the post."""
    first = with_channel(fake_bluesky, tmp_path, lambda c: c.publish(POST, KEY.format(n=3)))
    again = with_channel(fake_bluesky, tmp_path, lambda c: c.publish(POST, KEY.format(n=3)))
    assert again == first and len(fake_bluesky.records) == 1
    assert [r.status for r in fake_bluesky.requests_to("createRecord")] == [200, 500]
    other = with_channel(fake_bluesky, tmp_path, lambda c: c.publish(POST, KEY.format(n=4)))
    assert other.remote_id != first.remote_id and len(fake_bluesky.records) == 2


def test_the_feature_image_is_the_cards_thumb_and_a_big_one_is_left_out(
    fake_bluesky: FakeBluesky, tmp_path: Path
) -> None:
    big = b"\x89PNG\r\n\x1a\n" + b"\0" * 1_000_001
    routes = {"/big.png": (200, {"Content-Type": "image/png"}, big)}
    with Server(routes, any_png=True).running() as images:
        url = images.url
        small = dataclasses.replace(POST, image_url=f"{url}/storm.png")
        large = dataclasses.replace(POST, image_url=f"{url}/big.png")

        async def work(channel: BlueskyChannel) -> None:
            await channel.publish(small, KEY.format(n=1))
            await channel.publish(large, KEY.format(n=2))

        with_channel(fake_bluesky, tmp_path, work)
    first, second = (r.value["embed"]["external"] for r in fake_bluesky.records)
    assert first["thumb"]["mimeType"] == "image/png" and first["thumb"]["size"] < 200
    assert "thumb" not in second
    assert len(fake_bluesky.requests_to("uploadBlob")) == 1


def test_delete_removes_the_record_and_edit_is_refused(
    fake_bluesky: FakeBluesky, tmp_path: Path
) -> None:
    async def work(channel: BlueskyChannel) -> None:
        sent = await channel.publish(POST, KEY.format(n=1))
        assert sent.remote_id
        with pytest.raises(NoEdit):
            await channel.edit(POST, sent.remote_id)
        await channel.delete(POST, sent.remote_id)
        assert await channel.public_url(sent.remote_id) == sent.url

    with_channel(fake_bluesky, tmp_path, work)
    assert fake_bluesky.live_records == [] and len(fake_bluesky.records) == 1


def test_logins_are_kept_within_createsessions_limit(tmp_path: Path) -> None:
    """A loop of refused logins never runs into the PDS's day-long 429."""
    with FakeBluesky() as fake:
        channel = channel_for(fake, tmp_path, password="wrong-pass-word-xxxx")

        async def work(channel: BlueskyChannel) -> None:
            for _ in range(30):
                with pytest.raises(AuthFailed):
                    await channel.publish(POST, KEY.format(n=1))
            with pytest.raises(RateLimited) as waits:
                await channel.publish(POST, KEY.format(n=1))
            assert 290 < waits.value.retry_after <= 300

        run(channel, work)  # type: ignore[arg-type]
        assert fake.sessions_created == 30 and fake.violations == 0


def test_the_adapter_imports_no_sdk_until_it_starts() -> None:
    """The SDK costs two seconds of CPU to import: a worker with a Bluesky destination
    builds its channels, and reaches "watching", without it."""
    code = (
        "import sys; from bot.channels.bluesky import BlueskyChannel;"
        "print(sorted(m for m in sys.modules if m.startswith('atproto')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
