"""The fake Mastodon server behaves like Mastodon where postbode can tell, per Mastodon.py."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonBadGatewayError,
    MastodonInternalServerError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServiceUnavailableError,
    MastodonUnauthorizedError,
)
from mastodon.errors import MastodonDeprecationWarning

from tests.fakes.mastodon import DEFAULT_TOKEN, FakeMastodon

LONG_URL = "https://example.com/" + "a" * 180  # 200 characters, counts as 23
PNG_10x20 = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    + (10).to_bytes(4, "big")
    + (20).to_bytes(4, "big")
    + b"\x08\x06\x00\x00\x00" * 20
)


@pytest.fixture
def api(fake_mastodon: FakeMastodon) -> Mastodon:
    """A Mastodon.py client configured like the product's (throw on 429, short timeout)."""
    return fake_mastodon.client(request_timeout=2.0)


MakeFake = Callable[..., FakeMastodon]


@pytest.fixture
def other_fake() -> Iterator[MakeFake]:
    """Builds started FakeMastodons with non-default settings; stops them afterwards."""
    fakes: list[FakeMastodon] = []

    def make(**kwargs: Any) -> FakeMastodon:
        fake = FakeMastodon(**kwargs).start()
        fakes.append(fake)
        return fake

    yield make
    for fake in fakes:
        fake.stop()
        assert fake.server_errors == []


def api_error(exc: pytest.ExceptionInfo[MastodonAPIError]) -> tuple[int, str]:
    """(HTTP status, server message) from Mastodon.py's error args."""
    return exc.value.args[1], exc.value.args[3]


# ----------------------------------------------------------------------- instance


def test_instance_v2_reports_the_configured_limits(other_fake: MakeFake) -> None:
    """The limits the product reads from instance_v2 are the ones the fake enforces."""
    fake = other_fake(max_characters=1000, description_limit=420)
    info = fake.client().instance_v2()
    assert info.configuration.statuses.max_characters == 1000
    assert info.configuration.statuses.characters_reserved_per_url == 23
    assert info.configuration.statuses.max_media_attachments == 4
    assert info.configuration.media_attachments.description_limit == 420
    assert "image/png" in info.configuration.media_attachments.supported_mime_types


def test_version_detection_works_without_warnings(api: Mastodon) -> None:
    """Mastodon.py's version check reads v1 + v2 instance and finds api_versions (no warning)."""
    assert api.retrieve_mastodon_version() == "4.3.0"
    assert api.mastodon_api_version == 2
    assert api.verify_minimum_version("4.0.0", cached=True)


def test_v1_instance_is_marked_deprecated(api: Mastodon) -> None:
    """Like Mastodon 4.3, /api/v1/instance carries a Deprecation header; the client warns."""
    with pytest.warns(MastodonDeprecationWarning):
        api.instance_v1()


def test_verify_credentials_returns_the_account(fake_mastodon: FakeMastodon, api: Mastodon) -> None:
    """verify_credentials answers an Account with a source block."""
    me = api.account_verify_credentials()
    assert (me.username, me.acct) == ("postbode", "postbode")
    assert me.url == f"{fake_mastodon.url}/@postbode"
    assert me.source.language == "en"


# ----------------------------------------------------------------------- posting


def test_status_post_returns_a_full_status(fake_mastodon: FakeMastodon, api: Mastodon) -> None:
    """A created status comes back as a Status entity and is recorded with its fields."""
    status = api.status_post("Tom & Jerry <3\n\n#Nieuws", language="nl", visibility="unlisted")
    [stored] = fake_mastodon.statuses
    assert status.id == stored.id
    assert status.content.startswith("<p>Tom &amp; Jerry &lt;3</p><p>")
    assert status.url == f"{fake_mastodon.url}/@postbode/{stored.id}"
    assert (status.language, status.visibility, status.edited_at) == ("nl", "unlisted", None)
    assert [t.name for t in status.tags] == ["nieuws"]
    assert (stored.text, stored.language) == ("Tom & Jerry <3\n\n#Nieuws", "nl")
    assert api.status(status.id).content == status.content


