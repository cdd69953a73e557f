"""Pytest fixtures for the fake Mastodon server (register with ``pytest_plugins``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.mastodon import FakeMastodon


@pytest.fixture
def fake_mastodon() -> Iterator[FakeMastodon]:
    """A started FakeMastodon with Mastodon's default limits, stopped after the test.

    Point the product at ``fake_mastodon.url`` with the token ``DEFAULT_TOKEN``; change
    limits through its attributes or ``set_rate_limits()``.
    """
    with FakeMastodon() as fake:
        yield fake
    # An exception inside the fake is a bug in the fake, not in the code under test.
    assert fake.server_errors == [], "FakeMastodon crashed:\n" + "\n".join(fake.server_errors)
