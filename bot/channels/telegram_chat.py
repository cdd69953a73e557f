"""The chat a Telegram destination posts into: the forum topic a post goes to, the error
when that topic does not exist, and `check`'s look at the bot's rights and the forum's
topics, without posting anything.

Telegram numbers a forum topic by the id of the message that created it. The General
topic (1) is reached by sending without a thread id; named, it is "not found", like a
topic that does not exist. A thread id sent to a chat that is not a forum is ignored
(tdlib/telegram-bot-api, Client::check_message_topic).
"""

from __future__ import annotations

from telegram import Bot, ChatFullInfo, ChatMember, ReplyParameters
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest

from bot.channels.base import Permanent
from bot.routing.destinations import Destination

GENERAL_TOPIC = 1
# A reply to a message no chat can have (ids are 32-bit, counted up from 1): the Bot API
# server checks the topic before the replied message, so its refusal says whether the
# topic exists, and nothing is posted. sendChatAction cannot tell: it answers True for
# a topic that is gone (tdlib/telegram-bot-api#732), and the server does not look.
_NO_SUCH_MESSAGE = 2**31 - 1


def thread_id(chosen: tuple[str, int] | None) -> int | None:
    """The message_thread_id to send with (rules.topic_choice's thread); None: General."""
    if chosen is None or chosen[1] == GENERAL_TOPIC:
        return None
    return chosen[1]


def missing_topic(
    error: Permanent, destination: Destination | None, chosen: tuple[str, int] | None
) -> Permanent | None:
    """A refusal for want of the topic, as an error naming the destination and the
    category that chose it; None when the refusal was for something else."""
    if destination is None or chosen is None or "thread not found" not in str(error).lower():
        return None
    category, thread = chosen
    which = 'the "*" topic' if category == "*" else f'the topic of category "{category}"'
    return Permanent(
        f'destination "{destination.name}": {which}, {thread}, does not exist in'
        f" {destination.target} (Telegram: message thread not found); fix its topics"
        " in postbode.toml, then `postbode retry`"
    )


def posting_refused(member: ChatMember, chat: ChatFullInfo, bot_name: str | None) -> str | None:
    """Why the bot may not post in the chat, or None: in a channel it must be an
    administrator who may post; in a group, a member who is not muted."""
    status = member.status
    if status == ChatMemberStatus.OWNER:
        return None
    if chat.type == ChatType.CHANNEL:
        if status != ChatMemberStatus.ADMINISTRATOR:
            return f"@{bot_name} is not an administrator of {chat.id} (status: {status})"
        if getattr(member, "can_post_messages", None) is False:
            return f"@{bot_name} is an administrator of {chat.id} but may not post messages"
        return None
    if status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
        return f"@{bot_name} is not a member of {chat.id} (status: {status})"
    if getattr(member, "can_send_messages", None) is False:
        return f"@{bot_name} may not send messages in {chat.id}"
    return None


async def missing_topics(bot: Bot, chat: ChatFullInfo, destination: Destination) -> str | None:
    """For a destination with topics: the chat is a forum and has each of them."""
    if not chat.is_forum:
        return f"{destination.target} is not a forum supergroup: its topics cannot be used"
    categories: dict[int, list[str]] = {}
    for category, thread in destination.topics.items():
        categories.setdefault(thread, []).append(category)
    missing = [
        f"{thread} ({', '.join(sorted(names))})"
        for thread, names in sorted(categories.items())
        if thread != GENERAL_TOPIC and not await _topic_exists(bot, chat.id, thread)
    ]
    if missing:
        return f"{destination.target} has no topic {'; no topic '.join(missing)}"
    return None


async def _topic_exists(bot: Bot, chat_id: int, thread: int) -> bool:
    try:
        sent = await bot.send_message(
            chat_id,
            "postbode check",
            message_thread_id=thread,
            disable_notification=True,
            reply_parameters=ReplyParameters(_NO_SUCH_MESSAGE, allow_sending_without_reply=False),
        )
    except BadRequest as error:
        if "thread not found" in error.message.lower():
            return False
        if "replied not found" in error.message.lower():
            return True
        raise
    # Only if Telegram ever looked at the reply first, and the message existed.
    await bot.delete_message(chat_id, sent.message_id)
    return True