@pytest.mark.parametrize(
    ("text", "spoiler"),
    [
        ("a" * 500, ""),
        ("a" * 476 + " " + LONG_URL, ""),  # 476 + 1 + 23
        ("👩‍👩‍👧‍👦" * 500, ""),  # ZWJ family: 1 grapheme, 7 code points
        ("🇳🇱" * 500, ""),  # a flag is 2 code points, 1 grapheme
        ("e\u0301" * 500, ""),  # combining accent
        ("@editor@some.very.long.domain.example " + "a" * 492, ""),  # "@editor " = 8
        ("a" * 490, "Let op: 10"),  # the content warning counts too
    ],
)
def test_status_at_the_limit_is_accepted(
    fake_mastodon: FakeMastodon, api: Mastodon, text: str, spoiler: str
) -> None:
    """Exactly 500 characters, counted the Mastodon way, is accepted."""
    assert Mastodon.get_status_length(text, spoiler) == 500
    api.status_post(text, spoiler_text=spoiler or None)
    assert [s.text for s in fake_mastodon.statuses] == [text]


@pytest.mark.parametrize(
    ("text", "spoiler"),
    [
        ("a" * 501, ""),
        ("a" * 477 + " " + LONG_URL, ""),
        ("👩‍👩‍👧‍👦" * 501, ""),
        ("a" * 491, "Let op: 10"),
    ],
)
def test_status_over_the_limit_is_rejected(
    fake_mastodon: FakeMastodon, api: Mastodon, text: str, spoiler: str
) -> None:
    """501 characters gets Mastodon's 422 and creates nothing."""
    with pytest.raises(MastodonAPIError) as exc:
        api.status_post(text, spoiler_text=spoiler or None)
    assert api_error(exc) == (422, "Validation failed: Text character limit of 500 exceeded")
    assert fake_mastodon.statuses == []


def test_limit_follows_max_characters(other_fake: MakeFake) -> None:
    """A larger instance limit is enforced with its own number in the message."""
    fake = other_fake(max_characters=1000)
    api = fake.client()
    api.status_post("a" * 1000)
    with pytest.raises(MastodonAPIError) as exc:
        api.status_post("a" * 1001)
    assert api_error(exc) == (422, "Validation failed: Text character limit of 1000 exceeded")


def test_blank_status_is_rejected(fake_mastodon: FakeMastodon, api: Mastodon) -> None:
    """Text is required when there is no media."""
    with pytest.raises(MastodonAPIError) as exc:
        api.status_post("   ")
    assert api_error(exc) == (422, "Validation failed: Text can't be blank")


@pytest.mark.parametrize("language", ["nld", "dutch", "NL", "xx"])
def test_language_must_be_iso_639_1(
    fake_mastodon: FakeMastodon, api: Mastodon, language: str
) -> None:
    """A language that is not a two-letter ISO 639-1 code is rejected (stricter than Mastodon)."""
    with pytest.raises(MastodonAPIError) as exc:
        api.status_post("Hallo", language=language)
    assert api_error(exc) == (422, "Validation failed: Language is not a valid ISO 639-1 code")
    assert fake_mastodon.statuses == []


def test_lenient_language_falls_back_like_mastodon(other_fake: MakeFake) -> None:
    """With strict_language=False an unknown language silently becomes the default."""
    fake = other_fake(strict_language=False, default_language="nl")
    status = fake.client().status_post("Hallo", language="dutch")
    assert status.language == "nl"


def test_status_post_sends_form_fields(fake_mastodon: FakeMastodon, api: Mastodon) -> None:
    """Mastodon.py posts form fields (media_ids[] as a list, sensitive as '0')."""
    api.status_post("Hallo", language="nl")
    [request] = fake_mastodon.requests_to("status_create")
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.params == {"status": "Hallo", "sensitive": "0", "language": "nl"}
    assert request.authorized and request.token_valid


# ----------------------------------------------------------------------- idempotency


