"""New posts in subscribers' private chats (SPEC §11), through the fake Bot API: who
gets what, readers who left, 429s, the channels' priority, a kill -9 in a fan-out."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.channels.telegram_pace import Overall
from bot.clock import utc_now
from bot.outbox import Outbox
from bot.state.deliveries import EDIT_SETTLE, RETURN_WINDOW
from bot.state.fanout import Fanout
from bot.state.store import Store
from bot.state.subscribers import EVERY, Subscribers
from bot.subscribers.sender import Sender
from bot.subscribers.wiring import private_sender
from tests.conftest import write_post
from tests.fakes.telegram import DEFAULT_CHANNEL_ID, FakeTelegram, FakeUser
from tests.fakes.telegram_private import PRIVATE_INTERVAL
from tests.harness import FAST_BACKOFF, Publisher, platform_env, worker

SUBSCRIBED = utc_now() - dt.timedelta(minutes=5)  # before any post of a test


@pytest.fixture
def publisher(tmp_path: Path, fake_telegram: FakeTelegram) -> Iterator[Publisher]:
    """The product's parts against the fake, subscriptions on, the folder baselined."""
    pub = Publisher.for_fakes(tmp_path, fake_telegram, None, TELEGRAM_SUBSCRIPTIONS="on")
    fake_telegram.private_interval = PRIVATE_INTERVAL  # one a second into a private chat
    pub.scan()
    yield pub
    pub.close()


def subscribe(
    pub: Publisher, fake: FakeTelegram, chat: int, key: str, language: str = "nl"
) -> None:
    fake.add_private_chat(FakeUser(id=chat, language_code=language))
    name = "" if key == EVERY else key.title()
    Subscribers(pub.store.db).subscribe(chat, key, name, language, SUBSCRIBED)


def new_post(
    pub: Publisher,
    name: str,
    categories: str,
    title: str = "Nieuws",
    now: dt.datetime | None = None,
) -> None:
    write_post(
        pub.settings.posts_dir,
        f"{name}.md",
        f'title: "{title}"\ncategories: [{categories}]\nexterne_link: "https://example.nl/{name}"',
    )
    pub.scan(now)


def run(
    pub: Publisher,
    done: Callable[[], bool],
    *,
    sender: Sender | None = None,
    timeout: float = 30.0,
    during: Callable[[], None] | None = None,
    beside: Callable[[asyncio.Event], Coroutine[Any, Any, None]] | None = None,
) -> Sender:
    """The outbox and the private sender, as the worker runs them, until `done()`."""
    private = sender or private_sender(pub.settings, pub.store, pub.channels)
    assert private is not None
    private.backoff = FAST_BACKOFF

    async def main() -> None:
        for channel in pub.channels:
            await channel.start()
        stop = asyncio.Event()
        outbox = Outbox(pub.store, pub.channels, backoff=FAST_BACKOFF)
        tasks = [asyncio.create_task(outbox.run(stop)), asyncio.create_task(private.run(stop))]
        if beside is not None:  # the chat bot, as the worker runs it
            tasks.append(asyncio.create_task(beside(stop)))
        try:
            async with asyncio.timeout(timeout):
                while not done():
                    for task in tasks:
                        if task.done():
                            task.result()
                    if during is not None:
                        during()
                        outbox.wake()  # as the worker's scans do
                    await asyncio.sleep(0.01)
        finally:
            stop.set()
            await asyncio.wait_for(asyncio.gather(*tasks), 10)
            for channel in pub.channels:
                await channel.close()

    asyncio.run(main())
    return private


def private_messages(fake: FakeTelegram, chats: list[int]) -> dict[int, list[str]]:
    return {chat: [m.raw or "" for m in fake.sent_messages(chat)] for chat in chats}


