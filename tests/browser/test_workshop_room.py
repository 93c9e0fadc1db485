"""Issue 12's acceptance in real browsers: one trainer and three participants in a room.

The trainer projects the room view (1920×1080); three participants join on 360 px phones,
each in a browser context of their own, with the code and a name, and map the first
vignette. Without a reload, the room shows three answers and an agreement figure. The trainer
presses N; every phone follows to the next vignette by itself. axe-core finds nothing on the
join, answer and room pages, and no page reports a script error or CSP violation.

With SCREENSHOTS=1 it also saves the README's pictures: the join page on a phone and the room
view on a projector, in docs/screenshots/.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from accounts.models import Membership, Organisation
from framework.services import framework_data_read, framework_load
from tests.base import PASSWORD, make_member, make_user
from workshops import services
from workshops.models import Vignette, Workshop

SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 360, "height": 740}
PROJECTOR = {"width": 1920, "height": 1080}
# Each participant reads the session a little differently, so agreement is a real number.
RATINGS = [
    {"accepting": 3, "personalised_practice": 1, "empowering": 1, "available": 2, "reciprocal": 0},
    {"accepting": 3, "personalised_practice": 2, "empowering": 1, "available": 2, "reciprocal": 1},
    {"accepting": 2, "personalised_practice": 1, "empowering": 0, "available": 3, "reciprocal": 0},
]


@pytest.fixture(autouse=True)
def fast_and_fresh(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()


def watch(page: Page, problems: list[str]) -> Page:
    def on_console(message: Any) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            problems.append(f"{page.url} {message.type}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"{page.url} pageerror: {error}"))
    return page


def assert_accessible(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def assert_no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


def shoot(page: Page, name: str) -> None:
    if os.environ.get("SCREENSHOTS") == "1":
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT_DIR / name), full_page=False, caret="initial")


def make_room() -> tuple[Workshop, list[Vignette]]:
    framework_load(data=framework_data_read(settings.FRAMEWORK_DATA_FILE))
    services.vignettes_load(entries=services.vignette_data_read(settings.VIGNETTE_DATA_FILE))
    organisation = Organisation.objects.create(name="Riverside Peer Support", slug="riverside")
    trainer = make_user("tara")
    make_member(trainer, organisation, Membership.Role.TRAINER)
    vignettes = [
        Vignette.objects.get(organisation=None, key=key) for key in ("second-chair", "two-stops")
    ]
    workshop = services.workshop_create(
        organisation=organisation,
        trainer=trainer,
        title="Induction day",
        day=timezone.localdate(),
        mode="individual",
        vignettes=vignettes,
    )
    return services.workshop_open(workshop=workshop), vignettes


def join_and_answer(
    context: BrowserContext,
    base: str,
    code: str,
    name: str,
    ratings: dict[str, int],
    problems: list[str],
    first: bool,
) -> Page:
    phone = watch(context.new_page(), problems)
    phone.goto(f"{base}/join/")
    if first:
        assert_accessible(phone)
        assert_no_sideways_scroll(phone)
        phone.get_by_label("Workshop code").fill(code.lower())
        phone.get_by_label("Your name, as the room will see it").fill(name)
        shoot(phone, "workshop-join-phone.png")
    else:
        phone.get_by_label("Workshop code").fill(code)
        phone.get_by_label("Your name, as the room will see it").fill(name)
    phone.get_by_role("button", name="Join").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("The second chair")
    if first:
        assert_accessible(phone)
        assert_no_sideways_scroll(phone)
    for context_key, value in ratings.items():
        phone.locator(f'input[name="rating_{context_key}"][value="{value}"]').check()
    phone.locator('select[name="chain1_context"]').select_option("accepting")
    phone.locator('select[name="chain1_mechanism"]').select_option("i_am_acceptable_or_worthwhile")
    phone.locator('select[name="chain1_domain"]').select_option("relationships")
    phone.get_by_role("button", name="Save my answer").click()
    expect(phone.get_by_text("Saved. You can change your answer")).to_be_visible()
    return phone


def test_a_trainer_and_three_phones_map_a_vignette_and_the_phones_follow(
    browser: Browser, live_server: Any
) -> None:
    workshop, vignettes = make_room()
    assert workshop.join_code is not None
    base = live_server.url
    problems: list[str] = []

    trainer_context = browser.new_context(viewport=PROJECTOR)
    room = watch(trainer_context.new_page(), problems)
    room.goto(f"{base}/accounts/login/")
    room.get_by_label("User name or e-mail address").fill("tara")
    room.get_by_label("Password").fill(PASSWORD)
    room.get_by_role("button", name="Sign in", exact=True).click()
    room.goto(f"{base}/workshops/{workshop.pk}/room/")
    expect(room.locator("[data-answer-count]")).to_have_attribute("data-answer-count", "0")
    assert_accessible(room)
    # A marker that a full reload would wipe out.
    room.evaluate("window.stillTheSamePage = true")

    phones = []
    for index, ratings in enumerate(RATINGS):
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        phones.append(
            join_and_answer(
                context,
                base,
                workshop.join_code,
                f"Person {index + 1}",
                ratings,
                problems,
                first=index == 0,
            )
        )

    expect(room.locator("[data-answer-count]")).to_have_attribute(
        "data-answer-count", "3", timeout=15_000
    )
    assert room.evaluate("window.stillTheSamePage === true")
    alpha = room.locator("[data-alpha]").inner_text()
    assert alpha not in ("", "–")
    assert -1.0 <= float(alpha) <= 1.0
    expect(room.get_by_text("Based on 3 answers.")).to_be_visible()
    assert_accessible(room)
    shoot(room, "workshop-room-projector.png")
    room.set_viewport_size({"width": 1024, "height": 768})
    assert_no_sideways_scroll(room)
    room.set_viewport_size(PROJECTOR)

    room.keyboard.press("n")
    expect(room.get_by_role("heading", level=1)).to_have_text(vignettes[1].title)
    for phone in phones:
        expect(phone.get_by_role("heading", level=1)).to_have_text(
            vignettes[1].title, timeout=15_000
        )
    assert Workshop.objects.get(pk=workshop.pk).position == 1

    for context in [trainer_context, *(phone.context for phone in phones)]:
        context.close()
    assert problems == [], "The browser reported problems:\n" + "\n".join(problems)