def test_same_idempotency_key_returns_the_same_status(
    fake_mastodon: FakeMastodon, api: Mastodon
) -> None:
    """A repeated Idempotency-Key returns the existing status instead of a second one."""
    first = api.status_post("Eén keer", idempotency_key="post-1-rev-1")
    again = api.status_post("Eén keer", idempotency_key="post-1-rev-1")
    other = api.status_post("Eén keer", idempotency_key="post-1-rev-2")
    assert first.id == again.id != other.id
    assert [s.idempotency_key for s in fake_mastodon.statuses] == ["post-1-rev-1", "post-1-rev-2"]
    keys = [r.idempotency_key for r in fake_mastodon.requests_to("status_create")]
    assert keys == ["post-1-rev-1", "post-1-rev-1", "post-1-rev-2"]


def test_idempotency_key_expires_after_one_hour(fake_mastodon: FakeMastodon, api: Mastodon) -> None:
    """The key is kept for one hour of the fake clock, then a new status is created."""
    first = api.status_post("Hallo", idempotency_key="k")
    fake_mastodon.advance(3599)
    assert api.status_post("Hallo", idempotency_key="k").id == first.id
    fake_mastodon.advance(2)
    assert api.status_post("Hallo", idempotency_key="k").id != first.id
    assert len(fake_mastodon.statuses) == 2


def test_idempotency_key_of_a_deleted_status_is_not_found(
    fake_mastodon: FakeMastodon, api: Mastodon
) -> None:
    """Replaying the key of a status deleted since gets 404, as Status.find would."""
    status = api.status_post("Weg", idempotency_key="k")
    api.status_delete(status)
    with pytest.raises(MastodonNotFoundError):
        api.status_post("Weg", idempotency_key="k")


# ----------------------------------------------------------------------- edit and delete


def test_status_update_edits_and_keeps_history(fake_mastodon: FakeMastodon, api: Mastodon) -> None:
    """An edit changes the text, sets edited_at and adds a history entry; language is kept."""
    status = api.status_post("Eerste versie", language="nl")
    edited = api.status_update(status, "Tweede versie")
    assert edited.id == status.id
    assert edited.edited_at is not None
    assert edited.content == "<p>Tweede versie</p>"
    assert edited.language == "nl"
    assert [e.content for e in api.status_history(status)] == [
        "<p>Eerste versie</p>",
        "<p>Tweede versie</p>",
    ]
    stored = fake_mastodon.status(status.id)
    assert (stored.text, stored.edited) == ("Tweede versie", True)
    assert len(fake_mastodon.statuses) == 1


def test_status_update_replaces_the_content_warning(
    fake_mastodon: FakeMastodon, api: Mastodon
) -> None:
    """An edit sets the spoiler_text it is given and, as Mastodon's controller does, clears
    it when none is given; the visibility stays what it was."""
    status = api.status_post("Tekst", spoiler_text="Geweld", visibility="unlisted")
    assert (status.spoiler_text, status.sensitive) == ("Geweld", True)
    kept = api.status_update(status, "Tekst 2", spoiler_text="Geweld")
    assert (kept.spoiler_text, kept.visibility) == ("Geweld", "unlisted")
    cleared = api.status_update(status, "Tekst 3")
    assert (cleared.spoiler_text, cleared.sensitive, cleared.visibility) == ("", False, "unlisted")


def test_status_update_without_changes_is_not_an_edit(
    fake_mastodon: FakeMastodon, api: Mastodon
) -> None:
    """Submitting the same text leaves edited_at empty, as the server ignores it."""
    status = api.status_post("Zelfde")
    assert api.status_update(status, "Zelfde").edited_at is None
    assert fake_mastodon.status(status.id).history[-1].text == "Zelfde"
    assert len(fake_mastodon.status(status.id).history) == 1


def test_status_update_is_validated(fake_mastodon: FakeMastodon, api: Mastodon) -> None:
    """An edit over the limit gets 422 and leaves the status as it was."""
    status = api.status_post("Kort")
    with pytest.raises(MastodonAPIError) as exc:
        api.status_update(status, "a" * 501)
    assert api_error(exc)[0] == 422
    assert fake_mastodon.status(status.id).text == "Kort"


