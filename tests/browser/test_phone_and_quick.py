"""Issue 11 in a real browser: every page of every role fits a 360 px phone, the new and
changed pages pass axe at 360 and 1280 px, the navigation is one "Menu" control on a phone,
and two defects of the chains step stay fixed."""

from __future__ import annotations

import io
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.models import User
from reflections.models import Reflection
from tests.browser.test_screenshots import sign_in
from tests.test_html_validity import pages

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def demo(framework_version: Any) -> None:
    """The demo organisations, people and reflections that `make run` shows."""
    call_command("seed_demo", "--allow-production", stdout=io.StringIO())


def sideways(page: Page) -> int:
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )


def assert_accessible(page: Page, where: str) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, f"{where}\n{results.generate_report()}"


def test_every_page_of_every_role_fits_a_phone_without_sideways_scrolling(
    page: Page, live_server: Any, demo: None, console_problems: list[str]
) -> None:
    page.set_viewport_size(PHONE)
    too_wide = []
    for username, urls in pages().items():
        page.context.clear_cookies()
        if username:
            sign_in(page, live_server.url, username)
        for url in urls:
            response = page.goto(live_server.url + url)
            assert response is not None
            assert response.status == 200, (username, url, response.status)
            if sideways(page) > 0:
                too_wide.append(f"{username or 'visitor'} {url}: {sideways(page)} px")
    assert too_wide == [], "\n".join(too_wide)


def test_new_and_changed_pages_pass_axe_at_phone_and_desktop_width(
    page: Page, live_server: Any, demo: None, console_problems: list[str]
) -> None:
    worker = User.objects.get(username="demo-worker")
    draft = Reflection.objects.filter(author=worker, status=Reflection.Status.DRAFT)[0]
    submitted = Reflection.objects.filter(author=worker, status=Reflection.Status.SUBMITTED)[0]
    urls = [
        reverse("home"),
        reverse("reflections:start"),
        reverse("reflections:quick", args=[draft.pk]),
        reverse("reflections:step", args=[draft.pk, "contexts"]),
        reverse("reflections:step", args=[draft.pk, "chains"]),
        reverse("reflections:check", args=[draft.pk]),
        submitted.get_absolute_url(),
    ]
    sign_in(page, live_server.url, "demo-worker")
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        for url in urls:
            page.goto(live_server.url + url)
            assert_accessible(page, f"{url} at {size['width']} px")
    # The menu open on a phone, and a context's details open, are checked too.
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("reflections:quick", args=[draft.pk]))
    page.get_by_text("Menu", exact=True).click()
    page.locator(".compact-context__more > summary").first.click()
    assert_accessible(page, "the quick page with the menu and a context's details open")


def test_the_navigation_is_one_menu_control_on_a_phone_and_a_row_on_a_desktop(
    page: Page, live_server: Any, demo: None, console_problems: list[str]
) -> None:
    sign_in(page, live_server.url, "demo-worker")
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("home"))
    menu = page.locator(".site-nav__menu > summary")
    expect(menu).to_be_visible()
    expect(page.locator(".site-nav__row")).to_be_hidden()
    header = page.locator(".site-header").bounding_box()
    assert header is not None
    assert header["height"] < 80, f"the header is {header['height']} px tall on a phone"
    # By keyboard: Tab to "Menu", Enter opens it, and its links are there to follow.
    page.locator(".site-nav__menu > summary").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".site-nav__menu").get_by_role("link", name="My practice")).to_be_visible()
    page.set_viewport_size(DESKTOP)
    expect(menu).to_be_hidden()
    expect(page.locator(".site-nav__row").get_by_role("link", name="My practice")).to_be_visible()


def test_choosing_a_context_shows_no_error_for_the_parts_not_chosen_yet(
    page: Page, live_server: Any, demo: None, console_problems: list[str]
) -> None:
    """Defect 1: about 1.5 s after picking a context, red errors appeared and "Not saved"."""
    worker = User.objects.get(username="demo-worker")
    draft = Reflection.objects.create(
        author=worker,
        organisation=worker.memberships.get().organisation,
        framework_version=Reflection.objects.filter(author=worker)[0].framework_version,
    )
    sign_in(page, live_server.url, "demo-worker")
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("reflections:step", args=[draft.pk, "chains"]))
    page.get_by_label("Empowering").check()
    expect(page.get_by_text("Listed first: what the studies link to Empowering.")).to_be_visible()
    status = page.locator("[data-autosave-status]")
    expect(status).to_have_attribute("data-state", "saved", timeout=5000)
    page.wait_for_timeout(2000)
    expect(page.locator("#flow-form .errorlist")).to_have_count(0)
    draft.refresh_from_db()
    assert draft.incomplete_chains[0]["context"] is not None


def test_secondary_buttons_look_secondary(
    page: Page, live_server: Any, demo: None, console_problems: list[str]
) -> None:
    """Defect 4: a `button.button` rule gave every secondary button the main action's colour."""
    worker = User.objects.get(username="demo-worker")
    draft = Reflection.objects.filter(author=worker, status=Reflection.Status.DRAFT)[0]
    sign_in(page, live_server.url, "demo-worker")
    page.goto(live_server.url + reverse("reflections:step", args=[draft.pk, "chains"]))

    def background(name: str) -> str:
        return str(
            page.get_by_role("button", name=name).evaluate(
                "element => getComputedStyle(element).backgroundColor"
            )
        )

    main = background("Save and continue")
    for name in ("Save and go back", "Add another chain"):
        assert background(name) != main, f"“{name}” looks like the main action"


def test_chart_text_on_my_practice_is_at_least_12_px_on_a_phone(
    page: Page, live_server: Any, demo: None, console_problems: list[str]
) -> None:
    sign_in(page, live_server.url, "demo-worker")
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("reflections:practice"))
    sizes = page.evaluate(
        """() => Array.from(document.querySelectorAll("svg.chart--months, svg.chart--matrix"))
          .flatMap(svg => {
            const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            return Array.from(svg.querySelectorAll("text"))
              .map(text => parseFloat(text.getAttribute("font-size") || "11") * scale);
          })"""
    )
    assert sizes, "no chart text found"
    assert min(sizes) >= 12, f"the smallest chart text is {min(sizes):.1f} px"
    assert sideways(page) <= 0
