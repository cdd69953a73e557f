"""What a Mastodon notification asks of us (pure): whether it is a mention to answer at
all, and the command in its text.

A mention's `content` is HTML: `<p><span class="h-card"><a class="u-url mention"
href="…">@<span>postbode</span></a></span> latest 3</p>`. The mention links are
dropped (ours and anyone else's), so the command is the first word of the rest.
"""

from __future__ import annotations

import datetime as dt
import html.parser
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from bot.channels.mastodon_answers import attr
from bot.chat.replies import parse_count

Kind = Literal["latest", "category", "search", "help"]
COMMANDS: dict[str, Kind] = {
    "latest": "latest",
    "category": "category",
    "categorie": "category",  # Dutch, as the site's readers write it
    "search": "search",
    "zoek": "search",
}
MAX_TEXT = 5000  # characters of a mention read at all (instances allow more than 500)
MAX_WORDS = 10  # a search of more words is refused with its usage
MAX_WORD = 40  # characters kept of one search word
MAX_NAME = 200  # characters of a category name looked up
MAX_AGE = dt.timedelta(hours=24)  # older mentions (found after a long downtime) are left
_WORD = re.compile(r"\w+")
_EDGE_PUNCTUATION = ",.:;!?¡¿"
_HANDLE = re.compile(r"[A-Za-z0-9_.-]{1,64}(?:@[A-Za-z0-9.-]{1,253})?", re.ASCII)


@dataclass(frozen=True)
class Command:
    kind: Kind
    argument: str = ""  # category: the name as written; search: the words, cleaned
    count: int | None = None  # latest: 1–20, None when the count is not one
    valid: bool = True  # False: answered with the command's usage
    written: bool = True  # False: no command word at all (the help)


def parse(text: str) -> Command:
    """The command in a mention's text (its mention links already removed)."""
    tokens = normalize(text[:MAX_TEXT]).split()
    while tokens and tokens[0].startswith("@"):  # mentions written as plain text
        tokens.pop(0)
    if not tokens:
        return Command("help", written=False)
    first = tokens[0].strip(_EDGE_PUNCTUATION).lstrip("/").casefold()
    kind = COMMANDS.get(first)
    rest = tokens[1:]
    if kind is None:
        return Command("help", written=False)
    if kind == "latest":
        count = parse_count(rest)
        return Command("latest", count=count, valid=count is not None)
    if kind == "category":
        return Command("category", " ".join(rest)[:MAX_NAME])
    found = _WORD.findall(" ".join(rest))
    if not found or len(found) > MAX_WORDS:
        return Command("search", valid=False)
    return Command("search", " ".join(word[:MAX_WORD] for word in found))


def normalize(text: str) -> str:
    """Unicode tricks undone: compatibility forms folded (fullwidth ｌａｔｅｓｔ is
    latest), format characters (zero-width spaces, bidi overrides) dropped."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in folded if unicodedata.category(ch) not in ("Cf", "Cc", "Co"))


def mention_text(content: str) -> str:
    """The text of a status's HTML content without its mention links."""
    reader = _Content()
    try:
        reader.feed(content[: MAX_TEXT * 4])
        reader.close()
    except (AssertionError, ValueError):  # html.parser on garbage: keep what was read
        pass
    return " ".join("".join(reader.parts).split())


class _Content(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0  # depth inside a mention link

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skipping:
            self._skipping += tag == "a"
            return
        classes = (dict(attrs).get("class") or "").split()
        if tag == "a" and "mention" in classes and "hashtag" not in classes:
            self._skipping = 1
        elif tag in ("br", "p"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if self._skipping and tag == "a":
            self._skipping -= 1
        elif tag == "p":
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def ignored(notification: Any, own_id: str, now: dt.datetime) -> str | None:
    """Why this notification gets no answer (None: answer it). No reply loops: not our
    own mentions, not a bot's, not a boost, not an edit, and (in `answerable`) not a
    reply to one of ours that asks nothing."""
    if attr(notification, "type") != "mention":
        return "not a mention"
    status = attr(notification, "status")
    account = attr(status, "account")
    if status is None or account is None or not attr(status, "id"):
        return "a mention without its status"
    if not _HANDLE.fullmatch(str(attr(account, "acct") or "")):
        return "an account without a handle"
    if str(attr(account, "id")) == own_id:
        return "our own status"
    if attr(account, "bot"):
        return "from a bot"
    if attr(status, "reblog"):
        return "a boost"
    created = _moment(attr(notification, "created_at"))
    edited = _moment(attr(status, "edited_at"))
    if edited is not None and created is not None and created >= edited:
        return "an edit of a status"  # an edit that adds our mention notifies again
    if created is not None and now - created > MAX_AGE:
        return "older than a day"
    return None


def answerable(command: Command, status: Any, own_id: str) -> bool:
    """A reply to one of our statuses is answered only when it asks something: a
    "thanks!", or another program's automatic answer, gets no help text back."""
    return command.written or str(attr(status, "in_reply_to_account_id")) != own_id


def _moment(value: Any) -> dt.datetime | None:
    """Mastodon.py gives datetimes; a raw answer ISO text."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def id_order(notification_id: str) -> tuple[int, str]:
    """Mastodon's ids are numbers as text: ordered by length, then by their digits."""
    return len(notification_id), notification_id


def cursor_key(base_url: str, account_id: str) -> str:
    """Where an account's last handled mention is kept (`meta`): by instance and
    account, so that renaming or reordering the destinations neither loses nor
    rewinds it."""
    return f"mastodon_replies:{urlsplit(base_url).netloc.lower()}:{account_id}"
