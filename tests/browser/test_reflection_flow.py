"""Issue 4's acceptance, in a real browser at 360 px wide, by keyboard alone.

A peer worker signs in, writes a reflection through every step (Tab, Space, arrow keys, Enter
and typing; no mouse), sees it saved as a draft midway, passes the privacy check, submits it,
and finds it on its page, in My reflections and on My practice. axe-core checks every step;
the `console_problems` fixture fails the test on any CSP violation or script error.

Two more journeys check the draft-saving promises: two tabs on one draft (the later save shows
both texts and keeps this tab's on request), and a lost connection (an unsent copy is kept on
the device and offered back).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.cache import cache
from playwright.sync_api import Locator, Page, expect

from accounts.models import Membership, Organisation, User
from framework.services import framework_data_read, framework_load
from reflections.models import Chain, ContextRating, Reflection

PASSWORD = "a-long-password-for-the-flow-test"
PHONE = {"width": 360, "height": 740}


@pytest.fixture(autouse=True)
def fast_and_fresh(settings: Any) -> None:
    # A fast hasher keeps account creation quick; an empty cache resets sign-in rate limits.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()


@pytest.fixture
def worker(transactional_db: None) -> User:
    framework_load(data=framework_data_read(settings.FRAMEWORK_DATA_FILE))
    organisation = Organisation.objects.create(name="Riverside Peer Support", slug="riverside")
    user = User.objects.create_user(username="pat", password=PASSWORD, display_name="Pat")
    Membership.objects.create(user=user, organisation=organisation, is_peer_worker=True)
    return user


def new_draft(worker: User, **fields: Any) -> Reflection:
    """A draft of `worker`'s against the current framework, made directly in the database."""
    return Reflection.objects.create(
        author=worker,
        organisation=Organisation.objects.get(),
        framework_version_id=framework_load(
            data=framework_data_read(settings.FRAMEWORK_DATA_FILE)
        ).version.pk,
        **fields,
    )


