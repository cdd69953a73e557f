"""pytest fixtures for the fake Telegram Bot API.

Register from the root conftest with ``pytest_plugins = ["tests.fakes.telegram_fixtures"]``.
"""

from __future__ import annotations

import datetime as dtm
from collections.abc import Iterator

import pytest

from tests.fakes.telegram import FakeTelegram


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    """A started FakeTelegram (default token and channel), stopped after the test.

    Fails the test if the fake itself raised while handling a request.
    """
    with FakeTelegram() as fake:
        yield fake
    errors = fake.server_errors
    assert not errors, "FakeTelegram raised internally:\n" + "\n".join(errors)


@pytest.fixture
def ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt in to PTB's timedelta durations.

    Without PTB_TIMEDELTA, merely *constructing* ``telegram.error.RetryAfter`` emits a
    PTBDeprecationWarning, which ``filterwarnings = ["error"]`` turns into an exception
    that replaces the RetryAfter the code under test expects.
    """
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


def retry_after_seconds(value: dtm.timedelta | float) -> float:
    """RetryAfter.retry_after as seconds, whether PTB gave a timedelta or a number."""
    if isinstance(value, dtm.timedelta):
        return value.total_seconds()
    return float(value)
