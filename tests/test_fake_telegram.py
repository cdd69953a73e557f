"""The fake Telegram server behaves like the Bot API for the real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import pytest
from telegram import (
    Bot,
    ChatMemberAdministrator,
    ChatMemberLeft,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from tests.fakes.telegram import (
    DEFAULT_CHANNEL_ID,
    DEFAULT_TOKEN,
    ERR_NOT_MODIFIED,
    FakeChat,
    FakeTelegram,
    FakeUser,
)
from tests.fakes.telegram_fixtures import retry_after_seconds
from tests.telegram_html import Entity

TOKEN = DEFAULT_TOKEN
CHANNEL = DEFAULT_CHANNEL_ID
T = TypeVar("T")


@pytest.fixture(autouse=True)
def _timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB_TIMEDELTA=1 so RetryAfter is constructed without a deprecation warning."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


def make_bot(fake: FakeTelegram, token: str = TOKEN, timeout: float = 2.0) -> Bot:
    """A real PTB Bot against the fake, with short timeouts so failures are fast."""

    def request() -> HTTPXRequest:
        return HTTPXRequest(
            connect_timeout=timeout,
            read_timeout=timeout,
            write_timeout=timeout,
            pool_timeout=timeout,
            media_write_timeout=timeout,
        )

    return Bot(token, base_url=f"{fake.url}/bot", request=request(), get_updates_request=request())


def with_bot(
    fake: FakeTelegram, action: Callable[[Bot], Awaitable[T]], *, timeout: float = 2.0
) -> T:
    """Run ``action(bot)`` on an initialized bot in a fresh event loop."""

    async def main() -> T:
        async with make_bot(fake, timeout=timeout) as bot:
            return await action(bot)

    return asyncio.run(main())


def raw(
    fake: FakeTelegram,
    method: str,
    *,
    token: str = TOKEN,
    json_body: dict[str, Any] | None = None,
    form: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    files: dict[str, tuple[str, bytes, str]] | None = None,
    timeout: float = 5.0,
) -> tuple[int, dict[str, Any]]:
    """A plain HTTP call, to test encodings PTB does not use."""
    with httpx.Client(trust_env=False, timeout=timeout) as client:
        url = f"{fake.url}/bot{token}/{method}"
        if query is not None:
            resp = client.get(url, params=query)
        else:
            resp = client.post(url, json=json_body, data=form, files=files)
    return resp.status_code, resp.json()


# --- basics ---------------------------------------------------------------------------


def test_get_me_builds_bot_user(fake_telegram: FakeTelegram) -> None:
    """getMe returns a User PTB accepts, with the bot's username and id from the token."""

    async def action(bot: Bot) -> tuple[str | None, int, bool]:
        me = await bot.get_me()
        return me.username, me.id, me.is_bot

    assert with_bot(fake_telegram, action) == ("postbode_test_bot", 123456, True)


def test_send_message_html_stores_text_and_entities(fake_telegram: FakeTelegram) -> None:
    """sendMessage with HTML stores visible text and UTF-16 entities, returned to PTB too."""

    async def action(bot: Bot) -> Any:
        return await bot.send_message(
            CHANNEL, "😀 <b>Nieuw</b> &amp; <i>mooi</i>", parse_mode="HTML"
        )

    msg = with_bot(fake_telegram, action)
    assert msg.text == "😀 Nieuw & mooi"
    assert [(e.type, e.offset, e.length) for e in msg.entities] == [
        ("bold", 3, 5),
        ("italic", 11, 4),
    ]
    assert msg.chat.type == "channel" and msg.sender_chat.id == CHANNEL
    stored = fake_telegram.sent_messages(CHANNEL)
    assert [(m.message_id, m.text, m.entities) for m in stored] == [
        (1, "😀 Nieuw & mooi", (Entity("bold", 3, 5), Entity("italic", 11, 4)))
    ]
    assert stored[0].raw == "😀 <b>Nieuw</b> &amp; <i>mooi</i>"


def test_channel_username_resolves(fake_telegram: FakeTelegram) -> None:
    """A channel can be addressed as @username, case-insensitively."""

    async def action(bot: Bot) -> int:
        msg = await bot.send_message("@Postbode_Test", "hallo")
        return msg.chat.id

    assert with_bot(fake_telegram, action) == CHANNEL
    assert fake_telegram.messages[CHANNEL][0].text == "hallo"


def test_message_ids_increase_per_chat(fake_telegram: FakeTelegram) -> None:
    """Message ids count up from 1 in each chat separately."""
    fake_telegram.add_channel(-1002, "tweede")

    async def action(bot: Bot) -> list[int]:
        ids = []
        for chat in (CHANNEL, CHANNEL, -1002):
            ids.append((await bot.send_message(chat, "x")).message_id)
        return ids

    assert with_bot(fake_telegram, action) == [1, 2, 1]


