"""Build the release-0.1 upgrade fixture: `posts/`, `state.db` and `manifest.json`,
written by postbode 0.1's own code (commit ebd7dc7), with a fixed clock.

Run it with the OLD `bot` package on the import path, never the current tree:

    cd /work/main && git worktree add /tmp/release-ebd7dc7 ebd7dc7
    cd /tmp && PYTHONPATH=/tmp/release-ebd7dc7 /work/main/.venv/bin/python \\
        /work/main/tests/data/release-0.1/make_db.py /work/main/tests/data/release-0.1 --replace
    cd /work/main && git worktree remove --force /tmp/release-ebd7dc7

(Check first: `PYTHONPATH=/tmp/release-ebd7dc7 /work/main/.venv/bin/python -c
'import bot; print(bot.__file__)'` must print /tmp/release-ebd7dc7/bot/__init__.py;
the script refuses to run when `bot` is not a checkout of ebd7dc7.)

The argument is the output folder. It gets `posts/` (the post files, with fixed
mtimes), `state.db` (journal_mode=delete, vacuumed, no -wal/-shm) and
`manifest.json` (what every post and delivery is, and each file's mtime_ns, size
and sha256: a git checkout resets mtimes, so a test re-stamps the files from it).
`--replace` first removes those three outputs, and nothing else, if they exist.

What is recorded, and how: the old code does all the writing. Scans are the old
`bot.app.index` (the worker's start-up scan: site fingerprint, then `bot.scan.scan`
with ON_DELETE=delete); deliveries go through the old `bot.outbox.Outbox` itself,
with scripted in-process channels in place of Telegram and Mastodon (no network at
all), so sending/sent/failed/retry/deleted are written by `Outbox._deliver` and
`Deliveries.mark_*`. A crash inside a request is a BaseException raised by the
scripted channel: nothing after `mark_sending` runs, exactly as after a kill -9.
No state is written with raw SQL; the only SQL here reads (the checks and the
manifest) and finishes the file (checkpoint, journal mode, VACUUM).

The story, in UTC (posts are dated in Europe/Amsterdam time, +01:00 in March):

  2026-03-02 08:00  first run (baseline): welkom, archief-open recorded as seen
  2026-03-03 14:05  4 new posts; both channels publish all 4 (telegram 101-104)
  2026-03-04 10:00  oude-melding's file deleted: its 2 messages -> deleting,
  2026-03-04 10:01  ... and removed on both platforms -> deleted
  2026-03-05 09:01  4 new posts; telegram publishes marathon (105), treinstaking
                    (106) and crashes inside the request for gemeenteraad (sending);
                    mastodon refuses marathon (failed) and gets a 503 for
                    treinstaking (pending, attempt 1, retry due)
  2026-03-05 09:30  the restarted worker's start-up scan, then it is stopped (the
                    upgrade): begroting's title changed (edit pending on both, remote
                    ids kept), stormschade deleted (deleting on both, due 09:31),
                    persbericht deleted (never sent: withdrawn), weerbericht new,
                    jaaroverzicht dated 2026-12-31 (pending, due then),
                    concept-interview unpublished, kapot invalid.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import json
import logging
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import types
import zoneinfo
from collections import deque
from pathlib import Path
from typing import Any

RELEASE_COMMIT = "ebd7dc77d2d3027eec98fb179b605c9e18470f1a"


def _old_code_root() -> Path:
    """The tree `bot` is imported from; it must be a checkout of RELEASE_COMMIT."""
    import bot

    root = Path(bot.__file__).resolve().parent.parent
    head = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    if head != RELEASE_COMMIT or not (root / "bot" / "store.py").is_file():
        sys.exit(
            f"`bot` is imported from {root} (HEAD {head or 'unknown'}), not from a checkout of"
            f" {RELEASE_COMMIT[:7]}: see this script's docstring for how to run it"
        )
    return root


OLD_ROOT = _old_code_root()

# The old release's own code, and nothing else, writes the state. (isort off: which of
# these modules the current tree still has would decide their grouping.)
# isort: off
from bot import app  # noqa: E402
from bot.channels.base import Permanent, Retryable  # noqa: E402
from bot.outbox import Backoff, Outbox  # noqa: E402
from bot.posts import Post  # noqa: E402
from bot.scan import scan  # noqa: E402
from bot.settle import ignore_lease_breaks  # noqa: E402
from bot.site import Site  # noqa: E402
from bot.store import Store  # noqa: E402

# isort: on

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
SITE = Site(timezone=AMSTERDAM)  # no SITE_URL: every post carries its own link
TELEGRAM, MASTODON = "telegram:@nieuws", "mastodon"
CHANNELS = (TELEGRAM, MASTODON)
# What bot.app.index reads of the settings (a worker with ON_DELETE=delete).
ON_DELETE = "delete"

S1 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)  # first run: the baseline
S2 = dt.datetime(2026, 3, 3, 14, 5, tzinfo=dt.UTC)  # four new posts, all published
S3 = dt.datetime(2026, 3, 4, 10, 0, tzinfo=dt.UTC)  # one deleted, removed remotely
S4 = dt.datetime(2026, 3, 5, 9, 1, tzinfo=dt.UTC)  # four new posts, then a crash
S5 = dt.datetime(2026, 3, 5, 9, 30, tzinfo=dt.UTC)  # restart scan; the fixture's "now"
SECOND = dt.timedelta(seconds=1)


def mastodon_id(n: int) -> str:
    return f"1093847561029384{n:02d}"


def stamp(moment: str) -> int:
    """A fixed mtime in nanoseconds (with a sub-second part, so precision shows)."""
    seconds, _, fraction = moment.partition(".")
    whole = dt.datetime.fromisoformat(seconds).replace(tzinfo=dt.UTC)
    return int(whole.timestamp()) * 1_000_000_000 + int((fraction or "0").ljust(9, "0"))


# -- the post files ---------------------------------------------------------

POSTS: dict[str, str] = {
    "2026-02-10-welkom.md": """---