def test_update_of_unknown_status_is_not_found(api: Mastodon) -> None:
    """Editing an id that does not exist gets 404 Record not found."""
    with pytest.raises(MastodonNotFoundError) as exc:
        api.status_update("123456", "Nieuw")
    assert api_error(exc) == (404, "Record not found")


def test_status_delete_returns_the_source_text(fake_mastodon: FakeMastodon, api: Mastodon) -> None:
    """Delete answers the status with its text; afterwards it is gone."""
    status = api.status_post("Tom & Jerry")
    deleted = api.status_delete(status)
    assert deleted.text == "Tom & Jerry"
    assert fake_mastodon.status(status.id).deleted
    with pytest.raises(MastodonNotFoundError):
        api.status(status.id)
    with pytest.raises(MastodonNotFoundError):
        api.status_delete(status)


# ----------------------------------------------------------------------- media


def test_media_post_then_status_with_media(fake_mastodon: FakeMastodon, api: Mastodon) -> None:
    """An uploaded image with alt text can be attached to a status."""
    media = api.media_post(PNG_10x20, mime_type="image/png", description="Foto van café ☕")
    assert (media.type, media.description) == ("image", "Foto van café ☕")
    assert media.url is not None
    assert (media.meta.original.width, media.meta.original.height) == (10, 20)
    status = api.status_post("Met foto", media_ids=[media])
    assert [m.id for m in status.media_attachments] == [media.id]
    [stored] = fake_mastodon.media
    assert (stored.mime_type, stored.size, stored.status_id) == (
        "image/png",
        len(PNG_10x20),
        status.id,
    )
    assert fake_mastodon.statuses[0].media_ids == [media.id]


def test_media_post_uses_v2_after_version_detection(
    fake_mastodon: FakeMastodon, api: Mastodon
) -> None:
    """media_post asks the instance version first (v1 then v2 instance) and then uses /api/v2/media."""
    api.media_post(PNG_10x20, mime_type="image/png")
    api.media_post(PNG_10x20, mime_type="image/png")
    assert [r.path for r in fake_mastodon.requests] == [
        "/api/v1/instance",
        "/api/v2/instance",
        "/api/v2/media",
        "/api/v2/media",
    ]


def test_gif_is_processed_asynchronously(fake_mastodon: FakeMastodon, api: Mastodon) -> None:
    """A GIF answers 202 without url; media() sees 206 once, then 200 with the url."""
    gif = b"GIF89a" + (4).to_bytes(2, "little") + (3).to_bytes(2, "little") + b"\x00" * 30
    media = api.media_post(gif, mime_type="image/gif")
    assert (media.type, media.url) == ("gifv", None)
    assert api.media(media).url is None
    assert api.media(media).url is not None
    assert [r.status for r in fake_mastodon.requests[-3:]] == [202, 206, 200]


def test_media_only_status_needs_no_text(fake_mastodon: FakeMastodon, api: Mastodon) -> None:
    """With media attached, the text may be empty."""
    media = api.media_post(PNG_10x20, mime_type="image/png")
    api.status_post("", media_ids=[media])
    assert fake_mastodon.statuses[0].media_ids == [media.id]


def test_unknown_or_reused_media_is_rejected(fake_mastodon: FakeMastodon, api: Mastodon) -> None:
    """media_ids must exist, be ours and not be attached to another status."""
    with pytest.raises(MastodonAPIError) as exc:
        api.status_post("Hallo", media_ids=["999"])
    assert api_error(exc) == (422, "Media 999 not found or already attached to another post")
    media = api.media_post(PNG_10x20, mime_type="image/png")
    api.status_post("Eerste", media_ids=[media])
    with pytest.raises(MastodonAPIError) as exc:
        api.status_post("Tweede", media_ids=[media])
    assert api_error(exc)[0] == 422
    assert len(fake_mastodon.statuses) == 1


def test_media_of_another_account_is_rejected(other_fake: MakeFake) -> None:
    """Media uploaded by another account cannot be attached."""
    fake = other_fake(tokens={"token-a": "alice", "token-b": "bob"})
    alice, bob = fake.client(access_token="token-a"), fake.client(access_token="token-b")
    media = alice.media_post(PNG_10x20, mime_type="image/png")
    with pytest.raises(MastodonAPIError) as exc:
        bob.status_post("Van Bob", media_ids=[media])
    assert api_error(exc)[0] == 422


