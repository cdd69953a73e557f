"""Inline mode for the fake Telegram Bot API (a mixin of FakeTelegram): inline queries
injected by the test, and ``answerInlineQuery`` checked as Telegram checks it.

What it checks (Bot API #answerinlinequery, #inlinequeryresultarticle): the query is one
the fake sent, answered once, within its lifetime (``inline_query_lifetime`` seconds of the
fake's clock; Telegram's is not documented, about ten seconds in practice); at most 50
results; each a known type with an id of 1-64 bytes, unique in the answer; an article has
a title and an ``input_message_content`` whose text parses as Telegram HTML (the strict
parser in tests/telegram_html.py) within 4096 UTF-16 units; ``next_offset`` at most 64
bytes; a ``button`` has a text and a start parameter of 1-64 characters of A-Z a-z 0-9 _ -.
The error texts are Telegram's where they are known (RESULTS_TOO_MUCH, RESULT_ID_DUPLICATE,
MESSAGE_EMPTY, "query is too old ..."), else close to them.

Only InlineQueryResultArticle with InputTextMessageContent is modelled in depth; other
result types are refused, as postbode sends none.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tests.telegram_html import TelegramHTMLError, strip_text, utf16_len
from tests.telegram_html import parse as parse_html

if TYPE_CHECKING:
    from tests.fakes.telegram import FakeUser, _Call

MAX_RESULTS = 50
MAX_ID_BYTES = 64
MAX_OFFSET_BYTES = 64
TEXT_LIMIT = 4096
_START_PARAMETER = re.compile(r"[A-Za-z0-9_-]{1,64}")
_RESULT_TYPES = frozenset({"article"})


@dataclass(frozen=True)
class InlineAnswer:
    """An answerInlineQuery the fake accepted: its results as sent, and the visible text
    of each result's message (after parsing)."""

    query_id: str
    results: list[dict[str, Any]]
    texts: list[str]
    next_offset: str
    cache_time: int | None
    is_personal: bool
    button: dict[str, Any] | None