def assert_accessible(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def is_focused(locator: Locator) -> bool:
    return bool(locator.evaluate("element => element === document.activeElement"))


def tab_to(page: Page, locator: Locator, *, limit: int = 200) -> None:
    """Press Tab until `locator` has the focus, as a keyboard user would."""
    for _ in range(limit):
        if is_focused(locator):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {locator}")


def type_into(page: Page, locator: Locator, text: str) -> None:
    tab_to(page, locator)
    page.keyboard.type(text)


def press_button(page: Page, name: str) -> None:
    tab_to(page, page.get_by_role("button", name=name, exact=True))
    page.keyboard.press("Enter")


def sign_in(page: Page, base: str) -> None:
    page.goto(base + "/accounts/login/")
    type_into(page, page.get_by_label("User name or e-mail address"), "pat")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Successfully signed in as pat.")).to_be_visible()


def heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def saved(page: Page) -> None:
    status = page.locator("[data-autosave-status]")
    expect(status).to_have_attribute("data-state", "saved", timeout=15000)
    expect(status).to_have_text(re.compile(r"^Saved at \d\d:\d\d$"))


def test_a_peer_worker_writes_a_reflection_by_keyboard_on_a_phone(
    page: Page, live_server: Any, worker: User, console_problems: list[str]
) -> None:
    page.set_viewport_size(PHONE)
    base = live_server.url
    sign_in(page, base)

    page.goto(base + "/reflections/new/")
    assert_accessible(page)
    press_button(page, "Start a new reflection, step by step")

    # a. The session: the date is already today; a length, a setting, a stage and a label.
    heading(page, "The session")
    expect(page.get_by_text("Step 1 of 8")).to_be_visible()
    assert_accessible(page)
    type_into(page, page.get_by_label("Length in minutes (optional)"), "45")
    tab_to(page, page.get_by_label("Community venue"))
    page.keyboard.press("ArrowDown")  # moves to, and chooses, "Service base or clinic"
    page.keyboard.press("ArrowDown")  # "Hospital ward"
    page.keyboard.press("ArrowDown")  # "Home visit"
    page.keyboard.press("ArrowDown")  # "Out and about (e.g. a walk)"
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # "First contact"
    type_into(page, page.get_by_label("A label for the person you supported (optional)"), "J")
    saved(page)
    press_button(page, "Save and continue")

    # b. What happened: the draft saves itself midway, and is in the database. htmx swapped
    # only the step region, and the address, the title and the focus followed.
    heading(page, "What happened, and how I felt")
    expect(page).to_have_url(re.compile(r"/reflections/\d+/steps/story/$"))
    expect(page).to_have_title(re.compile("^What happened, and how I felt"))
    expect(page.get_by_role("heading", level=1)).to_be_focused()
    assert_accessible(page)
    type_into(
        page,
        page.get_by_label("What happened?"),
        "We walked by the river and talked about the week.",
    )
    saved(page)
    draft = Reflection.objects.get(author=worker)
    assert draft.status == Reflection.Status.DRAFT
    assert draft.what_happened == "We walked by the river and talked about the week."
    assert (draft.duration_minutes, draft.setting, draft.contact_stage, draft.person_label) == (
        45,
        "walk",
        "first",
        "J",
    )
    type_into(page, page.get_by_label("How did I feel?"), "Calm, a bit unsure at first.")
    type_into(
        page, page.get_by_label("What went well?"), "She laughed at the Mr Men mug in the café."
    )
    press_button(page, "Save and continue")

    # c. The contexts, compact: Accepting strongly present; its meaning opens onto its
    # prompts, factors and a line of evidence.
    heading(page, "The five contexts")
    tab_to(page, page.get_by_role("radio", name="Not present").first)
    for _ in range(3):
        page.keyboard.press("ArrowDown")  # to "Strongly"
    page.keyboard.press("Tab")  # the meaning, a disclosure
    page.keyboard.press("Enter")  # open it
    expect(page.get_by_text("Was there a moment when I felt judgement rise in me?")).to_be_visible()
    assert_accessible(page)
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # the first of Accepting's factors
    type_into(
        page,
        page.get_by_label("What I did or said (optional)").first,
        "I said it made sense to feel that way.",
    )
    press_button(page, "Save and continue")

    # d. A chain: choosing the context brings the linked mechanisms and outcomes first.
    heading(page, "What seemed to shift for them")
    assert_accessible(page)
    tab_to(page, page.get_by_role("radio", name="Accepting"))
    page.keyboard.press("Space")  # Accepting
    expect(page.get_by_text("Listed first: what the studies link to Accepting.")).to_be_visible()
    # The name alone is the choice; how many studies link it is a lighter line beside it.
    mechanism = page.get_by_role("radio", name=re.compile("^I am acceptable or worthwhile"))
    expect(page.locator(".tap-option__studies").first).to_have_text(
        re.compile(r"^\d+ studies link this to Accepting$")
    )
    tab_to(page, mechanism)
    page.keyboard.press("Space")  # the first linked mechanism
    tab_to(page, page.locator("input[name='chains-0-outcome_domain']").first)
    page.keyboard.press("Space")
    # The chain, read back as a sentence.
    expect(page.locator(".chain-sentence")).to_have_text(
        re.compile("^Because I was Accepting, they seemed to feel “I am acceptable or worthwhile”")
    )
    type_into(
        page,
        page.get_by_label("In my words (optional)"),
        "Because I was accepting, she seemed to feel acceptable, and she opened up.",
    )
    assert_accessible(page)
    press_button(page, "Save and continue")

    # e. Outcomes noticed.
    heading(page, "Outcomes I noticed")
    assert_accessible(page)
    tab_to(page, page.get_by_label("I noticed something about hopefulness"))
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.type("She talked about trying the art group again.")
    press_button(page, "Save and continue")

    # f. What did not go well.
    heading(page, "What did not go well")
    assert_accessible(page)
    type_into(page, page.get_by_role("textbox"), "I may have talked too much about my own week.")
    press_button(page, "Save and continue")

    # g. Learning and next steps.
    heading(page, "Learning and next steps")
    assert_accessible(page)
    type_into(page, page.get_by_label("What did I learn?"), "Ask more, suggest less.")
    type_into(page, page.get_by_label("Something I will do"), "Find the art group times")
    tab_to(page, page.get_by_label("Mark it to talk about in supervision"))
    page.keyboard.press("Space")
    press_button(page, "Save and continue")

    # The check page, then the privacy check asks about "Mr Men".
    heading(page, "Check and submit")
    expect(page.get_by_text("We walked by the river and talked about the week.")).to_be_visible()
    assert_accessible(page)
    press_button(page, "Submit reflection")
    heading(page, "A quick privacy check")
    expect(page.locator("mark")).to_have_text("Mr Men")
    assert_accessible(page)
    tab_to(page, page.get_by_label("“Mr Men” does not identify anyone"))
    page.keyboard.press("Space")
    press_button(page, "Confirm and submit")

    # Its page.
    heading(page, re.compile("^Reflection on the session of "))  # type: ignore[arg-type]
    expect(page.get_by_text("Your reflection is submitted.")).to_be_visible()
    expect(page.get_by_text("Strongly present")).to_be_visible()
    expect(page.get_by_text("Ask more, suggest less.")).to_be_visible()
    assert_accessible(page)
    reflection = Reflection.objects.get(author=worker)
    assert reflection.status == Reflection.Status.SUBMITTED
    assert reflection.bring_to_supervision
    assert ContextRating.objects.get(reflection=reflection, context__key="accepting").presence == 3
    assert Chain.objects.get(reflection=reflection).mechanism.key == "i_am_acceptable_or_worthwhile"

    # In My reflections, and on My practice.
    page.goto(base + "/reflections/")
    expect(page.get_by_role("link", name=re.compile(r" · J$"))).to_be_visible()
    assert_accessible(page)
    page.goto(base + "/reflections/practice/")
    expect(page.get_by_role("heading", name="My map beside the evidence")).to_be_visible()
    expect(page.get_by_text("None of these reflections recorded a chain yet")).to_have_count(0)
    assert_accessible(page)


def open_story(page: Page, url: str) -> Page:
    page.set_viewport_size(PHONE)
    page.goto(url)
    heading(page, "What happened, and how I felt")
    return page


def watch(page: Page) -> list[str]:
    """What `console_problems` collects, for a second tab of the same browser."""
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" or "Content Security Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    return problems


def test_two_tabs_on_one_draft_keep_both_texts(
    page: Page, live_server: Any, worker: User, console_problems: list[str]
) -> None:
    sign_in(page, live_server.url)
    reflection = new_draft(worker)
    url = f"{live_server.url}/reflections/{reflection.pk}/steps/story/"
    tab_a = open_story(page, url)
    tab_b = page.context.new_page()
    tab_b_problems = watch(tab_b)
    open_story(tab_b, url)

    type_into(tab_a, tab_a.get_by_label("What happened?"), "Written in tab A")
    saved(tab_a)
    type_into(tab_b, tab_b.get_by_label("What happened?"), "Written in tab B")
    conflict = tab_b.locator("[data-conflict]")
    expect(conflict).to_contain_text("This step was saved somewhere else", timeout=15000)
    expect(conflict).to_contain_text("Written in tab A")
    expect(conflict).to_contain_text("Written in tab B")
    expect(tab_b.locator("[data-autosave-status]")).to_have_attribute("data-state", "conflict")
    assert Reflection.objects.get(pk=reflection.pk).what_happened == "Written in tab A"
    assert_accessible(tab_b)

    press_button(tab_b, "Keep the answers on this page")
    saved(tab_b)
    assert Reflection.objects.get(pk=reflection.pk).what_happened == "Written in tab B"
    # The 409 answer is the point of this test; the browser logs it as a failed request.
    assert [p for p in tab_b_problems if "status of 409 (Conflict)" not in p] == []


def test_an_unsent_copy_survives_a_lost_connection(
    page: Page, live_server: Any, worker: User, console_problems: list[str]
) -> None:
    sign_in(page, live_server.url)
    reflection = new_draft(worker)
    url = f"{live_server.url}/reflections/{reflection.pk}/steps/story/"
    page.set_viewport_size(PHONE)
    page.goto(url)
    context = page.context
    context.set_offline(True)
    type_into(page, page.get_by_label("What was hard?"), "Typed on the bus with no signal")
    status = page.locator("[data-autosave-status]")
    expect(status).to_have_attribute("data-state", "offline", timeout=15000)
    expect(status).to_contain_text("A copy is kept on this device")
    # The failed requests are what this test is about; the browser logs them as errors.
    console_problems[:] = [p for p in console_problems if "ERR_INTERNET_DISCONNECTED" not in p]
    # Later, on the same device, with the connection back. The offline tab stays open: when
    # Chromium unloads it, requests escape both its offline emulation and Playwright's routing,
    # which a real lost connection would not allow. A new browser context holding this one's
    # cookies and localStorage is the same device coming back.
    assert Reflection.objects.get(pk=reflection.pk).was_hard == ""
    assert context.browser is not None
    back_online = context.browser.new_context(storage_state=context.storage_state())
    later = back_online.new_page()
    problems = watch(later)
    later.set_viewport_size(PHONE)
    later.goto(url)
    expect(later.get_by_label("What was hard?")).to_have_value("")
    expect(later.get_by_text("that were not saved.")).to_be_visible()
    assert_accessible(later)
    press_button(later, "Restore them")
    expect(later.get_by_label("What was hard?")).to_have_value("Typed on the bus with no signal")
    saved(later)
    assert Reflection.objects.get(pk=reflection.pk).was_hard == "Typed on the bus with no signal"
    assert problems == []
    back_online.close()


def test_an_expired_session_keeps_the_typing_on_the_device(
    page: Page, live_server: Any, worker: User, console_problems: list[str]
) -> None:
    sign_in(page, live_server.url)
    reflection = new_draft(worker)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/reflections/{reflection.pk}/steps/story/")
    # The session ends on the server's side (its cookie is gone); the page does not know yet.
    context = page.context
    kept = [cookie for cookie in context.cookies() if cookie["name"] != "sessionid"]
    context.clear_cookies()
    context.add_cookies(kept)  # type: ignore[arg-type]

    type_into(page, page.get_by_label("How did I feel?"), "Written after the session ended")
    status = page.locator("[data-autosave-status]")
    expect(status).to_have_attribute("data-state", "signed-out", timeout=15000)
    expect(status).to_contain_text("you have been signed out")
    copy = page.evaluate(f"localStorage.getItem('appear-reflect:unsent:{reflection.pk}:story')")
    assert "Written after the session ended" in copy
    assert Reflection.objects.get(pk=reflection.pk).how_i_felt == ""


def test_an_amendment_begun_by_mistake_is_discarded_by_keyboard(
    page: Page, live_server: Any, worker: User, console_problems: list[str]
) -> None:
    sign_in(page, live_server.url)
    reflection = new_draft(worker, what_happened="As it was submitted.")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/reflections/{reflection.pk}/check/")
    press_button(page, "Submit reflection")
    expect(page.get_by_text("Your reflection is submitted.")).to_be_visible()
    press_button(page, "Amend this reflection")
    # Reopening answers with the first step; only then is the reflection editable.
    expect(page).to_have_url(re.compile(r"/steps/session/$"))
    expect(page.get_by_text("Reopened.")).to_be_visible()
    page.goto(f"{live_server.url}/reflections/{reflection.pk}/steps/story/")
    field = page.get_by_label("What happened?")
    tab_to(page, field)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("Half rewritten, then thought better of it.")
    saved(page)

    tab_to(page, page.get_by_role("link", name="Discard my changes"))
    page.keyboard.press("Enter")
    heading(page, "Discard your changes?")
    assert_accessible(page)
    press_button(page, "Discard my changes")

    expect(page.get_by_text("Your changes are discarded.")).to_be_visible()
    expect(page.get_by_text("As it was submitted.")).to_be_visible()
    expect(page.get_by_role("link", name="Discard my changes")).to_have_count(0)
    assert_accessible(page)
    fresh = Reflection.objects.get(pk=reflection.pk)
    assert fresh.what_happened == "As it was submitted."
    assert not fresh.is_amending