title: Welkom bij het nieuwe nieuwsoverzicht
date: 2026-02-10 09:00:00 +0100
categories: [redactie]
permalink: https://nieuws.example.nl/2026/02/10/welkom/
---

Vanaf vandaag vindt u hier elke dag het belangrijkste nieuws uit de regio.
""",
    "2026-02-20-archief-open.html": """---
title: Het archief is weer open
date: 2026-02-20 14:30:00 +0100
externe_link: https://archief.example.org/nieuws/heropend
---

<p>Na de verbouwing kunt u het krantenarchief weer raadplegen.</p>
""",
    "2026-03-03-verkiezingen.md": """---
title: Opkomst bij de verkiezingen hoger dan verwacht
date: 2026-03-03 09:00:00 +0100
categories: [politiek]
permalink: https://nieuws.example.nl/2026/03/03/verkiezingen/
---

Tot het middaguur stemde al 31 procent van de kiezers.
""",
    "2026-03-03-begroting.html": """---
title: "Begroting 2026: kabinet trekt extra geld uit voor onderwijs"
date: 2026-03-03 11:00:00 +0100
categories: [politiek, economie]
permalink: https://nieuws.example.nl/2026/03/03/begroting/
---

<p>Scholen krijgen er volgend jaar structureel geld bij.</p>
""",
    "2026-03-03-oude-melding.md": """---
title: Waterleiding gesprongen in de binnenstad
date: 2026-03-03 13:00:00 +0100
permalink: https://nieuws.example.nl/2026/03/03/oude-melding/
---

De Oudestraat is afgesloten voor alle verkeer.
""",
    "2026-03-03-stormschade.html": """---
title: Storm veroorzaakt schade aan de kust
date: 2026-03-03 15:00:00 +0100
categories: [weer]
externe_link: https://weer.example.org/2026/stormschade
---