class InlineQueries:
    """Mixed into FakeTelegram (which provides the lock, the clock and injection)."""

    inline_query_lifetime = 10.0
    _cond: threading.Condition
    _lock: threading.RLock

    def _setup_inline(self) -> None:
        self._inline_ids = itertools.count(7_000_000_000_000_001)
        self._inline_open: dict[str, float] = {}  # query id -> when it expires
        self._inline_answers: dict[str, InlineAnswer] = {}

    # -- the test's side ---------------------------------------------------------------

    def inject_inline_query(
        self,
        user: FakeUser | int | None,
        query: str,
        *,
        offset: str = "",
        chat_type: str = "sender",
        token: str | None = None,
    ) -> dict[str, Any]:
        """A user types ``@bot query`` in a chat; returns the Update (its
        ``inline_query.id`` is what answerInlineQuery answers)."""
        with self._cond:
            sender = self._as_user(user)
            query_id = str(next(self._inline_ids))
            self._inline_open[query_id] = self.clock() + self.inline_query_lifetime
            inline = {
                "id": query_id,
                "from": sender.to_api(),
                "query": query,
                "offset": offset,
                "chat_type": chat_type,
            }
            return self.inject_update({"inline_query": inline}, token=token)

    @property
    def inline_answers(self) -> dict[str, InlineAnswer]:
        with self._lock:
            return dict(self._inline_answers)

    def wait_for_inline_answer(self, update: dict[str, Any], timeout: float = 10) -> InlineAnswer:
        """The answer to an injected inline query, once the bot has given it."""
        query_id = update["inline_query"]["id"]
        self.wait_for(
            lambda fake: query_id in fake.inline_answers, timeout, f"an answer to {query_id}"
        )
        return self.inline_answers[query_id]

    # -- the Bot API method ------------------------------------------------------------

    def _m_answerInlineQuery(self, call: _Call) -> Any:
        from tests.fakes.telegram import ERR_QUERY_TOO_OLD, _ApiError

        params = call.params
        query_id = str(params.get("inline_query_id") or "")
        expires = self._inline_open.get(query_id)
        if expires is None or call.now > expires:
            raise _ApiError(400, ERR_QUERY_TOO_OLD)
        results = _json(params.get("results"), "results")
        if not isinstance(results, list):
            raise _ApiError(400, "Bad Request: can't parse inline query results JSON object")
        if len(results) > MAX_RESULTS:
            raise _ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        texts, seen = [], set()
        for result in results:
            texts.append(self._check_result(result, seen))
        next_offset = str(params.get("next_offset") or "")
        if len(next_offset.encode()) > MAX_OFFSET_BYTES:
            raise _ApiError(400, "Bad Request: NEXT_OFFSET_INVALID")
        button = _json(params.get("button"), "button")
        if button is not None:
            if not isinstance(button, dict) or not str(button.get("text") or "").strip():
                raise _ApiError(400, "Bad Request: BUTTON_TEXT_INVALID")
            start = button.get("start_parameter")
            if start is not None and not _START_PARAMETER.fullmatch(str(start)):
                raise _ApiError(400, "Bad Request: START_PARAM_INVALID")
        cache_time = params.get("cache_time")
        if cache_time is not None and (not isinstance(cache_time, int) or cache_time < 0):
            raise _ApiError(400, 'Bad Request: invalid value of the parameter "cache_time"')
        personal = params.get("is_personal")
        del self._inline_open[query_id]  # answered once
        self._inline_answers[query_id] = InlineAnswer(
            query_id,
            results,
            texts,
            next_offset,
            cache_time,
            personal in (True, "true", "True", "1"),
            button,
        )
        return True

    def _check_result(self, result: Any, seen: set[str]) -> str:
        """One result's checks; the visible text of its message."""
        from tests.fakes.telegram import _ApiError

        if not isinstance(result, dict) or result.get("type") not in _RESULT_TYPES:
            raise _ApiError(400, "Bad Request: RESULT_TYPE_INVALID")
        result_id = result.get("id")
        if not isinstance(result_id, str) or not 1 <= len(result_id.encode()) <= MAX_ID_BYTES:
            raise _ApiError(400, "Bad Request: RESULT_ID_INVALID")
        if result_id in seen:
            raise _ApiError(400, "Bad Request: RESULT_ID_DUPLICATE")
        seen.add(result_id)
        if not str(result.get("title") or "").strip():
            raise _ApiError(400, "Bad Request: RESULT_TITLE_EMPTY")
        content = result.get("input_message_content")
        if not isinstance(content, dict) or "message_text" not in content:
            raise _ApiError(400, "Bad Request: SEND_MESSAGE_MEDIA_INVALID")
        raw = str(content["message_text"])
        if str(content.get("parse_mode") or "").lower() == "html":
            try:
                text, _ = parse_html(raw, strict=self.strict_html, strip=True)
            except TelegramHTMLError as err:
                raise _ApiError(400, f"Bad Request: can't parse entities: {err.detail}") from None
        else:
            text, _ = strip_text(raw, [])
        if not text:
            raise _ApiError(400, "Bad Request: MESSAGE_EMPTY")
        if utf16_len(text) > TEXT_LIMIT:
            raise _ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        for key in ("url", "thumbnail_url"):
            value = result.get(key)
            if value is not None and not re.match(r"https?://[^\s/]+", str(value)):
                raise _ApiError(400, f"Bad Request: {key.upper()}_INVALID")
        return text


def _json(value: Any, name: str) -> Any:
    """A parameter PTB sends JSON-encoded in a form (or already decoded, from JSON)."""
    from tests.fakes.telegram import _ApiError

    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        raise _ApiError(400, f'Bad Request: invalid value of the parameter "{name}"') from None
