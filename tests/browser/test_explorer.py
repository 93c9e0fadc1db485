"""A visitor explores the framework in a real browser: by mouse, by keyboard and on a phone.

Every page visited is checked with axe-core, and the `console_problems` fixture fails the test
on any Content Security Policy violation or script error.
"""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import Page, expect

from framework.services import framework_data_read, framework_load

FOCUS_COLOUR = "rgb(194, 65, 12)"  # app.css --focus

EXPLORER_PATHS = [
    "/framework/",
    "/framework/contexts/accepting/",
    "/framework/contexts/reciprocal/",
    "/framework/mechanisms/others_can_be_effective/",
    "/framework/outcomes/knowledge_and_skills/",
    "/framework/outcomes/relationships/",
    "/framework/references/",
    "/framework/search/?q=trust",
    "/framework/search/?q=",
]


def load_framework() -> None:
    # The browser tests run on a transactional, empty database: load the data for each test.
    framework_load(data=framework_data_read(settings.FRAMEWORK_DATA_FILE))


def assert_accessible(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_a_visitor_walks_from_the_overview_through_a_context_to_a_mechanism(
    page: Page, live_server: Any, console_problems: list[str]
) -> None:
    load_framework()
    page.goto(live_server.url + "/framework/")
    expect(page.locator("h1")).to_have_text("The APPEAR framework")
    assert_accessible(page)

    page.locator(".context-cards a", has_text="Accepting").click()
    expect(page).to_have_url(live_server.url + "/framework/contexts/accepting/")
    expect(page.locator("h1")).to_have_text("Accepting")
    diagram = page.locator("svg.diagram__svg--network")
    expect(diagram).to_be_visible()
    expect(diagram.locator("text", has_text="Understanding and")).to_have_count(1)
    assert_accessible(page)

    diagram.locator('a[href="/framework/mechanisms/i_am_acceptable_or_worthwhile/"]').click()
    expect(page).to_have_url(
        live_server.url + "/framework/mechanisms/i_am_acceptable_or_worthwhile/"
    )
    expect(page.locator("h1")).to_have_text("I am acceptable or worthwhile")
    assert_accessible(page)


def test_every_explorer_page_passes_axe(
    page: Page, live_server: Any, console_problems: list[str]
) -> None:
    load_framework()
    for path in EXPLORER_PATHS:
        page.goto(live_server.url + path)
        assert_accessible(page)


def test_the_explorer_fits_a_360_pixel_wide_screen(
    page: Page, live_server: Any, console_problems: list[str]
) -> None:
    load_framework()
    page.set_viewport_size({"width": 360, "height": 740})
    for path in EXPLORER_PATHS:
        page.goto(live_server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width}px wide at 360px"
    page.goto(live_server.url + "/framework/contexts/accepting/")
    # The diagram keeps a readable size and scrolls inside its own frame instead.
    canvas = page.locator(".diagram--network .diagram__canvas")
    assert canvas.evaluate("element => element.scrollWidth > element.clientWidth")
    assert_accessible(page)


def test_the_skip_link_comes_first_and_moves_focus_to_the_main_content(
    page: Page, live_server: Any, console_problems: list[str]
) -> None:
    load_framework()
    page.goto(live_server.url + "/framework/contexts/empowering/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_diagram_boxes_are_reached_by_keyboard_and_show_their_focus(
    page: Page, live_server: Any, console_problems: list[str]
) -> None:
    load_framework()
    page.goto(live_server.url + "/framework/contexts/available/")
    in_diagram = (
        "document.activeElement.closest('svg') ? document.activeElement.getAttribute('href') : ''"
    )
    reached: list[str] = []
    for _ in range(120):
        page.keyboard.press("Tab")
        href = page.evaluate(in_diagram)
        if href:
            reached.append(href)
        if href.startswith("/framework/mechanisms/"):
            break
    else:
        raise AssertionError(f"Tab never reached a mechanism in the diagram: {reached}")
    # The context box and each of its factors come first, in reading order.
    assert reached[0] == "/framework/contexts/available/"
    assert reached[1] == "/framework/contexts/available/#factor-trustworthiness"
    stroke = page.evaluate("getComputedStyle(document.activeElement.querySelector('rect')).stroke")
    assert stroke == FOCUS_COLOUR
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + reached[-1])
    assert_accessible(page)
