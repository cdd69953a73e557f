"""The fake Mastodon's mentions, notifications and stream behave as Mastodon's do,
seen through the real Mastodon.py and httpx."""

from __future__ import annotations

import threading

import httpx
import pytest
from mastodon import MastodonNotFoundError

from tests.fakes.mastodon import DEFAULT_TOKEN, FakeMastodon


@pytest.fixture
def fake(fake_mastodon: FakeMastodon) -> FakeMastodon:
    fake_mastodon.add_account("alice", "alice-token")
    return fake_mastodon


def test_a_mention_is_linked_listed_and_notified_also_when_direct(fake: FakeMastodon) -> None:
    alice = fake.client(access_token="alice-token")
    status = alice.status_post("@postbode latest", visibility="direct")
    assert 'class="u-url mention">@<span>postbode</span></a>' in status.content
    assert [m.acct for m in status.mentions] == ["postbode"]
    [note] = fake.client().notifications()
    assert (note.type, note.account.acct, note.status.id) == ("mention", "alice", status.id)
    assert note.account.bot is False and note.status.account.bot is False


def test_notifications_page_by_id_with_links_and_filters(fake: FakeMastodon) -> None:
    alice, me = fake.client(access_token="alice-token"), fake.client()
    mine = me.status_post("mine")
    for n in range(5):
        alice.status_post(f"@postbode {n}")
    fake.boost("alice", mine.id)
    every = me.notifications()
    ids = [n.id for n in every]
    assert ids == sorted(ids, reverse=True) and every[0].type == "reblog"
    mentions = [n.id for n in me.notifications(types=["mention"])]
    assert len(mentions) == 5 and mentions == [
        n.id for n in me.notifications(exclude_types=["reblog"])
    ]
    oldest = me.notifications(types=["mention"], min_id=0, limit=2)
    assert [n.id for n in oldest] == mentions[-2:]  # just after min_id, newest first
    newer = me.fetch_previous(oldest)
    assert [n.id for n in newer] == mentions[-4:-2]
    assert [n.id for n in me.notifications(since_id=mentions[1], types=["mention"])] == mentions[:1]
    assert [n.id for n in me.notifications(max_id=mentions[3], types=["mention"])] == mentions[4:]
    link = httpx.get(
        f"{fake.url}/api/v1/notifications?types[]=mention&limit=2",
        headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"},
    ).headers["Link"]
    assert "types%5B%5D=mention" in link and 'rel="next"' in link and 'rel="prev"' in link


def test_a_reply_must_see_what_it_answers_and_a_widened_one_is_noted(fake: FakeMastodon) -> None:
    alice, me = fake.client(access_token="alice-token"), fake.client()
    secret = me.status_post("only for me", visibility="direct")
    with pytest.raises(MastodonNotFoundError):
        alice.status_post("hi", in_reply_to_id=secret.id)
    with pytest.raises(MastodonNotFoundError):
        alice.status_post("hi", in_reply_to_id="12345")
    asked = alice.status_post("@postbode latest", visibility="direct")
    reply = me.status_post("@alice here", in_reply_to_id=asked.id, visibility="public")
    assert reply.in_reply_to_account_id == fake.client(access_token="alice-token").me().id
    assert fake.widened == [(str(reply.id), "public", "direct")]


def test_an_edit_that_adds_a_mention_notifies(fake: FakeMastodon) -> None:
    alice, me = fake.client(access_token="alice-token"), fake.client()
    status = alice.status_post("nothing")
    alice.status_update(status.id, "@postbode now")
    [note] = me.notifications()
    assert note.status.edited_at is not None and note.created_at >= note.status.edited_at


def test_the_stream_sends_notifications_and_heartbeats(fake: FakeMastodon) -> None:
    fake.heartbeat = 0.05
    assert httpx.get(f"{fake.url}/api/v1/streaming/health").text == "OK"
    refused = httpx.get(f"{fake.url}/api/v1/streaming/user/notification")
    assert refused.status_code == 401
    lines: list[str] = []
    beating = threading.Event()

    def read() -> None:
        url = f"{fake.url}/api/v1/streaming/user"
        headers = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
        with httpx.stream("GET", url, headers=headers, timeout=5) as answer:
            assert answer.headers["content-type"] == "text/event-stream"
            for line in answer.iter_lines():
                lines.append(line)
                if lines.count(":thump") >= 2:
                    beating.set()
                if line.startswith("data:"):
                    return

    reader = threading.Thread(target=read)
    reader.start()
    fake.wait_for(lambda: fake.open_streams == 1)
    assert beating.wait(5)
    fake.client(access_token="alice-token").status_post("@postbode hello")
    reader.join(5)
    assert lines[0] == ":)" and "event: notification" in lines and '"type": "mention"' in lines[-1]
    fake.streaming = False
    assert httpx.get(f"{fake.url}/api/v1/streaming/health").status_code == 404
