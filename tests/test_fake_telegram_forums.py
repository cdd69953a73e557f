"""The fake Telegram's forum supergroups behave like the Bot API's, for the real client."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Bot, ReplyParameters
from telegram.error import BadRequest

from tests.fakes.telegram import DEFAULT_CHANNEL_ID, GENERAL_TOPIC, FakeTelegram
from tests.test_fake_telegram import with_bot

FORUM = -1009876543210


@pytest.fixture
def forum(fake_telegram: FakeTelegram) -> dict[str, int]:
    """A forum with two topics besides General; their thread ids by name."""
    chat = fake_telegram.add_forum(FORUM, "Redactie", topics=("Sport", "Politiek"))
    return {name: thread for thread, name in chat.topics.items()}


def test_a_forum_numbers_its_topics_as_telegram_does(
    fake_telegram: FakeTelegram, forum: dict[str, int]
) -> None:
    """General is thread 1; each topic's thread id is the id of the message that made it,
    and getChat says the chat is a forum."""

    async def action(bot: Bot) -> Any:
        return await bot.get_chat(FORUM)

    assert forum == {"Sport": 2, "Politiek": 3}
    chat = with_bot(fake_telegram, action)
    assert (chat.type, chat.is_forum) == ("supergroup", True)


def test_a_message_lands_in_its_topic_or_in_general(
    fake_telegram: FakeTelegram, forum: dict[str, int]
) -> None:
    """With a thread id the message is a topic message there; without one it is in General."""

    async def action(bot: Bot) -> list[Any]:
        in_topic = await bot.send_message(FORUM, "sport", message_thread_id=forum["Sport"])
        general = await bot.send_message(FORUM, "algemeen")
        return [in_topic, general]

    in_topic, general = with_bot(fake_telegram, action)
    assert (in_topic.message_thread_id, in_topic.is_topic_message) == (forum["Sport"], True)
    assert (general.message_thread_id, general.is_topic_message) == (None, None)
    stored = fake_telegram.sent_messages(FORUM)
    assert [(m.text, m.message_thread_id) for m in stored] == [
        ("sport", forum["Sport"]),
        ("algemeen", None),
    ]


@pytest.mark.parametrize("thread", [GENERAL_TOPIC, 99, "deleted"])
def test_a_thread_that_is_not_a_topic_is_not_found(
    fake_telegram: FakeTelegram, forum: dict[str, int], thread: int | str
) -> None:
    """A topic that does not exist (or no longer), and General named by its id, answer
    400 "message thread not found" (tdlib/telegram-bot-api check_message_topic)."""
    if thread == "deleted":
        fake_telegram.delete_topic(FORUM, forum["Politiek"])
        thread = forum["Politiek"]

    async def action(bot: Bot) -> None:
        await bot.send_photo(FORUM, "https://example.nl/a.png", message_thread_id=int(thread))

    with pytest.raises(BadRequest, match=r"^Message thread not found$"):
        with_bot(fake_telegram, action)
    assert fake_telegram.sent_messages(FORUM) == []


def test_a_thread_id_outside_a_forum_is_ignored(fake_telegram: FakeTelegram) -> None:
    """A channel has no topics: the Bot API server ignores the thread id and the message
    lands in the channel."""

    async def action(bot: Bot) -> Any:
        return await bot.send_message(DEFAULT_CHANNEL_ID, "x", message_thread_id=7)

    message = with_bot(fake_telegram, action)
    assert message.message_thread_id is None
    assert [m.message_thread_id for m in fake_telegram.sent_messages(DEFAULT_CHANNEL_ID)] == [None]


@pytest.mark.parametrize(
    ("thread", "answer"),
    [("Sport", "Message to be replied not found"), (99, "Message thread not found")],
)
def test_the_topic_is_checked_before_the_reply(
    fake_telegram: FakeTelegram, forum: dict[str, int], thread: int | str, answer: str
) -> None:
    """A reply to a message that is not there is refused after the topic is checked, so
    either refusal tells whether the topic exists, and nothing is posted."""
    thread_id = forum[thread] if isinstance(thread, str) else thread

    async def action(bot: Bot) -> None:
        await bot.send_message(
            FORUM,
            "probe",
            message_thread_id=thread_id,
            reply_parameters=ReplyParameters(2**31 - 1, allow_sending_without_reply=False),
        )

    with pytest.raises(BadRequest, match=rf"^{answer}$"):
        with_bot(fake_telegram, action)
    assert fake_telegram.sent_messages(FORUM) == []


def test_an_edit_keeps_the_message_in_its_topic(
    fake_telegram: FakeTelegram, forum: dict[str, int]
) -> None:
    """editMessageText takes no thread id: the message stays in its topic."""

    async def action(bot: Bot) -> Any:
        sent = await bot.send_message(FORUM, "eerst", message_thread_id=forum["Politiek"])
        return await bot.edit_message_text("daarna", chat_id=FORUM, message_id=sent.message_id)

    edited = with_bot(fake_telegram, action)
    assert edited.message_thread_id == forum["Politiek"]
    (stored,) = fake_telegram.sent_messages(FORUM)
    assert (stored.text, stored.message_thread_id, stored.edited) == (
        "daarna",
        forum["Politiek"],
        True,
    )
