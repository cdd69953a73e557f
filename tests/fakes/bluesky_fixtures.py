"""Pytest fixtures for the fake Bluesky PDS (register with ``pytest_plugins``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.bluesky import FakeBluesky


@pytest.fixture
def fake_bluesky() -> Iterator[FakeBluesky]:
    """A started FakeBluesky with one account (HANDLE, PASSWORD), stopped after the test."""
    with FakeBluesky() as fake:
        yield fake
    # An exception inside the fake is a bug in the fake, not in the code under test.
    assert fake.server_errors == [], "FakeBluesky crashed:\n" + "\n".join(fake.server_errors)
