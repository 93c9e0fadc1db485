"""Issue 11: the network maps on My practice and on the framework overview are readable on a
360 px phone. There they are a list of text (framework/diagrams.py, _compact_network) with no
sideways scrolling inside their frame and no text under 12 px, the full drawing one tap away;
on a desktop the drawing shows as before. Both pass axe at 360 and 1280 px."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from playwright.sync_api import Page, ViewportSize, expect

from tests.browser.test_phone_and_quick import assert_accessible, demo, sideways
from tests.browser.test_screenshots import sign_in

__all__ = ["demo"]  # the fixture, imported so pytest finds it here

PHONE: ViewportSize = {"width": 360, "height": 740}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}

# For each network map on the page: is the list or the drawing shown, how far its frame scrolls
# sideways, and the smallest computed text size among what is shown.
MEASURE = """() => Array.from(document.querySelectorAll("figure.diagram--network")).map(figure => {
  const shown = element => element && getComputedStyle(element).display !== "none";
  const compact = figure.querySelector(".diagram__compact");
  const canvas = figure.querySelector(".diagram__canvas");
  const frames = [figure, compact, canvas].filter(shown);
  const texts = shown(compact)
    ? Array.from(compact.querySelectorAll("a, span, p, li"))
    : Array.from(canvas.querySelectorAll("text"));
  const sizes = texts.map(text => {
    const size = parseFloat(getComputedStyle(text).fontSize);
    if (text instanceof SVGElement) {
      const svg = text.ownerSVGElement;
      return size * svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    }
    return size;
  });
  return {
    list: shown(compact),
    drawing: shown(canvas),
    overflow: Math.max(...frames.map(frame => frame.scrollWidth - frame.clientWidth)),
    smallest: Math.min(...sizes),
    texts: texts.length,
  };
})"""


def maps(page: Page) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = page.evaluate(MEASURE)
    assert result, "no network map on the page"
    return result


def pages_with_maps() -> list[tuple[str, str]]:
    return [
        ("the overview", reverse("framework:overview")),
        ("My practice", reverse("reflections:practice")),
    ]


def test_on_a_phone_the_maps_are_lists_without_sideways_scrolling_or_small_text(
    page: Page, live_server: Any, demo: None, console_problems: list[str]
) -> None:
    sign_in(page, live_server.url, "demo-worker")
    page.set_viewport_size(PHONE)
    for name, url in pages_with_maps():
        page.goto(live_server.url + url)
        for found in maps(page):
            assert (found["list"], found["drawing"]) == (True, False), (name, found)
            assert found["overflow"] <= 0, f"{name}: the map scrolls {found['overflow']} px"
            assert found["texts"] > 10, (name, found)
            assert found["smallest"] >= 12, f"{name}: text at {found['smallest']:.1f} px"
        assert sideways(page) <= 0, name


def test_the_full_drawing_is_one_tap_away_on_a_phone(
    page: Page, live_server: Any, demo: None, console_problems: list[str]
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("framework:overview"))
    drawing = page.locator("figure.diagram--network .diagram__canvas svg").first
    expect(drawing).to_be_hidden()
    page.get_by_role("link", name="Show the full drawing").first.click()
    expect(drawing).to_be_visible()
    assert sideways(page) <= 0


def test_on_a_desktop_the_drawing_shows_and_the_list_does_not(
    page: Page, live_server: Any, demo: None, console_problems: list[str]
) -> None:
    sign_in(page, live_server.url, "demo-worker")
    page.set_viewport_size(DESKTOP)
    for name, url in pages_with_maps():
        page.goto(live_server.url + url)
        for found in maps(page):
            assert (found["drawing"], found["list"]) == (True, False), (name, found)


def test_the_pages_with_maps_pass_axe_at_phone_and_desktop_width(
    page: Page, live_server: Any, demo: None, console_problems: list[str]
) -> None:
    sign_in(page, live_server.url, "demo-worker")
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        for name, url in pages_with_maps():
            page.goto(live_server.url + url)
            assert_accessible(page, f"{name} at {size['width']} px")
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("framework:overview"))
    page.get_by_role("link", name="Show the full drawing").first.click()
    assert_accessible(page, "the overview with the full drawing open on a phone")