<p>Op meerdere plaatsen zijn bomen omgewaaid.</p>
""",
    "2026-03-05-marathon.md": """---
title: Recorddeelname aan de stadsmarathon
date: 2026-03-05 08:30:00 +0100
categories: [sport]
permalink: https://nieuws.example.nl/2026/03/05/marathon/
---

Ruim twaalfduizend lopers schreven zich in.
""",
    "2026-03-05-treinstaking.md": """---
title: Treinstaking legt het regionale verkeer stil
date: 2026-03-05 09:00:00 +0100
permalink: https://nieuws.example.nl/2026/03/05/treinstaking/
---

Tussen 10.00 en 14.00 uur rijden er geen treinen.
""",
    "2026-03-05-gemeenteraad.html": """---
title: Gemeenteraad stemt in met nieuw fietsplan
date: 2026-03-05 09:45:00 +0100
categories: [politiek]
permalink: https://nieuws.example.nl/2026/03/05/gemeenteraad/
---

<p>Er komen vier nieuwe fietsstraten.</p>
""",
    "2026-03-05-persbericht.md": """---
title: Persbericht over de nieuwe bibliotheek
date: 2026-03-05 10:00:00 +0100
externe_link: https://gemeente.example.org/pers/bibliotheek
---

De bibliotheek opent in het najaar.
""",
    "2026-03-05-weerbericht.md": """---
title: Het weer voor het weekend
date: 2026-03-05 10:15:00 +0100
categories: [weer]
permalink: https://nieuws.example.nl/2026/03/05/weerbericht/
---

Zaterdag zonnig, zondag regen en harde wind.
""",
    "2026-03-05-concept-interview.md": """---
title: Interview met de burgemeester
date: 2026-03-05 10:20:00 +0100
published: false
permalink: https://nieuws.example.nl/2026/03/05/concept-interview/
---

Nog niet af.
""",
    "2026-12-31-jaaroverzicht.md": """---
title: Het jaaroverzicht van 2026
date: 2026-12-31 20:00:00 +0100
permalink: https://nieuws.example.nl/2026/12/31/jaaroverzicht/
---

Terugblik op een bewogen jaar.
""",
    "2026-03-05-kapot.md": """---
title: [Kapot bericht
date: 2026-03-05 10:25:00 +0100
permalink: https://nieuws.example.nl/2026/03/05/kapot/
---

Deze front matter is geen geldige YAML.
""",
}

# The edit of 09:10 on 2026-03-05: what readers see changes (the title).
BEGROTING_EDITED = POSTS["2026-03-03-begroting.html"].replace(
    "kabinet trekt extra geld uit", "kabinet trekt 2 miljard extra uit"
)


class Folder:
    """The posts folder, written the way an editor would, with fixed mtimes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True)

    def write(self, name: str, mtime: str, text: str | None = None) -> None:
        path = self.root / name
        path.write_bytes((POSTS[name] if text is None else text).encode("utf-8"))
        ns = stamp(mtime)
        os.utime(path, ns=(ns, ns))

    def delete(self, name: str) -> None:
        (self.root / name).unlink()


# -- the platforms: scripted, in this process --------------------------------


class Crash(BaseException):
    """kill -9 while a request is in flight: the outbox records nothing after it."""


class ScriptBroken(BaseException):
    """The outbox asked for something the script does not expect (not caught by it)."""


class ScriptedChannel:
    """Stands in for Telegram or Mastodon: answers each request as scripted, in order."""

    min_interval = 0.0

    def __init__(self, key: str) -> None:
        self.key = key
        self.steps: deque[tuple[str, str, Any]] = deque()
        self.keys: dict[str, str] = {}  # path -> idempotency key of its publish

    def expect(self, action: str, name: str, answer: Any = None) -> None:
        self.steps.append((action, name, answer))

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def _answer(self, action: str, post: Post) -> Any:
        if not self.steps:
            raise ScriptBroken(f"{self.key}: unexpected {action} of {post.path}")
        want_action, want_path, answer = self.steps.popleft()
        if (action, post.path) != (want_action, want_path):
            raise ScriptBroken(
                f"{self.key}: {action} {post.path}, expected {want_action} {want_path}"
            )
        if isinstance(answer, BaseException):
            raise answer
        return answer

    async def publish(self, post: Post, idempotency_key: str) -> str | None:
        self.keys[post.path] = idempotency_key
        return await self._answer("publish", post)  # type: ignore[no-any-return]

    async def edit(self, post: Post, remote_id: str) -> None:
        await self._answer("edit", post)

    async def delete(self, post: Post, remote_id: str) -> None:
        await self._answer("delete", post)


