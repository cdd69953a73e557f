"""The command line as operators use it: real processes, real folders, real SQLite."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.config import ConfigError, load_settings
from tests.conftest import OFFLINE_ENV, REPO, SAMPLE_POST, write_post
from tests.fakes.mastodon import DEFAULT_TOKEN as MASTODON_TOKEN
from tests.fakes.mastodon import FakeMastodon

TOKEN = "123456:SECRET-token-never-printed"


def run_cli(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot ...` in a clean environment, as an operator would run it, on this
    checkout's code (not whichever one the virtualenv has installed)."""
    environment = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8", "TZ": "UTC", **OFFLINE_ENV,
                   "PYTHONPATH": str(REPO), **env}  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def site_copy(tmp_path: Path) -> Path:
    """A copy of the repository's sample posts, where a fresh checkout would have them."""
    shutil.copytree(REPO / "posts", tmp_path / "posts")
    return tmp_path


def test_first_run_records_existing_posts_and_says_so(site_copy: Path) -> None:
    """A first `run --once` publishes nothing old, and says how many it saw and what to do."""
    result = run_cli("run", "--once", cwd=site_copy)
    assert result.returncode == 0, result.stderr
    assert "first run: 6 existing posts recorded as seen" in result.stdout
    assert "backfill" in result.stdout
    assert "Lees verder" not in result.stdout and "https://voorbeeldkrant.nl" not in result.stdout


def test_readme_demo_shows_the_sample_summaries_then_nothing_new(site_copy: Path) -> None:
    """backfill + run --once prints each live sample post once, oldest first; a second run prints none."""
    assert run_cli("backfill", "--latest", "10", cwd=site_copy).returncode == 0
    first = run_cli("run", "--once", cwd=site_copy)
    assert first.returncode == 0, first.stderr
    heading = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d [+-]\d{4}  (.*)$", re.MULTILINE)
    titles = heading.findall(first.stdout)
    assert titles == [
        "Gemeente investeert 12 miljoen in veilige fietspaden",
        "Storm veroorzaakt schade aan kust & duinen",
        "City council approves a new central library",
        "Energieprijzen dalen voor het eerst in twee jaar",
        "Museum opens its doors for night tours",
        "Interview: ‘We moeten meer woningen bouwen, en snel’",
    ]
    assert "Concept" not in first.stdout and "Zomerfestival" not in first.stdout
    second = run_cli("run", "--once", cwd=site_copy)
    assert second.returncode == 0
    assert "https://" not in second.stdout
    status = json.loads(run_cli("status", "--json", cwd=site_copy).stdout)
    assert status["posts"] == {"ready": 7, "unpublished": 1}
    assert status["channels"]["console"]["sent"] == 6
    assert status["channels"]["console"]["pending"] == 1  # the 2030 post waits for its date


