"""The long-lived worker: watch the folder, keep the database in line, publish."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from watchfiles import awatch

from bot import app
from bot.channels.base import Channel
from bot.config import Settings
from bot.outbox import Outbox, utc_now
from bot.scan import scan
from bot.store import Store

log = logging.getLogger(__name__)


async def run_worker(settings: Settings, store: Store, channels: Sequence[Channel]) -> int:
    """Scan, publish, then re-check every path the watcher reports."""
    log.info("postbode starting: %s", settings.describe())
    app.index(store, settings, channels)
    for channel in channels:
        await channel.start()
    outbox = Outbox(store, channels)
    keys = [c.key for c in channels]
    try:
        await outbox.drain()
        async for changes in awatch(settings.posts_dir):
            paths = {str(p) for _, p in changes}
            relative = [
                str(__import__("pathlib").Path(p).relative_to(settings.posts_dir)) for p in paths
            ]
            scan(store, settings.posts_dir, settings.site, keys, utc_now(), paths=relative)
            await outbox.drain()
    finally:
        for channel in channels:
            await channel.close()
    return 0