def outcomes_are(got: dict[str, int], expected: dict[str, int]) -> None:
    if got != expected:
        raise ScriptBroken(f"scan outcomes {got}, expected {expected}")


class Clock:
    def __init__(self) -> None:
        self.now = S1

    def __call__(self) -> dt.datetime:
        return self.now


class Run:
    """One worker process of release 0.1: its store, its channels, its outbox."""

    def __init__(self, db_path: Path, posts: Path, clock: Clock) -> None:
        self.store = Store(db_path)
        self.posts = posts
        self.clock = clock
        self.channels = {key: ScriptedChannel(key) for key in CHANNELS}
        self.settings = types.SimpleNamespace(posts_dir=posts, site=SITE, on_delete=ON_DELETE)
        self.outbox = Outbox(
            self.store,
            list(self.channels.values()),
            clock=clock,
            backoff=Backoff(),
            rng=random.Random(2026),
        )

    def index(self, now: dt.datetime) -> dict[str, int]:
        """The worker's reconcile scan (bot.app.index), at `now`."""
        self.clock.now = now
        report = app.index(self.store, self.settings, list(self.channels.values()), now)  # type: ignore[arg-type]
        return dict(report.outcomes)

    def step(self, key: str, at: dt.datetime, expect: int | None) -> None:
        """One turn of the channel's outbox loop at `at` (Outbox.send_next)."""
        self.clock.now = at
        got = asyncio.run(self.outbox.send_next(key))
        if got != expect:
            raise ScriptBroken(f"{key} at {at}: send_next gave {got}, expected {expect}")

    def close(self) -> None:
        for channel in self.channels.values():
            if channel.steps:
                raise ScriptBroken(f"{channel.key}: steps left over: {list(channel.steps)}")
        self.store.close()


