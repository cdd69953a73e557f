"""The architecture's rules, read from the code itself (its imports, its names)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

BOT = REPO / "bot"
# The core: pure rules and the state. It knows no platform and no adapter.
CORE = ("bot/jekyll/", "bot/summary.py", "bot/lifecycle.py", "bot/text.py", "bot/clock.py",
        "bot/live/rules.py", "bot/state/", "bot/words/")  # fmt: skip
PLATFORM_LIBRARIES = ("telegram", "mastodon", "atproto", "bot.channels", "bot.chat")


def modules() -> list[Path]:
    return sorted(BOT.rglob("*.py"))


def imports(path: Path) -> set[str]:
    """Every module `path` imports, at any depth (imports inside functions count)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def relative(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


@pytest.mark.parametrize(
    "path", [p for p in modules() if relative(p).startswith(CORE)], ids=relative
)
def test_the_core_imports_no_platform_and_no_adapter(path: Path) -> None:
    """Post reading, summaries, the lifecycle and the state never import a platform."""
    bad = {name for name in imports(path) if name.split(".")[0] in ("telegram", "mastodon", "atproto")
           or name.startswith(("bot.channels", "bot.chat", "bot.folder", "bot.outbox",
                               "bot.worker", "bot.app", "bot.cli", "bot.config"))}  # fmt: skip
    assert bad == set()


@pytest.mark.parametrize("path", modules(), ids=relative)
def test_only_config_reads_the_environment(path: Path) -> None:
    """Settings are read once, in bot/config/, and passed down as one value."""
    if relative(path).startswith("bot/config/"):
        return
    tree = ast.parse(path.read_text(encoding="utf-8"))
    reads = [
        ast.unparse(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr in ("environ", "getenv", "environb")
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    ]
    # The CLI hands os.environ to config: that is the one read it is allowed.
    if relative(path) == "bot/cli.py":
        reads = [r for r in reads if r == "os.getenv"]
    assert reads == []


@pytest.mark.parametrize("path", modules(), ids=relative)
def test_no_module_imports_the_cli(path: Path) -> None:
    """The CLI is the outermost layer: nothing imports it but `python -m bot`."""
    if relative(path) in ("bot/cli.py", "bot/__main__.py"):
        return
    assert not {n for n in imports(path) if n == "bot.cli" or n.startswith("bot.cli.")}


def test_platform_libraries_are_imported_only_by_their_adapters() -> None:
    """telegram and mastodon are imported only in bot/channels/ and bot/chat/."""
    outside = {
        relative(path): sorted(
            n for n in imports(path) if n.split(".")[0] in ("telegram", "mastodon")
        )
        for path in modules()
        if not relative(path).startswith(("bot/channels/", "bot/chat/"))
    }
    assert {path: names for path, names in outside.items() if names} == {}


def test_modules_stay_small() -> None:
    """No module of bot/ grows much past 300 lines (small modules with one job each)."""
    sizes = {relative(p): len(p.read_text(encoding="utf-8").splitlines()) for p in modules()}
    assert {path: n for path, n in sizes.items() if n > 320} == {}


def test_the_readme_map_names_every_module() -> None:
    """The README's map of the tree stays true: every module is in it, none that is gone."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = [
        relative(p) for p in modules() if p.name != "__init__.py" and relative(p) not in readme
    ]
    assert missing == []


# Libraries that `postbode run` needs only for work a restart over unchanged files does
# not do: parsing a post, polling, parsing processes, asking a site, cutting between
# graphemes, the platforms (none is configured here).
NOT_AT_START = ("markdown_it", "watchfiles", "multiprocessing", "concurrent.futures.process",
                "httpx", "grapheme", "mastodon", "telegram")  # fmt: skip


def test_the_worker_starts_without_the_libraries_it_may_never_need() -> None:
    """Importing the CLI and the worker loads none of NOT_AT_START: each is imported
    where it is used, so a restart does not pay for it (bench.scale)."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, bot.cli, bot.worker; print(*sorted(sys.modules))"],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert [name for name in loaded if name.startswith(NOT_AT_START)] == []


def loaded_by(code: str) -> list[str]:
    """The modules a fresh interpreter holds after running `code`."""
    return subprocess.run(
        [sys.executable, "-c", f"import sys\n{code}\nprint(*sorted(sys.modules))"],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip


def test_the_cli_loads_little_before_run_starts_looking_at_the_folder() -> None:
    """`run` starts the helper looking at the posts folder (bot.folder.ahead) once the
    settings are read: the event loop, the database and the rest load beside it."""
    loaded = loaded_by("import bot.cli")
    assert [n for n in loaded if n.startswith(("asyncio", "sqlite_utils", "bot.app"))] == []


def test_a_worker_without_telegram_does_not_load_it_for_the_token_budget() -> None:
    loaded = loaded_by(
        "from bot.channels.console import ConsoleChannel\n"
        "from bot.subscribers.wiring import token_budget\n"
        "assert token_budget([ConsoleChannel('nl')]) is None"
    )
    assert [n for n in loaded if n.startswith("telegram")] == []
