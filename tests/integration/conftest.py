"""What the integration tests share beyond tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture
def store(store_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The test store, with this process's settings pointed at it (as the desk's tasks
    find the store)."""
    from models.settings import get_settings

    monkeypatch.setenv("COMPLAINTS_DATABASE_URL", store_url)
    get_settings.cache_clear()
    yield store_url
    get_settings.cache_clear()