def build(out: Path) -> dict[str, dict[str, str]]:
    """Write posts/ and state.db in `out`; return the idempotency keys used per channel."""
    folder = Folder(out / "posts")
    db_path = out / "state.db"
    clock = Clock()
    keys: dict[str, dict[str, str]] = {key: {} for key in CHANNELS}

    # First process: from the first run until the crash of 2026-03-05 09:01:03.
    run = Run(db_path, folder.root, clock)
    tg, md = run.channels[TELEGRAM], run.channels[MASTODON]

    folder.write("2026-02-10-welkom.md", "2026-02-10T08:12:34.500000000")
    folder.write("2026-02-20-archief-open.html", "2026-02-20T13:40:00.250000000")
    outcomes_are(run.index(S1), {"baseline": 2})

    folder.write("2026-03-03-verkiezingen.md", "2026-03-03T08:31:10.111111111")
    folder.write("2026-03-03-begroting.html", "2026-03-03T10:02:20.222222222")
    folder.write("2026-03-03-oude-melding.md", "2026-03-03T12:03:30.333333333")
    folder.write("2026-03-03-stormschade.html", "2026-03-03T13:54:40.444444444")
    outcomes_are(run.index(S2), {"new": 4})
    order = [
        "2026-03-03-verkiezingen.md",
        "2026-03-03-begroting.html",
        "2026-03-03-oude-melding.md",
        "2026-03-03-stormschade.html",
    ]
    for n, name in enumerate(order, start=1):
        tg.expect("publish", name, str(100 + n))
        md.expect("publish", name, mastodon_id(n))
    for n in range(1, len(order) + 1):
        run.step(TELEGRAM, S2 + n * SECOND, 1)
        run.step(MASTODON, S2 + n * SECOND, 1)
    run.step(TELEGRAM, S2 + 5 * SECOND, None)
    run.step(MASTODON, S2 + 5 * SECOND, None)

    folder.delete("2026-03-03-oude-melding.md")
    outcomes_are(run.index(S3), {"withdrawn": 1})
    run.step(TELEGRAM, S3 + 30 * SECOND, None)  # removals wait RETURN_WINDOW (60 s)
    tg.expect("delete", "2026-03-03-oude-melding.md")
    md.expect("delete", "2026-03-03-oude-melding.md")
    run.step(TELEGRAM, S3 + 61 * SECOND, 1)
    run.step(MASTODON, S3 + 61 * SECOND, 1)

    folder.write("2026-03-05-marathon.md", "2026-03-05T07:40:01.000000001")
    folder.write("2026-03-05-treinstaking.md", "2026-03-05T08:05:02.000000002")
    folder.write("2026-03-05-gemeenteraad.html", "2026-03-05T08:50:03.000000003")
    folder.write("2026-03-05-persbericht.md", "2026-03-05T08:58:04.000000004")
    outcomes_are(run.index(S4), {"new": 4})
    tg.expect("publish", "2026-03-05-marathon.md", "105")
    md.expect(
        "publish",
        "2026-03-05-marathon.md",
        Permanent(
            "Mastodon refused the status: Validation failed: Text character limit of 500 exceeded"
        ),
    )
    tg.expect("publish", "2026-03-05-treinstaking.md", "106")
    md.expect(
        "publish",
        "2026-03-05-treinstaking.md",
        Retryable("Mastodon server error: 503 Service Unavailable"),
    )
    tg.expect("publish", "2026-03-05-gemeenteraad.html", Crash())
    run.step(TELEGRAM, S4 + 1 * SECOND, 1)
    run.step(MASTODON, S4 + 1 * SECOND, 0)  # failed for good
    run.step(TELEGRAM, S4 + 2 * SECOND, 1)
    run.step(MASTODON, S4 + 2 * SECOND, 0)  # backs off about 5 s
    run.step(MASTODON, S4 + 3 * SECOND, None)  # treinstaking not due again yet
    try:
        run.step(TELEGRAM, S4 + 3 * SECOND, None)
        raise ScriptBroken("the crash did not happen")
    except Crash:
        pass  # the process is gone: `sending` stays
    for key in CHANNELS:
        keys[key].update(run.channels[key].keys)
    run.close()

    # Meanwhile, the editors.
    folder.write("2026-03-03-begroting.html", "2026-03-05T09:10:07.123456789", BEGROTING_EDITED)
    folder.delete("2026-03-03-stormschade.html")
    folder.delete("2026-03-05-persbericht.md")
    folder.write("2026-03-05-weerbericht.md", "2026-03-05T09:15:05.000000005")
    folder.write("2026-03-05-concept-interview.md", "2026-03-05T09:18:06.000000006")
    folder.write("2026-12-31-jaaroverzicht.md", "2026-03-05T09:21:07.000000007")
    folder.write("2026-03-05-kapot.md", "2026-03-05T09:24:08.000000008")

    # Second process: its start-up scan, then it is stopped (the upgrade) before the
    # outbox takes a step.
    run = Run(db_path, folder.root, clock)
    outcomes = run.index(S5)
    # concept-interview counts as "new" too: recorded, with no deliveries.
    outcomes_are(outcomes, {"updated": 1, "withdrawn": 2, "new": 3, "invalid": 1})
    run.close()
    return keys


# -- what the fixture must hold ---------------------------------------------

