"""load_settings: the environment over postbode.toml, checked, as one Settings value."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from bot.config.destinations import platforms
from bot.config.files import (
    config_path,
    file_to_write,
    jekyll_config,
    links_file,
    posts_folder,
    read_toml,
    site_url_setting,
)
from bot.config.settings import ConfigError, Settings
from bot.config.values import choice, image_hosts, language_setting, positive_int, timezone_setting
from bot.jekyll.permalinks import UnknownPlaceholder, check_template
from bot.jekyll.site import site_from_config


def load_settings(env: Mapping[str, str], cwd: Path, *, check_folders: bool = True) -> Settings:
    """Build Settings from `env` over postbode.toml (non-secret keys only, and the
    `[[destinations]]`; POSTBODE_CONFIG names another file).

    `check_folders=False` is for `preview`, which reads the files it is given.
    """
    path, required = config_path(env, cwd)
    from_file, tables = read_toml(path, required)
    values = {**from_file, **{k: v for k, v in env.items() if k.isupper()}}
    reach = platforms(values, tables, env)
    posts_dir = (cwd / values.get("POSTS_DIR", "posts")).resolve()
    state_db = (cwd / values.get("STATE_DB", "state.db")).resolve()
    if check_folders:
        posts_dir = posts_folder(cwd, values.get("POSTS_DIR", "posts"))
        state_db = file_to_write("STATE_DB", cwd, values.get("STATE_DB", "state.db"))
    site_root, jekyll = jekyll_config(posts_dir)
    site_url = site_url_setting(values.get("SITE_URL"), jekyll)
    timezone = timezone_setting(values.get("TIMEZONE") or jekyll.get("timezone"), env)
    language, notes = language_setting(values.get("LANGUAGE", ""))
    site = site_from_config(
        jekyll,
        url=site_url,
        timezone=timezone,
        posts_dir=posts_dir,
        source=site_root,
        announce_hidden=choice(values, "ANNOUNCE_HIDDEN", ("on", "off"), "off") == "on",
    )
    try:
        check_template(site.permalink)
    except UnknownPlaceholder as error:  # every post would be refused for it
        raise ConfigError(f"_config.yml: {error}") from None
    wait_for_live = choice(values, "WAIT_FOR_LIVE", ("on", "off"), "on") == "on"
    if values.get("WAIT_FOR_LIVE", "").strip().lower() == "on" and site_url is None:
        notes += ("WAIT_FOR_LIVE: on, but no SITE_URL (nor url in _config.yml): no post waits",)
    replies = choice(values, "MASTODON_REPLIES", ("on", "off"), "off") == "on"
    if replies and not any(d.platform == "mastodon" for d in reach.destinations):
        raise ConfigError("MASTODON_REPLIES: on, but there is no Mastodon account to answer as")
    return Settings(
        posts_dir=posts_dir,
        state_db=state_db,
        site=site,
        language=language,
        telegram=reach.telegram,
        mastodon=reach.mastodon,
        mastodon_replies=replies,
        mastodon_poll_interval=float(positive_int(values, "MASTODON_POLL_INTERVAL", 30)),
        log_format=choice(values, "LOG_FORMAT", ("text", "json"), "text"),  # type: ignore[arg-type]
        on_delete=choice(values, "ON_DELETE", ("keep", "delete"), "keep"),  # type: ignore[arg-type]
        site_root=site_root,
        watch_mode=choice(values, "WATCH_MODE", ("events", "poll", "off"), "events"),  # type: ignore[arg-type]
        reconcile_interval=float(positive_int(values, "RECONCILE_INTERVAL", 0)) or None,
        flood_limit=positive_int(values, "FLOOD_LIMIT", 50),
        image_hosts_allow=image_hosts(values.get("IMAGE_HOSTS_ALLOW", "")),
        wait_for_live=wait_for_live,
        live_timeout=float(positive_int(values, "LIVE_TIMEOUT", 3600)),
        links_file=links_file(values.get("LINKS_FILE", ""), site_root, check_folders),
        destinations=reach.destinations,
        credentials=reach.credentials,
        notes=notes,
    )