def test_each_post_reaches_the_readers_of_its_categories_once(
    publisher: Publisher, fake_telegram: FakeTelegram
) -> None:
    everything, sport, economie, both, english = 11, 12, 13, 14, 15
    subscribe(publisher, fake_telegram, everything, EVERY)
    subscribe(publisher, fake_telegram, sport, "sport")
    subscribe(publisher, fake_telegram, economie, "economie")
    subscribe(publisher, fake_telegram, both, EVERY)
    subscribe(publisher, fake_telegram, both, "sport")
    subscribe(publisher, fake_telegram, english, "sport", language="en")
    new_post(publisher, "wedstrijd", "Sport", title="De wedstrijd")
    new_post(publisher, "beurs", "Économie", title="De beurs")
    chats = [everything, sport, economie, both, english]
    expected = {everything: 2, sport: 1, economie: 1, both: 2, english: 1}

    def all_there() -> bool:
        got = private_messages(fake_telegram, chats)
        return {chat: len(texts) for chat, texts in got.items()} == expected

    run(publisher, all_there)
    got = private_messages(fake_telegram, chats)
    assert [m.count("De wedstrijd") for m in got[sport]] == [1]
    assert "De beurs" in got[economie][0] and "Lees verder" in got[economie][0]
    assert "Read more" in got[english][0]  # the reader's language, not LANGUAGE
    # The reader of both posts got them a second apart at least: no 429, no violation.
    assert fake_telegram.violations == 0 and fake_telegram.private_too_fast == 0
    # The channel got each post once, as always.
    assert len(fake_telegram.sent_messages(DEFAULT_CHANNEL_ID)) == 2


def test_an_edit_is_not_sent_again_and_a_withdrawn_post_not_at_all(
    publisher: Publisher, fake_telegram: FakeTelegram
) -> None:
    subscribe(publisher, fake_telegram, 21, EVERY)
    new_post(publisher, "eerst", "Sport", title="Eerste versie")
    run(publisher, lambda: len(fake_telegram.sent_messages(21)) == 1)
    # An edit of the same post, made that long ago: it is due at once.
    new_post(publisher, "eerst", "Sport", title="Tweede versie", now=utc_now() - EDIT_SETTLE)
    new_post(publisher, "later", "Sport", title="Komt nooit")
    (publisher.settings.posts_dir / "later.md").unlink()
    publisher.scan()
    channel = DEFAULT_CHANNEL_ID
    run(publisher, lambda: any(m.edited for m in fake_telegram.sent_messages(channel)))
    assert [m.raw for m in fake_telegram.sent_messages(21) if "versie" in (m.raw or "")] == [
        m.raw for m in fake_telegram.sent_messages(21)
    ]
    assert len(fake_telegram.sent_messages(21)) == 1
    assert not fake_telegram.sent_messages(21)[0].edited
    queued = Fanout(publisher.store.db).backlog(utc_now())["queued"]
    assert queued == 0


def test_readers_who_blocked_the_bot_or_left_are_unsubscribed_and_counted(
    publisher: Publisher, fake_telegram: FakeTelegram
) -> None:
    stays, blocked, deleted = 31, 32, 33
    for chat in (stays, blocked, deleted):
        subscribe(publisher, fake_telegram, chat, EVERY)
    fake_telegram.set_bot_status(blocked, "kicked")
    fake_telegram.deactivate_user(deleted)
    new_post(publisher, "een", "Sport")
    subscribers = Subscribers(publisher.store.db)
    run(
        publisher,
        lambda: subscribers.counts()["blocked"] == 2 and bool(fake_telegram.sent_messages(stays)),
    )
    assert subscribers.of(blocked) == [] and subscribers.of(deleted) == []
    assert [s.key for s in subscribers.of(stays)] == [EVERY]
    new_post(publisher, "twee", "Sport")
    run(publisher, lambda: len(fake_telegram.sent_messages(stays)) == 2)
    # Nobody asks again for the readers who left.
    refused = [r for r in fake_telegram.requests_for("sendMessage") if r.chat in (blocked, deleted)]
    assert len(refused) == 2
    # Their one message each was dropped with them; the second post made none for them.
    assert publisher.store.db.execute(
        "select chat_id, state from private_deliveries where chat_id != ? order by chat_id",
        [stays],
    ).fetchall() == [(blocked, "gone"), (deleted, "gone")]