# (path, channel) -> (state, remote_id). Checked against the database after building.
EXPECTED: dict[tuple[str, str], tuple[str, str | None]] = {
    ("2026-03-03-verkiezingen.md", TELEGRAM): ("sent", "101"),
    ("2026-03-03-verkiezingen.md", MASTODON): ("sent", mastodon_id(1)),
    ("2026-03-03-begroting.html", TELEGRAM): ("pending", "102"),
    ("2026-03-03-begroting.html", MASTODON): ("pending", mastodon_id(2)),
    ("2026-03-03-oude-melding.md", TELEGRAM): ("deleted", "103"),
    ("2026-03-03-oude-melding.md", MASTODON): ("deleted", mastodon_id(3)),
    ("2026-03-03-stormschade.html", TELEGRAM): ("deleting", "104"),
    ("2026-03-03-stormschade.html", MASTODON): ("deleting", mastodon_id(4)),
    ("2026-03-05-marathon.md", TELEGRAM): ("sent", "105"),
    ("2026-03-05-marathon.md", MASTODON): ("failed", None),
    ("2026-03-05-treinstaking.md", TELEGRAM): ("sent", "106"),
    ("2026-03-05-treinstaking.md", MASTODON): ("pending", None),
    ("2026-03-05-gemeenteraad.html", TELEGRAM): ("sending", None),
    ("2026-03-05-gemeenteraad.html", MASTODON): ("pending", None),
    ("2026-03-05-persbericht.md", TELEGRAM): ("withdrawn", None),
    ("2026-03-05-persbericht.md", MASTODON): ("withdrawn", None),
    ("2026-03-05-weerbericht.md", TELEGRAM): ("pending", None),
    ("2026-03-05-weerbericht.md", MASTODON): ("pending", None),
    ("2026-12-31-jaaroverzicht.md", TELEGRAM): ("pending", None),
    ("2026-12-31-jaaroverzicht.md", MASTODON): ("pending", None),
}

# path -> (status, baseline) in the posts table.
EXPECTED_POSTS: dict[str, tuple[str, int]] = {
    "2026-02-10-welkom.md": ("ready", 1),
    "2026-02-20-archief-open.html": ("ready", 1),
    "2026-03-03-verkiezingen.md": ("ready", 0),
    "2026-03-03-begroting.html": ("ready", 0),
    "2026-03-03-oude-melding.md": ("withdrawn", 0),
    "2026-03-03-stormschade.html": ("withdrawn", 0),
    "2026-03-05-marathon.md": ("ready", 0),
    "2026-03-05-treinstaking.md": ("ready", 0),
    "2026-03-05-gemeenteraad.html": ("ready", 0),
    "2026-03-05-persbericht.md": ("withdrawn", 0),
    "2026-03-05-weerbericht.md": ("ready", 0),
    "2026-03-05-concept-interview.md": ("unpublished", 0),
    "2026-12-31-jaaroverzicht.md": ("ready", 0),
    "2026-03-05-kapot.md": ("invalid", 0),
}

SCENARIO = {
    "2026-02-10-welkom.md": "first-run baseline: recorded as seen, never queued",
    "2026-02-20-archief-open.html": "first-run baseline: recorded as seen, never queued",
    "2026-03-03-verkiezingen.md": "sent on both channels",
    "2026-03-03-begroting.html": "sent on both, then its title changed: edit pending on both",
    "2026-03-03-oude-melding.md": "sent on both, file deleted (ON_DELETE=delete): deleted on both",
    "2026-03-03-stormschade.html": "sent on both, file deleted (ON_DELETE=delete): removal due",
    "2026-03-05-marathon.md": "sent on telegram; mastodon refused it for good (failed)",
    "2026-03-05-treinstaking.md": "sent on telegram; mastodon got a 503, retry pending",
    "2026-03-05-gemeenteraad.html": "telegram crashed inside the request (sending); mastodon pending",
    "2026-03-05-persbericht.md": "queued, file deleted before anything was sent: withdrawn",
    "2026-03-05-weerbericht.md": "new, pending on both, never sent",
    "2026-03-05-concept-interview.md": "published: false: no deliveries",
    "2026-12-31-jaaroverzicht.md": "dated 2026-12-31 20:00 +01:00: pending on both, due then",
    "2026-03-05-kapot.md": "front matter is not valid YAML: invalid, no deliveries",
}


