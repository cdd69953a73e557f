"""What `preview` and `status` print for people: a post's renderings under headers
with their budgets, the state report in lines."""

from __future__ import annotations

from typing import Any

from bot.subscribers.report import subscription_lines


def _destination_lines(shown: dict[str, Any]) -> list[str]:
    lines = ["-- destinations"] if shown.get("destinations") else []
    for d in shown.get("destinations", ()):
        extra = (f", topic {d['topic']}" if d["topic"] else "") + (
            f", content warning {d['content_warning']!r}" if d["content_warning"] else ""
        )
        lines.append(
            f"{d['name']} ({d['platform']} {d['target']}): "
            + (f"yes{extra}" if d["goes"] else f"no: {d['why_not']}")
        )
    return lines


def as_text(shown: dict[str, Any]) -> str:
    """A preview for people: each channel's text under a header with its budget."""
    head = f"== {shown['path']}  [{shown['status']}]"
    if shown["telegram"] is None:
        return f"{head}\n{shown['reason']}\n"
    telegram, mastodon = shown["telegram"], shown["mastodon"]
    lines = [
        head + (f"  ({shown['reason']})" if shown["reason"] else ""),
        *_waits(shown),
        *_destination_lines(shown),
        "-- console",
        shown["console"],
        f"-- telegram {telegram['method']} ({telegram['used']}/{telegram['limit']} UTF-16 units)"
        + (f" photo {telegram['photo']}" if telegram["photo"] else ""),
        telegram["text"],
        f"-- mastodon ({mastodon['used']}/{mastodon['limit']} characters, language"
        f" {mastodon['language']})"
        + (
            f" image {mastodon['media']['url'] or mastodon['media']['path']}"
            if mastodon["media"]
            else ""
        ),
        mastodon["status"],
        *_bluesky_lines(shown["bluesky"]),
        "",
    ]
    return "\n".join(lines)


def _bluesky_lines(bluesky: dict[str, Any]) -> list[str]:
    head = (
        f"-- bluesky ({bluesky['graphemes']}/{bluesky['limit']} graphemes,"
        f" {bluesky['bytes']}/{bluesky['byte_limit']} bytes, langs {','.join(bluesky['langs'])})"
        + (f" thumb {bluesky['image']}" if bluesky["image"] else "")
    )
    facets = [
        f"   {f['kind']} bytes {f['byte_start']}-{f['byte_end']} {f['text']!r}"
        + (f" -> {f['value']}" if f["kind"] == "link" else "")
        for f in bluesky["facets"]
    ]
    return [head, bluesky["text"], *facets]


def status_text(report: dict[str, Any]) -> str:
    """The `status` report for people."""
    posts = report["posts"]
    lines = ["posts: " + (", ".join(f"{n} {s}" for s, n in sorted(posts.items())) or "none")]
    for channel, info in sorted(report["channels"].items()):
        counts = ", ".join(
            f"{info.get(state, 0)} {state}"
            for state in ("waiting", "pending", "sending", "sent", "failed", "withdrawn")
            if state != "waiting" or info.get(state)  # most sites never wait: no "0 waiting"
        )
        lines.append(f"{channel}: {counts}; last sent {info['last_sent_at'] or 'never'}")
        if info["last_error"]:
            lines.append(f"  last error: {info['last_error']}")
        if report.get("not_edited", {}).get(channel):
            lines.append(
                f"  {report['not_edited'][channel]} posts changed after they were sent:"
                " Bluesky has no edit, so they show the summary first sent"
            )
    for failure in report["failures"]:
        lines.append(f"failed: {failure['channel']} {failure['path']}: {failure['last_error']}")
    for post in report["waiting"]:
        lines.append(f"waiting for its page: {post['path']} {waiting_text(post)}")
    for invalid in report["invalid"]:
        lines.append(f"invalid: {invalid['path']}: {invalid['reason']}")
    for post in report.get("unknown_destinations", ()):
        lines.append(f"syndicate names no destination: {post['path']}: {', '.join(post['names'])}")
    return "\n".join(lines + subscription_lines(report.get("subscriptions")))


def _waits(shown: dict[str, Any]) -> list[str]:
    if shown["waiting"]:
        return [f"-- waiting for its page: {waiting_text(shown['waiting'])}"]
    if shown["waits_for_page"]:
        return ["-- its first message waits until its page is live (WAIT_FOR_LIVE)"]
    return []


def waiting_text(waiting: dict[str, Any]) -> str:
    """Where a post waiting for its page stands, in one line."""
    answer = f", last answer: {waiting['last_answer']}" if waiting["last_answer"] else ""
    return (
        f"{waiting['link']} since {waiting['since']} ({waiting['checks']} looks{answer}),"
        f" next look {waiting['next_check']}, for {', '.join(waiting['channels'])}"
    )