def test_media_description_over_the_limit_is_rejected(
    fake_mastodon: FakeMastodon, api: Mastodon
) -> None:
    """Alt text longer than description_limit (1500) gets 422."""
    api.media_post(PNG_10x20, mime_type="image/png", description="x" * 1500)
    with pytest.raises(MastodonAPIError) as exc:
        api.media_post(PNG_10x20, mime_type="image/png", description="x" * 1501)
    assert api_error(exc) == (
        422,
        "Validation failed: Description is too long (maximum is 1500 characters)",
    )
    assert len(fake_mastodon.media) == 1


def test_media_over_the_size_limit_is_rejected(fake_mastodon: FakeMastodon, api: Mastodon) -> None:
    """An image over image_size_limit gets 422 and is not stored."""
    fake_mastodon.image_size_limit = len(PNG_10x20) - 1
    with pytest.raises(MastodonAPIError) as exc:
        api.media_post(PNG_10x20, mime_type="image/png")
    assert api_error(exc)[0] == 422
    assert "file size must be less than" in api_error(exc)[1]
    assert fake_mastodon.media == []


# ----------------------------------------------------------------------- rate limits


def test_rate_limit_headers_reach_the_client(other_fake: MakeFake) -> None:
    """Limit, remaining and reset (ISO, shifted by the Date header) land in ratelimit_*."""
    fake = other_fake(clock=lambda: 1_800_000_100.0)  # window ends at ...300, 200 s later
    api = fake.client()
    api.account_verify_credentials()
    assert (api.ratelimit_limit, api.ratelimit_remaining) == (300, 299)
    assert 199 < api.ratelimit_reset - time.time() <= 200


def test_status_creation_shows_the_statuses_family(other_fake: MakeFake) -> None:
    """After a status post the headers describe the statuses budget when it is the tighter one."""
    fake = other_fake(status_limit=5, clock=lambda: 1_800_000_100.0)
    api = fake.client()
    api.status_post("Hallo")
    assert (api.ratelimit_limit, api.ratelimit_remaining) == (5, 4)
    # 3-hour windows aligned to the epoch: the one holding 1_800_000_100 ends at 1_800_003_600.
    assert 3499 < api.ratelimit_reset - time.time() <= 3500


def test_general_budget_429_and_violations(other_fake: MakeFake) -> None:
    """Past api_limit calls get 429; calls before the announced reset count as violations."""
    fake = other_fake(api_limit=2)
    api = fake.client()
    api.account_verify_credentials()
    api.account_verify_credentials()
    with pytest.raises(MastodonRatelimitError):
        api.account_verify_credentials()
    assert (api.ratelimit_remaining, fake.violations) == (0, 0)
    with pytest.raises(MastodonRatelimitError):
        api.account_verify_credentials()
    assert fake.violations == 1
    fake.advance(300)  # next window
    api.account_verify_credentials()
    assert fake.violations == 1
    assert [r.status for r in fake.requests] == [200, 200, 429, 429, 200]
    assert [r.violation for r in fake.requests] == [False, False, False, True, False]


def test_statuses_family_limit(other_fake: MakeFake) -> None:
    """Status creation has its own budget; other calls go on; it resets in the next window."""
    fake = other_fake(status_limit=2)
    api = fake.client()
    api.status_post("een")
    api.status_post("twee")
    with pytest.raises(MastodonRatelimitError):
        api.status_post("drie")
    assert (api.ratelimit_limit, api.ratelimit_remaining) == (2, 0)
    assert len(fake.statuses) == 2
    api.account_verify_credentials()  # not a violation: a different budget
    assert fake.violations == 0
    with pytest.raises(MastodonRatelimitError):
        api.status_post("drie")
    assert fake.violations == 1
    fake.advance(3 * 3600)
    api.status_post("drie")
    assert [s.text for s in fake.statuses] == ["een", "twee", "drie"]


