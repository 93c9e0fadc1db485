"""The author's reflection page gets its sharing and feedback from supervision as a panel that
htmx loads (reflections never imports supervision): in a real browser, under the strict
Content Security Policy, the panel arrives in place, and sharing and withdrawing from it stay
on the reflection page.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from supervision.models import Share
from tests.base import Personas
from tests.browser.test_keep_unsent_supervision import people, shared_reflection, sign_in

__all__ = ["people"]


@pytest.fixture(autouse=True)
def fast_and_fresh(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()


def test_the_panel_loads_into_the_reflection_page_and_withdrawing_stays_there(
    page: Page, live_server: Any, people: Personas, console_problems: list[str]
) -> None:
    reflection = shared_reflection(people)
    path = reflection.get_absolute_url()
    sign_in(page, live_server.url, "alice", path)
    panel = page.locator(f"#reflection-panel-{reflection.pk}")
    expect(panel.get_by_role("heading", name="Bring to supervision")).to_be_visible()
    expect(panel.get_by_role("heading", name="Feedback")).to_be_visible()
    expect(panel).to_contain_text("Shared with Sam")
    panel.get_by_role("button", name="Withdraw").first.click()
    expect(panel).to_contain_text("Share with Sam")
    expect(page).to_have_url(live_server.url + path)
    assert Share.objects.get().withdrawn_at is not None
    assert console_problems == []
