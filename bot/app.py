"""Wiring: settings -> channels, store, scan and outbox, for the CLI commands."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from typing import TextIO

from bot.channels.base import Channel
from bot.channels.console import ConsoleChannel
from bot.channels.mastodon_budget import StatusBudget
from bot.clock import utc_now
from bot.config import MastodonSettings, Settings
from bot.folder.scan import Folder, Progress, ScanReport, Stopping, scan
from bot.jekyll.posts import READING_RULES
from bot.links_file import LinksFile, LinksKeeper
from bot.live.checker import LiveChecker
from bot.live.rules import LiveRules
from bot.logs import Redactor
from bot.outbox import Outbox
from bot.state import message_urls, routes
from bot.state.store import Store
from bot.subscribers.wiring import private_sender

log = logging.getLogger(__name__)


def build_channels(settings: Settings, console: TextIO | None = None) -> list[Channel]:
    """One adapter per destination; the console when there is none."""
    channels: list[Channel] = []
    chats = [d for d in settings.destinations if d.platform == "telegram"]
    if chats and settings.telegram:
        from bot.channels.telegram import TelegramChannel
        from bot.channels.telegram_bot import make_bot
        from bot.channels.telegram_pace import Overall

        bot, overall = make_bot(settings.telegram, len(chats)), Overall()
        channels += [
            TelegramChannel(
                settings.telegram,
                chat.target,
                settings.language,
                bot,
                destination=chat,
                zone=settings.site.timezone,  # silent hours are the site's hours
                overall=overall,  # one budget for the token (SPEC §11)
            )
            for chat in chats
        ]
    budgets: dict[tuple[str, str], StatusBudget] = {}  # one per Mastodon account
    for destination in settings.destinations:
        if destination.platform == "mastodon" and destination.credential_env:
            from bot.channels.mastodon import MastodonChannel

            account = MastodonSettings(
                destination.target, settings.credentials[destination.credential_env]
            )
            budget = budgets.setdefault((account.base_url, account.access_token), StatusBudget())
            channels.append(
                MastodonChannel(
                    account,
                    settings.language,
                    settings.site_root,
                    image_hosts=settings.image_hosts_allow,
                    destination=destination,
                    budget=budget,
                )
            )
        elif destination.platform == "bluesky" and destination.credential_env:
            from bot.channels.bluesky import BlueskyChannel  # atproto: only when needed

            channels.append(
                BlueskyChannel(
                    destination,
                    settings.credentials[destination.credential_env],
                    settings.language,
                    settings.site_root,
                    image_hosts=settings.image_hosts_allow,
                )
            )
    return channels or [ConsoleChannel(settings.language, console)]


def folder_of(settings: Settings, channels: Sequence[Channel]) -> Folder:
    """The posts folder as the scans need it, built once."""
    keys = {channel.key for channel in channels}
    return Folder(
        root=settings.posts_dir,
        site=settings.site,
        channels=tuple(channel.key for channel in channels),
        delete_remote=settings.on_delete == "delete",
        flood_limit=settings.flood_limit,
        live_site=live_site(settings),
        # Routing applies to the destinations that have a channel here (not the
        # console, which shows everything).
        destinations=tuple(d for d in settings.destinations if d.key in keys),
        language=settings.language,
    )


def live_site(settings: Settings) -> str | None:
    """The site whose pages first messages wait for (SPEC §12): SITE_URL, with
    WAIT_FOR_LIVE on and a platform configured. The console shows no link preview, so
    the sample run never waits, and never asks the network."""
    if not settings.wait_for_live or not settings.destinations:
        return None
    return settings.site.url


def index(
    store: Store,
    folder: Folder,
    now: dt.datetime | None = None,
    progress: Progress | None = None,
    stopping: Stopping | None = None,
) -> ScanReport:
    """Scan the posts folder into the store and say what happened."""
    now = now or utc_now()
    routes.register(store.db, folder.destinations, now)  # a new one starts now
    _reread_if_the_site_changed(store, folder, now)
    report = scan(store, folder, now, progress=progress, stopping=stopping)
    if report.stopped:
        log.info("stopped during the scan: the rest is read at the next start")
    elif report.baseline:
        seen = report.outcomes["baseline"]
        log.info(
            "first run: %d existing posts recorded as seen, not published;"
            " `postbode backfill --latest N` publishes the newest N",
            seen,
        )
    elif report.files or report.withdrawn:
        log.info("scan: %s; %d deliveries queued", report.summary(), report.queued)
    return report


def _reread_if_the_site_changed(store: Store, folder: Folder, now: dt.datetime) -> None:
    """SITE_URL, the zone, the permalink style or postbode's own reading rules changed
    since the last run: read again the files whose post never went out (their links
    are what /latest shows, and a post refused for want of a site URL may be fine
    now). Sent messages are not edited for it: their links changed with the site, not
    with the post."""
    site = folder.site
    fingerprint = (
        f"{site.url}|{site.timezone}|{site.permalink}|{site.excerpt_separator}"
        f"|{','.join(sorted(site.markdown_ext))}|{site.prefix}|{site.defaults!r}"
        f"|{site.announce_hidden}|{READING_RULES}"
    )
    known = store.meta("site")
    if known == fingerprint:
        return
    if known is not None and store.baselined:
        paths = store.paths_never_sent()
        log.info("the site settings changed: reading %d posts again", len(paths))
        scan(store, folder, now, paths=paths, reread=True)
    store.set_meta("site", fingerprint)


def live_checker(
    store: Store, settings: Settings, on_release: Callable[[], None] | None = None
) -> LiveChecker:
    """The check that lets posts waiting for their page go (SPEC §12). Built also when
    nothing may wait any more (WAIT_FOR_LIVE off, no platform): it lets go what waited
    before, without a request."""
    return LiveChecker(
        store,
        live_site(settings),
        rules=LiveRules(timeout=settings.live_timeout),
        on_release=on_release,
    )


def links_file(settings: Settings) -> LinksFile | None:
    """LINKS_FILE, keyed as the site's templates look posts up; None when not set."""
    if settings.links_file is None:
        return None
    return LinksFile(settings.links_file, posts_prefix(settings))