# --- validation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markup", "message"),
    [
        ("<p>Hallo</p>", 'Can\'t parse entities: unsupported start tag "p" at byte offset 0'),
        ("a&nbsp;b", 'Can\'t parse entities: unsupported html entity "&nbsp;" at byte offset 1'),
        (
            "<b><i>x</b></i>",
            "Can't parse entities: unmatched end tag at byte offset 7, "
            'expected "</i>", found "</b>"',
        ),
        ("<b>open", "Can't parse entities: can't find end tag corresponding to start tag \"b\""),
    ],
)
def test_bad_html_is_bad_request(fake_telegram: FakeTelegram, markup: str, message: str) -> None:
    """Bad HTML gets 400 "can't parse entities" (PTB lower-cases it) and nothing is sent."""

    async def action(bot: Bot) -> None:
        await bot.send_message(CHANNEL, markup, parse_mode="HTML")

    with pytest.raises(BadRequest) as info:
        with_bot(fake_telegram, action)
    assert info.value.message == message
    assert fake_telegram.sent_messages(CHANNEL) == []
    assert fake_telegram.requests_for("sendMessage")[-1].status == 400


def test_parse_mode_is_case_insensitive(fake_telegram: FakeTelegram) -> None:
    """parse_mode "html" parses like "HTML"."""
    status, body = raw(
        fake_telegram,
        "sendMessage",
        json_body={"chat_id": CHANNEL, "text": "<b>x</b>", "parse_mode": "html"},
    )
    assert status == 200
    assert body["result"]["entities"] == [{"type": "bold", "offset": 0, "length": 1}]


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("a" * 4096, True),
        ("a" * 4097, False),
        ("😀" * 2048, True),  # 4096 UTF-16 units
        ("😀" * 2048 + "a", False),
        ("<b>" + "a" * 4096 + "</b>", True),  # markup does not count
        ("\n  " + "a" * 4096 + "  \n", True),  # outer whitespace is trimmed first
        ("&amp;" * 4097, False),
    ],
)
def test_text_length_limit_in_utf16_units(fake_telegram: FakeTelegram, text: str, ok: bool) -> None:
    """Text over 4096 UTF-16 units after parsing gets "message is too long"."""

    async def action(bot: Bot) -> None:
        await bot.send_message(CHANNEL, text, parse_mode="HTML")

    if ok:
        with_bot(fake_telegram, action)
        assert len(fake_telegram.sent_messages(CHANNEL)) == 1
    else:
        with pytest.raises(BadRequest, match=r"^Message is too long$"):
            with_bot(fake_telegram, action)
        assert fake_telegram.sent_messages(CHANNEL) == []


@pytest.mark.parametrize("text", ["", "   \n ", "<b> </b>"])
def test_empty_text_is_rejected(fake_telegram: FakeTelegram, text: str) -> None:
    """Text that is empty after parsing and trimming gets "message text is empty"."""
    status, body = raw(
        fake_telegram,
        "sendMessage",
        json_body={"chat_id": CHANNEL, "text": text, "parse_mode": "HTML"},
    )
    assert (status, body["description"]) == (400, "Bad Request: message text is empty")


def test_caption_limit_1024(fake_telegram: FakeTelegram) -> None:
    """Captions may hold 1024 UTF-16 units; one more gets "message caption is too long"."""
    url = "https://example.com/a.jpg"

    async def action(bot: Bot) -> str:
        await bot.send_photo(CHANNEL, url, caption="😀" * 512, parse_mode="HTML")
        try:
            await bot.send_photo(CHANNEL, url, caption="😀" * 512 + ".", parse_mode="HTML")
        except BadRequest as err:
            return err.message
        return "accepted"

    assert with_bot(fake_telegram, action) == "Message caption is too long"
    assert [m.caption for m in fake_telegram.sent_messages(CHANNEL)] == ["😀" * 512]


def test_unknown_parse_mode_is_rejected(fake_telegram: FakeTelegram) -> None:
    """An unknown parse_mode gets Telegram's "unsupported parse_mode"."""
    status, body = raw(
        fake_telegram,
        "sendMessage",
        json_body={"chat_id": CHANNEL, "text": "x", "parse_mode": "BBCode"},
    )
    assert (status, body["description"]) == (400, "Bad Request: unsupported parse_mode")


# --- photos ---------------------------------------------------------------------------


