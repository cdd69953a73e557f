"""The channel adapters' error branches, with the real client libraries against the fakes."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

import bot.folder.watch
from bot.app import build_channels
from bot.channels.base import AuthFailed, Channel, Permanent
from bot.channels.mastodon import MastodonChannel
from bot.channels.telegram import TelegramChannel
from bot.config import load_settings
from bot.jekyll.posts import Post
from bot.state.store import Store
from bot.worker import Worker
from tests.conftest import write_post
from tests.fakes.images import PNG
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.telegram import DEFAULT_CHANNEL_ID, ERR_NOT_MODIFIED, FakeTelegram
from tests.harness import CHANNEL, platform_env

T = TypeVar("T")

POST = Post(
    path="2026-11-20-storm.md",
    title="Storm legt de haven stil",
    date=dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC),
    link="https://example.nl/storm",
    lead="De haven ligt stil door de storm.",
)
PHOTO_POST = dataclasses.replace(POST, image_url="https://example.nl/storm.png")


def make_channel(
    tmp_path: Path,
    telegram: FakeTelegram | None = None,
    mastodon: FakeMastodon | None = None,
    **extra: str,
) -> Channel:
    """The one adapter the product builds from an operator's environment."""
    (tmp_path / "posts").mkdir(exist_ok=True)
    settings = load_settings(platform_env(tmp_path, telegram, mastodon, **extra), tmp_path)
    (channel,) = build_channels(settings)
    return channel


def run(channel: Channel, work: Callable[[Channel], Awaitable[T]]) -> T:
    """Start the channel, do `work` with it, close it: on one event loop, within 20 s."""

    async def go() -> T:
        await channel.start()
        try:
            return await work(channel)
        finally:
            await channel.close()

    return asyncio.run(asyncio.wait_for(go(), 20))


def telegram_channel(tmp_path: Path, fake: FakeTelegram, **extra: str) -> TelegramChannel:
    channel = make_channel(tmp_path, fake, None, **extra)
    assert isinstance(channel, TelegramChannel)
    return channel


def mastodon_channel(tmp_path: Path, fake: FakeMastodon) -> MastodonChannel:
    channel = make_channel(tmp_path, mastodon=fake)
    assert isinstance(channel, MastodonChannel)
    return channel


# --- Telegram ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "reason"),
    [("left", "bot is not a member of the channel chat"), ("kicked", "bot was kicked")],
)
def test_telegram_forbidden_pauses_the_channel(
    tmp_path: Path, fake_telegram: FakeTelegram, status: str, reason: str
) -> None:
    """A 403 (bot removed or kicked from the channel) is AuthFailed, naming the chat and why."""
    channel = telegram_channel(tmp_path, fake_telegram)
    fake_telegram.set_bot_status(DEFAULT_CHANNEL_ID, status)

    with pytest.raises(AuthFailed) as caught:
        run(channel, lambda c: c.publish(POST, "key-1"))

    assert f"forbidden in {CHANNEL}" in str(caught.value)
    assert reason in str(caught.value)
    assert fake_telegram.sent_messages(DEFAULT_CHANNEL_ID) == []


