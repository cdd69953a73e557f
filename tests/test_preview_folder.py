"""`preview` of a big folder reads and renders its posts in the parsing processes (forked
from the CLI): what comes back is what one process alone makes, in path order, the
invalid files and the text for people included."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.generate_site import generate
from bot.clock import utc_now
from bot.config import load_settings
from bot.folder import reading
from bot.preview import as_text, json_line, preview_paths
from tests.conftest import OFFLINE_ENV, write_post
from tests.test_cli import run_cli


def test_a_big_folder_previews_as_one_process_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    count = reading.PARALLEL_FROM  # the least that is read in the parsing processes
    generate(tmp_path / "posts", count)
    write_post(tmp_path / "posts", "2020-01-01-kapot.md", "title: [oops")
    env = {"STATE_DB": str(tmp_path / "state.db"), "WAIT_FOR_LIVE": "off"}
    apart = run_cli("preview", "--json", "posts", cwd=tmp_path, **env).stdout.splitlines()
    text = run_cli("preview", "posts", cwd=tmp_path, **env).stdout

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(reading, "PARALLEL_FROM", 10**9)  # one process: the main one
    settings = load_settings(OFFLINE_ENV | env, tmp_path, check_folders=False)
    # Read once, shaped both ways (the shapes are functions of each preview's dict).
    shown = list(preview_paths(Path("posts"), settings, utc_now()))
    alone = [json_line(one) for one in shown]
    assert len(apart) == count + 1
    assert apart == alone
    assert sum('"status": "invalid"' in line for line in apart) == 1
    assert text == "".join(f"{as_text(one)}\n" for one in shown)