def test_send_photo_by_url_and_upload(fake_telegram: FakeTelegram) -> None:
    """sendPhoto accepts a URL (form) and an uploaded file (multipart), with caption entities."""

    async def action(bot: Bot) -> tuple[Any, Any]:
        by_url = await bot.send_photo(
            CHANNEL, "https://example.com/cover.jpg", caption="<i>Omslag ✓</i>", parse_mode="HTML"
        )
        upload = await bot.send_photo(CHANNEL, b"\x89PNG not really", caption="geüpload 😀")
        return by_url, upload

    by_url, upload = with_bot(fake_telegram, action)
    assert by_url.caption == "Omslag ✓" and by_url.caption_entities[0].type == "italic"
    assert upload.caption == "geüpload 😀" and upload.photo[-1].file_id
    first, second = fake_telegram.sent_messages(CHANNEL)
    assert (first.kind, first.photo, first.entities) == (
        "photo",
        "https://example.com/cover.jpg",
        (Entity("italic", 0, 8),),
    )
    assert second.photo is not None and second.photo.startswith("attach:")
    assert second.caption == "geüpload 😀"


def test_send_photo_reuses_file_id_and_rejects_bad_ids(fake_telegram: FakeTelegram) -> None:
    """A returned file_id can be sent again; an unknown one is a BadRequest."""

    async def action(bot: Bot) -> str:
        first = await bot.send_photo(CHANNEL, "https://example.com/x.jpg")
        await bot.send_photo(CHANNEL, first.photo[-1].file_id)
        try:
            await bot.send_photo(CHANNEL, "not-a-file-id")
        except BadRequest as err:
            return err.message
        return "accepted"

    assert with_bot(fake_telegram, action) == "Wrong file identifier/http url specified"
    assert len(fake_telegram.sent_messages(CHANNEL)) == 2


def test_send_photo_unreachable_url(fake_telegram: FakeTelegram) -> None:
    """A URL Telegram cannot fetch gets "failed to get HTTP URL content"."""
    fake_telegram.bad_photo_urls.add("https://example.com/404.jpg")
    status, body = raw(
        fake_telegram,
        "sendPhoto",
        json_body={"chat_id": CHANNEL, "photo": "https://example.com/404.jpg"},
    )
    assert (status, body["description"]) == (400, "Bad Request: failed to get HTTP URL content")


# --- edit and delete ------------------------------------------------------------------


def test_edit_message_text(fake_telegram: FakeTelegram) -> None:
    """Edits change the stored text; same content is "not modified"; unknown id is "not found"."""

    async def action(bot: Bot) -> list[str]:
        msg = await bot.send_message(CHANNEL, "<b>oud</b>", parse_mode="HTML")
        edited = await bot.edit_message_text(
            "<b>nieuw</b>", CHANNEL, msg.message_id, parse_mode="HTML"
        )
        assert isinstance(edited, Message)
        errors = [str(edited.text)]
        for message_id in (msg.message_id, 999):
            try:
                await bot.edit_message_text("<b>nieuw</b>", CHANNEL, message_id, parse_mode="HTML")
            except BadRequest as err:
                errors.append(err.message)
        return errors

    assert with_bot(fake_telegram, action) == [
        "nieuw",
        ERR_NOT_MODIFIED.removeprefix("Bad Request: ").capitalize(),
        "Message to edit not found",
    ]
    (stored,) = fake_telegram.sent_messages(CHANNEL)
    assert (stored.text, stored.edited, stored.edit_count) == ("nieuw", True, 1)


def test_edit_with_different_entities_is_a_change(fake_telegram: FakeTelegram) -> None:
    """Same text with other formatting is a real edit, not "not modified"."""

    async def action(bot: Bot) -> Any:
        msg = await bot.send_message(CHANNEL, "<b>x</b>", parse_mode="HTML")
        return await bot.edit_message_text("<i>x</i>", CHANNEL, msg.message_id, parse_mode="HTML")

    assert with_bot(fake_telegram, action).entities[0].type == "italic"


def test_edit_kind_mismatch(fake_telegram: FakeTelegram) -> None:
    """editMessageText on a photo and editMessageCaption on text fail like Telegram."""

    async def action(bot: Bot) -> list[str]:
        text = await bot.send_message(CHANNEL, "tekst")
        photo = await bot.send_photo(CHANNEL, "https://example.com/p.jpg", caption="oud")
        errors = []
        try:
            await bot.edit_message_text("x", CHANNEL, photo.message_id)
        except BadRequest as err:
            errors.append(err.message)
        try:
            await bot.edit_message_caption(CHANNEL, text.message_id, caption="x")
        except BadRequest as err:
            errors.append(err.message)
        edited = await bot.edit_message_caption(CHANNEL, photo.message_id, caption="nieuw")
        assert isinstance(edited, Message)
        errors.append(str(edited.caption))
        return errors

    assert with_bot(fake_telegram, action) == [
        "There is no text in the message to edit",
        "There is no caption in the message to edit",
        "nieuw",
    ]