def test_a_429_is_waited_out_exactly(publisher: Publisher, fake_telegram: FakeTelegram) -> None:
    chats = list(range(41, 46))
    for chat in chats:
        subscribe(publisher, fake_telegram, chat, EVERY)
    new_post(publisher, "druk", "Sport")
    fake_telegram.rate_limit_next(retry_after=0.5)  # the channel's message or a reader's
    fake_telegram.rate_limit_next(retry_after=0.5)
    run(publisher, lambda: all(fake_telegram.sent_messages(chat) for chat in chats))
    assert fake_telegram.violations == 0
    assert all(len(fake_telegram.sent_messages(chat)) == 1 for chat in chats)


def test_a_channel_post_goes_first_while_a_fan_out_runs(
    publisher: Publisher, fake_telegram: FakeTelegram
) -> None:
    """The token's budget at 20 a second here and at the fake: 40 readers take 2 s; a
    channel post made after the first few private messages takes the next place."""
    fake_telegram.set_rate_limits(global_per_second=20)
    readers = list(range(1000, 1040))
    for chat in readers:
        subscribe(publisher, fake_telegram, chat, "sport")
    new_post(publisher, "groot", "Sport")
    private = private_sender(publisher.settings, publisher.store, publisher.channels)
    assert private is not None
    budget = Overall(per_second=20)
    private.budget = budget
    for channel in publisher.channels:
        channel.overall = budget  # type: ignore[attr-defined]
    posted: list[bool] = []

    def post_when_under_way() -> None:
        if not posted and sum(bool(fake_telegram.sent_messages(c)) for c in readers) >= 5:
            posted.append(True)
            new_post(publisher, "kanaal", "Binnenland", title="Alleen het kanaal")

    run(
        publisher,
        lambda: all(fake_telegram.sent_messages(c) for c in readers),
        sender=private,
        during=post_when_under_way,
    )
    sends = [r for r in fake_telegram.requests_for("sendMessage") if r.status == 200]
    order = [r.chat for r in sends]
    channel_at = [i for i, chat in enumerate(order) if chat == DEFAULT_CHANNEL_ID]
    assert len(channel_at) == 2
    # Well before the fan-out was through: the channel did not queue behind 35 readers.
    assert channel_at[1] < len(order) - 20
    assert [r for r in fake_telegram.requests if r.status == 429] == []
    assert fake_telegram.violations == 0


def test_a_post_gone_for_a_moment_reaches_every_reader_and_one_gone_for_good_none(
    publisher: Publisher, fake_telegram: FakeTelegram
) -> None:
    readers = [41, 42, 43]
    for chat in readers:
        subscribe(publisher, fake_telegram, chat, EVERY)
    sender = private_sender(publisher.settings, publisher.store, publisher.channels)
    assert sender is not None

    def queued() -> int:
        return int(Fanout(publisher.store.db).backlog(utc_now())["queued"])

    def gone_while_under_way(name: str) -> str:
        """The post's fan-out made, then its file gone as a batch is read."""
        sender.clock = utc_now
        new_post(publisher, name, "Sport", title=name)
        asyncio.run(sender.expand())
        assert queued() == len(readers)
        text = (publisher.settings.posts_dir / f"{name}.md").read_text()
        (publisher.settings.posts_dir / f"{name}.md").unlink()
        publisher.scan()
        asyncio.run(sender.step())
        assert queued() == len(readers)  # its readers wait, none is lost
        return text

    # Saved by a rename seen in two scans: back within RETURN_WINDOW, the same post.
    text = gone_while_under_way("kort")
    (publisher.settings.posts_dir / "kort.md").write_text(text)
    publisher.scan()
    sender.clock = lambda: utc_now() + RETURN_WINDOW
    run(publisher, lambda: all(fake_telegram.sent_messages(c) for c in readers), sender=sender)
    assert [len(fake_telegram.sent_messages(c)) for c in readers] == [1, 1, 1]
    # Gone for good: once the window is over, its messages are withdrawn, none sent.
    gone_while_under_way("weg")
    sender.clock = lambda: utc_now() + 2 * RETURN_WINDOW
    asyncio.run(sender.step())
    assert queued() == 0
    assert [len(fake_telegram.sent_messages(c)) for c in readers] == [1, 1, 1]


