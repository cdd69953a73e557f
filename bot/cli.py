"""The `postbode` command line: parse, wire, call, and map errors to exit codes."""

from __future__ import annotations

import gc
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bot import logs
from bot.config import ConfigError, Settings, load_settings
from bot.folder.listing import looking_ahead
from bot.folder.settle import ignore_lease_breaks
from bot.state.lock import AlreadyRunning, WorkerLock

# The rest is imported by the commands that use it: `run` starts looking at the posts
# folder first (bot.folder.ahead), beside these imports' 0.3 s.
if TYPE_CHECKING:
    from bot.folder.scan import Progress
    from bot.state.store import Store

log = logging.getLogger(__name__)
# Show a progress bar only when there is enough work to watch.
_PROGRESS_FROM = 200


def _settings(*, folders: bool = True) -> Settings:
    try:
        return load_settings(os.environ, Path.cwd(), check_folders=folders)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


@contextmanager
def _open_store(settings: Settings) -> Iterator[Store]:
    """The state database, closed afterwards; an unusable file is one clear line."""
    from bot.state.store import StateError, Store

    try:
        store = Store(settings.state_db)
    except StateError as error:
        raise click.ClickException(str(error)) from None
    try:
        yield store
    finally:
        store.close()


def _require_state(settings: Settings) -> None:
    """Reports read the state database; they do not make an empty one."""
    if not settings.state_db.exists():
        raise click.ClickException(
            f"no state database at {settings.state_db} yet: run `postbode run` first"
        )


def _start(settings: Settings) -> None:
    logs.configure(settings.log_format, settings.secrets)
    for note in settings.notes:
        log.warning("%s", note)