def meaning(state: str, remote_id: str | None) -> dict[str, Any]:
    """What a delivery means for an upgrade: a message that exists must never be
    published again; pending work must not be lost."""
    if state == "sent":
        return {"already_sent": True, "message_on_platform": True, "pending_work": None}
    if state == "pending" and remote_id:
        return {"already_sent": True, "message_on_platform": True, "pending_work": "edit"}
    if state == "pending":
        return {"already_sent": False, "message_on_platform": False, "pending_work": "publish"}
    if state == "sending" and not remote_id:
        return {
            "already_sent": False,
            "message_on_platform": None,
            "pending_work": "publish",
            "note": "in flight at a crash: it may have arrived; release 0.1 sends it again",
        }
    if state == "failed" and not remote_id:
        return {
            "already_sent": False,
            "message_on_platform": False,
            "pending_work": None,
            "note": "refused for good; only `postbode retry` queues it again",
        }
    if state == "withdrawn":
        return {"already_sent": False, "message_on_platform": False, "pending_work": None}
    if state == "deleting":
        return {"already_sent": True, "message_on_platform": True, "pending_work": "delete"}
    if state == "deleted":
        return {"already_sent": True, "message_on_platform": False, "pending_work": None}
    raise ValueError(f"no meaning for {state} with remote_id {remote_id!r}")


def rows(conn: sqlite3.Connection, sql: str) -> list[dict[str, Any]]:
    cursor = conn.execute(sql)
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


DELIVERY_SQL = (
    "select p.path, d.channel, d.state, d.remote_id, d.id, d.attempts, d.next_attempt_at,"
    " d.last_error, d.sent_key, d.created_at, d.sent_at, d.updated_at"
    " from deliveries d join posts p on p.id = d.post_id order by p.path, d.channel"
)


def check_and_describe(out: Path, keys: dict[str, dict[str, str]]) -> dict[str, Any]:
    """Check the database against EXPECTED and the files on disk; return the manifest."""
    conn = sqlite3.connect(f"file:{out / 'state.db'}?mode=ro", uri=True)
    try:
        posts = {row["path"]: row for row in rows(conn, "select * from posts order by path")}
        deliveries = rows(conn, DELIVERY_SQL)
        meta = {row["key"]: row["value"] for row in rows(conn, "select * from meta")}
        migrations = [row["name"] for row in rows(conn, "select name from _sqlite_migrations")]
    finally:
        conn.close()

    got = {(d["path"], d["channel"]): (d["state"], d["remote_id"]) for d in deliveries}
    if got != EXPECTED:
        raise SystemExit(f"deliveries differ from EXPECTED:\n{got}")
    got_posts = {path: (row["status"], row["baseline"]) for path, row in posts.items()}
    if got_posts != EXPECTED_POSTS:
        raise SystemExit(f"posts differ from EXPECTED_POSTS:\n{got_posts}")

    files: dict[str, dict[str, Any]] = {}
    for path in sorted(p.name for p in (out / "posts").iterdir()):
        file = out / "posts" / path
        stat = file.stat()
        files[path] = {
            "mtime_ns": stat.st_mtime_ns,
            "size": stat.st_size,
            "sha256": hashlib.sha256(file.read_bytes()).hexdigest(),
        }
        row = posts[path]
        recorded = (row["mtime_ns"], row["size"], row["content_hash"])
        if recorded != (stat.st_mtime_ns, stat.st_size, files[path]["sha256"]):
            raise SystemExit(f"{path}: the database holds {recorded}, the file differs")
    live = {p for p, (status, _) in EXPECTED_POSTS.items() if status != "withdrawn"}
    if set(files) != live:
        raise SystemExit(f"posts/ holds {sorted(files)}, expected {sorted(live)}")

    return {
        "fixture": "release-0.1",
        "made_by": "make_db.py, with the code of the commit below (see README.md)",
        "commit": RELEASE_COMMIT,
        "recorded_at": S5.isoformat(),
        "channels": list(CHANNELS),
        "settings": {
            "SITE_URL": None,
            "TIMEZONE": "Europe/Amsterdam",
            "permalink": SITE.permalink,
            "ON_DELETE": ON_DELETE,
        },
        "meta": meta,
        "migrations": migrations,
        "posts": {
            path: {
                "status": row["status"],
                "baseline": bool(row["baseline"]),
                "on_disk": path in files,
                "title": row["title"],
                "date_utc": row["date_utc"],
                "link": row["link"],
                "summary_key": row["summary_key"],
                "reason": row["reason"],
                "scenario": SCENARIO[path],
            }
            for path, row in posts.items()
        },
        "deliveries": [
            {
                "path": d["path"],
                "channel": d["channel"],
                "state": d["state"],
                "remote_id": d["remote_id"],
                **meaning(d["state"], d["remote_id"]),
                "id": d["id"],
                "attempts": d["attempts"],
                "next_attempt_at": d["next_attempt_at"],
                "last_error": d["last_error"],
                "sent_key": d["sent_key"],
                "created_at": d["created_at"],
                "sent_at": d["sent_at"],
                "idempotency_key": keys[d["channel"]].get(d["path"]),
            }
            for d in deliveries
        ],
        "files": files,
    }


