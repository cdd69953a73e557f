"""The subscriptions in `status` and /status: one line each (pure)."""

from __future__ import annotations

from typing import Any


def subscription_lines(info: dict[str, Any] | None) -> list[str]:
    """Subscribers per category and the fan-out backlog; nothing where nobody subscribes."""
    if not info or not (info["readers"] or info["queued"] or info["blocked"]):
        return []
    per = ", ".join(f"{n} {name}" for name, n in info["per_category"].items()) or "none"
    lines = [f"subscribers: {info['readers']} readers ({per}); {info['blocked']} left (blocked)"]
    if info["queued"] or info["fanouts_open"]:
        finish = info["finish_at"] or "not known yet"
        lines.append(
            f"private messages to send: {info['queued']} ({info['per_second']}/s),"
            f" {info['fanouts_open']} posts still to fan out; expected done {finish}"
        )
    if info["failed"]:
        lines.append(f"private messages failed: {info['failed']}")
    return lines