def test_delete_message(fake_telegram: FakeTelegram) -> None:
    """deleteMessage flags the message; deleting it again is "message to delete not found"."""

    async def action(bot: Bot) -> tuple[bool, str]:
        msg = await bot.send_message(CHANNEL, "weg")
        ok = await bot.delete_message(CHANNEL, msg.message_id)
        try:
            await bot.delete_message(CHANNEL, msg.message_id)
        except BadRequest as err:
            return ok, err.message
        return ok, "deleted twice"

    assert with_bot(fake_telegram, action) == (True, "Message to delete not found")
    assert fake_telegram.sent_messages(CHANNEL)[0].deleted is True


def test_edit_of_deleted_message_is_not_found(fake_telegram: FakeTelegram) -> None:
    """A deleted message can no longer be edited."""

    async def action(bot: Bot) -> str:
        msg = await bot.send_message(CHANNEL, "weg")
        await bot.delete_message(CHANNEL, msg.message_id)
        try:
            await bot.edit_message_text("terug", CHANNEL, msg.message_id)
        except BadRequest as err:
            return err.message
        return "edited"

    assert with_bot(fake_telegram, action) == "Message to edit not found"


# --- auth and chats -------------------------------------------------------------------


@pytest.mark.parametrize(("token", "status"), [("999:wrong-token", 401), ("garbage", 404)])
def test_wrong_token_is_invalid_token(fake_telegram: FakeTelegram, token: str, status: int) -> None:
    """A wrong token gets 401 (404 if malformed), which PTB raises as InvalidToken."""

    async def main() -> None:
        bot = make_bot(fake_telegram, token=token)
        try:
            await bot.initialize()  # calls getMe
        finally:
            await bot.shutdown()

    with pytest.raises(InvalidToken):
        asyncio.run(main())
    assert [r.status for r in fake_telegram.requests] == [status]


def test_unknown_chat_is_bad_request(fake_telegram: FakeTelegram) -> None:
    """Sending to a chat the fake does not know gets "chat not found"."""

    async def action(bot: Bot) -> None:
        await bot.send_message(-1009999, "x")

    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        with_bot(fake_telegram, action)


def test_bot_not_in_channel_is_forbidden(fake_telegram: FakeTelegram) -> None:
    """A channel where the bot is not an administrator gives Forbidden."""
    fake_telegram.add_channel(-1005, "vreemd", admin=False)

    async def action(bot: Bot) -> None:
        await bot.send_message("@vreemd", "x")

    with pytest.raises(Forbidden, match="bot is not a member of the channel chat"):
        with_bot(fake_telegram, action)


def test_admin_without_post_right_is_bad_request(fake_telegram: FakeTelegram) -> None:
    """An administrator without can_post_messages needs administrator rights."""
    fake_telegram.add_channel(-1006, can_post_messages=False)

    async def action(bot: Bot) -> None:
        await bot.send_message(-1006, "x")

    with pytest.raises(BadRequest, match=r"^Need administrator rights in the channel chat$"):
        with_bot(fake_telegram, action)


def test_removed_mid_test_then_forbidden(fake_telegram: FakeTelegram) -> None:
    """set_bot_status changes what the bot may do at runtime (kicked -> Forbidden)."""

    async def action(bot: Bot) -> str:
        await bot.send_message(CHANNEL, "eerst")
        fake_telegram.set_bot_status(CHANNEL, "kicked")
        try:
            await bot.send_message(CHANNEL, "daarna")
        except Forbidden as err:
            return err.message
        return "sent"

    assert with_bot(fake_telegram, action) == "Forbidden: bot was kicked from the channel chat"


def test_get_chat_and_bot_membership(fake_telegram: FakeTelegram) -> None:
    """getChat and getChatMember give PTB objects showing the bot's rights."""
    fake_telegram.add_channel(-1007, admin=False)

    async def action(bot: Bot) -> tuple[Any, Any, Any]:
        chat = await bot.get_chat("@postbode_test")
        admin = await bot.get_chat_member(CHANNEL, bot.id)
        left = await bot.get_chat_member(-1007, bot.id)
        return chat, admin, left

    chat, admin, left = with_bot(fake_telegram, action)
    assert (chat.id, chat.type, chat.username) == (CHANNEL, "channel", "postbode_test")
    assert isinstance(admin, ChatMemberAdministrator) and admin.can_post_messages is True
    assert isinstance(left, ChatMemberLeft)


# --- rate limits ----------------------------------------------------------------------


