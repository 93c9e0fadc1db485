"""An organisation admin invites a new peer worker, who joins through the one-time link, signs
in, and is linked to a supervisor, who enrols two-factor sign-in and signs in with a code, all
in a real browser.

Every page on the way is checked with axe-core, at desktop and phone width, and the
`console_problems` fixture fails the test on any Content Security Policy violation or script
error. The e-mail is read from Django's test outbox: the live server runs in a thread of this
process, so the message the admin's request sent is in `mail.outbox` here.

tests/browser/test_auth_two_factor.py covers the other way into two-factor sign-in: enrolment
forced by an organisation that requires it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.core.cache import cache
from playwright.sync_api import Page, expect

from accounts import access
from accounts.models import AuditEvent, Membership, User
from tests.accounts.auth_support import totp_code
from tests.base import PASSWORD, make_personas

NEW_PASSWORD = "river-stones-and-quiet-light"


@pytest.fixture(autouse=True)
def fast_and_fresh(settings: Any) -> None:
    # A fast hasher keeps persona creation quick; an empty cache resets allauth's counters.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()


def assert_accessible(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def check_page(page: Page, heading: str) -> None:
    """One h1 with this text; no axe violations; nothing wider than a 360 px phone."""
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).to_have_text(heading)
    assert_accessible(page)
    page.set_viewport_size({"width": 360, "height": 740})
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than a 360px screen"
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 800})


def sign_in(page: Page, base: str, login: str, password: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("User name or e-mail address").fill(login)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def sign_out(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Sign out").click()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in")
    ).to_be_visible()


def test_an_admin_invites_a_worker_who_joins_signs_in_and_is_linked_to_a_supervisor(
    page: Page, live_server: Any, console_problems: list[str], settings: Any
) -> None:
    base = live_server.url
    # E-mailed links come from SITE_URL, which is this live server here.
    settings.SITE_URL = base
    personas = make_personas()

    # The admin signs in and finds the organisation's pages from the dashboard.
    sign_in(page, base, "olive", PASSWORD)
    check_page(page, "Hello, Olive")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Organisation").click()
    check_page(page, "Members")
    page.get_by_role("link", name="Invite someone").click()
    check_page(page, "Invitations")

    # An address that is already a member is refused next to the field, with what was typed.
    page.get_by_label("E-mail address").fill("alice@example.org")
    page.get_by_label("Peer worker").check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".error-summary")).to_contain_text("already a member")
    expect(page.get_by_label("E-mail address")).to_have_value("alice@example.org")
    expect(page.get_by_label("E-mail address")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Peer worker")).to_be_checked()
    assert_accessible(page)

    page.get_by_label("E-mail address").fill("nia@example.org")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".messages")).to_contain_text("Invitation sent to nia@example.org.")
    expect(page.get_by_role("row", name=re.compile("nia@example.org"))).to_be_visible()
    check_page(page, "Invitations")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nia@example.org"]
    link = re.search(r"http://\S+/accounts/invitations/\S+/", message.body)
    assert link is not None, message.body
    sign_out(page)

    # The invitee opens the link, makes a mistake, then chooses a user name and password.
    page.goto(link.group(0))
    check_page(page, "Join Riverside Peer Support")
    page.get_by_label("User name").fill("nia")
    page.get_by_label("Your name as colleagues see it").fill("Nia")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password again").fill("not-the-same-password")
    page.get_by_role("button", name="Create my account").click()
    expect(page.locator(".error-summary")).to_contain_text("The two passwords differ.")
    expect(page.get_by_label("User name")).to_have_value("nia")
    assert_accessible(page)
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create my account").click()

    expect(page.locator(".messages")).to_contain_text("Your account is ready.")
    nia = User.objects.get(username="nia")
    membership = Membership.objects.get(user=nia)
    assert membership.organisation == personas.riverside
    assert membership.roles == ["peer_worker"]

    sign_in(page, base, "nia", NEW_PASSWORD)
    check_page(page, "Hello, Nia")
    expect(page.locator("main")).to_contain_text("No supervisor is linked to you yet")
    sign_out(page)

    # The link worked once. Chromium logs any 4xx page load as a console error; this one is
    # the answer the test expects, so exactly that message is taken off the problem list.
    response = page.goto(link.group(0))
    assert response is not None
    assert response.status == 410
    check_page(page, "This invitation link no longer works")
    gone = "error: Failed to load resource: the server responded with a status of 410 (Gone)"
    assert console_problems == [gone]
    console_problems.clear()

    # The admin links the new worker to a supervisor.
    sign_in(page, base, "olive", PASSWORD)
    page.goto(base + "/accounts/organisation/riverside/supervision/")
    check_page(page, "Supervision links")
    page.get_by_label("Supervisor", exact=True).select_option(label="Sam")
    page.get_by_label("Peer worker", exact=True).select_option(label="Nia")
    page.get_by_role("button", name="Create link").click()
    expect(page.locator(".messages")).to_contain_text("Sam now supervises Nia.")
    expect(page.get_by_role("button", name="End link between Sam and Nia")).to_be_visible()
    check_page(page, "Supervision links")
    assert access.is_supervisor_of(personas.sam, nia)
    sign_out(page)

    # The supervisor enrols two-factor sign-in with an authenticator app ...
    sign_in(page, base, "sam", PASSWORD)
    check_page(page, "Hello, Sam")
    page.get_by_role("link", name="Two-factor sign-in").click()
    check_page(page, "Sign-in security")
    page.goto(base + "/accounts/2fa/totp/activate/")
    check_page(page, "Confirm it is you")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    check_page(page, "Set up two-factor sign-in")
    secret = page.locator("[data-totp-secret]").get_attribute("data-totp-secret")
    assert secret
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    check_page(page, "Recovery codes")
    sign_out(page)

    # ... signs in with a code, and sees the new worker on their dashboard.
    sign_in(page, base, "sam", PASSWORD)
    check_page(page, "Enter your sign-in code")
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name="Sign in", exact=True).click()
    check_page(page, "Hello, Sam")
    expect(page.locator("main")).to_contain_text("Nia")
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.TWO_FACTOR_ENABLED, subject=personas.sam
    ).exists()

    assert list(
        AuditEvent.objects.filter(
            action__in=[
                AuditEvent.Action.INVITATION_SENT,
                AuditEvent.Action.INVITATION_ACCEPTED,
                AuditEvent.Action.LINK_CREATED,
            ]
        )
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["invitation_sent", "invitation_accepted", "link_created"]