def test_rate_limits_can_be_raised_at_runtime(other_fake: MakeFake) -> None:
    """set_rate_limits lifts an exhausted budget without a restart (benchmarks)."""
    fake = other_fake(status_limit=1)
    api = fake.client()
    api.status_post("een")
    with pytest.raises(MastodonRatelimitError):
        api.status_post("twee")
    fake.set_rate_limits(status_limit=10_000, api_limit=10_000)
    api.status_post("twee")
    # Three API calls so far (the 429 counts too): tighter than the family's 10_000 - 2.
    assert api.ratelimit_remaining == 10_000 - 3
    assert len(fake.statuses) == 2


def test_forced_429_only_hits_the_failure_endpoints(
    fake_mastodon: FakeMastodon, api: Mastodon
) -> None:
    """rate_limit_next answers 429 with Reset = now + reset_in, sparing verify_credentials."""
    fake_mastodon.rate_limit_next(reset_in=30)
    api.account_verify_credentials()
    with pytest.raises(MastodonRatelimitError):
        api.status_post("Hallo")
    assert (api.ratelimit_remaining, fake_mastodon.violations) == (0, 0)
    assert 28 < api.ratelimit_reset - time.time() <= 31
    api.status_post("Hallo")  # too early: it works, but it is counted
    assert fake_mastodon.violations == 1
    assert len(fake_mastodon.statuses) == 1


# ----------------------------------------------------------------------- auth


def test_wrong_token_is_unauthorized(fake_mastodon: FakeMastodon) -> None:
    """A wrong token gets 401 and the token itself is not recorded."""
    api = fake_mastodon.client(access_token="not-the-token")
    with pytest.raises(MastodonUnauthorizedError) as exc:
        api.account_verify_credentials()
    assert api_error(exc) == (401, "The access token is invalid")
    [request] = fake_mastodon.requests
    assert (request.authorized, request.token_valid) == (True, False)
    assert "not-the-token" not in repr(request)


def test_missing_token_is_unauthorized(fake_mastodon: FakeMastodon) -> None:
    """Without a token, posting gets 401 while the instance stays readable."""
    api = fake_mastodon.client(access_token=None)
    assert api.instance_v2().version == "4.3.0"
    with pytest.raises(MastodonUnauthorizedError):
        api.status_post("Hallo")
    assert fake_mastodon.statuses == []


def test_revoked_token_is_unauthorized(fake_mastodon: FakeMastodon, api: Mastodon) -> None:
    """After revoke_token the same client gets 401."""
    api.status_post("Hallo")
    fake_mastodon.revoke_token(DEFAULT_TOKEN)
    with pytest.raises(MastodonUnauthorizedError):
        api.status_post("Nog eens")
    assert len(fake_mastodon.statuses) == 1


# ----------------------------------------------------------------------- failures


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("500", MastodonInternalServerError),
        ("502", MastodonBadGatewayError),
        ("503", MastodonServiceUnavailableError),
        ("drop", MastodonNetworkError),
    ],
)
def test_injected_failure_maps_to_the_client_error(
    fake_mastodon: FakeMastodon, api: Mastodon, kind: str, error: type[Exception]
) -> None:
    """Each failure kind surfaces as Mastodon.py's matching exception, once."""
    fake_mastodon.fail_next(kind)
    with pytest.raises(error):
        api.status_post("Hallo")
    assert fake_mastodon.statuses == []
    api.status_post("Hallo")
    assert len(fake_mastodon.statuses) == 1
    assert [r.outcome for r in fake_mastodon.requests] == [kind, "ok"]


def test_failures_spare_verify_credentials(fake_mastodon: FakeMastodon, api: Mastodon) -> None:
    """Injected failures wait for a failure endpoint; start-up checks are not eaten."""
    fake_mastodon.fail_next("503")
    api.account_verify_credentials()
    api.instance_v2()
    with pytest.raises(MastodonServiceUnavailableError):
        api.status_post("Hallo")