class ManualClock:
    """A clock the test moves by hand, so time windows need no sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_per_chat_limit_gives_retry_after_and_counts_violations() -> None:
    """Over the per-chat limit: 429 with retry_after; writes before it expires are violations."""
    clock = ManualClock()
    other = FakeChat(-1002, "channel", title="Andere")
    default = FakeChat(CHANNEL, "channel", username="postbode_test")
    with FakeTelegram(per_chat_per_minute=3, clock=clock, chats=[default, other]) as fake:

        async def action(bot: Bot) -> list[float]:
            waits: list[float] = []
            for _ in range(3):
                await bot.send_message(CHANNEL, "x")
                clock.now += 10
            await bot.send_message(-1002, "andere chat telt apart")
            for _ in range(2):
                try:
                    await bot.send_message(CHANNEL, "te veel")
                except RetryAfter as err:
                    assert isinstance(err.retry_after, dtm.timedelta)
                    waits.append(retry_after_seconds(err.retry_after))
            clock.now += 30  # first send left the window at +60: exactly now
            await bot.send_message(CHANNEL, "weer toegestaan")
            return waits

        # first send at 1000, now 1030: it leaves the 60 s window at 1060.
        assert with_bot(fake, action) == [30.0, 30.0]
        assert fake.violations == 1
        assert fake.violation_log[0].chat == CHANNEL
        assert len(fake.sent_messages(CHANNEL)) == 4


def test_global_limit_blocks_the_whole_bot() -> None:
    """Over global_per_second: 429 retry_after 1, and any chat is then blocked."""
    clock = ManualClock()
    chats = [FakeChat(-1000 - i, "channel") for i in range(3)]
    with FakeTelegram(global_per_second=2, clock=clock, chats=chats) as fake:

        async def action(bot: Bot) -> list[str]:
            results = []
            for chat in (-1000, -1001, -1002, -1000):
                try:
                    await bot.send_message(chat, "x")
                    results.append("ok")
                except RetryAfter as err:
                    results.append(f"429:{retry_after_seconds(err.retry_after):g}")
            clock.now += 1
            await bot.send_message(-1002, "x")
            return results

        assert with_bot(fake, action) == ["ok", "ok", "429:1", "429:1"]
        assert fake.violations == 1


def test_rate_limit_next_and_runtime_limits() -> None:
    """rate_limit_next forces 429s; requests inside the window are violations, later ones not."""
    clock = ManualClock()
    with FakeTelegram(clock=clock) as fake:
        fake.rate_limit_next(retry_after=7)

        async def action(bot: Bot) -> list[float]:
            waits = []
            for step in (0, 6, 1):
                clock.now += step
                try:
                    await bot.send_message(CHANNEL, "x")
                except RetryAfter as err:
                    waits.append(retry_after_seconds(err.retry_after))
            return waits

        assert with_bot(fake, action) == [7.0, 1.0]  # second try 1 s too early
        assert fake.violations == 1
        assert [r.status for r in fake.requests_for("sendMessage")] == [429, 429, 200]
        fake.set_rate_limits(per_chat_per_minute=1)
        status, body = raw(fake, "sendMessage", json_body={"chat_id": CHANNEL, "text": "y"})
        assert (status, body["parameters"]["retry_after"]) == (429, 60)


def test_retry_after_without_ptb_timedelta_warns(
    fake_telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PTB quirk: without PTB_TIMEDELTA, building RetryAfter itself warns (int seconds)."""
    monkeypatch.delenv("PTB_TIMEDELTA")
    fake_telegram.rate_limit_next(retry_after=5)

    async def action(bot: Bot) -> None:
        await bot.send_message(CHANNEL, "x")

    with pytest.warns(PTBDeprecationWarning), pytest.raises(RetryAfter) as info:
        with_bot(fake_telegram, action)
    with pytest.warns(PTBDeprecationWarning):
        assert info.value.retry_after == 5
    with pytest.warns(PTBDeprecationWarning):
        assert retry_after_seconds(info.value.retry_after) == 5.0


# --- failure injection ----------------------------------------------------------------


@pytest.mark.parametrize(("kind", "status"), [("500", 500), ("502", 502), ("drop", None)])
def test_injected_failures_raise_network_error(
    fake_telegram: FakeTelegram, kind: str, status: int | None
) -> None:
    """5xx and dropped connections surface as NetworkError (not BadRequest); nothing is sent."""
    fake_telegram.fail_next(kind)

    async def action(bot: Bot) -> tuple[str, str]:
        try:
            await bot.send_message(CHANNEL, "eerste poging")
        except BadRequest:
            raise
        except NetworkError as err:
            first = type(err).__name__
        second = await bot.send_message(CHANNEL, "tweede poging")
        return first, str(second.text)

    assert with_bot(fake_telegram, action) == ("NetworkError", "tweede poging")
    assert [m.text for m in fake_telegram.sent_messages(CHANNEL)] == ["tweede poging"]
    first = fake_telegram.requests_for("sendMessage")[0]
    assert (first.failure, first.status) == (kind, status)


