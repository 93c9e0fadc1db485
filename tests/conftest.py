"""Fixtures shared by the whole suite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.cache import cache

from framework.models import FrameworkVersion
from framework.services import framework_data_read, framework_load


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Start every test with an empty cache.

    allauth keeps its sign-in rate limits in the cache, which is per process; a test that
    posts wrong passwords must not lock out a persona in the next test.
    """
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def framework_version(db: None) -> FrameworkVersion:
    """The project's APPEAR data, loaded as the current framework version."""
    return framework_load(data=framework_data_read(settings.FRAMEWORK_DATA_FILE)).version
