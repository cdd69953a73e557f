"""A Mastodon destination's look (SPEC §10): visibility, content warnings, its hashtags,
its own account, with Mastodon.py against the fake instance."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from mastodon import Mastodon

from bot.app import build_channels, check
from bot.channels.base import Channel
from bot.channels.mastodon import MastodonChannel
from bot.chat.mastodon import listeners
from bot.config import Settings, load_settings
from bot.state.catalog import Catalog
from bot.state.store import Store
from tests.conftest import write_post
from tests.fakes.mastodon import FakeMastodon
from tests.harness import Publisher, platform_env
from tests.test_adapter_errors import POST, run

TOKENS = {"token-of-nieuws": "nieuws", "token-of-sport": "sport"}
LONG_LEAD = "Een lange zin over wat er die nacht in de haven gebeurde. " * 60


@pytest.fixture
def instance() -> Iterator[FakeMastodon]:
    """One instance with two accounts, each with its own token."""
    with FakeMastodon(tokens=TOKENS) as fake:
        yield fake
    assert fake.server_errors == []


def settings_for(tmp_path: Path, fake: FakeMastodon, destinations: str) -> Settings:
    """The tokens in the environment, the destinations in postbode.toml."""
    (tmp_path / "posts").mkdir(exist_ok=True)
    (tmp_path / "postbode.toml").write_text(destinations.replace("URL", fake.url), "utf-8")
    env = platform_env(tmp_path, None, None, NIEUWS_TOKEN="token-of-nieuws")
    return load_settings(env | {"SPORT_TOKEN": "token-of-sport"}, tmp_path)


TWO_ACCOUNTS = """
[[destinations]]
name = "nieuws"
mastodon = "URL"
token_env = "NIEUWS_TOKEN"
visibility = "unlisted"
hashtags = ["nieuws", "#Haven"]
content_warnings = { oorlog = "Oorlog en geweld" }

[[destinations]]
name = "sport"
mastodon = "URL"
token_env = "SPORT_TOKEN"
visibility = "private"
"""


def test_two_destinations_on_one_instance_post_as_two_accounts(
    tmp_path: Path, instance: FakeMastodon
) -> None:
    """Each destination posts with its own token as its own account, with its own
    visibility, hashtags and content warnings; the post's own warning wins."""
    publisher = Publisher(settings_for(tmp_path, instance, TWO_ACCOUNTS))
    publisher.scan()
    posts = tmp_path / "posts"
    write_post(
        posts,
        "a.md",
        'title: Kade\ndate: 2026-11-20 10:00:00 +0100\nexterne_link: "https://example.nl/a"',
    )
    write_post(
        posts,
        "b.md",
        'title: Front\ncategories: [Oorlog]\ndate: 2026-11-20 10:01:00 +0100\nexterne_link: "https://example.nl/b"',
    )
    write_post(
        posts,
        "c.md",
        'title: Ongeluk\ncategory: oorlog\ncontent_warning: "Beelden van een ongeluk"\n'
        'date: 2026-11-20 10:02:00 +0100\nexterne_link: "https://example.nl/c"',
    )
    publisher.scan()
    publisher.deliver_until(lambda: len(instance.statuses) == 6)
    publisher.close()

    seen = {
        (s.account, s.text.split("\n")[0]): (s.visibility, s.spoiler_text, s.sensitive)
        for s in instance.statuses
    }
    assert seen == {
        ("nieuws", "Kade"): ("unlisted", "", False),
        ("nieuws", "Front"): ("unlisted", "Oorlog en geweld", True),
        ("nieuws", "Ongeluk"): ("unlisted", "Beelden van een ongeluk", True),
        ("sport", "Kade"): ("private", "", False),
        ("sport", "Front"): ("private", "", False),
        ("sport", "Ongeluk"): ("private", "Beelden van een ongeluk", True),
    }
    tags = {s.account: s.text.rsplit("\n\n", 1)[-1] for s in instance.statuses if "Kade" in s.text}
    assert tags == {"nieuws": "#nieuws #Haven", "sport": "https://example.nl/a"}