def test_timeout_failure_raises_timed_out(fake_telegram: FakeTelegram) -> None:
    """A held request makes PTB raise TimedOut; the message was not sent."""
    fake_telegram.fail_next("timeout")

    async def action(bot: Bot) -> str:
        with pytest.raises(TimedOut):
            await bot.send_message(CHANNEL, "x")
        return str((await bot.send_message(CHANNEL, "y")).text)

    assert with_bot(fake_telegram, action, timeout=0.3) == "y"
    assert [m.text for m in fake_telegram.sent_messages(CHANNEL)] == ["y"]


def test_accept_then_drop_creates_a_duplicate_risk(fake_telegram: FakeTelegram) -> None:
    """accept_then_drop: the client sees NetworkError but the message exists."""
    fake_telegram.fail_next("accept_then_drop")

    async def action(bot: Bot) -> None:
        await bot.send_message(CHANNEL, "toch verstuurd")

    with pytest.raises(NetworkError) as info:
        with_bot(fake_telegram, action)
    assert not isinstance(info.value, BadRequest)
    assert [m.text for m in fake_telegram.sent_messages(CHANNEL)] == ["toch verstuurd"]


def test_failures_only_hit_fail_methods(fake_telegram: FakeTelegram) -> None:
    """Injected failures skip getMe/getUpdates and wait for the next write."""
    fake_telegram.fail_next("500")

    async def action(bot: Bot) -> str:
        await bot.get_updates(timeout=0)
        await bot.get_me()
        try:
            await bot.send_message(CHANNEL, "x")
        except NetworkError as err:
            return type(err).__name__
        return "sent"

    assert with_bot(fake_telegram, action) == "NetworkError"
    assert [r.failure for r in fake_telegram.requests] == [None, None, None, "500"]


def test_failure_rate_is_seeded_and_bounded(fake_telegram: FakeTelegram) -> None:
    """set_failure_rate with a seed fails a reproducible share of writes; rate 0 stops it."""

    def pattern() -> list[int]:
        fake_telegram.set_failure_rate(0.5, kinds=["500"], seed=42)
        return [
            raw(fake_telegram, "sendMessage", json_body={"chat_id": CHANNEL, "text": "x"})[0]
            for _ in range(12)
        ]

    fake_telegram.set_rate_limits(per_chat_per_minute=0, global_per_second=0)
    first, second = pattern(), pattern()
    assert first == second and set(first) == {200, 500}
    fake_telegram.set_failure_rate(0.0)
    assert raw(fake_telegram, "sendMessage", json_body={"chat_id": CHANNEL, "text": "x"})[0] == 200


def post_held(fake: FakeTelegram) -> tuple[threading.Thread, list[str]]:
    """A sendMessage on a thread of its own, once the fake holds it; its outcome then."""
    fake.fail_next("timeout")
    outcome: list[str] = []

    def client() -> None:
        with httpx.Client(trust_env=False, timeout=10) as http:
            try:
                http.post(f"{fake.url}/bot{TOKEN}/sendMessage", json={"chat_id": CHANNEL})
                outcome.append("answered")
            except httpx.HTTPError as err:
                outcome.append(type(err).__name__)

    thread = threading.Thread(target=client)
    thread.start()
    fake.wait_for_requests("sendMessage", 1, timeout=5)
    return thread, outcome


@pytest.mark.parametrize("end", ["stop", "release_holds"])
def test_a_held_request_ends_promptly_as_a_dropped_connection(end: str) -> None:
    """stop() returns quickly even while a 'timeout' request is being held;
    release_holds() ends that request as quickly, and only that: the fake goes on."""
    fake = FakeTelegram(timeout_hold=30).start()
    try:
        thread, outcome = post_held(fake)
        started = time.monotonic()
        getattr(fake, end)()
        thread.join(timeout=5)
        assert time.monotonic() - started < 2
        assert outcome == ["RemoteProtocolError"]
        if end == "release_holds":
            body = {"chat_id": CHANNEL, "text": "x"}
            assert raw(fake, "sendMessage", json_body=body)[0] == 200
    finally:
        fake.stop()


# --- updates --------------------------------------------------------------------------