def posts_prefix(settings: Settings) -> str:
    """POSTS_DIR in the site, as the links' keys begin: Jekyll's `page.path` (the
    site's prefix, which the reading rules use too)."""
    return settings.site.prefix.rstrip("/")


def links_keeper(settings: Settings) -> LinksKeeper | None:
    """The worker's LINKS_FILE writer; None when not set."""
    file = links_file(settings)
    return LinksKeeper(file, settings.state_db) if file else None


async def learn_urls(store: Store, channels: Sequence[Channel]) -> int:
    """Record the URLs of messages sent before postbode kept them, where the channel
    can tell them now (it has started); return how many were recorded."""
    learned = 0
    for channel in channels:
        urls = []
        for delivery_id, remote_id in message_urls.unknown(store.db, channel.key):
            url = await channel.public_url(remote_id)
            if url is not None:
                urls.append((delivery_id, url))
        message_urls.record(store.db, urls)
        learned += len(urls)
    if learned:
        log.info("recorded the public URLs of %d messages sent by an earlier release", learned)
    return learned


async def deliver(store: Store, channels: Sequence[Channel], settings: Settings) -> int:
    """Send what is due now on every channel, then stop (`run --once`). Each post waiting
    for its page gets one look: the live ones go too, the others wait for the next run
    (or, past LIVE_TIMEOUT, go anyway). Then LINKS_FILE holds what was sent and removed
    (once, for the whole run). Subscribers' messages go after the channels' (SPEC §11)."""
    live = live_checker(store, settings)
    try:
        await live.check_every()
    finally:
        await live.close()
    links = links_file(settings)
    for channel in channels:
        await channel.start()
    try:
        await learn_urls(store, channels)
        sent = await Outbox(store, channels, secrets=settings.secrets).drain()
        if (private := private_sender(settings, store, channels)) is not None:
            await private.drain()
    finally:
        for channel in channels:
            await channel.close()
    if links is not None:
        try:
            links.refresh(store.db)
        except OSError as error:  # the site's business: what was sent stays sent
            log.error("LINKS_FILE: cannot write %s (%s)", links.path, error)
    return sent


async def check(settings: Settings) -> list[str]:
    """One line per check: the settings, then each channel's credentials and rights."""
    lines = [f"OK   settings: {settings.describe()}"]
    # A Bluesky table's name says not which account logged in: its handle does.
    handles = {d.key: d.target for d in settings.destinations if d.platform == "bluesky"}
    redact = Redactor(settings.secrets).redact  # an error's words may quote what was sent
    for channel in build_channels(settings):
        try:
            problem = await channel.check()
        finally:
            await channel.close()
        name = channel.key
        if (handle := handles.get(name)) and handle not in name:
            name += f" (@{handle})"
        lines.append(redact(f"FAIL {name}: {problem}" if problem else f"OK   {name}"))
    return lines
