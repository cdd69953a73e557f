"""The console channel: prints summaries, so a fresh checkout shows the main job."""

from __future__ import annotations

import sys
from typing import TextIO

from bot.channels.base import Sent
from bot.jekyll.posts import Post
from bot.summary import render_console


class ConsoleChannel:
    """Writes each summary to a stream, followed by a blank line."""

    key = "console"
    min_interval = 0.0

    def __init__(self, language: str, stream: TextIO | None = None) -> None:
        self.language = language
        self.stream = stream or sys.stdout
        self.sent = 0

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        self.stream.flush()

    async def publish(self, post: Post, idempotency_key: str) -> Sent:
        self.sent += 1
        self._write(render_console(post, self.language))
        return Sent(f"console-{self.sent}")  # printed, not published: no URL

    async def public_url(self, remote_id: str) -> str | None:
        return ""

    async def check(self) -> str | None:
        return None  # standard output needs no credentials

    async def edit(self, post: Post, remote_id: str) -> None:
        self._write("(edited) " + render_console(post, self.language))

    async def delete(self, post: Post, remote_id: str) -> None:
        self._write(f"(withdrawn) {post.title}")

    def _write(self, text: str) -> None:
        self.stream.write(text + "\n\n")
        self.stream.flush()