def finish_db(path: Path) -> None:
    """Fold the WAL into the file, leave WAL mode, VACUUM: one small file, no -wal/-shm."""
    db = Store(path).db
    try:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.disable_wal()
        db.vacuum()
    finally:
        db.close()
    left = [p.name for p in path.parent.glob(path.name + "-*")]
    if left:
        raise SystemExit(f"left beside {path.name}: {left}")


def verify(out: Path) -> None:
    """Open a copy with the old Store, print its outbox, and rescan a copy of posts/:
    nothing may look changed. (A copy: Store() switches the file back to WAL mode.)"""
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy2(out / "state.db", Path(tmp) / "state.db")
        shutil.copytree(out / "posts", Path(tmp) / "posts")  # copy2: mtime_ns kept
        store = Store(Path(tmp) / "state.db")
        try:
            print(f"{'path':34} {'channel':17} {'state':10} remote_id")
            for path, channel, state, remote_id, *_ in store.db.execute(DELIVERY_SQL):
                print(f"{path:34} {channel:17} {state:10} {remote_id or ''}")
            later = S5 + dt.timedelta(hours=1)
            report = scan(
                store, Path(tmp) / "posts", SITE, list(CHANNELS), later, delete_remote=True
            )
            if report.files or report.withdrawn or report.queued or report.edits:
                raise SystemExit(f"a rescan of the same files changed something: {report}")
            print("rescan of posts/ with release 0.1: nothing changed")
        finally:
            store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="output folder (posts/, state.db, manifest.json)")
    parser.add_argument("--replace", action="store_true", help="remove earlier outputs first")
    args = parser.parse_args()
    out: Path = args.out.resolve()
    outputs = [out / "posts", out / "state.db", out / "manifest.json"]
    outputs += sorted(out.glob("state.db-*"))
    existing = [p for p in outputs if p.exists()]
    if existing and not args.replace:
        sys.exit(f"{', '.join(str(p) for p in existing)} exist: pass --replace to rebuild")
    for path in existing:
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    out.mkdir(parents=True, exist_ok=True)

    ignore_lease_breaks()  # scans take read leases (bot.settle)
    logging.basicConfig(level=logging.INFO, format="%(name)s %(levelname)s %(message)s")
    print(f"release 0.1 code from {OLD_ROOT}", file=sys.stderr)
    keys = build(out)
    finish_db(out / "state.db")
    manifest = check_and_describe(out, keys)
    (out / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    verify(out)


if __name__ == "__main__":
    main()
