"""What the fake Bot API does in users' private chats (a mixin of FakeTelegram).

* flood control as Telegram describes it for bots (Bot API FAQ, "My bot is hitting
  limits"): about one message a second into one private chat, and the bot's
  ``global_per_second`` overall; Telegram's 20 a minute is for groups, not for private
  chats. Past either limit the answer is a 429 with ``retry_after``, and every write
  before it runs out is a violation;
* ``allow_paid_broadcast``: such a message is held to ``paid_per_second`` (1000), not to
  the free limit, and does not count against it; they are counted in ``paid_messages``;
* readers who left: ``set_bot_status(user, "kicked")`` is a user who blocked the bot
  ("Forbidden: bot was blocked by the user"), ``deactivate_user`` one who deleted their
  account ("Forbidden: user is deactivated").
"""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from tests.fakes.telegram import FakeChat

PRIVATE_INTERVAL = 1.0  # seconds between two messages into one private chat
PAID_PER_SECOND = 1000


class _Fake(Protocol):
    """What the mixin uses of FakeTelegram."""

    global_per_second: int | None
    _bot_sends: dict[str, deque[float]]
    _chat_sends: dict[tuple[str, int], deque[float]]
    _blocks: dict[tuple[str, int | None], tuple[float, bool]]

    def _find_chat(self, chat: int | str | None) -> FakeChat | None: ...


class PrivateChats:
    """Limits and leavers of private chats; FakeTelegram calls `_private_limits` for a
    send into a private chat and `_count_send` for every send that went through."""

    # Off unless a test turns it on (`fake.private_interval = PRIVATE_INTERVAL`): replies to
    # commands in a quick conversation would wait a second each.
    private_interval: float = 0.0
    paid_per_second: int = PAID_PER_SECOND

    def _private_state(self) -> dict[str, Any]:
        state: dict[str, Any] | None = getattr(self, "_private", None)
        if state is None:
            state = {"paid": {}, "paid_messages": 0, "too_fast": 0}
            self._private = state
        return state

    @property
    def paid_messages(self) -> int:
        """Messages sent with allow_paid_broadcast (each costs Stars on Telegram)."""
        return int(self._private_state()["paid_messages"])

    @property
    def private_too_fast(self) -> int:
        """Sends refused because they came within a second of the chat's last one."""
        return int(self._private_state()["too_fast"])

    def deactivate_user(self: _Fake, user_id: int) -> None:
        """The user deleted their account: sends to them are refused with a 403."""
        chat = self._find_chat(user_id)
        if chat is None or chat.type != "private":
            raise KeyError(user_id)
        chat.bot_status = "deactivated"

    def _private_limits(
        self: Any, token: str, chat: FakeChat, params: dict[str, Any], now: float
    ) -> float | None:
        """retry_after for a send into a private chat that would pass a limit (and the
        block it starts), else None."""
        state = self._private_state()
        paid = bool(params.get("allow_paid_broadcast"))
        limit = self.paid_per_second if paid else self.global_per_second
        window = state["paid"].setdefault(token, deque()) if paid else self._free(token)
        if limit:
            while window and window[0] <= now - 1.0:
                window.popleft()
            if len(window) >= limit:
                wait = max(1, math.ceil(window[0] + 1.0 - now))
                self._blocks[(token, None)] = (now + wait, True)
                return float(wait)
        last = self._chat_sends.get((token, chat.id))
        if self.private_interval and last and now - last[-1] < self.private_interval:
            state["too_fast"] += 1
            wait = max(1, math.ceil(last[-1] + self.private_interval - now))
            self._blocks[(token, chat.id)] = (now + wait, True)
            return float(wait)
        return None

    def _free(self: Any, token: str) -> deque[float]:
        sends: deque[float] = self._bot_sends.setdefault(token, deque())
        return sends

    def _count_send(
        self: Any, token: str, chat: FakeChat, params: dict[str, Any], now: float
    ) -> None:
        """A send went through: it counts for its chat, and against the free limit unless
        it was a paid broadcast."""
        self._chat_sends.setdefault((token, chat.id), deque()).append(now)
        if chat.type == "private" and params.get("allow_paid_broadcast"):
            state = self._private_state()
            state["paid"].setdefault(token, deque()).append(now)
            state["paid_messages"] += 1
        else:
            self._free(token).append(now)
