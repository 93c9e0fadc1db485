"""Values cached per framework version: computed once, and never served for another version."""

from __future__ import annotations

import pytest

from framework.caching import cached_for_version, version_cache_key
from framework.models import FrameworkVersion

pytestmark = pytest.mark.django_db


def a_version(content_hash: str) -> FrameworkVersion:
    return FrameworkVersion.objects.create(
        label=content_hash[:8],
        content_hash=content_hash,
        expansion="Accepting, Personalised, Empowering, Available, Reciprocal",
        summary="A summary.",
        citation="Hackmann et al. 2025",
        doi_url="https://doi.org/10.1136/bmjopen-2024-087259",
        licence_name="CC BY 4.0",
        licence_url="https://creativecommons.org/licenses/by/4.0/",
        attribution="Attribution.",
        changes_note="None.",
    )


def test_a_value_is_computed_once_for_a_version() -> None:
    version = a_version("a" * 64)
    calls: list[int] = []

    def compute() -> list[str]:
        calls.append(1)
        return ["drawing"]

    assert cached_for_version(version, "map", compute) == ["drawing"]
    assert cached_for_version(version, "map", compute) == ["drawing"]
    assert len(calls) == 1


def test_another_version_with_other_content_computes_its_own_value() -> None:
    first, second = a_version("a" * 64), a_version("b" * 64)

    cached_for_version(first, "map", lambda: "first drawing")

    assert cached_for_version(second, "map", lambda: "second drawing") == "second drawing"
    assert version_cache_key(first, "map") != version_cache_key(second, "map")


def test_values_of_different_names_do_not_share_an_entry() -> None:
    version = a_version("c" * 64)

    cached_for_version(version, "map", lambda: "a map")

    assert cached_for_version(version, "parts", lambda: "parts") == "parts"
