"""The fake PDS refuses what a PDS refuses, as the real atproto SDK sees it: the record's
limits and schema, facets off the text or off a character boundary, blobs, record keys,
expired tokens, and createSession's own rate limit with its headers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from atproto_client import AsyncClient, models
from atproto_client.exceptions import BadRequestError, RateLimitExceededError, RequestErrorBase

from tests.fakes.bluesky import DID, HANDLE, PASSWORD, FakeBluesky
from tests.fakes.images import PNG

RKEY = "3kabcdefghij2"


def record(text: str = "Hallo", **extra: Any) -> dict[str, Any]:
    return {"$type": "app.bsky.feed.post", "text": text,
            "createdAt": "2026-12-02T05:30:01.123Z", **extra}  # fmt: skip


def facet(start: int, end: int) -> dict[str, Any]:
    return {"index": {"byteStart": start, "byteEnd": end},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://e.nl"}]}  # fmt: skip


def with_client(fake: FakeBluesky, work: Callable[[AsyncClient], Awaitable[Any]]) -> Any:
    async def go() -> Any:
        client = AsyncClient(fake.url)
        await client.login(HANDLE, PASSWORD, fetch_bsky_profile=False)
        try:
            return await work(client)
        finally:
            await client.request.close()

    return asyncio.run(go())


def create(client: AsyncClient, value: dict[str, Any], rkey: str = RKEY) -> Awaitable[Any]:
    data = models.ComAtprotoRepoCreateRecord.Data(
        repo=DID, collection="app.bsky.feed.post", rkey=rkey, record=value
    )
    return client.com.atproto.repo.create_record(data)


def refused(fake: FakeBluesky, value: dict[str, Any], rkey: str = RKEY) -> str:
    with pytest.raises(RequestErrorBase) as error:
        with_client(fake, lambda c: create(c, value, rkey))
    assert error.value.response is not None
    content = error.value.response.content
    return f"{error.value.response.status_code} {content.error}: {content.message}"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (record("é" * 301), "longer than 300 graphemes"),
        (record("👨‍👩‍👧" * 170), "longer than 3000 characters"),  # 170 graphemes, 3,060 bytes
        (record("ok", createdAt="2026-12-02 05:30"), "valid atproto datetime"),
        (record("ok", langs=["nl", "en", "de", "fr"]), "more than 3 elements"),
        (record("✨ link", facets=[facet(1, 5)]), "character boundaries"),
        (record("link", facets=[facet(0, 9)]), "past the text's 4 bytes"),
        (
            record("x", embed={"$type": "app.bsky.embed.external", "external": {"uri": "no"}}),
            "must have the property",
        ),
    ],
)
def test_invalid_records_are_refused_with_the_lexicons_words(
    fake_bluesky: FakeBluesky, value: dict[str, Any], problem: str
) -> None:
    answer = refused(fake_bluesky, value)
    assert answer.startswith("400 InvalidRequest: Invalid app.bsky.feed.post record:")
    assert problem in answer and fake_bluesky.records == []


def test_300_graphemes_of_emoji_are_fine_when_within_3000_bytes(fake_bluesky: FakeBluesky) -> None:
    with_client(fake_bluesky, lambda c: create(c, record("😀" * 300)))
    assert len(fake_bluesky.records) == 1


def test_record_keys_are_tids_and_taken_once(fake_bluesky: FakeBluesky) -> None:
    assert refused(fake_bluesky, record(), rkey="not-a-tid").startswith("400 InvalidRequest")
    with_client(fake_bluesky, lambda c: create(c, record()))
    assert refused(fake_bluesky, record()).startswith("500")


def test_a_thumb_must_be_an_uploaded_image_within_a_megabyte(fake_bluesky: FakeBluesky) -> None:
    async def work(client: AsyncClient) -> list[str]:
        answers = []
        for data in (PNG, b"\x89PNG\r\n\x1a\n" + b"\0" * 1_000_000, b"%PDF-1.4 not an image"):
            blob = (await client.com.atproto.repo.upload_blob(data)).blob
            external = {"uri": "https://e.nl", "title": "t", "description": "d",
                        "thumb": blob.model_dump(by_alias=True, mode="json")}  # fmt: skip
            embed = {"$type": "app.bsky.embed.external", "external": external}
            try:
                rkey = f"3kabcdefghij{len(answers) + 2}"
                await create(client, record(embed=embed), rkey)
                answers.append("made")
            except BadRequestError as error:
                answers.append(error.response.content.message)
        return answers

    made, big, pdf = with_client(fake_bluesky, work)
    assert made == "made" and "at most 1000000" in big and "wrong type" in pdf


def test_an_expired_token_is_answered_expiredtoken(fake_bluesky: FakeBluesky) -> None:
    async def work(client: AsyncClient) -> str:
        fake_bluesky.expire_access_tokens()
        with pytest.raises(BadRequestError) as error:
            await create(client, record())
        return str(error.value)

    assert with_client(fake_bluesky, work) == "400 ExpiredToken: Token has expired"


def test_createsession_is_limited_with_ratelimit_headers(fake_bluesky: FakeBluesky) -> None:
    async def work() -> RateLimitExceededError:
        client = AsyncClient(fake_bluesky.url)
        for _ in range(30):
            await client.login(HANDLE, PASSWORD, fetch_bsky_profile=False)
        with pytest.raises(RateLimitExceededError) as error:
            await client.login(HANDLE, PASSWORD, fetch_bsky_profile=False)
        await client.request.close()
        return error.value

    error = asyncio.run(work())
    assert error.limit == 30 and error.remaining == 0 and error.reset_at is not None
    assert 295 <= error.reset_at.timestamp() - fake_bluesky.now() <= 301