def test_preview_of_a_seed_shaped_post_prints_all_three_renderings(tmp_path: Path) -> None:
    """`preview` shows console, Telegram and Mastodon text with their budgets, even unconfigured."""
    result = run_cli("preview", str(SAMPLE_POST), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "-- console" in out
    assert "-- telegram sendPhoto (292/1024 UTF-16 units)" in out
    assert "<b>Havenstaking legt Rotterdam stil: &quot;geen schip gaat" in out
    assert '<a href="https://example.nl/l/2019-havenstaking">Lees verder</a>' in out
    assert "-- mastodon (" in out and "/500 characters, language nl)" in out


def test_preview_json_has_the_documented_fields(tmp_path: Path) -> None:
    """One JSON object per post with the fields SPEC §1 names, invalid files included."""
    write_post(tmp_path / "p", "bad.md", "title: [oops")
    shutil.copy(SAMPLE_POST, tmp_path / "p")
    result = run_cli("preview", "--json", "p", cwd=tmp_path)
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    by_status = {o["status"]: o for o in objects}
    seed = by_status["ready"]
    assert {
        "path",
        "status",
        "reason",
        "title",
        "date",
        "link",
        "categories",
        "telegram",
        "mastodon",
        "console",
    } <= set(seed)
    assert set(seed["telegram"]) >= {"method", "text", "parse_mode", "photo"}
    assert set(seed["mastodon"]) >= {"status", "language", "media"}
    assert seed["telegram"]["parse_mode"] == "HTML" and seed["mastodon"]["language"] == "nl"
    assert seed["mastodon"]["media"]["description"] == seed["title"]
    assert by_status["invalid"]["reason"].startswith("front matter is not valid YAML")
    assert by_status["invalid"]["telegram"] is None


@pytest.mark.parametrize(
    ("env", "setting"),
    [
        ({"POSTS_DIR": "nope"}, "POSTS_DIR"),
        ({"STATE_DB": "missing-folder/state.db"}, "STATE_DB"),
        ({"SITE_URL": "ftp://example.nl"}, "SITE_URL"),
        ({"TIMEZONE": "Mars/Olympus"}, "TIMEZONE"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT"),
        ({"ON_DELETE": "shred"}, "ON_DELETE"),
        ({"TELEGRAM_BOT_TOKEN": ""}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_BOT_TOKEN": "not a token"}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN}, "TELEGRAM_CHANNEL"),
        (
            {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_CHANNEL": "no spaces allowed"},
            "TELEGRAM_CHANNEL",
        ),
        (
            {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_CHANNEL": "@nieuws", "TELEGRAM_API_URL": "x"},
            "TELEGRAM_API_URL",
        ),
        (
            {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_CHANNEL": "@nieuws",
                "TELEGRAM_ADMIN_IDS": "me",
            },
            "TELEGRAM_ADMIN_IDS",
        ),
        (
            {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_CHANNEL": "@nieuws",
                "TELEGRAM_MAX_PER_MINUTE": "0",
            },
            "TELEGRAM_MAX_PER_MINUTE",
        ),
        ({"TELEGRAM_CHANNEL": "@nieuws"}, "TELEGRAM_BOT_TOKEN"),
        ({"MASTODON_BASE_URL": "https://m.social"}, "MASTODON_ACCESS_TOKEN"),
        ({"MASTODON_ACCESS_TOKEN": "tok"}, "MASTODON_BASE_URL"),
        ({"MASTODON_ACCESS_TOKEN": "tok", "MASTODON_BASE_URL": "m.social"}, "MASTODON_BASE_URL"),
        ({"IMAGE_HOSTS_ALLOW": "images.example.nl, 10.0.0.0/33"}, "IMAGE_HOSTS_ALLOW"),
        ({"FLOOD_LIMIT": "0"}, "FLOOD_LIMIT"),
        ({"ANNOUNCE_HIDDEN": "sometimes"}, "ANNOUNCE_HIDDEN"),
        ({"WAIT_FOR_LIVE": "sometimes"}, "WAIT_FOR_LIVE"),
        ({"LIVE_TIMEOUT": "0"}, "LIVE_TIMEOUT"),
        ({"LIVE_TIMEOUT": "1h"}, "LIVE_TIMEOUT"),
    ],
)
def test_a_wrong_setting_is_named_in_one_line(
    tmp_path: Path, env: dict[str, str], setting: str
) -> None:
    """Each wrong setting stops start-up with a message that names it and holds no secret."""
    (tmp_path / "posts").mkdir()
    with pytest.raises(ConfigError) as error:
        load_settings(env, tmp_path)
    message = str(error.value)
    assert message.startswith(setting + ":")
    assert "\n" not in message and "SECRET" not in message


def test_wrong_setting_from_the_command_line_has_no_traceback(tmp_path: Path) -> None:
    """The process prints one line naming the setting and exits non-zero."""
    (tmp_path / "posts").mkdir()
    result = run_cli(
        "run", "--once", cwd=tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_CHANNEL="bad channel"
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "TELEGRAM_CHANNEL" in lines[0]
    assert TOKEN not in result.stderr + result.stdout


def test_secrets_are_refused_in_the_config_file(tmp_path: Path) -> None:
    """postbode.toml holds settings, never tokens."""
    (tmp_path / "posts").mkdir()
    (tmp_path / "postbode.toml").write_text('LANGUAGE = "en"\nTELEGRAM_BOT_TOKEN = "1:x"\n')
    with pytest.raises(
        ConfigError, match=r"^TELEGRAM_BOT_TOKEN: secrets are read from the environment"
    ):
        load_settings({}, tmp_path)


def test_config_file_and_jekyll_config_are_read(tmp_path: Path) -> None:
    """postbode.toml gives defaults the environment overrides; _config.yml gives URL and zone."""
    (tmp_path / "site" / "_posts").mkdir(parents=True)
    (tmp_path / "site" / "_config.yml").write_text(
        "url: https://krant.nl\nbaseurl: /blog\ntimezone: Europe/Amsterdam\npermalink: pretty\n"
    )
    (tmp_path / "postbode.toml").write_text('POSTS_DIR = "site/_posts"\nLANGUAGE = "en"\n')
    settings = load_settings({"LANGUAGE": "nl"}, tmp_path)
    assert settings.posts_dir == tmp_path / "site" / "_posts"
    assert settings.language == "nl"
    assert settings.site.url == "https://krant.nl/blog"
    assert str(settings.site.timezone) == "Europe/Amsterdam"
    assert settings.site.permalink == "/:categories/:year/:month/:day/:title/"
    assert settings.site_root == tmp_path / "site"
    assert settings.site.prefix == "_posts/"


def test_a_permalink_jekyll_would_refuse_stops_start_up(tmp_path: Path) -> None:
    """Jekyll stops its build for an unknown placeholder; postbode stops at start-up
    rather than refuse every post one by one."""
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_config.yml").write_text("permalink: /:year/:titel/\n")
    with pytest.raises(
        ConfigError, match=r"^_config.yml: permalink '/:year/:titel/': Jekyll has no :titel$"
    ):
        load_settings({"POSTS_DIR": str(tmp_path)}, tmp_path)


def test_settings_never_show_tokens(tmp_path: Path) -> None:
    """repr() and describe() of the settings hold no token."""
    (tmp_path / "posts").mkdir()
    settings = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_CHANNEL": "@nieuws",
            "MASTODON_BASE_URL": "https://m.nl",
            "MASTODON_ACCESS_TOKEN": "mastodon-SECRET",
        },
        tmp_path,
    )
    shown = repr(settings) + json.dumps(settings.describe())
    assert "SECRET" not in shown
    assert settings.secrets == (TOKEN, "mastodon-SECRET")


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help_with_an_example(command: str) -> None:
    """`postbode COMMAND --help` explains the command and shows an example."""
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example: postbode " + command in result.output


def test_a_first_run_over_many_posts_shows_a_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    """On a TTY, indexing hundreds of posts draws a progress bar; in a pipe it does not."""
    import pty

    posts = tmp_path / "posts"
    for n in range(250):
        write_post(posts, f"p{n}.md", f'title: P{n}\nexterne_link: "https://e.nl/{n}"')
    leader, follower = pty.openpty()
    environment = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8", "TZ": "UTC", **OFFLINE_ENV,
                   "PYTHONPATH": str(REPO)}  # fmt: skip
    process = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--once"],
        cwd=tmp_path, env=environment, stdout=subprocess.PIPE, stderr=follower, timeout=60,
    )  # fmt: skip
    os.close(follower)
    terminal = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        terminal += chunk
    os.close(leader)
    assert process.returncode == 0
    assert b"Reading posts" in terminal and b"100%" in terminal
    piped = run_cli("status", cwd=tmp_path)
    assert "Reading posts" not in piped.stdout + piped.stderr


def test_status_and_retry_after_a_refused_delivery(
    tmp_path: Path, fake_mastodon: FakeMastodon
) -> None:
    """A 422 is shown by `status` with the platform's words; `retry` queues it again."""
    write_post(tmp_path / "posts", "a.md", 'title: A\nexterne_link: "https://e.nl/a"')
    env = {
        "MASTODON_BASE_URL": fake_mastodon.url,
        "MASTODON_ACCESS_TOKEN": MASTODON_TOKEN,
    }
    assert run_cli("backfill", "--latest", "1", cwd=tmp_path, **env).returncode == 0
    fake_mastodon.max_characters = 5  # no summary can fit: the link alone counts 23
    run = run_cli("run", "--once", cwd=tmp_path, **env)
    assert run.returncode == 0
    status = run_cli("status", cwd=tmp_path, **env).stdout
    assert "1 failed" in status and "Text character limit of 5 exceeded" in status
    assert MASTODON_TOKEN not in run.stdout + status
    retried = run_cli("retry", cwd=tmp_path, **env)
    assert retried.stdout.strip() == "1 failed deliveries queued again"
    fake_mastodon.max_characters = 500
    assert run_cli("run", "--once", cwd=tmp_path, **env).returncode == 0
    assert len(fake_mastodon.statuses) == 1
    assert "1 sent" in run_cli("status", cwd=tmp_path, **env).stdout


def test_a_state_file_that_is_not_a_database_is_one_clear_line(tmp_path: Path) -> None:
    """A corrupt or foreign STATE_DB stops with a message naming it, no traceback."""
    (tmp_path / "posts").mkdir()
    (tmp_path / "state.db").write_bytes(b"this is not SQLite" * 100)
    result = run_cli("status", cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "Error: STATE_DB: "
        + str(tmp_path / "state.db")
        + " is not a postbode database (file is not a database)"
    ]


@pytest.mark.parametrize(
    ("value", "language", "noted"),
    [
        ("en", "en", False),
        ("en_US:en", "en", False),
        ("fr_FR:nl_BE:en", "fr", False),
        ("de_DE.UTF-8", "de", False),
        ("nl_NL@euro", "nl", False),
        ("pt-BR", "pt", False),
        ("zh_CN.UTF-8", "zh", False),
        ("sr_RS@latin:uk_UA", "uk", False),  # the first we speak
        ("ID", "id", False),
        ("ar_EG.UTF-8", "nl", True),
        ("C.UTF-8", "nl", True),
        ("", "nl", False),
    ],
)
def test_language_in_gettext_form_never_stops_start_up(
    tmp_path: Path, value: str, language: str, noted: bool
) -> None:
    """LANGUAGE as desktops set it (`en_US:en`) or as a tag (`pt-BR`) picks its first
    language postbode speaks, else nl with a note for the log."""
    (tmp_path / "posts").mkdir()
    settings = load_settings({"LANGUAGE": value, "POSTS_DIR": "posts"}, tmp_path)
    assert settings.language == language
    assert bool(settings.notes) == noted
    assert all("LANGUAGE" in note for note in settings.notes)


def test_config_names_the_postbode_toml_to_read(tmp_path: Path) -> None:
    """`--config PATH` (or POSTBODE_CONFIG) is the file read, with its destinations; one
    that does not exist is an error, not a quiet fall back to the environment."""
    (tmp_path / "posts").mkdir()
    (tmp_path / "elsewhere.toml").write_text(
        '[[destinations]]\nname = "x"\ntelegram = "@nieuws"\ncolour = "red"\n', encoding="utf-8"
    )
    result = run_cli("--config", "elsewhere.toml", "check", cwd=tmp_path)
    assert result.returncode != 0
    assert 'destination "x": colour: unknown key' in result.stderr
    missing = run_cli("check", cwd=tmp_path, POSTBODE_CONFIG="nope.toml")
    assert missing.returncode != 0 and "POSTBODE_CONFIG: " in missing.stderr
