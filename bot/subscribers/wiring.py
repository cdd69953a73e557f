"""The private outbox wired to the channels' Bot and budget (TELEGRAM_SUBSCRIPTIONS=on),
and that budget for the readers' chat too."""

from __future__ import annotations

from collections.abc import Sequence

from bot.channels.base import Channel
from bot.channels.telegram_pace import Overall
from bot.config import Settings
from bot.state.store import Store
from bot.subscribers.sender import Sender


def token_budget(channels: Sequence[Channel]) -> Overall | None:
    """The bot token's 30-a-second budget the Telegram channels share, if there are any."""
    # Asked of each channel, not by its class: importing the Telegram channel here (the
    # python-telegram-bot library, 0.2 s) would slow every start without Telegram.
    budgets = (getattr(channel, "overall", None) for channel in channels)
    return next((budget for budget in budgets if isinstance(budget, Overall)), None)


def private_sender(
    settings: Settings,
    store: Store,
    channels: Sequence[Channel],
    budget: Overall | None = None,
) -> Sender | None:
    """The sender, sharing the Bot and the token's budget with the Telegram channels (a
    bot without channels here gets its own Bot) and the chat's replies (`budget`, else
    the channels'); None when subscriptions are off."""
    telegram = settings.telegram
    if telegram is None or not telegram.subscriptions or not telegram.commands:
        return None
    from bot.channels.telegram import TelegramChannel
    from bot.channels.telegram_bot import make_bot
    from bot.channels.telegram_pace import PAID_PER_SECOND, Overall
    from bot.channels.telegram_private import PrivateChats

    shared = next((c for c in channels if isinstance(c, TelegramChannel)), None)
    bot = shared.bot if shared is not None else make_bot(telegram)
    overall = budget or token_budget(channels) or Overall()
    if telegram.paid_broadcast:
        overall.per_second = PAID_PER_SECOND
    chats = PrivateChats(telegram, settings.language, bot, owned=shared is None)
    return Sender(store, chats, overall, secrets=settings.secrets)
