"""Fixtures shared by the whole suite."""

from __future__ import annotations

import pytest
from django.conf import settings

from framework.models import FrameworkVersion
from framework.services import framework_data_read, framework_load


@pytest.fixture
def framework_version(db: None) -> FrameworkVersion:
    """The project's APPEAR data, loaded as the current framework version."""
    return framework_load(data=framework_data_read(settings.FRAMEWORK_DATA_FILE)).version
