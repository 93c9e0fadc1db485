"""A supervisor whose organisation requires two-factor sign-in enrols in a real browser, signs
out, and signs in again with a password and a code from the app.

Every page on the way is checked with axe-core, at phone width too, and `console_problems`
fails the test on any Content Security Policy violation or script error.
"""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from axe_playwright_python.sync_playwright import Axe
from django.core.cache import cache
from playwright.sync_api import Page, expect

from accounts.models import AuditEvent
from tests.accounts.auth_support import totp_code
from tests.base import PASSWORD, make_personas

FOCUS_COLOUR = "rgb(194, 65, 12)"  # app.css --focus


@pytest.fixture(autouse=True)
def fast_and_fresh(settings: Any) -> None:
    # A fast hasher keeps persona creation quick; an empty cache resets allauth's counters.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()


def assert_accessible(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def assert_fits_a_phone(page: Page) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than a 360px screen"
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 800})


def check_page(page: Page, heading: str) -> None:
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).to_have_text(heading)
    assert_accessible(page)
    assert_fits_a_phone(page)


def test_a_supervisor_enrols_in_two_factor_and_signs_in_with_a_code(
    page: Page, live_server: Any, console_problems: list[str]
) -> None:
    personas = make_personas()
    personas.riverside.requires_two_factor = True
    personas.riverside.save()

    page.goto(live_server.url + "/accounts/login/")
    check_page(page, "Sign in")
    page.keyboard.press("Tab")  # the skip link
    page.get_by_label("User name or e-mail address").focus()
    page.keyboard.type("sam")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    button = page.get_by_role("button", name="Sign in", exact=True)
    expect(button).to_be_focused()
    assert button.evaluate("el => getComputedStyle(el).outlineColor") == FOCUS_COLOUR
    page.keyboard.press("Enter")

    # The organisation requires it: every page leads to enrolment, which first asks to
    # confirm the password (allauth asks this before any change to two-factor sign-in).
    expect(page.locator("h1")).to_have_text("Confirm it is you")
    expect(page.locator(".messages")).to_contain_text(
        "Your organisation asks supervisors and organisation admins to use two-factor"
    )
    check_page(page, "Confirm it is you")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    check_page(page, "Set up two-factor sign-in")
    qr = page.get_by_role("img", name="QR code that adds APPEAR Reflect to your authenticator app")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.naturalWidth") > 0, "The QR code did not load under the CSP."
    secret = page.locator("[data-totp-secret]").get_attribute("data-totp-secret")
    assert secret
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    check_page(page, "Recovery codes")
    expect(page.locator("ol code")).to_have_count(10)
    assert Authenticator.objects.filter(user=personas.sam, type="totp").exists()

    page.goto(live_server.url + "/accounts/2fa/")
    check_page(page, "Sign-in security")
    expect(
        page.get_by_text("Your organisation requires it for your role, so it stays on.")
    ).to_be_visible()

    page.get_by_role("button", name="Sign out").first.click()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in")
    ).to_be_visible()

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("User name or e-mail address").fill("sam@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()

    check_page(page, "Enter your sign-in code")
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator(".error-summary")).to_contain_text("That code is not right.")
    assert_accessible(page)
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name="Sign in", exact=True).click()

    expect(page.get_by_role("button", name="Sign out").first).to_be_visible()
    expect(page).to_have_url(live_server.url + "/")
    actions = list(
        AuditEvent.objects.filter(subject=personas.sam)
        .order_by("occurred_at", "id")
        .values_list("action", flat=True)
    )
    assert actions == [
        AuditEvent.Action.SIGN_IN,
        AuditEvent.Action.TWO_FACTOR_ENABLED,
        AuditEvent.Action.SIGN_OUT,
        AuditEvent.Action.SIGN_IN_FAILED,
        AuditEvent.Action.SIGN_IN,
    ]
