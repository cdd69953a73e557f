"""A fake Telegram Bot API server on 127.0.0.1 for tests (SPEC.md §9, PLATFORMS.md §A).

Real clients (python-telegram-bot's ``Bot``/``Application``) talk HTTP to it::

    with FakeTelegram() as fake:
        bot = telegram.Bot(DEFAULT_TOKEN, base_url=f"{fake.url}/bot")

Requests arrive as ``{fake.url}/bot{token}/{method}``. Parameters are read from the
query string and from JSON, form-urlencoded or multipart bodies (python-telegram-bot 22
sends form-urlencoded with non-string values JSON-encoded, or multipart when uploading).

What it models, on purpose (everything else is simplified):

* tokens (401/404), chats and the bot's rights in them, messages with ids per chat;
* forum supergroups (``add_forum``): topics whose ``message_thread_id`` is the id of the
  message that created them, as Telegram numbers them; a message sent without a thread id
  lands in the General topic (thread 1, which cannot be named: "message thread not
  found", as for a topic that does not exist); a thread id sent to a chat that is not a
  forum is ignored, as the Bot API server does (``check_message_topic``);
* replies: a ``reply_parameters`` message that is not in the chat is refused ("message to
  be replied not found") unless ``allow_sending_without_reply``; the topic is checked
  first, as the Bot API server does;
* HTML parse mode through the strict parser in ``tests/telegram_html.py``; length limits
  4096/1024 counted in UTF-16 units after parsing and trimming;
* flood control: ``per_chat_per_minute`` sends per chat in a sliding window, and
  ``global_per_second`` sends per bot; a 429 carries ``retry_after`` and every write to
  that chat (or, after a global 429, to any chat) before it expires is a *violation*;
* injected failures (5xx, dropped connections, timeouts, send-then-drop) for the write
  methods in ``fail_methods`` only, so ``getUpdates`` polling never eats them;
* long-polling ``getUpdates`` with updates injected by the test.

Not modelled: Markdown parse modes (text is stored as sent), automatic url/mention
entities, the 48 h edit/delete limits, file downloads, webhooks (only deleteWebhook and
getWebhookInfo exist), inline messages, closed topics, the forum methods (topics are made
by the test), replies quoted into another chat or topic.

Nothing here logs: request lines contain the bot token. Server-side exceptions are kept in
``server_errors`` (the fixture fails the test if any happened).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, unquote

from tests.fakes.server import (
    TRANSPORT_FAILURES,
    FakeServer,
    NotAnObject,
    Reply,
    Request,
    UploadedFile,
    decode_body,
    lose_answer,
    skip_reply,
)
from tests.fakes.telegram_inline import InlineQueries
from tests.fakes.telegram_private import PrivateChats
from tests.telegram_html import Entity, TelegramHTMLError, strip_text, utf16_len
from tests.telegram_html import parse as parse_html

__all__ = [
    "BOT_USERNAME",
    "CAPTION_LIMIT",
    "COUNTED_METHODS",
    "DEFAULT_CHANNEL_ID",
    "DEFAULT_CHANNEL_USERNAME",
    "DEFAULT_FAIL_METHODS",
    "DEFAULT_TOKEN",
    "ERR_CONFLICT",
    "ERR_NOT_MODIFIED",
    "ERR_QUERY_TOO_OLD",
    "ERR_REPLY_NOT_FOUND",
    "ERR_THREAD_NOT_FOUND",
    "FAILURE_KINDS",
    "GENERAL_TOPIC",
    "TEXT_LIMIT",
    "FakeChat",
    "FakeTelegram",
    "FakeUser",
    "RequestRecord",
    "SentMessage",
    "UploadedFile",
    "Violation",
]

DEFAULT_TOKEN = "123456:TEST-token"
BOT_USERNAME = "postbode_test_bot"
DEFAULT_CHANNEL_ID = -1001234567890
DEFAULT_CHANNEL_USERNAME = "postbode_test"
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
GENERAL_TOPIC = 1  # a forum's General topic: reached by sending without message_thread_id
FAILURE_KINDS = frozenset({"500", "502", *TRANSPORT_FAILURES})
DEFAULT_FAIL_METHODS = frozenset(
    {"sendMessage", "sendPhoto", "editMessageText", "editMessageCaption", "deleteMessage"}
)
# Sends that count towards the flood limits (edits and deletes do not, in this fake).
COUNTED_METHODS = frozenset({"sendMessage", "sendPhoto"})

ERR_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
ERR_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
ERR_QUERY_TOO_OLD = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)
ERR_THREAD_NOT_FOUND = "Bad Request: message thread not found"
ERR_REPLY_NOT_FOUND = "Bad Request: message to be replied not found"
_BAD_GATEWAY_BODY = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
_PATH = re.compile(r"/bot([^/]+)/([A-Za-z0-9_]+)/?")
_TOKEN_SHAPE = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")
_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_BOT_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
# setMyCommands & co.: "a two-letter ISO 639-1 language code" or none; "zh-hans" is refused.
_COMMANDS_LANGUAGE = re.compile(r"(?:[a-z]{2})?")
# Update types Telegram leaves out when allowed_updates is not set (Bot API #getupdates).
_NOT_DEFAULT_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

# How parameters sent as strings (query, form, multipart) are typed, as Telegram types them.
_INT_PARAMS = frozenset(
    {"message_id", "offset", "limit", "user_id", "message_thread_id", "cache_time"}
)
_FLOAT_PARAMS = frozenset({"timeout"})
_BOOL_PARAMS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "allow_paid_broadcast",
        "show_alert",
        "drop_pending_updates",
        "disable_web_page_preview",
        "show_caption_above_media",
        "has_spoiler",
    }
)
_JSON_PARAMS = frozenset(
    {
        "entities",
        "caption_entities",
        "reply_markup",
        "link_preview_options",
        "reply_parameters",
        "commands",
        "scope",
        "allowed_updates",
    }
)


# --- records --------------------------------------------------------------------------


@dataclass
class FakeChat:
    """A chat the fake knows, and the bot's standing in it."""

    id: int
    type: str = "channel"  # channel | supergroup | group | private
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    bot_status: str = "administrator"  # administrator | member | left | kicked
    can_post_messages: bool = True
    is_forum: bool = False  # a supergroup with topics
    topics: dict[int, str] = field(default_factory=dict)  # message_thread_id -> name

    def to_api(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.is_forum:
            out["is_forum"] = True
        return out


@dataclass(frozen=True)
class FakeUser:
    """A (human) Telegram user for injected updates."""

    id: int = 1001
    first_name: str = "Alice"
    username: str | None = "alice"
    language_code: str | None = "en"
    is_bot: bool = False

    def to_api(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.username:
            out["username"] = self.username
        if self.language_code:
            out["language_code"] = self.language_code
        return out


@dataclass(frozen=True)
class RequestRecord:
    """One request as the fake saw it. The token is kept out of repr (assertion output)."""

    time: float  # the fake's clock (time.monotonic by default) when the request arrived
    method: str
    token: str = field(repr=False)
    params: Mapping[str, Any]
    status: int | None  # None: no HTTP answer (dropped or held connection)
    chat: int | None
    failure: str | None = None  # injected kind, or "429" for any flood-control answer
    description: str | None = None  # the error description, if any


@dataclass(frozen=True)
class SentMessage:
    """A message in a chat: sent by a bot through the API, or injected as a user's."""

    chat_id: int
    message_id: int
    date: int
    kind: str  # "text" | "photo"
    text: str | None  # visible text (after parsing and trimming) of a text message
    caption: str | None  # visible caption of a photo message
    entities: tuple[Entity, ...]  # entities of the text, or of the caption
    raw: str | None  # text/caption exactly as sent (e.g. the HTML source)
    parse_mode: str | None
    photo: str | None  # URL or file_id sent, or "attach:<filename>" for an upload
    photo_file_id: str | None
    reply_markup: Mapping[str, Any] | None
    from_bot: bool
    sender: Mapping[str, Any] = field(repr=False)
    params: Mapping[str, Any] = field(repr=False, default_factory=dict)
    edited: bool = False
    edit_count: int = 0
    edit_date: int | None = None
    deleted: bool = False
    message_thread_id: int | None = None  # its forum topic; None: General, or no forum

    @property
    def content(self) -> str | None:
        """Text of a text message, caption of a photo."""
        return self.text if self.kind == "text" else self.caption


@dataclass(frozen=True)
class Violation:
    """A write that arrived while a retry_after given for its chat had not expired."""

    time: float
    method: str
    chat: int | None
    remaining: float


class _ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def _json_reply(status: int, payload: Mapping[str, Any]) -> Reply:
    return Reply(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"))


def _error_reply(code: int, description: str, parameters: dict[str, Any] | None = None) -> Reply:
    payload: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        payload["parameters"] = parameters
    return _json_reply(code, payload)


def _internal_error() -> Reply:
    return _error_reply(500, "Internal Server Error")


def _decode_params(request: Request) -> dict[str, Any]:
    """Merge query-string and body parameters (JSON, form-urlencoded or multipart)."""
    raw: dict[str, Any] = dict(parse_qsl(request.query, keep_blank_values=True))
    try:  # form-urlencoded is also what curl and PTB 22 send
        body = decode_body(
            request.content_type, request.body or b"", strict=False, is_file=_is_upload
        )
    except NotAnObject:
        raise _ApiError(400, "Bad Request: request body must be a JSON object") from None
    raw.update(body.fields)
    return {key: _coerce(key, value) for key, value in raw.items()}


def _is_upload(part: UploadedFile) -> bool:
    """A file, for Telegram, is any part with a filename or a type other than text."""
    return part.filename is not None or (part.content_type or "text/plain") != "text/plain"


def _coerce(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        if key == "chat_id":
            return int(value) if re.fullmatch(r"-?[0-9]+", value) else value
        if key in _INT_PARAMS:
            return int(value)
        if key in _FLOAT_PARAMS:
            return float(value)
        if key in _BOOL_PARAMS:
            return value.lower() in ("true", "1")
        if key in _JSON_PARAMS:
            return json.loads(value)
    except ValueError:
        raise _ApiError(400, f'Bad Request: invalid value of the parameter "{key}"') from None
    return value


def _photo_sizes(file_id: str) -> list[dict[str, Any]]:
    unique = hashlib.sha1(file_id.encode()).hexdigest()[:16]
    return [
        {"file_id": file_id, "file_unique_id": unique + "s", "width": 90, "height": 60},
        {
            "file_id": file_id,
            "file_unique_id": unique,
            "width": 1280,
            "height": 853,
            "file_size": 123456,
        },
    ]


def _inline_only(markup: Any) -> dict[str, Any] | None:
    """Messages carry only inline keyboards; other markups are not stored."""
    if isinstance(markup, dict) and "inline_keyboard" in markup:
        return markup
    return None


def _entity_from_api(data: Mapping[str, Any]) -> Entity:
    return Entity(
        str(data["type"]),
        int(data["offset"]),
        int(data["length"]),
        url=data.get("url"),
        language=data.get("language"),
        custom_emoji_id=data.get("custom_emoji_id"),
        unix_time=data.get("unix_time"),
        date_time_format=data.get("date_time_format"),
    )


# --- the fake ---------------------------------------------------------------------------


class FakeTelegram(InlineQueries, PrivateChats, FakeServer[RequestRecord]):
    """Bot API server on 127.0.0.1 with an ephemeral port; see the module docstring."""

    def __init__(
        self,
        tokens: Iterable[str] = (DEFAULT_TOKEN,),
        *,
        chats: Iterable[FakeChat] | None = None,
        per_chat_per_minute: int | None = 20,
        global_per_second: int | None = 30,
        per_chat_window: float = 60.0,
        fail_methods: Iterable[str] = DEFAULT_FAIL_METHODS,
        strict_html: bool = True,
        timeout_hold: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        bot_username: str = BOT_USERNAME,
    ) -> None:
        super().__init__(FAILURE_KINDS, seed=None)
        self.tokens: list[str] = list(tokens)
        for token in self.tokens:
            if not _TOKEN_SHAPE.fullmatch(token):
                raise ValueError("tokens look like '<bot id>:<secret>'")  # no token in the text
        self.per_chat_per_minute = per_chat_per_minute
        self.global_per_second = global_per_second
        self.per_chat_window = per_chat_window
        self.fail_methods: set[str] = set(fail_methods)
        self.rate_limit_methods: set[str] = set(DEFAULT_FAIL_METHODS)
        self.strict_html = strict_html
        self.timeout_hold = timeout_hold
        self.clock = clock
        self.bot_username = bot_username
        # A bad photo URL makes sendPhoto fail as if Telegram could not download it.
        self.bad_photo_urls: set[str] = set()

        self._chats: dict[int, FakeChat] = {}
        self._members: dict[int, set[int]] = {}
        self._messages: dict[int, dict[int, SentMessage]] = {}
        self._next_message_id: dict[int, int] = {}
        self._violations: list[Violation] = []
        self._updates: dict[str, list[dict[str, Any]]] = {t: [] for t in self.tokens}
        self._allowed_updates: dict[str, list[str] | None] = {}
        self._update_ids = itertools.count(100_000_001)
        self._poll_generation: dict[str, int] = {}
        self._polling = 0
        self._callback_ids = itertools.count(4_000_000_000_000_001)
        self._open_queries: set[str] = set()
        self._callback_answers: dict[str, dict[str, Any]] = {}
        self._commands: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        self._file_ids: set[str] = set()
        self._migrated: dict[int, int] = {}  # group id -> the supergroup it became
        self._chat_sends: dict[tuple[str, int], deque[float]] = {}
        self._bot_sends: dict[str, deque[float]] = {}
        # (token, chat id or None for the whole bot) -> (until, retry_after was an integer)
        self._blocks: dict[tuple[str, int | None], tuple[float, bool]] = {}
        self._setup_inline()  # inline queries: tests/fakes/telegram_inline.py
        # The Bot API methods (_m_<name>), by lower-case name: Telegram ignores the case.
        self._methods: dict[str, tuple[str, Callable[[_Call], Any]]] = {
            name[3:].lower(): (name[3:], getattr(self, name))
            for name in dir(self)
            if name.startswith("_m_")
        }

        default = [
            FakeChat(
                DEFAULT_CHANNEL_ID,
                "channel",
                title="Postbode Test Channel",
                username=DEFAULT_CHANNEL_USERNAME,
            )
        ]
        for chat in default if chats is None else chats:
            self._chats[chat.id] = replace(chat)

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> FakeTelegram:
        """Bind 127.0.0.1 on an ephemeral port and serve in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("FakeTelegram already started")
        return super().start()

    def _hold_seconds(self) -> float:
        return self.timeout_hold

    def _crash_reply(self) -> Reply:
        return _internal_error()

    # -- configuration -----------------------------------------------------------------

    def add_channel(
        self,
        chat_id: int,
        username: str | None = None,
        *,
        title: str | None = None,
        admin: bool = True,
        can_post_messages: bool = True,
    ) -> FakeChat:
        """A channel; ``admin=False`` means the bot is not in it at all (status "left")."""
        chat = FakeChat(
            chat_id,
            "channel",
            title=title or f"Channel {chat_id}",
            username=username.lstrip("@") if username else None,
            bot_status="administrator" if admin else "left",
            can_post_messages=can_post_messages,
        )
        with self._cond:
            self._chats[chat_id] = chat
        return replace(chat)

    def add_group(
        self,
        chat_id: int,
        title: str = "Test group",
        *,
        bot_status: str = "member",
        username: str | None = None,
    ) -> FakeChat:
        """A group (supergroup when the id has the -100 prefix)."""
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        chat = FakeChat(chat_id, kind, title=title, username=username, bot_status=bot_status)
        with self._cond:
            self._chats[chat_id] = chat
        return replace(chat)

    def add_forum(
        self,
        chat_id: int,
        title: str = "Test forum",
        *,
        topics: Iterable[str] = (),
        bot_status: str = "administrator",
        username: str | None = None,
    ) -> FakeChat:
        """A forum supergroup (``-100…`` id) with these topics besides General; each
        topic's thread id is the id of the message that created it (``chat(id).topics``)."""
        if not str(chat_id).startswith("-100"):
            raise ValueError("a forum is a supergroup: its id starts with -100")
        chat = FakeChat(
            chat_id, "supergroup", title=title, username=username, bot_status=bot_status
        )
        chat.is_forum = True
        with self._cond:
            self._chats[chat_id] = chat
            self._new_message_id(chat_id)  # 1: the General topic's
            for name in topics:
                chat.topics[self._new_message_id(chat_id)] = name
        return replace(chat, topics=dict(chat.topics))

    def add_topic(self, chat: int | str, name: str) -> int:
        """A new topic in a forum; returns its message_thread_id."""
        with self._cond:
            found = self._find_chat(chat)
            if found is None or not found.is_forum:
                raise KeyError(chat)
            thread = self._new_message_id(found.id)
            found.topics[thread] = name
            return thread

    def delete_topic(self, chat: int | str, thread: int) -> None:
        """Delete a forum topic: sending to its thread id then fails."""
        with self._cond:
            found = self._find_chat(chat)
            if found is None or thread not in found.topics:
                raise KeyError((chat, thread))
            del found.topics[thread]

    def migrate_group(self, chat_id: int, new_chat_id: int) -> FakeChat:
        """Upgrade a group to the supergroup ``new_chat_id``: the old id then answers 400
        with ``migrate_to_chat_id`` (PTB raises ChatMigrated), the new one works."""
        with self._cond:
            old = self._chats[chat_id]
            chat = replace(old, id=new_chat_id, type="supergroup")
            self._chats[new_chat_id] = chat
            self._migrated[chat_id] = new_chat_id
        return replace(chat)

    def add_private_chat(self, user: FakeUser | int) -> FakeChat:
        """The private chat of a user who has started the bot."""
        with self._cond:
            return replace(self._private_chat(self._as_user(user)))

    def set_bot_status(
        self, chat: int | str, status: str, *, can_post_messages: bool | None = None
    ) -> None:
        """Change the bot's standing: administrator | member | left | kicked (= blocked)."""
        if status not in ("administrator", "member", "left", "kicked"):
            raise ValueError(f"unknown status {status!r}")
        with self._cond:
            found = self._find_chat(chat)
            if found is None:
                raise KeyError(chat)
            found.bot_status = status
            if can_post_messages is not None:
                found.can_post_messages = can_post_messages

    def set_rate_limits(
        self,
        *,
        per_chat_per_minute: int | None = None,
        global_per_second: int | None = None,
        per_chat_window: float | None = None,
    ) -> None:
        """Change flood limits at runtime (0 disables a limit; None leaves it)."""
        self._configure(
            per_chat_per_minute=per_chat_per_minute,
            global_per_second=global_per_second,
            per_chat_window=per_chat_window,
        )

    def rate_limit_next(self, retry_after: float = 1, count: int = 1) -> None:
        """Answer the next ``count`` guarded writes with 429 and this retry_after.

        Telegram only sends whole seconds; a float is allowed to keep tests fast.
        """
        with self._cond:  # queued with the failures: the order of both is kept
            self._fail_queue.extend([("429", float(retry_after))] * count)

    def fail_next(self, kind: str, count: int = 1) -> None:
        """Fail the next ``count`` requests to methods in ``fail_methods`` with ``kind``."""
        self._fail_next(kind, count)

    def set_failure_rate(
        self,
        rate: float,
        kinds: Iterable[str] = ("500", "502", "drop", "timeout"),
        seed: int | None = None,
    ) -> None:
        """Fail each guarded request with probability ``rate``, kind chosen at random."""
        self._set_failure_rate(rate, kinds, seed)

    def clear_failures(self) -> None:
        """Forget pending injected failures and the random failure rate."""
        with self._cond:
            self._fail_queue.clear()
            self._failure_rate = 0.0

    # -- inspection --------------------------------------------------------------------

    def requests_for(self, method: str, chat: int | str | None = None) -> list[RequestRecord]:
        """Requests to ``method`` (and to ``chat``, if given)."""
        with self._lock:
            chat_id = self._chat_key(chat) if chat is not None else None
            return [
                r
                for r in self._requests
                if r.method == method and (chat is None or r.chat == chat_id)
            ]

    @property
    def messages(self) -> dict[int, list[SentMessage]]:
        """Messages per chat id, in message-id order, including injected user messages."""
        with self._lock:
            return {chat: list(msgs.values()) for chat, msgs in self._messages.items()}

    def messages_in(self, chat: int | str) -> list[SentMessage]:
        """All messages of one chat (``chat`` may be an id or "@username")."""
        with self._lock:
            return list(self._messages.get(self._chat_key(chat), {}).values())

    def sent_messages(self, chat: int | str) -> list[SentMessage]:
        """Messages sent by a bot to ``chat`` (deleted ones included, flagged)."""
        return [m for m in self.messages_in(chat) if m.from_bot]

    def replies_to(self, chat: int | str) -> list[SentMessage]:
        """The bot's replies in a private chat or group (same as sent_messages)."""
        return self.sent_messages(chat)

    def message(self, chat: int | str, message_id: int) -> SentMessage:
        with self._lock:
            return self._messages[self._chat_key(chat)][message_id]

    @property
    def violations(self) -> int:
        """Writes that arrived while a retry_after given for their chat had not expired."""
        with self._lock:
            return len(self._violations)

    @property
    def violation_log(self) -> list[Violation]:
        with self._lock:
            return list(self._violations)

    @property
    def polling(self) -> int:
        """How many getUpdates requests are waiting right now."""
        with self._lock:
            return self._polling

    @property
    def callback_answers(self) -> dict[str, dict[str, Any]]:
        """answerCallbackQuery parameters by callback query id."""
        with self._lock:
            return dict(self._callback_answers)

    def commands(
        self, token: str | None = None, scope: Mapping[str, Any] | None = None, language: str = ""
    ) -> list[dict[str, Any]]:
        """The commands set with setMyCommands for this scope and language."""
        with self._lock:
            key = (token or self.tokens[0], _scope_key(scope), language)
            return list(self._commands.get(key, []))

    def chat(self, chat: int | str) -> FakeChat:
        with self._lock:
            found = self._find_chat(chat)
            if found is None:
                raise KeyError(chat)
            return replace(found, topics=dict(found.topics))

    def pending_updates(self, token: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._updates.get(token or self.tokens[0], []))

    # -- waiting -----------------------------------------------------------------------

    def wait_for(
        self,
        predicate: Callable[[FakeTelegram], bool],
        timeout: float = 10,
        what: str | None = None,
    ) -> None:
        """Block until ``predicate(self)`` is true; AssertionError after ``timeout``.

        The predicate is re-checked whenever the fake handles a request or an injection
        (it runs under the fake's lock, so keep it quick). This blocks the calling thread:
        from async code use ``await asyncio.to_thread(fake.wait_for, predicate)``.
        """
        label = what or getattr(predicate, "__name__", "condition")
        self._wait(
            lambda: predicate(self),
            timeout,
            lambda: f"FakeTelegram: {label} not met within {timeout:g}s\n{self._summary()}",
        )

    def wait_for_messages(self, chat: int | str, n: int, timeout: float = 10) -> list[SentMessage]:
        """Wait until bots have sent at least ``n`` messages to ``chat``; returns them all."""
        self.wait_for(
            lambda fake: len(fake.sent_messages(chat)) >= n,
            timeout,
            what=f"{n} bot message(s) in chat {chat}",
        )
        return self.sent_messages(chat)

    def wait_for_requests(
        self, method: str, n: int, timeout: float = 10, chat: int | str | None = None
    ) -> list[RequestRecord]:
        """Wait until ``method`` has been requested ``n`` times; returns those records."""
        self.wait_for(
            lambda fake: len(fake.requests_for(method, chat)) >= n,
            timeout,
            what=f"{n} {method} request(s)",
        )
        return self.requests_for(method, chat)

    def _summary(self) -> str:
        with self._lock:
            lines = [
                "last requests:",
                self._recent(
                    12,
                    lambda rec: (
                        f"{rec.method} chat={rec.chat} status={rec.status} "
                        f"failure={rec.failure} {rec.description or ''}".rstrip()
                    ),
                ),
            ]
            counts = {chat: len(msgs) for chat, msgs in self._messages.items()}
            lines.append(f"messages per chat: {counts}; violations: {len(self._violations)}")
            lines.append(f"pending updates: {sum(len(q) for q in self._updates.values())}")
            if self._server_errors:
                lines.append(f"server errors: {len(self._server_errors)}")
            return "\n".join(lines)

    # -- injecting updates -------------------------------------------------------------

    def inject_update(
        self, update: Mapping[str, Any], *, token: str | None = None
    ) -> dict[str, Any]:
        """Queue a raw Update for getUpdates; an update_id is added if missing."""
        with self._cond:
            out = dict(update)
            out.setdefault("update_id", next(self._update_ids))
            self._updates.setdefault(token or self.tokens[0], []).append(out)
            self._cond.notify_all()
            return out

    def inject_message(
        self,
        chat: int | str | FakeChat,
        user: FakeUser | int | None,
        text: str,
        *,
        token: str | None = None,
        entities: Iterable[Mapping[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """A user writes ``text`` in ``chat``; returns the queued Update.

        A positive unknown chat id becomes that user's private chat, a negative one a
        group. "/commands" get bot_command entities as Telegram adds them.
        """
        with self._cond:
            sender = self._as_user(user)
            target = self._chat_for_injection(chat, sender)
            self._members.setdefault(target.id, set()).add(sender.id)
            if entities is None:
                ents = [
                    {
                        "type": "bot_command",
                        "offset": utf16_len(text[: m.start()]),
                        "length": utf16_len(m.group()),
                    }
                    for m in _COMMAND.finditer(text)
                ]
            else:
                ents = [dict(e) for e in entities]
            payload = self._new_message(
                target,
                sender.to_api(),
                kind="text",
                text=text,
                caption=None,
                entities=tuple(_entity_from_api(e) for e in ents),
                raw=text,
                parse_mode=None,
                photo=None,
                photo_file_id=None,
                reply_markup=None,
                from_bot=False,
            )
            kind = "channel_post" if target.type == "channel" else "message"
            return self.inject_update({kind: payload}, token=token)

    def inject_callback_query(
        self,
        chat: int | str,
        user: FakeUser | int | None,
        data: str,
        *,
        message_id: int | None = None,
        token: str | None = None,
    ) -> dict[str, Any]:
        """A user presses an inline button with ``data`` under a bot message.

        Uses ``message_id`` or else the newest bot message in ``chat``. Returns the
        Update; its ``callback_query.id`` is what answerCallbackQuery must answer.
        """
        with self._cond:
            sender = self._as_user(user)
            key = self._chat_key(chat)
            msgs = [m for m in self._messages.get(key, {}).values() if m.from_bot]
            if message_id is not None:
                msgs = [m for m in msgs if m.message_id == message_id]
            if not msgs:
                raise ValueError(f"no bot message in chat {chat} to attach a callback query to")
            query_id = str(next(self._callback_ids))
            self._open_queries.add(query_id)
            query = {
                "id": query_id,
                "from": sender.to_api(),
                "message": self._message_json(msgs[-1]),
                "chat_instance": str(abs(key) * 7 + 3),
                "data": data,
            }
            return self.inject_update({"callback_query": query}, token=token)

    def _as_user(self, user: FakeUser | int | None) -> FakeUser:
        if user is None:
            return FakeUser()
        if isinstance(user, int):
            return FakeUser(id=user, first_name=f"User{user}", username=f"user{user}")
        return user

    def _private_chat(self, user: FakeUser) -> FakeChat:
        chat = self._chats.get(user.id)
        if chat is None:
            chat = FakeChat(
                user.id,
                "private",
                username=user.username,
                first_name=user.first_name,
                bot_status="member",
            )
            self._chats[user.id] = chat
        self._members.setdefault(user.id, set()).add(user.id)
        return chat

    def _chat_for_injection(self, chat: int | str | FakeChat, user: FakeUser) -> FakeChat:
        if isinstance(chat, FakeChat):
            self._chats.setdefault(chat.id, replace(chat))
            return self._chats[chat.id]
        found = self._find_chat(chat)
        if found is not None:
            return found
        if isinstance(chat, int) and chat > 0:
            return self._private_chat(user if user.id == chat else replace(user, id=chat))
        if isinstance(chat, int):
            kind = "supergroup" if str(chat).startswith("-100") else "group"
            group = FakeChat(chat, kind, title=f"Group {chat}", bot_status="member")
            self._chats[chat] = group
            return group
        raise KeyError(f"unknown chat {chat!r}")

    # -- internals shared by methods -----------------------------------------------------

    def _find_chat(self, chat: int | str | None) -> FakeChat | None:
        if isinstance(chat, int):
            return self._chats.get(chat)
        if isinstance(chat, str):
            if re.fullmatch(r"-?[0-9]+", chat):
                return self._chats.get(int(chat))
            if chat.startswith("@"):
                name = chat[1:].lower()
                for found in self._chats.values():
                    if found.username and found.username.lower() == name:
                        return found
        return None

    def _chat_key(self, chat: int | str) -> int:
        found = self._find_chat(chat)
        if found is not None:
            return found.id
        if isinstance(chat, int):
            return chat
        raise KeyError(f"unknown chat {chat!r}")

    def _new_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def _store(self, msg: SentMessage) -> None:
        self._messages.setdefault(msg.chat_id, {})[msg.message_id] = msg

    def _bot_user(self, token: str) -> dict[str, Any]:
        bot_id = int(token.split(":", 1)[0])
        first = token == self.tokens[0]
        return {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Postbode Test" if first else f"Postbode Test {bot_id}",
            "username": self.bot_username if first else f"postbode_test_{bot_id}_bot",
        }

    def _message_json(self, msg: SentMessage) -> dict[str, Any]:
        chat = self._chats[msg.chat_id]
        out: dict[str, Any] = {"message_id": msg.message_id, "date": msg.date}
        if chat.type == "channel":
            out["sender_chat"] = chat.to_api()
        else:
            out["from"] = dict(msg.sender)
        out["chat"] = chat.to_api()
        if msg.message_thread_id is not None:
            out.update(message_thread_id=msg.message_thread_id, is_topic_message=True)
        entities = [e.to_api() for e in msg.entities]
        if msg.kind == "text":
            out["text"] = msg.text
            if entities:
                out["entities"] = entities
        else:
            out["photo"] = _photo_sizes(msg.photo_file_id or "")
            if msg.caption:
                out["caption"] = msg.caption
                if entities:
                    out["caption_entities"] = entities
        if msg.reply_markup:
            out["reply_markup"] = msg.reply_markup
        if msg.edit_date is not None:
            out["edit_date"] = msg.edit_date
        return out

    # -- request handling ----------------------------------------------------------------

    def _handle(self, request: Request) -> Reply:
        now = self.clock()
        match = _PATH.fullmatch(request.path)
        token = unquote(match.group(1)) if match else ""
        method = match.group(2) if match else request.path
        params: dict[str, Any] = {}
        chat_id: int | None = None

        def finish(
            reply: Reply, failure: str | None = None, description: str | None = None
        ) -> Reply:
            if description is None and reply.status == 429:
                description = json.loads(reply.body)["description"]
            status = reply.answered  # None: dropped or held, the client got no answer
            self._record(
                RequestRecord(now, method, token, params, status, chat_id, failure, description)
            )
            return reply

        try:
            params = _decode_params(request)
        except _ApiError as err:
            return finish(_error_reply(400, err.description))
        except ValueError:
            return finish(_error_reply(400, "Bad Request: can't parse request"))
        if match is None:
            return finish(_error_reply(404, "Not Found"), None, "Not Found")
        if token not in self.tokens:
            # Telegram: 401 for a well-formed but unknown token, 404 for a malformed one.
            code, text = (
                (401, "Unauthorized") if _TOKEN_SHAPE.fullmatch(token) else (404, "Not Found")
            )
            return finish(_error_reply(code, text), None, text)
        entry = self._methods.get(method.lower())
        if entry is None:
            return finish(_error_reply(404, "Not Found"), None, "Not Found")
        method, func = entry
        chat = self._find_chat(params.get("chat_id"))
        chat_id = chat.id if chat else None

        # 1. A write while a flood wait for this chat (or the whole bot) is running.
        if method in self.rate_limit_methods:
            remaining, integral = self._blocked(token, chat_id, now)
            if remaining > 0:
                self._violations.append(Violation(now, method, chat_id, remaining))
                return finish(self._too_many(_retry_value(remaining, integral)), "429")

        # 2. Injected failures (and 429s queued by rate_limit_next).
        failure: str | None = None
        retry_after: float | None = None
        if method in self.fail_methods:
            failure, retry_after = self._next_failure() or (None, None)
        if failure == "429" and retry_after is not None:
            integral = float(retry_after).is_integer()
            self._blocks[(token, chat_id)] = (now + retry_after, integral)
            return finish(self._too_many(_retry_value(retry_after, integral)), "429")
        injected: Reply | None = skip_reply(failure)  # drop, timeout
        if failure == "500":
            injected = _internal_error()
        elif failure == "502":
            injected = Reply(502, _BAD_GATEWAY_BODY, "text/html")
        if injected is not None:
            return finish(injected, failure)

        # 3. Natural flood limits.
        if method in COUNTED_METHODS and chat is not None:
            limited = (
                self._private_limits(token, chat, params, now)
                if chat.type == "private"
                else self._check_limits(token, chat.id, now)
            )
            if limited is not None:
                return finish(self._too_many(limited), "429")

        # 4. The method itself.
        try:
            result = func(_Call(token, method, params, now))
        except _ApiError as err:
            reply = _error_reply(err.code, err.description, err.parameters)
            if failure == "accept_then_drop":  # processed; the answer is lost either way
                reply = lose_answer(failure, reply)
            return finish(reply, None, err.description)
        if method in COUNTED_METHODS and chat is not None:
            self._count_send(token, chat, params, now)
        return finish(
            lose_answer(failure, _json_reply(200, {"ok": True, "result": result})), failure
        )

    def _too_many(self, retry_after: float) -> Reply:
        shown = int(retry_after) if float(retry_after).is_integer() else retry_after
        return _error_reply(429, f"Too Many Requests: retry after {shown}", {"retry_after": shown})

    def _blocked(self, token: str, chat_id: int | None, now: float) -> tuple[float, bool]:
        best = (0.0, True)
        for key in ((token, chat_id), (token, None)):
            until, integral = self._blocks.get(key, (0.0, True))
            if until - now > best[0]:
                best = (until - now, integral)
        return best

    def _check_limits(self, token: str, chat_id: int, now: float) -> float | None:
        """Return retry_after seconds if this send would exceed a limit, and block."""
        if self.global_per_second:
            sends = self._bot_sends.setdefault(token, deque())
            while sends and sends[0] <= now - 1.0:
                sends.popleft()
            if len(sends) >= self.global_per_second:
                wait = max(1, math.ceil(sends[0] + 1.0 - now))
                self._blocks[(token, None)] = (now + wait, True)
                return wait
        if self.per_chat_per_minute:
            sends = self._chat_sends.setdefault((token, chat_id), deque())
            while sends and sends[0] <= now - self.per_chat_window:
                sends.popleft()
            if len(sends) >= self.per_chat_per_minute:
                wait = max(1, math.ceil(sends[0] + self.per_chat_window - now))
                self._blocks[(token, chat_id)] = (now + wait, True)
                return wait
        return None

    # -- argument helpers ----------------------------------------------------------------

    def _target(self, call: _Call, *, write: bool = True) -> FakeChat:
        chat_id = call.params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _ApiError(400, "Bad Request: chat_id is empty")
        chat = self._find_chat(chat_id)
        if chat is None:
            raise _ApiError(400, "Bad Request: chat not found")
        if chat.id in self._migrated:
            raise _ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self._migrated[chat.id]},
            )
        if write:
            _check_can_write(chat)
        return chat

    def _message_for(self, call: _Call, chat: FakeChat, missing: str) -> SentMessage:
        message_id = call.params.get("message_id")
        if not isinstance(message_id, int):
            raise _ApiError(400, "Bad Request: message identifier is not specified")
        msg = self._messages.get(chat.id, {}).get(message_id)
        if msg is None or msg.deleted:
            raise _ApiError(400, missing)
        return msg

    def _format(self, call: _Call, key: str, limit: int, too_long: str) -> tuple[str, list[Entity]]:
        """Parse text/caption like Telegram: parse mode, trimming, length in UTF-16 units."""
        value = call.params.get(key)
        raw = "" if value is None else str(value)
        mode = call.params.get("parse_mode") or ""
        given = call.params.get("entities" if key == "text" else "caption_entities")
        if given:
            if not isinstance(given, list):
                raise _ApiError(400, f"Bad Request: can't parse {key} entities")
            text, entities = strip_text(raw, [_entity_from_api(e) for e in given])
        elif mode.lower() == "html":
            try:
                text, entities = parse_html(raw, strict=self.strict_html, strip=True)
            except TelegramHTMLError as err:
                raise _ApiError(400, f"Bad Request: can't parse entities: {err.detail}") from None
        elif mode.lower() in ("", "markdown", "markdownv2"):
            text, entities = strip_text(raw, [])  # Markdown is not modelled
        else:
            raise _ApiError(400, "Bad Request: unsupported parse_mode")
        if utf16_len(text) > limit:
            raise _ApiError(400, too_long)
        return text, entities

    def _photo_source(self, call: _Call) -> tuple[str, str]:
        """(what was sent, file_id) for sendPhoto's photo parameter."""
        photo = call.params.get("photo")
        if isinstance(photo, str) and photo.startswith("attach://"):
            photo = call.params.get(photo[len("attach://") :])
        if isinstance(photo, UploadedFile):
            source = f"attach:{photo.filename or photo.name}"
            digest = hashlib.sha1(photo.data).hexdigest()
        elif isinstance(photo, str) and photo:
            if photo.startswith(("http://", "https://")):
                if photo in self.bad_photo_urls:
                    raise _ApiError(400, "Bad Request: failed to get HTTP URL content")
            elif photo not in self._file_ids:
                raise _ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
            if photo in self._file_ids:
                return photo, photo
            source, digest = photo, hashlib.sha1(photo.encode()).hexdigest()
        else:
            raise _ApiError(400, "Bad Request: there is no photo in the request")
        file_id = "AgACAgQAAxkDAAI" + digest[:40]
        self._file_ids.add(file_id)
        return source, file_id

    # -- Bot API methods -------------------------------------------------------------------

    def _m_getMe(self, call: _Call) -> Any:
        user = self._bot_user(call.token)
        user.update(
            can_join_groups=True,
            can_read_all_group_messages=False,
            supports_inline_queries=False,
            can_connect_to_business=False,
            has_main_web_app=False,
        )
        return user

    def _m_getChat(self, call: _Call) -> Any:
        chat = self._target(call, write=False)
        out = chat.to_api()
        out.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        return out

    def _m_getChatMember(self, call: _Call) -> Any:
        chat = self._target(call, write=False)
        user_id = call.params.get("user_id")
        bot = self._bot_user(call.token)
        if user_id == bot["id"]:
            return _member_json(chat, bot)
        if user_id in self._members.get(chat.id, set()):
            name = f"User{user_id}"
            return {
                "status": "member",
                "user": {"id": user_id, "is_bot": False, "first_name": name},
            }
        raise _ApiError(400, "Bad Request: user not found")

    def _m_sendMessage(self, call: _Call) -> Any:
        chat = self._target(call)
        text, entities = self._format(call, "text", TEXT_LIMIT, "Bad Request: message is too long")
        if not text:
            raise _ApiError(400, "Bad Request: message text is empty")
        return self._send(
            call,
            chat,
            message_thread_id=self._placement(call, chat),
            kind="text",
            text=text,
            caption=None,
            entities=tuple(entities),
            raw=str(call.params.get("text")),
            photo=None,
            photo_file_id=None,
            params=dict(call.params),
        )

    def _m_sendPhoto(self, call: _Call) -> Any:
        chat = self._target(call)
        caption, entities = self._format(
            call, "caption", CAPTION_LIMIT, "Bad Request: message caption is too long"
        )
        source, file_id = self._photo_source(call)
        raw_caption = call.params.get("caption")
        return self._send(
            call,
            chat,
            message_thread_id=self._placement(call, chat),
            kind="photo",
            text=None,
            caption=caption,
            entities=tuple(entities),
            raw=None if raw_caption is None else str(raw_caption),
            photo=source,
            photo_file_id=file_id,
            params={k: v for k, v in call.params.items() if not isinstance(v, UploadedFile)},
        )

    def _placement(self, call: _Call, chat: FakeChat) -> int | None:
        """The forum topic a new message goes to, checked before its reply as the Bot API
        server does (``check_message_topic``, then the replied message)."""
        thread = call.params.get("message_thread_id")
        topic: int | None = None
        if isinstance(thread, int) and thread > 0 and chat.is_forum:
            # General is reached without a thread id; with 1 it is "not found" too.
            if thread == GENERAL_TOPIC or thread not in chat.topics:
                raise _ApiError(400, ERR_THREAD_NOT_FOUND)
            topic = thread
        # Outside a forum the thread id is ignored: the message lands in the chat.
        reply = call.params.get("reply_parameters")
        if isinstance(reply, dict) and reply.get("message_id"):
            replied = self._messages.get(chat.id, {}).get(reply["message_id"])
            if (replied is None or replied.deleted) and not reply.get(
                "allow_sending_without_reply"
            ):
                raise _ApiError(400, ERR_REPLY_NOT_FOUND)
        return topic

    def _send(self, call: _Call, chat: FakeChat, **content: Any) -> Any:
        """Store what a bot sends (``content``: the fields that differ per kind)."""
        return self._new_message(
            chat,
            self._bot_user(call.token),
            parse_mode=call.params.get("parse_mode"),
            reply_markup=_inline_only(call.params.get("reply_markup")),
            from_bot=True,
            **content,
        )

    def _new_message(self, chat: FakeChat, sender: Mapping[str, Any], **fields: Any) -> Any:
        """Store a new message in ``chat``; returns it as the Bot API shows it."""
        msg = SentMessage(
            chat_id=chat.id,
            message_id=self._new_message_id(chat.id),
            date=int(time.time()),
            sender=sender,
            **fields,
        )
        self._store(msg)
        return self._message_json(msg)

    def _editable(self, call: _Call) -> tuple[FakeChat, SentMessage]:
        if call.params.get("inline_message_id"):
            raise _ApiError(400, "Bad Request: message to edit not found")
        chat = self._target(call)
        msg = self._message_for(call, chat, "Bad Request: message to edit not found")
        if not msg.from_bot or msg.sender.get("id") != self._bot_user(call.token)["id"]:
            raise _ApiError(400, "Bad Request: message can't be edited")
        return chat, msg

    def _apply_edit(self, call: _Call, msg: SentMessage, **changes: Any) -> Any:
        markup = _inline_only(call.params.get("reply_markup"))
        new = replace(msg, reply_markup=markup, **changes)
        if (new.content, new.entities, new.reply_markup) == (
            msg.content,
            msg.entities,
            msg.reply_markup,
        ):
            raise _ApiError(400, ERR_NOT_MODIFIED)
        new = replace(
            new,
            edited=True,
            edit_count=msg.edit_count + 1,
            edit_date=int(time.time()),
            parse_mode=call.params.get("parse_mode"),
            params=dict(call.params),
        )
        self._store(new)
        return self._message_json(new)

    def _m_editMessageText(self, call: _Call) -> Any:
        _, msg = self._editable(call)
        if msg.kind != "text":
            raise _ApiError(400, "Bad Request: there is no text in the message to edit")
        text, entities = self._format(call, "text", TEXT_LIMIT, "Bad Request: message is too long")
        if not text:
            raise _ApiError(400, "Bad Request: message text is empty")
        raw = str(call.params.get("text"))
        return self._apply_edit(call, msg, text=text, entities=tuple(entities), raw=raw)

    def _m_editMessageCaption(self, call: _Call) -> Any:
        _, msg = self._editable(call)
        if msg.kind != "photo":
            raise _ApiError(400, "Bad Request: there is no caption in the message to edit")
        caption, entities = self._format(
            call, "caption", CAPTION_LIMIT, "Bad Request: message caption is too long"
        )
        raw = call.params.get("caption")
        return self._apply_edit(
            call,
            msg,
            caption=caption,
            entities=tuple(entities),
            raw=None if raw is None else str(raw),
        )

    def _m_deleteMessage(self, call: _Call) -> Any:
        chat = self._target(call)
        msg = self._message_for(call, chat, "Bad Request: message to delete not found")
        own = msg.from_bot and msg.sender.get("id") == self._bot_user(call.token)["id"]
        # Bots may delete their own messages, incoming ones in private chats, and any
        # message where they are administrators (Bot API #deletemessage).
        if not (own or chat.type == "private" or chat.bot_status == "administrator"):
            raise _ApiError(400, "Bad Request: message can't be deleted")
        self._store(replace(msg, deleted=True))
        return True

    def _m_setMyCommands(self, call: _Call) -> Any:
        commands = call.params.get("commands")
        if not isinstance(commands, list):
            raise _ApiError(400, 'Bad Request: parameter "commands" is required')
        if len(commands) > 100:
            raise _ApiError(400, "Bad Request: BOT_COMMANDS_TOO_MUCH")
        for cmd in commands:
            if not isinstance(cmd, dict) or not _BOT_COMMAND.fullmatch(str(cmd.get("command"))):
                raise _ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(cmd.get("description") or "")) <= 256:
                raise _ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self._commands[_commands_key(call)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _m_getMyCommands(self, call: _Call) -> Any:
        return list(self._commands.get(_commands_key(call), []))

    def _m_deleteMyCommands(self, call: _Call) -> Any:
        self._commands.pop(_commands_key(call), None)
        return True

    def _m_deleteWebhook(self, call: _Call) -> Any:
        if call.params.get("drop_pending_updates"):
            self._updates[call.token] = []
        return True

    def _m_getWebhookInfo(self, call: _Call) -> Any:
        pending = len(self._updates.get(call.token, []))
        return {"url": "", "has_custom_certificate": False, "pending_update_count": pending}

    def _m_getUpdates(self, call: _Call) -> Any:
        token, params = call.token, call.params
        queue = self._updates.setdefault(token, [])
        offset = params.get("offset")
        if isinstance(offset, int) and offset != 0:
            # A positive offset confirms every earlier update; a negative one keeps the last n.
            queue[:] = (
                [u for u in queue if u["update_id"] >= offset] if offset > 0 else queue[offset:]
            )
        if "allowed_updates" in params and params["allowed_updates"] is not None:
            self._allowed_updates[token] = list(params["allowed_updates"])
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = float(params.get("timeout") or 0)
        generation = self._poll_generation.get(token, 0) + 1
        self._poll_generation[token] = generation
        self._cond.notify_all()  # an older poll for this token must give up (409)
        deadline = time.monotonic() + timeout
        self._polling += 1
        try:
            while True:
                ready = [u for u in queue if self._wanted(token, u)]
                if ready or self._stopping.is_set():
                    return ready[:limit]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return []
                self._cond.wait(remaining)
                if self._poll_generation.get(token) != generation:
                    raise _ApiError(409, ERR_CONFLICT)
        finally:
            self._polling -= 1

    def _wanted(self, token: str, update: Mapping[str, Any]) -> bool:
        kinds = set(update) - {"update_id"}
        allowed = self._allowed_updates.get(token)
        if not allowed:  # unset or []: everything but the opt-in types
            return not kinds <= _NOT_DEFAULT_UPDATES
        return bool(kinds & set(allowed))

    def _m_answerCallbackQuery(self, call: _Call) -> Any:
        query_id = str(call.params.get("callback_query_id") or "")
        if query_id not in self._open_queries:
            raise _ApiError(400, ERR_QUERY_TOO_OLD)
        self._open_queries.discard(query_id)
        self._callback_answers[query_id] = dict(call.params)
        return True


@dataclass(frozen=True)
class _Call:
    token: str
    method: str
    params: dict[str, Any]
    now: float


def _scope_key(scope: Any) -> str:
    if not scope:
        return '{"type": "default"}'
    return json.dumps(scope, sort_keys=True)


def _commands_key(call: _Call) -> tuple[str, str, str]:
    """setMyCommands & co. keep one list per bot, scope and language."""
    language = str(call.params.get("language_code") or "")
    if not _COMMANDS_LANGUAGE.fullmatch(language):
        raise _ApiError(400, "Bad Request: invalid language code specified")
    return (call.token, _scope_key(call.params.get("scope")), language)


def _retry_value(seconds: float, integral: bool) -> float:
    """Telegram sends whole seconds; forced fractional waits (tests) stay fractional."""
    if integral:
        return max(1, math.ceil(seconds))
    return max(0.001, round(seconds, 3))


def _check_can_write(chat: FakeChat) -> None:
    """The errors Telegram gives when the bot may not post in ``chat``."""
    label = {"channel": "channel chat", "supergroup": "supergroup chat", "group": "group chat"}
    if chat.type == "private":
        if chat.bot_status == "deactivated":  # deactivate_user (tests/fakes/telegram_private.py)
            raise _ApiError(403, "Forbidden: user is deactivated")
        if chat.bot_status == "kicked":
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        if chat.bot_status == "left":
            raise _ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return
    where = label.get(chat.type, "chat")
    if chat.bot_status == "left":
        raise _ApiError(403, f"Forbidden: bot is not a member of the {where}")
    if chat.bot_status == "kicked":
        raise _ApiError(403, f"Forbidden: bot was kicked from the {where}")
    if chat.type == "channel" and not (
        chat.bot_status == "administrator" and chat.can_post_messages
    ):
        raise _ApiError(400, "Bad Request: need administrator rights in the channel chat")


def _member_json(chat: FakeChat, user: dict[str, Any]) -> dict[str, Any]:
    """ChatMember of the bot itself, shaped as PTB needs to build the right subclass."""
    if chat.bot_status == "administrator":
        out: dict[str, Any] = {
            "status": "administrator",
            "user": user,
            "can_be_edited": False,
            "is_anonymous": False,
            "can_manage_chat": True,
            "can_delete_messages": True,
            "can_manage_video_chats": True,
            "can_restrict_members": chat.type != "channel",
            "can_promote_members": False,
            "can_change_info": True,
            "can_invite_users": True,
            "can_post_stories": False,
            "can_edit_stories": False,
            "can_delete_stories": False,
        }
        if chat.type == "channel":
            out.update(can_post_messages=chat.can_post_messages, can_edit_messages=True)
        return out
    if chat.bot_status == "kicked":
        return {"status": "kicked", "user": user, "until_date": 0}
    return {"status": chat.bot_status, "user": user}
