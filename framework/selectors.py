"""Reads of the framework, shared by the explorer, reflections and PDFs."""

from __future__ import annotations

from framework.models import FrameworkVersion


def current_version() -> FrameworkVersion | None:
    """The framework version new reflections are written against, or None before any load."""
    return FrameworkVersion.objects.filter(is_current=True).first()