def test_telegram_lost_admin_rights_pauses_the_channel(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    """A bot demoted to member (no right to post) pauses the channel like a 403 does."""
    channel = telegram_channel(tmp_path, fake_telegram)
    fake_telegram.set_bot_status(DEFAULT_CHANNEL_ID, "member")

    with pytest.raises(AuthFailed):
        run(channel, lambda c: c.publish(POST, "key-1"))


def test_telegram_group_upgraded_to_supergroup_names_the_new_id(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    """ChatMigrated (400 with migrate_to_chat_id) is AuthFailed telling the operator the new id."""
    fake_telegram.add_group(-4001, bot_status="administrator")
    channel = telegram_channel(tmp_path, fake_telegram, TELEGRAM_CHANNEL="-4001")
    fake_telegram.migrate_group(-4001, -1004001)

    with pytest.raises(AuthFailed) as caught:
        run(channel, lambda c: c.publish(POST, "key-1"))

    assert str(caught.value) == "-4001 became -1004001: update TELEGRAM_CHANNEL"
    assert fake_telegram.sent_messages(-1004001) == []


def test_telegram_chat_not_found_pauses_the_channel(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    """400 "chat not found" (a wrong name, or a bot never added) is AuthFailed, not Permanent."""
    channel = telegram_channel(tmp_path, fake_telegram, TELEGRAM_CHANNEL="@nergens_te_vinden")

    with pytest.raises(AuthFailed) as caught:
        run(channel, lambda c: c.publish(POST, "key-1"))

    assert str(caught.value) == "@nergens_te_vinden: chat not found (is the bot in the channel?)"


def test_telegram_chat_not_found_on_delete_is_not_taken_for_a_gone_message(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    """Deleting in a chat that is not found raises AuthFailed; only a missing message is "gone"."""
    channel = telegram_channel(tmp_path, fake_telegram, TELEGRAM_CHANNEL="@nergens_te_vinden")

    with pytest.raises(AuthFailed, match="chat not found"):
        run(channel, lambda c: c.delete(POST, "text:1"))


@pytest.mark.parametrize("post", [POST, PHOTO_POST], ids=["text", "photo"])
def test_telegram_edit_that_changes_nothing_is_a_success(
    tmp_path: Path, fake_telegram: FakeTelegram, post: Post
) -> None:
    """ "message is not modified" on an edit (same summary again) is success, not an error."""
    channel = telegram_channel(tmp_path, fake_telegram)

    async def publish_then_edit(c: Channel) -> str | None:
        remote_id = (await c.publish(post, "key-1")).remote_id
        assert remote_id is not None
        await c.edit(post, remote_id)  # must not raise
        return remote_id

    remote_id = run(channel, publish_then_edit)

    method = "editMessageCaption" if post.image_url else "editMessageText"
    (edit,) = fake_telegram.requests_for(method)
    assert (edit.status, edit.description) == (400, ERR_NOT_MODIFIED)
    assert remote_id is not None
    message = fake_telegram.message(DEFAULT_CHANNEL_ID, int(remote_id.partition(":")[2]))
    assert not message.edited


def test_telegram_photo_message_is_edited_through_its_caption(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    """Editing a "photo:N" message uses editMessageCaption and the new caption arrives."""
    channel = telegram_channel(tmp_path, fake_telegram)
    changed = dataclasses.replace(PHOTO_POST, title="Storm voorbij, haven weer open")

    async def publish_then_edit(c: Channel) -> str | None:
        remote_id = (await c.publish(PHOTO_POST, "key-1")).remote_id
        assert remote_id is not None and remote_id.startswith("photo:")
        await c.edit(changed, remote_id)
        return remote_id

    remote_id = run(channel, publish_then_edit)

    assert remote_id is not None
    assert fake_telegram.requests_for("editMessageText") == []
    (edit,) = fake_telegram.requests_for("editMessageCaption")
    assert edit.status == 200
    message = fake_telegram.message(DEFAULT_CHANNEL_ID, int(remote_id.partition(":")[2]))
    assert message.kind == "photo" and message.edited
    assert message.caption is not None and "Storm voorbij, haven weer open" in message.caption


# --- Mastodon ------------------------------------------------------------------------


def test_mastodon_edit_of_a_vanished_status_is_permanent(
    tmp_path: Path, fake_mastodon: FakeMastodon
) -> None:
    """A 404 on edit (status deleted on the instance) is Permanent, naming the status."""
    channel = mastodon_channel(tmp_path, fake_mastodon)

    async def publish_delete_edit(c: Channel) -> str:
        remote_id = (await c.publish(POST, "key-1")).remote_id
        assert remote_id is not None
        await c.delete(POST, remote_id)
        changed = dataclasses.replace(POST, title="Nieuwe titel")
        with pytest.raises(Permanent) as caught:
            await c.edit(changed, remote_id)
        assert not isinstance(caught.value, AuthFailed)
        assert str(caught.value) == f"status {remote_id} no longer exists, it cannot be edited"
        return remote_id

    remote_id = run(channel, publish_delete_edit)

    # The edit reads the status first (to send its media again): that read is the 404.
    (read,) = fake_mastodon.requests_to("status_get")
    assert read.status == 404 and fake_mastodon.requests_to("status_update") == []
    assert fake_mastodon.status(remote_id).text.startswith(POST.title)


def test_mastodon_delete_of_a_vanished_status_is_a_success(
    tmp_path: Path, fake_mastodon: FakeMastodon, caplog: pytest.LogCaptureFixture
) -> None:
    """A 404 on delete means the status is already gone: no error, a note in the log."""
    caplog.set_level(logging.INFO, logger="bot.channels.mastodon")
    channel = mastodon_channel(tmp_path, fake_mastodon)

    async def delete_twice(c: Channel) -> str:
        remote_id = (await c.publish(POST, "key-1")).remote_id
        assert remote_id is not None
        await c.delete(POST, remote_id)
        await c.delete(POST, remote_id)  # must not raise
        return remote_id

    remote_id = run(channel, delete_twice)

    assert [r.status for r in fake_mastodon.requests_to("status_delete")] == [200, 404]
    assert f"status {remote_id} was already gone" in caplog.text


@pytest.mark.parametrize("how", ["dotdot", "symlink", "absolute"])
def test_mastodon_never_uploads_an_image_from_outside_the_site(
    tmp_path: Path, fake_mastodon: FakeMastodon, caplog: pytest.LogCaptureFixture, how: str
) -> None:
    """An image_path that resolves outside the site root is not read: the status goes without."""
    caplog.set_level(logging.WARNING, logger="bot.channels.mastodon")
    channel = mastodon_channel(tmp_path, fake_mastodon)
    secret = tmp_path / "secret.png"  # a real image, so only the guard can stop it
    secret.write_bytes(PNG)
    if how == "symlink":
        (tmp_path / "posts" / "assets").mkdir()
        (tmp_path / "posts" / "assets" / "storm.png").symlink_to(secret)
    image_path = {"dotdot": "../secret.png", "symlink": "assets/storm.png"}.get(how, str(secret))
    post = dataclasses.replace(POST, image_path=image_path)

    remote_id = run(channel, lambda c: c.publish(post, "key-1")).remote_id

    assert fake_mastodon.requests_to("media_upload") == []
    assert fake_mastodon.media == []
    assert remote_id is not None and fake_mastodon.status(remote_id).media_ids == []
    assert "is outside the site folder" in caplog.text


def test_mastodon_path_guard_does_not_touch_the_file(
    tmp_path: Path, fake_mastodon: FakeMastodon, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "../../etc/passwd" is refused before the file is opened or read (resolve may stat it)."""
    channel = mastodon_channel(tmp_path, fake_mastodon)
    touched: list[Path] = []
    for name in ("read_bytes", "open"):
        real = getattr(Path, name)

        def spy(self: Path, *args: Any, _real: Any = real, **kwargs: Any) -> Any:
            if self.name == "passwd":
                touched.append(self)
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(Path, name, spy)
    post = dataclasses.replace(POST, image_path="../../etc/passwd")

    remote_id = run(channel, lambda c: c.publish(post, "key-1")).remote_id

    assert touched == []
    assert fake_mastodon.requests_to("media_upload") == []
    assert remote_id is not None and fake_mastodon.status(remote_id).media_ids == []


# --- the worker's watcher ------------------------------------------------------------


def test_worker_falls_back_to_polling_when_file_events_fail(
    tmp_path: Path,
    fake_mastodon: FakeMastodon,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """When kernel events fail (the inotify watch limit, here), the worker polls and
    still publishes."""
    caplog.set_level(logging.INFO)
    import watchfiles
    from watchfiles import awatch as real_awatch

    calls: list[bool] = []
    polling_ready = asyncio.Event()  # the polling watcher has taken its first look

    class FullWatcher:
        def __init__(self, root: Path) -> None:
            calls.append(False)
            raise OSError(28, "No space left on device (the inotify watch limit)")

    async def failing_events(*paths: Any, **kwargs: Any) -> AsyncIterator[Any]:
        calls.append(bool(kwargs.get("force_polling")))
        if not kwargs.get("force_polling"):  # watchfiles' own inotify meets the same limit
            raise OSError(28, "inotify watch limit reached")
        changes = real_awatch(*paths, **kwargs)
        # The first step builds the watcher (and the poller's snapshot) before it awaits.
        first = asyncio.ensure_future(anext(changes))
        await asyncio.sleep(0)
        polling_ready.set()
        yield await first
        async for batch in changes:
            yield batch

    # bot.folder.watch imports awatch where it polls (a start on Linux does not need it)
    monkeypatch.setattr(watchfiles, "awatch", failing_events)
    monkeypatch.setattr(bot.folder.watch.events, "Watcher", FullWatcher)
    (tmp_path / "posts").mkdir()
    settings = load_settings(
        platform_env(tmp_path, None, fake_mastodon, WATCH_MODE="events"), tmp_path
    )
    store = Store(settings.state_db)
    worker = Worker(settings, store, build_channels(settings))

    async def go() -> None:
        task = asyncio.create_task(worker.run())
        try:
            await asyncio.wait_for(polling_ready.wait(), 10)
            while "watching" not in caplog.text:  # the start-up scan is over
                assert not task.done(), caplog.text
                await asyncio.sleep(0.01)
            write_post(
                tmp_path / "posts",
                "2026-11-20-nieuw.md",
                'title: Nieuw bericht\ndate: 2026-11-20 10:00:00 +0100\nexterne_link: "https://example.nl/n"',
            )
            while not fake_mastodon.statuses:
                assert not task.done(), caplog.text
                await asyncio.sleep(0.01)
        finally:
            worker.request_stop()
            assert await asyncio.wait_for(task, 15) == 0

    try:
        asyncio.run(asyncio.wait_for(go(), 30))
    finally:
        store.close()

    assert calls == [False, True]
    assert "file events do not work here" in caplog.text
    assert f"polling {settings.posts_dir} instead" in caplog.text
    (status,) = fake_mastodon.statuses
    assert status.text.startswith("Nieuw bericht")