def test_a_kill_in_the_middle_of_a_fan_out_loses_nothing(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    readers = list(range(5000, 5060))  # two seconds of the token's 30 a second
    fake_telegram.private_interval = PRIVATE_INTERVAL
    env = platform_env(tmp_path, fake_telegram, None, TELEGRAM_SUBSCRIPTIONS="on")
    pub = Publisher.for_fakes(tmp_path, fake_telegram, None, TELEGRAM_SUBSCRIPTIONS="on")
    pub.scan()
    for chat in readers:
        subscribe(pub, fake_telegram, chat, EVERY)
    pub.close()

    def reached() -> int:
        return sum(bool(fake_telegram.sent_messages(chat)) for chat in readers)

    with worker(tmp_path, env) as first:
        first.wait_for_line("watching")
        write_post(
            tmp_path / "posts",
            "a.md",
            'title: "Voor iedereen"\nexterne_link: "https://example.nl/a"',
        )
        fake_telegram.wait_for(lambda f: reached() >= 20, 30, "a third of the readers")
        first.kill()
    halfway = reached()
    assert halfway < len(readers)
    with worker(tmp_path, env) as second:
        fake_telegram.wait_for(lambda f: reached() == len(readers), 60, "every reader")
        second.terminate()
    counts = [len(fake_telegram.sent_messages(chat)) for chat in readers]
    # The one in flight at the kill may show twice; nothing else does, nothing is lost.
    assert counts.count(1) >= len(readers) - 1 and set(counts) <= {1, 2}
    assert len(fake_telegram.sent_messages(DEFAULT_CHANNEL_ID)) in (1, 2)


def test_paid_broadcasts_when_the_operator_pays_for_them(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    pub = Publisher.for_fakes(
        tmp_path, fake_telegram, None, TELEGRAM_SUBSCRIPTIONS="on", TELEGRAM_PAID_BROADCAST="on"
    )
    pub.scan()
    readers = [61, 62, 63]
    for chat in readers:
        subscribe(pub, fake_telegram, chat, EVERY)
    new_post(pub, "betaald", "Sport")
    private = run(pub, lambda: all(fake_telegram.sent_messages(chat) for chat in readers))
    pub.close()
    assert fake_telegram.paid_messages == 3 and private.sent == 3
    # The channel's own message is never a paid one.
    (channel,) = fake_telegram.sent_messages(DEFAULT_CHANNEL_ID)
    assert "allow_paid_broadcast" not in channel.params
    assert private.budget.per_second == 1000  # type: ignore[attr-defined]


def test_readers_replies_share_the_budget_with_a_fan_out(
    publisher: Publisher, fake_telegram: FakeTelegram
) -> None:
    """Readers asking /latest while a fan-out fills the token's budget: their replies
    take places in it too, so the fake (holding the bot to the same 20 a second) never
    answers 429, which would hold up the channels as well."""
    from bot.chat.telegram import ChatBot
    from bot.state.catalog import Catalog

    fake_telegram.set_rate_limits(global_per_second=20)
    readers = list(range(2000, 2030))
    for chat in readers:
        subscribe(publisher, fake_telegram, chat, "sport")
    new_post(publisher, "vol", "Sport")
    budget = Overall(per_second=20)
    private = private_sender(publisher.settings, publisher.store, publisher.channels)
    assert private is not None and publisher.settings.telegram is not None
    private.budget = budget
    for channel in publisher.channels:
        channel.overall = budget  # type: ignore[attr-defined]
    askers = [FakeUser(id=3000 + i, language_code="nl") for i in range(12)]
    for user in askers:
        fake_telegram.add_private_chat(user)
    bot = ChatBot(publisher.settings.telegram, Catalog(publisher.store.db), "nl", budget=budget)
    asked: list[bool] = []

    def ask_when_under_way() -> None:
        if not asked and sum(bool(fake_telegram.sent_messages(c)) for c in readers) >= 5:
            asked.append(True)
            for user in askers:
                fake_telegram.inject_message(user.id, user, "/latest")

    def during() -> None:
        if fake_telegram.polling > 0:
            ask_when_under_way()

    run(
        publisher,
        lambda: (
            all(fake_telegram.sent_messages(c) for c in readers)
            and all(fake_telegram.replies_to(u.id) for u in askers)
        ),
        sender=private,
        during=during,
        beside=bot.run,
    )
    assert asked
    assert [r for r in fake_telegram.requests if r.status == 429] == []
    assert fake_telegram.violations == 0
    assert all(len(fake_telegram.replies_to(u.id)) == 1 for u in askers)


def test_one_budget_for_the_token_also_without_a_telegram_channel(
    publisher: Publisher,
) -> None:
    """The worker's budget is the Telegram channels' own; where no channel is on
    Telegram (a Mastodon-only setup with subscriptions), the sender takes the one the
    chat's replies get, not one of its own."""
    from bot.worker import Worker

    worker = Worker(publisher.settings, publisher.store, publisher.channels)
    assert worker.telegram_budget is publisher.channels[0].overall  # type: ignore[attr-defined]
    alone = Overall()
    sender = private_sender(publisher.settings, publisher.store, [], alone)
    assert sender is not None and sender.budget is alone


def test_run_once_sends_subscribers_what_is_due_at_the_worker_pace(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    """`run --once` processes what is pending (SPEC §1), the private messages too: two
    new posts reach their reader, a second apart, and a second run sends nothing."""
    from tests.test_cli import run_cli

    (tmp_path / "posts").mkdir()
    env = platform_env(tmp_path, fake_telegram, None, TELEGRAM_SUBSCRIPTIONS="on")
    assert run_cli("run", "--once", cwd=tmp_path, **env).returncode == 0  # the baseline
    fake_telegram.private_interval = PRIVATE_INTERVAL
    fake_telegram.add_private_chat(FakeUser(id=51, language_code="en"))
    store = Store(tmp_path / "state.db")
    Subscribers(store.db).subscribe(51, EVERY, "", "en", SUBSCRIBED)
    store.close()
    for name in ("een", "twee"):
        write_post(
            tmp_path / "posts",
            f"{name}.md",
            f'title: "{name}"\nexterne_link: "https://example.nl/{name}"',
        )
    first = run_cli("run", "--once", cwd=tmp_path, **env)
    assert first.returncode == 0, first.stderr
    texts = sorted(m.raw or "" for m in fake_telegram.sent_messages(51))
    assert [t.split("\n")[0] for t in texts] == ["<b>een</b>", "<b>twee</b>"]
    assert all("Read more" in t for t in texts)  # the reader's words, not LANGUAGE's
    assert fake_telegram.private_too_fast == 0 and fake_telegram.violations == 0
    assert len(fake_telegram.sent_messages(DEFAULT_CHANNEL_ID)) == 2  # the channel's, as ever
    assert run_cli("run", "--once", cwd=tmp_path, **env).returncode == 0
    assert len(fake_telegram.sent_messages(51)) == 2


def test_retry_queues_refused_private_messages_again(
    publisher: Publisher, fake_telegram: FakeTelegram
) -> None:
    """A private message refused for good (a Permanent) is back in the queue after
    `retry`, with the channels' failed deliveries, and goes out."""
    from tests.test_cli import run_cli

    subscribe(publisher, fake_telegram, 61, EVERY)
    new_post(publisher, "weigering", "Sport")
    fanout = Fanout(publisher.store.db)
    (post_id,) = fanout.startable(utc_now())
    assert fanout.expand(post_id, utc_now()) == 1
    (delivery,) = fanout.due(utc_now(), 10)
    fanout.mark_failed(delivery.id, "Telegram refused the message: Bad Request")
    assert fanout.backlog(utc_now())["failed"] == 1
    env = platform_env(publisher.settings.posts_dir.parent, fake_telegram, None)
    retried = run_cli("retry", cwd=publisher.settings.posts_dir.parent, **env)
    assert retried.stdout.splitlines() == [
        "0 failed deliveries queued again",
        "1 failed private messages to subscribers queued again",
    ]
    assert fanout.backlog(utc_now())["failed"] == 0
    run(publisher, lambda: len(fake_telegram.sent_messages(61)) == 1)
    assert publisher.store.db.execute(
        "select state, attempts from private_deliveries where id = ?", [delivery.id]
    ).fetchall() == [("sent", 1)]