@contextmanager
def _progress() -> Iterator[Progress | None]:
    """A progress bar on stderr when it is a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    bar: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        if total < _PROGRESS_FROM:
            return
        if "bar" not in bar:
            bar["bar"] = click.progressbar(length=total, label="Reading posts", file=sys.stderr)
            bar["done"] = 0
        bar["bar"].update(done - bar["done"])
        bar["done"] = done

    try:
        yield update
    finally:
        if "bar" in bar:
            bar["bar"].render_finish()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="postbode")
@click.option(
    "--config",
    "config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The postbode.toml to read (else POSTBODE_CONFIG, else ./postbode.toml).",
)
def cli(config: Path | None) -> None:
    """Publish a Jekyll site's new posts to Telegram channels and Mastodon.

    Settings come from the environment (see README): POSTS_DIR, STATE_DB,
    SITE_URL, TELEGRAM_BOT_TOKEN, TELEGRAM_CHANNEL, MASTODON_BASE_URL,
    MASTODON_ACCESS_TOKEN, LANGUAGE, ...; destinations from postbode.toml.
    """
    if config is not None:  # read by load_settings, with the rest of the environment
        os.environ["POSTBODE_CONFIG"] = str(config.resolve())


@cli.command()
@click.option("--once", is_flag=True, help="Process what is pending, then exit (for cron).")
def run(once: bool) -> None:
    """Watch the posts folder and publish new posts (the worker).

    With no Telegram or Mastodon settings, summaries are printed (console channel).

    Example: postbode run --once
    """
    settings = _settings()
    _start(settings)
    # The folder's files are looked at from now on, beside the start (bot.folder.ahead).
    with looking_ahead(settings.posts_dir):
        _run(settings, once)


def _run(settings: Settings, once: bool) -> None:
    import asyncio
    import sqlite3

    from bot import app
    from bot.state.transaction import write_failure
    from bot.worker import run_worker

    channels = app.build_channels(settings)
    try:
        with WorkerLock(settings.state_db), _open_store(settings) as store:
            if once:
                with _progress() as progress:
                    app.index(store, app.folder_of(settings, channels), progress=progress)
                asyncio.run(app.deliver(store, channels, settings))
            else:
                raise SystemExit(asyncio.run(run_worker(settings, store, channels)))
    except AlreadyRunning as error:
        raise click.ClickException(str(error)) from None
    except (OSError, sqlite3.OperationalError) as error:
        if reason := write_failure(error):  # the lock file or `--once`'s writes
            raise click.ClickException(
                f"STATE_DB: cannot write {settings.state_db} ({reason})"
            ) from None
        raise


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per post.")
def preview(paths: tuple[Path, ...], as_json: bool) -> None:
    """Show exactly what each channel would send for these post files or folders.

    Example: postbode preview posts/ --json
    """
    from bot import preview as previews  # imports Mastodon.py: not at every start of `run`
    from bot.clock import utc_now

    settings = _settings(folders=False)
    shape = previews.json_line if as_json else previews.as_text
    write: Callable[[str], None] = click.echo
    for path in paths:
        for line in previews.shaped_previews(path, settings, utc_now(), shape):
            write(line)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def status(as_json: bool) -> None:
    """Posts known, and per channel pending / sent / failed with the last error.

    Example: postbode status --json
    """
    from bot.state.catalog import Catalog

    settings = _settings()
    _require_state(settings)
    with _open_store(settings) as store:
        report = Catalog(store.db).report(
            (d.name for d in settings.destinations),
            cannot_edit=[d.key for d in settings.destinations if d.platform == "bluesky"],
        )
    from bot import preview as previews

    click.echo(
        json.dumps(report, ensure_ascii=False, indent=2)
        if as_json
        else previews.status_text(report)
    )


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the object LINKS_FILE holds.")
def links(as_json: bool) -> None:
    """Where each post's messages can be read: post, destination, public URL.

    The same links as LINKS_FILE, keyed by the post's path in the site (Jekyll's
    page.path). A private Telegram channel's messages have no public URL: not shown.

    Example: postbode links --json
    """
    from bot import app
    from bot.links_file import render, table
    from bot.state import message_urls

    settings = _settings()
    _require_state(settings)
    with _open_store(settings) as store:
        rows = message_urls.live(store.db)
        if as_json:
            for piece in render(rows, app.posts_prefix(settings)):
                click.echo(piece, nl=False)
        else:
            lines = table(rows, app.posts_prefix(settings))
            click.echo("\n".join(lines) if len(lines) > 1 else "no message has a public URL yet")


@cli.command()
@click.option("--since", help="Publish live posts dated on or after DATE (YYYY-MM-DD).")
@click.option("--latest", type=click.IntRange(min=1), help="Publish the newest N live posts.")
@click.option("--destination", "destination", help="Only to this destination (its name).")
def backfill(since: str | None, latest: int | None, destination: str | None) -> None:
    """Queue older posts that were recorded as seen but never published, each to the
    destinations its rules send it to (or to one: --destination NAME).

    They go out in date order at the channels' pace, with the next `run`.

    Example: postbode backfill --destination sport --latest 10 && postbode run --once
    """
    from bot import app
    from bot.clock import utc_now
    from bot.jekyll.dates import DateError, parse_date
    from bot.state import routes

    if (since is None) == (latest is None):
        raise click.UsageError("give exactly one of --since DATE or --latest N")
    settings = _settings()
    _start(settings)
    try:
        since_date = parse_date(since, settings.site.timezone) if since else None
    except DateError as error:
        raise click.BadParameter(str(error), param_hint="--since") from None
    channels = app.build_channels(settings)
    folder = app.folder_of(settings, channels)
    only = [d.key for d in settings.destinations if d.name == destination]
    if destination is not None and not only:
        names = ", ".join(d.name for d in settings.destinations) or "none"
        raise click.BadParameter(
            f"no destination {destination!r} ({names})", param_hint="--destination"
        )
    with _open_store(settings) as store:
        try:
            with WorkerLock(settings.state_db), _progress() as progress:
                app.index(store, folder, progress=progress)
        except AlreadyRunning:
            click.echo("a worker is running: it keeps the posts up to date and sends these")
        queued = routes.backfill(
            store.deliveries, folder, utc_now(), since=since_date, latest=latest, only=only
        )
    click.echo(f"queued {queued} deliveries; `postbode run` sends them in date order")


@cli.command()
def retry() -> None:
    """Put failed deliveries back in the outbox, subscribers' private messages too.

    Example: postbode retry && postbode run --once
    """
    from bot.clock import utc_now
    from bot.state.fanout import Fanout

    settings = _settings()
    with _open_store(settings) as store:
        count = store.deliveries.retry_failed(utc_now())
        private = Fanout(store.db).retry_failed(utc_now())
    click.echo(f"{count} failed deliveries queued again")
    if private:
        click.echo(f"{private} failed private messages to subscribers queued again")


@cli.command()
def check() -> None:
    """Check the settings and the credentials (getMe, verify_credentials).

    Example: postbode check
    """
    import asyncio

    from bot import app

    settings = _settings()
    _start(settings)
    problems = asyncio.run(app.check(settings))
    for line in problems:
        click.echo(line)
    if any(line.startswith("FAIL") for line in problems):
        raise SystemExit(1)


def main() -> None:
    ignore_lease_breaks()
    try:
        cli(prog_name="postbode")
    finally:
        # All is saved and closed by now (and a kill -9 loses nothing anyway): the
        # interpreter's last collection of every object only made each stop 0.3 s longer.
        gc.freeze()
