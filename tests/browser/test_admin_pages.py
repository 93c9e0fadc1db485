"""The organisation admin's members table on a 360 px phone: every row's status is in view
without scrolling sideways, and deactivating asks first."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from accounts.models import Membership
from tests.base import PASSWORD, Personas, make_personas


@pytest.fixture(autouse=True)
def fast_and_fresh(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()


def test_the_members_table_shows_each_status_at_360_px_and_deactivating_asks_first(
    page: Page, live_server: Any, console_problems: list[str]
) -> None:
    people: Personas = make_personas()
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"{live_server.url}/accounts/login/?next=/accounts/organisation/riverside/members/")
    page.get_by_label("User name or e-mail address").fill("olive")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Members")
    region = page.locator(".table-scroll")
    assert region.evaluate("(el) => el.scrollWidth <= el.clientWidth"), "no sideways scroll"
    statuses = page.locator(".members-table tbody td:nth-child(2)")
    assert statuses.count() == Membership.objects.filter(organisation=people.riverside).count()
    for index in range(statuses.count()):
        box = statuses.nth(index).bounding_box()
        assert box is not None
        assert box["x"] + box["width"] <= 360, "the status is in view"
    expect(page.locator(".members-table")).to_contain_text("Deactivated")

    page.get_by_role("link", name="Bob").click()
    page.get_by_role("link", name="Deactivate Bob…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deactivate Bob?")
    expect(page.get_by_text("Sam supervises Bob")).to_be_visible()
    assert Membership.objects.get(user=people.bob).is_active
    page.get_by_role("button", name="Deactivate Bob").click()
    expect(page.get_by_text("Bob is deactivated")).to_be_visible()
    assert not Membership.objects.get(user=people.bob).is_active
    assert console_problems == []