ONE_ACCOUNT_TWICE = """
[[destinations]]
name = "nieuws"
mastodon = "URL"
token_env = "NIEUWS_TOKEN"

[[destinations]]
name = "nieuws-koppen"
mastodon = "URL"
token_env = "NIEUWS_TOKEN"
visibility = "unlisted"
"""


def test_destinations_posting_as_one_account_share_its_status_budget(
    tmp_path: Path, instance: FakeMastodon, store: Store
) -> None:
    """Two destinations with one token are one account: one budget of statuses, the one
    its listener reads. A status of the second leaves 100 of 101: no answer may take it."""
    instance.set_rate_limits(status_limit=101)
    settings = settings_for(tmp_path, instance, ONE_ACCOUNT_TWICE)
    first, second = channels = build_channels(settings)
    assert isinstance(first, MastodonChannel) and isinstance(second, MastodonChannel)
    assert first.budget is second.budget
    [replies] = listeners(settings, channels, store)
    assert replies.channel.budget.allows_reply()
    run(second, lambda channel: channel.publish(POST, "koppen-1"))
    assert [s.account for s in instance.statuses] == ["nieuws"]
    assert replies.channel.budget.left() == 100
    assert not replies.channel.budget.allows_reply()
    asyncio.run(first.close())
    replies.api.session.close()


def test_a_long_post_fits_with_its_content_warning(tmp_path: Path, instance: FakeMastodon) -> None:
    """The warning counts against the instance's limit as Mastodon counts it: a post of
    3,000 characters goes out whole in its parts, the lead shortened, and is accepted."""
    instance.max_characters = 300
    publisher = Publisher(settings_for(tmp_path, instance, TWO_ACCOUNTS))
    publisher.scan()
    warning = "Beelden van geweld, gewonden en doden in de haven, op de foto's en in de video's"
    write_post(
        tmp_path / "posts",
        "a.md",
        f'title: Nacht in de haven\ncontent_warning: "{warning}"\nexterne_link: "https://example.nl/a"',
        f"<p>{LONG_LEAD}</p>",
    )
    publisher.scan()
    publisher.deliver_until(lambda: len(instance.statuses) == 2)
    failures = Catalog(publisher.store.db).failures()
    publisher.close()

    assert failures == []
    for status in instance.statuses:
        assert status.spoiler_text == warning
        assert status.text.startswith("Nacht in de haven\n\nEen lange zin")
        assert Mastodon.get_status_length(status.text, status.spoiler_text) <= 300


def test_an_edit_keeps_the_warning_and_clears_one_that_went(
    tmp_path: Path, instance: FakeMastodon
) -> None:
    """An edit sends the post's warning as it is now: kept while the post has it, cleared
    once it has not; the visibility is the status's own (an edit cannot change it)."""
    nieuws, _ = build_channels(settings_for(tmp_path, instance, TWO_ACCOUNTS))
    warned = dataclasses.replace(POST, content_warning="Geweld")

    async def work(channel: Channel) -> list[tuple[str, str, str]]:
        sent = await channel.publish(warned, "key-1")
        assert sent.remote_id is not None
        shown = []
        for version in (dataclasses.replace(warned, title="Nieuwe titel"), POST):
            await channel.edit(version, sent.remote_id)
            status = instance.status(sent.remote_id)
            shown.append((status.text.split("\n")[0], status.spoiler_text, status.visibility))
        return shown

    assert run(nieuws, work) == [
        ("Nieuwe titel", "Geweld", "unlisted"),
        (POST.title, "", "unlisted"),
    ]


def test_check_looks_at_each_account_with_its_own_token(
    tmp_path: Path, instance: FakeMastodon
) -> None:
    """`check` verifies each destination's token: one revoked fails that destination only."""
    settings = settings_for(tmp_path, instance, TWO_ACCOUNTS)
    assert asyncio.run(check(settings))[1:] == ["OK   nieuws", "OK   sport"]
    instance.revoke_token("token-of-sport")
    lines = asyncio.run(check(settings))[1:]
    assert lines[0] == "OK   nieuws"
    assert lines[1].startswith("FAIL sport: Mastodon refused the access token")