def test_long_poll_returns_injected_message(fake_telegram: FakeTelegram) -> None:
    """A waiting getUpdates returns as soon as a message is injected; offset confirms it."""
    user = FakeUser(id=4242, first_name="Bob", username="bob")

    async def action(bot: Bot) -> tuple[Any, tuple[Update, ...]]:
        poll = asyncio.create_task(bot.get_updates(timeout=5))
        await asyncio.to_thread(fake_telegram.wait_for, lambda f: f.polling == 1, 5)
        fake_telegram.inject_message(4242, user, "/latest@postbode_test_bot 3")
        updates = await poll
        again = await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
        return updates, again

    updates, again = with_bot(fake_telegram, action)
    (update,) = updates
    assert update.message is not None and update.message.text == "/latest@postbode_test_bot 3"
    assert update.message.chat.type == "private" and update.effective_user.first_name == "Bob"
    assert [(e.type, e.offset, e.length) for e in update.message.entities] == [
        ("bot_command", 0, 25)  # "/latest" + "@postbode_test_bot"
    ]
    assert again == ()
    assert fake_telegram.pending_updates() == []


def test_second_poller_conflicts_first(fake_telegram: FakeTelegram) -> None:
    """A second getUpdates while one waits ends the first with 409 Conflict."""
    results: list[tuple[int, dict[str, Any]]] = []
    thread = threading.Thread(
        target=lambda: results.append(raw(fake_telegram, "getUpdates", json_body={"timeout": 5}))
    )
    thread.start()
    fake_telegram.wait_for(lambda f: f.polling == 1, timeout=5)
    assert raw(fake_telegram, "getUpdates", json_body={"timeout": 0})[0] == 200
    thread.join(timeout=5)
    assert results[0][0] == 409
    assert results[0][1]["description"].startswith("Conflict: terminated by other getUpdates")


def test_callback_query_round_trip(fake_telegram: FakeTelegram) -> None:
    """An injected button press reaches PTB; answerCallbackQuery is recorded once."""
    fake_telegram.add_private_chat(FakeUser())
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Jekyll", callback_data="cat:jekyll")]])

    async def action(bot: Bot) -> tuple[str | None, str]:
        await bot.send_message(1001, "Kies:", reply_markup=keyboard)
        fake_telegram.inject_callback_query(1001, None, "cat:jekyll")
        (update,) = await bot.get_updates(timeout=0)
        query = update.callback_query
        assert query is not None and query.message is not None
        await bot.answer_callback_query(query.id, text="ok")
        try:
            await bot.answer_callback_query(query.id)
        except BadRequest as err:
            return query.data, err.message
        return query.data, "answered twice"

    data, error = with_bot(fake_telegram, action)
    assert data == "cat:jekyll"
    assert error.startswith("Query is too old")
    assert [a["text"] for a in fake_telegram.callback_answers.values()] == ["ok"]


def test_application_polling_replies_to_command(fake_telegram: FakeTelegram) -> None:
    """A real PTB Application polls the fake, handles /start and replies in the private chat."""

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.effective_user is not None
        await update.message.reply_text(
            f"<b>Hallo</b> {update.effective_user.first_name}", parse_mode="HTML"
        )

    async def main() -> list[Any]:
        app = ApplicationBuilder().token(TOKEN).base_url(f"{fake_telegram.url}/bot").build()
        app.add_handler(CommandHandler("start", start))
        async with app:
            await app.updater.start_polling(poll_interval=0)  # type: ignore[union-attr]
            await app.start()
            fake_telegram.inject_message(2002, FakeUser(id=2002, first_name="Carla"), "/start")
            replies = await asyncio.to_thread(fake_telegram.wait_for_messages, 2002, 1, 5)
            await app.updater.stop()  # type: ignore[union-attr]
            await app.stop()
        return replies

    (reply,) = asyncio.run(main())
    assert (reply.text, reply.entities) == ("Hallo Carla", (Entity("bold", 0, 5),))
    assert fake_telegram.replies_to(2002) == [reply]
    assert "deleteWebhook" in [r.method for r in fake_telegram.requests]


def test_commands_and_webhook(fake_telegram: FakeTelegram) -> None:
    """setMyCommands/getMyCommands round-trip; invalid commands and drop_pending behave."""
    fake_telegram.inject_message(1001, None, "/help")

    async def action(bot: Bot) -> tuple[list[str], str, int]:
        await bot.set_my_commands([("latest", "Nieuwste posts"), ("category", "Per categorie")])
        names = [c.command for c in await bot.get_my_commands()]
        try:
            await bot.set_my_commands([("Bad-Name", "x")])
        except BadRequest as err:
            error = err.message
        await bot.delete_webhook(drop_pending_updates=True)
        return names, error, len(await bot.get_updates(timeout=0))

    assert with_bot(fake_telegram, action) == (["latest", "category"], "Bot_command_invalid", 0)
    assert [c["command"] for c in fake_telegram.commands()] == ["latest", "category"]


