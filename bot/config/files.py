"""The files settings come from or point at: postbode.toml, `_config.yml`, the posts
folder and the files postbode writes."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from bot.config.settings import ConfigError
from bot.jekyll.site import normalize_url, site_url_from_config

CONFIG_FILE = "postbode.toml"
SECRET_NAMES = ("TELEGRAM_BOT_TOKEN", "MASTODON_ACCESS_TOKEN")


def config_path(env: Mapping[str, str], cwd: Path) -> tuple[Path, bool]:
    """postbode.toml: POSTBODE_CONFIG (`--config PATH`) names it, and must then exist;
    else the one in the working folder, if there is one."""
    named = env.get("POSTBODE_CONFIG", "").strip()
    return (cwd / named, True) if named else (cwd / CONFIG_FILE, False)


def read_toml(path: Path, required: bool = False) -> tuple[dict[str, str], Any]:
    """The file's settings as text, and its `[[destinations]]` tables (None: none)."""
    if not path.exists():
        if required:
            raise ConfigError(f"POSTBODE_CONFIG: {str(path)!r} does not exist")
        return {}, None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path.name}: cannot be read: {error}") from None
    tables = data.pop("destinations", None)
    values = {str(key).upper(): str(value) for key, value in data.items()}
    for name in SECRET_NAMES:
        if name in values:
            raise ConfigError(
                f"{name}: secrets are read from the environment only, not {CONFIG_FILE}"
            )
    return values, tables


def posts_folder(cwd: Path, value: str) -> Path:
    path = (cwd / value).resolve() if value.strip() else Path()
    if not value.strip() or not path.is_dir():
        raise ConfigError(f"POSTS_DIR: {value!r} is not a folder")
    if not os.access(path, os.R_OK | os.X_OK):
        raise ConfigError(f"POSTS_DIR: {value!r} is not readable")
    return path


def file_to_write(name: str, base: Path, value: str) -> Path:
    """A file written with others beside it (a journal, a version to rename in)."""
    path = (base / value).resolve() if value.strip() else Path()
    if not value.strip() or path.is_dir():
        raise ConfigError(f"{name}: {value!r} is not a file name")
    if not path.parent.is_dir() or not os.access(path.parent, os.W_OK):
        raise ConfigError(f"{name}: the folder of {value!r} does not exist or is not writable")
    return path


def links_file(value: str, site_root: Path, check: bool) -> Path | None:
    """LINKS_FILE, relative to the site (`_data/postbode.json`)."""
    if not value.strip():
        return None
    return file_to_write("LINKS_FILE", site_root, value) if check else site_root / value


def jekyll_config(posts_dir: Path) -> tuple[Path, dict[str, Any]]:
    """`_config.yml` in the posts folder or next to it (a Jekyll site's _posts)."""
    for folder in (posts_dir, posts_dir.parent):
        path = folder / "_config.yml"
        if path.is_file():
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
            except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
                raise ConfigError(f"_config.yml: {path} cannot be read: {error}") from None
            return folder, data if isinstance(data, dict) else {}
    return posts_dir, {}


def site_url_setting(value: str | None, jekyll: Mapping[str, Any]) -> str | None:
    if value is None or value == "":
        return site_url_from_config(jekyll)
    url = normalize_url(value)
    if url is None:
        raise ConfigError(f"SITE_URL: {value!r} is not an http(s) URL")
    return url.rstrip("/")