def test_timeout_raises_network_error(fake_mastodon: FakeMastodon) -> None:
    """A held response ends in MastodonNetworkError after the client's request_timeout."""
    api = fake_mastodon.client(request_timeout=0.5)
    fake_mastodon.fail_next("timeout")
    started = time.monotonic()
    with pytest.raises(MastodonNetworkError):
        api.status_post("Hallo")
    assert 0.4 < time.monotonic() - started < 3
    assert fake_mastodon.statuses == []
    api.status_post("Hallo")
    assert len(fake_mastodon.statuses) == 1


def test_stop_releases_a_held_request_promptly() -> None:
    """stop() wakes a request held by "timeout" instead of waiting for the client."""
    fake = FakeMastodon().start()
    api = fake.client(request_timeout=30)
    fake.fail_next("timeout")
    errors: list[BaseException] = []

    def post() -> None:
        try:
            api.status_post("Hallo")
        except MastodonNetworkError as exc:
            errors.append(exc)

    worker = threading.Thread(target=post)
    worker.start()
    fake.wait_for(lambda: any(r.outcome == "timeout" for r in fake.requests), timeout=5)
    started = time.monotonic()
    fake.stop()
    worker.join(timeout=5)
    assert time.monotonic() - started < 2
    assert not worker.is_alive()
    assert len(errors) == 1


def test_accept_then_drop_with_idempotency_key_creates_one_status(
    fake_mastodon: FakeMastodon, api: Mastodon
) -> None:
    """A status created whose answer was lost is not duplicated by a retry with the same key."""
    fake_mastodon.fail_next("accept_then_drop")
    with pytest.raises(MastodonNetworkError):
        api.status_post("Hallo", idempotency_key="post-7")
    assert len(fake_mastodon.statuses) == 1  # it exists although the client saw an error
    retried = api.status_post("Hallo", idempotency_key="post-7")
    assert [s.id for s in fake_mastodon.statuses] == [retried.id]


def test_accept_then_drop_without_key_duplicates(
    fake_mastodon: FakeMastodon, api: Mastodon
) -> None:
    """Without an Idempotency-Key the same retry posts twice (why the product sends one)."""
    fake_mastodon.fail_next("accept_then_drop")
    with pytest.raises(MastodonNetworkError):
        api.status_post("Hallo")
    api.status_post("Hallo")
    assert [s.text for s in fake_mastodon.statuses] == ["Hallo", "Hallo"]


def test_failure_rate_is_reproducible(other_fake: MakeFake) -> None:
    """The same seed fails the same requests, and a rate of 0.5 gives both outcomes."""
    outcomes = []
    for _ in range(2):
        fake = other_fake()
        fake.set_failure_rate(0.5, kinds=["500", "503"], seed=7)
        api = fake.client()
        for i in range(20):
            with contextlib.suppress(MastodonAPIError):
                api.status_post(f"Bericht {i}")
        outcomes.append([r.outcome for r in fake.requests])
    assert outcomes[0] == outcomes[1]
    assert {"ok", "500", "503"} <= set(outcomes[0])


def test_unknown_failure_kind_is_refused(fake_mastodon: FakeMastodon) -> None:
    """A typo in a failure kind fails loudly instead of never firing."""
    with pytest.raises(ValueError, match="unknown failure kind"):
        fake_mastodon.fail_next("504")


# ----------------------------------------------------------------------- waiting


def test_wait_for_statuses_sees_a_post_from_another_thread(
    fake_mastodon: FakeMastodon, api: Mastodon
) -> None:
    """wait_for_statuses returns once the status exists, without polling."""
    worker = threading.Thread(target=api.status_post, args=("Uit een thread",))
    worker.start()
    [status] = fake_mastodon.wait_for_statuses(1, timeout=5)
    worker.join()
    assert status.text == "Uit een thread"


def test_wait_for_reports_what_happened(fake_mastodon: FakeMastodon, api: Mastodon) -> None:
    """A condition that never comes true raises AssertionError naming the recent requests."""
    api.account_verify_credentials()
    with pytest.raises(AssertionError, match=r"GET /api/v1/accounts/verify_credentials -> 200"):
        fake_mastodon.wait_for(lambda: False, timeout=0.05, message="never")
