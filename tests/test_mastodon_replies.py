"""The Mastodon account answers mentions (SPEC §11): the real Mastodon.py and httpx
against the fake Mastodon, a real state database, a second account that asks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.channels.mastodon import MastodonChannel
from bot.chat.mastodon import MastodonReplies
from bot.chat.mastodon_commands import Commands
from bot.chat.mastodon_mentions import cursor_key
from bot.config import ConfigError, MastodonSettings, load_settings
from bot.folder.scan import Folder, scan
from bot.jekyll.site import Site
from bot.routing.destinations import Destination
from bot.state.catalog import Catalog
from bot.state.store import Store
from tests.conftest import NOW, REPO, write_post
from tests.fakes.mastodon import DEFAULT_TOKEN, FakeMastodon, FakeStatus
from tests.harness import platform_env, worker

ALICE, BOB = "alice-token", "bob-token"


@pytest.fixture
def fake(fake_mastodon: FakeMastodon) -> FakeMastodon:
    fake_mastodon.add_account("alice", ALICE)
    fake_mastodon.add_account("bob", BOB, domain="elders.example")
    fake_mastodon.heartbeat = 0.2
    return fake_mastodon


@pytest.fixture
def posts(tmp_path: Path, store: Store) -> Store:
    """Six posts: five in Sport, one in Économie."""
    folder = tmp_path / "posts"
    for day in range(1, 6):
        write_post(
            folder,
            f"2026-11-0{day}-sport-{day}.md",
            f'title: "Match {day} @everyone #win"\ndate: 2026-11-0{day} 10:00:00 +0100\n'
            f'category: Sport\nexterne_link: "https://krant.nl/sport/{day}"',
        )
    write_post(
        folder,
        "2026-11-06-geld.md",
        "title: Geld\ndate: 2026-11-06 10:00:00 +0100\ncategory: Économie\n"
        'externe_link: "https://krant.nl/geld"',
    )
    scan(store, Folder(folder, Site(), []), NOW)
    return store


def listener(fake: FakeMastodon, store: Store, **options: object) -> MastodonReplies:
    channel = MastodonChannel(MastodonSettings(fake.url, DEFAULT_TOKEN), "en", REPO)
    commands = Commands(Catalog(store.db), "en", "")  # no SITE_URL: the posts' host
    return MastodonReplies(channel, store, commands, **options)  # type: ignore[arg-type]


def listening(replies: MastodonReplies, steps: Callable[[], None]) -> None:
    """Run the listener while `steps` (blocking: the fake's waits) run on a thread."""

    async def scenario() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(replies.run(stop))
        try:
            await asyncio.to_thread(steps)
        finally:
            stop.set()
            await asyncio.wait_for(task, 10)
            await replies.channel.close()

    asyncio.run(scenario())


def ready(fake: FakeMastodon) -> None:
    """The listener has found where it stopped: its stream is open, or it polled."""
    fake.wait_for(
        lambda: (
            fake.open_streams == 1
            or any("min_id" in r.params for r in fake.requests_to("notifications"))
        ),
        message="the listener to start",
    )


def replies_to(fake: FakeMastodon, status: FakeStatus | str) -> list[FakeStatus]:
    ident = status if isinstance(status, str) else status.id
    return [s for s in fake.statuses if s.in_reply_to_id == ident]


def ask(fake: FakeMastodon, token: str, text: str, **options: object) -> FakeStatus:
    created = fake.client(access_token=token).status_post(text, **options)
    return fake.status(created.id)


def answered(fake: FakeMastodon, status: FakeStatus, count: int = 1) -> list[FakeStatus]:
    fake.wait_for(
        lambda: len(replies_to(fake, status)) >= count, message=f"answer to {status.text}"
    )
    return replies_to(fake, status)


def test_a_mention_on_the_stream_is_answered_in_its_thread(
    fake: FakeMastodon, posts: Store
) -> None:
    """latest 2: the two newest, threaded, mentioning only the asker, in her language,
    nothing in a title mentioning or tagging anyone."""
    replies = listener(fake, posts)

    def steps() -> None:
        ready(fake)
        mention = ask(fake, ALICE, "@postbode latest 2", language="nl")
        [reply] = answered(fake, mention)
        assert reply.visibility == "public" and reply.language == "nl"
        assert reply.text.startswith("@alice Nieuwste berichten")
        assert "https://krant.nl/geld" in reply.text and "https://krant.nl/sport/5" in reply.text
        assert "sport/4" not in reply.text
        assert fake.mentions_of(reply.id) == ["alice"]
        assert "@everyone" not in reply.text and "#win" not in reply.text
        notification = fake.notifications_of("postbode")[-1]
        assert (reply.idempotency_key or "").endswith(f"-{notification.id}")

    listening(replies, steps)
    assert fake.requests_to("streaming_health")
    assert not fake.requests_to("notifications") or all(
        r.params.get("types") == "mention" for r in fake.requests_to("notifications")
    )


def test_direct_stays_direct_and_a_remote_asker_is_mentioned_whole(
    fake: FakeMastodon, posts: Store
) -> None:
    def steps() -> None:
        ready(fake)
        mention = ask(fake, BOB, "@postbode categorie economie", visibility="direct")
        [reply] = answered(fake, mention)
        assert reply.visibility == "direct"
        assert reply.text.startswith("@bob@elders.example Économie (1)")
        assert "https://krant.nl/geld" in reply.text

    listening(listener(fake, posts), steps)
    assert fake.widened == []


def test_without_a_stream_mentions_are_polled(fake: FakeMastodon, posts: Store) -> None:
    fake.streaming = False

    def steps() -> None:
        ready(fake)
        mention = ask(fake, ALICE, "@postbode category")
        [reply] = answered(fake, mention)
        assert "Sport (5)" in reply.text and "Économie (1)" in reply.text

    replies = listener(fake, posts, poll_interval=0.2)
    listening(replies, steps)
    health = [r.status for r in fake.requests if r.path == "/api/v1/streaming/health"]
    assert not replies.streaming and health and set(health) == {404}
    assert {r.params.get("types") for r in fake.requests_to("notifications")} == {"mention"}


def test_each_mention_is_answered_once_across_restarts(fake: FakeMastodon, posts: Store) -> None:
    """Answered, restarted: not again. Asked while stopped: answered at the start."""
    first = ask(fake, ALICE, "@postbode latest")  # before the first start: the past
    listening(listener(fake, posts), lambda: ready(fake))
    assert replies_to(fake, first) == []
    second = ask(fake, ALICE, "@postbode latest 1")
    listening(listener(fake, posts), lambda: answered(fake, second) and None)

    def later() -> None:
        ready(fake)
        third = ask(fake, ALICE, "@postbode latest 3")
        answered(fake, third)

    listening(listener(fake, posts), later)
    assert len(replies_to(fake, second)) == 1


def test_the_cursor_is_the_accounts_whatever_the_destinations_are_called(
    fake: FakeMastodon, posts: Store
) -> None:
    """One kept under the first destination's name (this morning's build) is adopted;
    then a renamed destination neither skips what came meanwhile nor answers again."""
    posts.set_meta(f"mastodon_replies:mastodon:{fake.url}", "0")  # the old key

    def handled(replies: MastodonReplies, token: str, text: str) -> Callable[[], None]:
        status = ask(fake, token, text)  # asked while stopped
        mention = fake.notifications_of("postbode")[-1].id
        return lambda: answered(fake, status) and fake.wait_for(lambda: replies.cursor == mention)

    first = listener(fake, posts)
    listening(first, handled(first, ALICE, "@postbode latest"))  # after the old cursor
    key = cursor_key(fake.url, first.own_id)
    assert posts.meta(key) == first.cursor != "0"
    renamed = Destination("hernoemd", "mastodon", fake.url, "hernoemd")
    channel = MastodonChannel(
        MastodonSettings(fake.url, DEFAULT_TOKEN), "en", REPO, destination=renamed
    )
    second = MastodonReplies(channel, posts, Commands(Catalog(posts.db), "en", ""))
    listening(second, handled(second, BOB, "@postbode latest 1"))
    third = listener(fake, posts)  # the old name again, its key still "0": the account's wins
    listening(third, handled(third, ALICE, "@postbode latest 2"))
    creates = [r for r in fake.requests_to("status_create") if r.params.get("in_reply_to_id")]
    assert len(creates) == 3 and posts.meta(key) == third.cursor


def test_an_answer_whose_reply_was_lost_is_sent_again_without_a_double(
    fake: FakeMastodon, posts: Store
) -> None:
    """The status is made but its answer lost (a crash in the request): not recorded,
    asked again with the same Idempotency-Key, and Mastodon hands back the first."""
    fake.streaming = False
    posts.set_meta(f"mastodon_replies:mastodon:{fake.url}", "100")  # from the first one on
    mention = ask(fake, ALICE, "@postbode latest")
    fake.fail_next("accept_then_drop")

    def steps() -> None:
        fake.wait_for(lambda: len(fake.requests_to("status_create")) >= 3)  # ask, lost, again
        assert len(replies_to(fake, mention)) == 1

    listening(listener(fake, posts, poll_interval=0.1), steps)
    creates = [r for r in fake.requests_to("status_create") if r.params.get("in_reply_to_id")]
    assert len({r.idempotency_key for r in creates}) == 1 and len(creates) >= 2


def test_no_reply_loops(fake: FakeMastodon, posts: Store) -> None:
    """Not our own mention, not a bot's, not a boost, not an edit, not a "thanks" to an
    answer; a question in a reply to an answer is answered."""
    fake.add_account("robot", "robot-token", bot=True)

    def steps() -> None:
        ready(fake)
        mine = ask(fake, DEFAULT_TOKEN, "@postbode latest")
        robot = ask(fake, "robot-token", "@postbode latest")
        question = ask(fake, ALICE, "@postbode latest 1")
        [answer] = answered(fake, question)
        thanks = ask(fake, ALICE, "@postbode thanks!", in_reply_to_id=answer.id)
        fake.boost("alice", answer.id)
        edited = ask(fake, ALICE, "nothing yet")
        fake.client(access_token=ALICE).status_update(edited.id, "@postbode latest")
        again = ask(fake, ALICE, "@postbode latest 2", in_reply_to_id=answer.id)
        answered(fake, again)
        for status in (mine, robot, thanks, edited):
            assert replies_to(fake, status) == [], status.text

    listening(listener(fake, posts), steps)
    assert (
        len(replies_to(fake, next(s for s in fake.statuses if s.text == "@postbode latest 1"))) == 1
    )


def test_a_flood_from_one_account_gets_a_notice_then_silence(
    fake: FakeMastodon, posts: Store
) -> None:
    def steps() -> None:
        ready(fake)
        asked = [ask(fake, ALICE, f"@postbode latest {n}") for n in range(1, 7)]
        other = ask(fake, BOB, "@postbode latest")
        answered(fake, other)
        texts = [[r.text for r in replies_to(fake, s)] for s in asked]
        assert [len(t) for t in texts] == [1, 1, 1, 1, 0, 0]
        assert "Easy now" in texts[3][0]

    listening(listener(fake, posts), steps)


def test_answers_leave_publishing_its_reserve(fake: FakeMastodon, posts: Store) -> None:
    """With 102 statuses per window, two answers leave 100: the third asker waits."""
    fake.set_rate_limits(status_limit=102)

    def steps() -> None:
        ready(fake)
        first, second = ask(fake, ALICE, "@postbode latest"), ask(fake, BOB, "@postbode latest")
        answered(fake, first), answered(fake, second)
        fake.add_account("carol", "carol-token")
        third = ask(fake, "carol-token", "@postbode latest")
        last = ask(fake, ALICE, "@postbode category")
        fake.wait_for(lambda: fake.notifications_of("postbode")[-1].id <= replies.cursor)
        assert replies_to(fake, third) == [] and replies_to(fake, last) == []

    replies = listener(fake, posts)
    listening(replies, steps)


def test_answers_fit_a_small_instance(fake: FakeMastodon, posts: Store) -> None:
    """A 150-character instance: fewer entries, never a refused status."""
    fake.max_characters = 150

    def steps() -> None:
        ready(fake)
        [latest] = answered(fake, ask(fake, ALICE, "@postbode latest 20"))
        [helped] = answered(fake, ask(fake, BOB, "@postbode what can you do?"))
        assert "krant.nl" in latest.text
        assert helped.text.startswith("@bob@elders.example I post every new article of krant.nl.")

    listening(listener(fake, posts), steps)
    assert all(r.status == 200 for r in fake.requests_to("status_create"))


def test_a_broken_notification_is_skipped_and_the_next_answered(
    fake: FakeMastodon, posts: Store, caplog: pytest.LogCaptureFixture
) -> None:
    def steps() -> None:
        ready(fake)
        fake.inject_notification("postbode", {"type": "mention", "status": {"content": 7}})
        fake.inject_notification("postbode", {"type": "mention", "status": "nonsense"})
        answered(fake, ask(fake, ALICE, "@postbode latest"))

    with caplog.at_level(logging.INFO):
        listening(listener(fake, posts), steps)
    assert "Traceback" not in caplog.text


def test_a_cut_stream_loses_no_mention(fake: FakeMastodon, posts: Store) -> None:
    def steps() -> None:
        ready(fake)
        fake.streaming = False  # the streaming server goes away
        fake.cut_streams()
        mention = ask(fake, ALICE, "@postbode latest")
        answered(fake, mention)

    listening(listener(fake, posts, poll_interval=0.1), steps)


@pytest.fixture(autouse=True)
def _no_fake_crash(fake: FakeMastodon) -> Iterator[None]:
    yield
    assert fake.server_errors == []


def test_search_and_zoek_find_posts_and_bad_words_get_a_short_answer(
    fake: FakeMastodon, posts: Store
) -> None:
    """Words found, none found, FTS syntax and a thousand words: always a short answer."""

    def steps() -> None:
        ready(fake)
        found = ask(fake, ALICE, "@postbode search match 3")
        [answer] = answered(fake, found)
        assert "https://krant.nl/sport/3" in answer.text and "match 3" in answer.text.lower()
        [dutch] = answered(fake, ask(fake, BOB, "@postbode zoek geld", language="nl"))
        assert dutch.text.startswith("@bob@elders.example Berichten met «geld»")
        fake.add_account("carol", "carol-token")
        syntax = ask(fake, "carol-token", '@postbode search "match* OR (NEAR -geld')
        [odd] = answered(fake, syntax)
        assert odd.text.startswith("@carol ") and len(odd.text) < 500
        fake.add_account("dave", "dave-token")
        many = ask(fake, "dave-token", "@postbode search " + "woord " * 60)
        [usage] = answered(fake, many)
        assert "search" in usage.text and "https://" not in usage.text

    listening(listener(fake, posts), steps)


def test_the_worker_answers_and_a_kill_9_mid_answer_makes_no_double(
    tmp_path: Path, fake: FakeMastodon
) -> None:
    """MASTODON_REPLIES=on in the worker. The answer's status is made but the worker is
    killed before it hears so: started again, it answers with the same key, and Mastodon
    hands back the status it made."""
    write_post(
        tmp_path / "posts", "2026-11-01-a.md", 'title: A\nexterne_link: "https://krant.nl/a"'
    )
    env = platform_env(tmp_path, None, fake, MASTODON_REPLIES="on")
    with worker(tmp_path, env) as process:  # the first start: from the newest mention on
        process.wait_for_line("answering mentions of @postbode (streaming)")
        assert process.terminate() == 0
    mention = ask(fake, ALICE, "@postbode latest")  # while it is down
    fake.fail_next("accept_then_hold")
    with worker(tmp_path, env) as process:
        fake.wait_for(lambda: any(r.outcome == "accept_then_hold" for r in fake.requests))
        process.kill()
    assert len(replies_to(fake, mention)) == 1
    with worker(tmp_path, env) as process:
        process.wait_for_line("answered mention")
        assert process.terminate() == 0
    [reply] = replies_to(fake, mention)
    assert "https://krant.nl/a" in reply.text
    keys = [r.idempotency_key for r in fake.requests_to("status_create")[1:]]
    assert len(keys) == 2 and len(set(keys)) == 1


def test_polling_keeps_within_the_rate_limit_headers(fake: FakeMastodon, posts: Store) -> None:
    """A token allowed 40 calls per 1.5 s, polled every 20 ms: the listener waits for
    the window's reset while fewer than 30 are left, is never refused, and answers."""
    fake.streaming = False
    fake.set_rate_limits(api_limit=40, api_period=1.5)

    def steps() -> None:
        ready(fake)
        fake.wait_for(lambda: len(fake.requests_to("notifications")) >= 25, timeout=20)
        mention = ask(fake, ALICE, "@postbode latest")
        answered(fake, mention)

    listening(listener(fake, posts, poll_interval=0.02), steps)
    assert fake.violations == 0
    assert all(r.status != 429 for r in fake.requests if r.endpoint != "status_create")


def test_the_settings(tmp_path: Path) -> None:
    """Off by default; on and the poll interval read; a wrong value stops start-up."""
    base = {"POSTS_DIR": str(tmp_path), "MASTODON_BASE_URL": "https://m.example"}
    base["MASTODON_ACCESS_TOKEN"] = "t"
    default = load_settings(base, tmp_path, check_folders=False)
    assert not default.mastodon_replies and default.mastodon_poll_interval == 30
    chosen = load_settings(
        base | {"MASTODON_REPLIES": "on", "MASTODON_POLL_INTERVAL": "10"},
        tmp_path,
        check_folders=False,
    )
    assert chosen.mastodon_replies and chosen.mastodon_poll_interval == 10
    with pytest.raises(ConfigError, match="MASTODON_REPLIES"):
        load_settings(base | {"MASTODON_REPLIES": "yes please"}, tmp_path, check_folders=False)
    telegram_only = {"POSTS_DIR": str(tmp_path), "MASTODON_REPLIES": "on"}
    telegram_only |= {"TELEGRAM_BOT_TOKEN": "1:abc", "TELEGRAM_CHANNEL": "@nieuws"}
    with pytest.raises(ConfigError, match=r"^MASTODON_REPLIES: on, but there is no Mastodon acc"):
        load_settings(telegram_only, tmp_path, check_folders=False)
    with pytest.raises(ConfigError, match="MASTODON_POLL_INTERVAL"):
        load_settings(base | {"MASTODON_POLL_INTERVAL": "0"}, tmp_path, check_folders=False)
