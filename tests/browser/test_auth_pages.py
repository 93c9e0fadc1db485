"""The pages on the way into the site pass axe-core, fit a 360 px screen, show keyboard focus,
and load without a Content Security Policy violation."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from playwright.sync_api import Page, expect

from tests.base import make_personas
from tests.browser.test_auth_two_factor import FOCUS_COLOUR, check_page

ENTRANCE_PAGES = [
    ("/accounts/login/", "Sign in"),
    ("/accounts/signup/", "Joining is by invitation"),
    ("/accounts/password/reset/", "Reset your password"),
    ("/accounts/password/reset/done/", "Check your e-mail"),
    ("/accounts/password/reset/key/zz-bad/", "This link no longer works"),
    ("/accounts/password/reset/key/done/", "Password changed"),
]


@pytest.fixture(autouse=True)
def fresh(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()


def test_every_entrance_page_is_accessible_and_fits_a_phone(
    page: Page, live_server: Any, console_problems: list[str]
) -> None:
    for path, heading in ENTRANCE_PAGES:
        page.goto(live_server.url + path)
        check_page(page, heading)


def test_a_forgotten_password_is_reset_from_the_e_mailed_link(
    page: Page, live_server: Any, console_problems: list[str]
) -> None:
    make_personas()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_role("link", name="Forgotten your password?").click()
    email = page.get_by_label("E-mail address")
    email.focus()
    assert email.evaluate("el => getComputedStyle(el).outlineColor") == FOCUS_COLOUR
    email.fill("tara@example.org")
    page.get_by_role("button", name="Send the link").click()
    expect(page.locator("h1")).to_have_text("Check your e-mail")

    link = next(line for line in mail.outbox[0].body.splitlines() if "/reset/key/" in line)
    page.goto(link.strip().replace("http://testserver", live_server.url))
    check_page(page, "Choose a new password")
    page.get_by_label("New password", exact=True).fill("a-quiet-river-at-dawn")
    page.get_by_label("New password again").fill("a-quiet-river-at-dawn")
    page.get_by_role("button", name="Save new password").click()
    check_page(page, "Password changed")