@pytest.mark.parametrize(
    ("language", "error"),
    [
        ("de", None),
        ("", None),
        ("zh-hans", "Invalid language code specified"),
        ("pt_BR", "Invalid language code specified"),
        ("deu", "Invalid language code specified"),
    ],
)
def test_commands_per_language(
    fake_telegram: FakeTelegram, language: str, error: str | None
) -> None:
    """A menu per language_code, which is two letters or none, as Telegram takes it."""

    async def action(bot: Bot) -> str | None:
        try:
            await bot.set_my_commands([("latest", "Neueste Artikel")], language_code=language)
        except BadRequest as err:
            return err.message
        return None

    assert with_bot(fake_telegram, action) == error
    menu = [{"command": "latest", "description": "Neueste Artikel"}] if error is None else []
    assert fake_telegram.commands(language=language) == menu
    assert fake_telegram.commands() == ([] if language else menu)  # the default is apart


# --- transport ------------------------------------------------------------------------


def test_all_request_encodings_are_understood(fake_telegram: FakeTelegram) -> None:
    """JSON, form-urlencoded, query-string GET and multipart all reach the same handler."""
    text = "<b>Één</b> 😀"
    calls: list[dict[str, Any]] = [
        {"json_body": {"chat_id": CHANNEL, "text": text, "parse_mode": "HTML"}},
        {"form": {"chat_id": str(CHANNEL), "text": text, "parse_mode": "HTML"}},
        {"query": {"chat_id": "@postbode_test", "text": text, "parse_mode": "HTML"}},
        {
            "form": {"chat_id": str(CHANNEL), "text": text, "parse_mode": "HTML"},
            "files": {"unused": ("a.txt", b"x", "text/plain")},
        },
    ]
    for call in calls:
        status, body = raw(fake_telegram, "sendMessage", **call)
        assert status == 200, body
    stored = fake_telegram.sent_messages(CHANNEL)
    assert {(m.text, m.entities) for m in stored} == {("Één 😀", (Entity("bold", 0, 3),))}
    assert len(stored) == 4


def test_unknown_method_is_not_found(fake_telegram: FakeTelegram) -> None:
    """An unknown method is 404 "Not Found", like Telegram."""
    status, body = raw(fake_telegram, "sendCarrierPigeon", json_body={})
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})


def test_requests_are_recorded_without_token_in_repr(fake_telegram: FakeTelegram) -> None:
    """Every request is recorded with method, params, status, chat; repr hides the token."""
    raw(fake_telegram, "sendMessage", json_body={"chat_id": "@postbode_test", "text": "x"})
    (record,) = fake_telegram.requests
    assert (record.method, record.status, record.chat, record.token) == (
        "sendMessage",
        200,
        CHANNEL,
        TOKEN,
    )
    assert record.params["text"] == "x"
    assert TOKEN not in repr(record)


def test_nothing_logged_with_token(
    fake_telegram: FakeTelegram, capfd: pytest.CaptureFixture[str]
) -> None:
    """The fake writes nothing to stdout/stderr, so the token never reaches the logs."""
    raw(
        fake_telegram,
        "sendMessage",
        json_body={"chat_id": CHANNEL, "text": "<p>", "parse_mode": "HTML"},
    )
    raw(fake_telegram, "getMe", token="1:bad")
    fake_telegram.fail_next("drop")
    with pytest.raises(httpx.RemoteProtocolError):
        raw(fake_telegram, "sendMessage", json_body={"chat_id": CHANNEL, "text": "x"})
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
    assert len(fake_telegram.requests) == 3


def test_wait_for_times_out_with_summary(fake_telegram: FakeTelegram) -> None:
    """wait_for raises AssertionError naming what was awaited and the recent requests."""
    raw(
        fake_telegram,
        "sendMessage",
        json_body={"chat_id": CHANNEL, "text": "<p>", "parse_mode": "HTML"},
    )
    with pytest.raises(AssertionError) as info:
        fake_telegram.wait_for_messages(CHANNEL, 1, timeout=0.05)
    message = str(info.value)
    assert "1 bot message(s) in chat" in message
    assert "sendMessage" in message and "can't parse entities" in message
    assert TOKEN not in message


def test_records_are_json_friendly_for_debugging(fake_telegram: FakeTelegram) -> None:
    """Recorded params of a PTB call are decoded to Python types, not JSON strings."""

    async def action(bot: Bot) -> None:
        await bot.send_message(
            CHANNEL,
            "x",
            disable_notification=True,
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("a", url="https://a.nl")]]),
        )

    with_bot(fake_telegram, action)
    params = fake_telegram.requests_for("sendMessage")[0].params
    assert params["chat_id"] == CHANNEL and params["disable_notification"] is True
    assert json.loads(json.dumps(params["reply_markup"]))["inline_keyboard"][0][0]["text"] == "a"
