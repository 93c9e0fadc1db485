"""Nothing a supervisor types is lost, in a real browser: a half-written supervision record
survives the session ending, a comment survives a session that is gone when it is sent (the
whole page goes to sign in, not a fragment), and a comment that was sent leaves no copy behind
to come back into the next one.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from framework.services import framework_data_read, framework_load
from reflections.models import Reflection
from supervision.models import Comment, Share, SupervisionRecord
from tests.base import PASSWORD, Personas, make_personas

IDLE_TIMEOUT = 12
UNSENT_KEYS = "Object.keys(sessionStorage).filter((key) => key.startsWith('appear.unsent.'))"


@pytest.fixture(autouse=True)
def fast_and_fresh(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()


@pytest.fixture
def people() -> Personas:
    framework_load(data=framework_data_read(settings.FRAMEWORK_DATA_FILE))
    return make_personas()


def sign_in(page: Page, base: str, login: str, next_path: str) -> None:
    page.goto(f"{base}/accounts/login/?next={next_path}")
    sign_in_here(page, login)


def sign_in_here(page: Page, login: str) -> None:
    page.get_by_label("User name or e-mail address").fill(login)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def shared_reflection(people: Personas) -> Reflection:
    reflection = Reflection.objects.create(
        author=people.alice,
        organisation=people.riverside,
        framework_version_id=framework_load(
            data=framework_data_read(settings.FRAMEWORK_DATA_FILE)
        ).version.pk,
        status=Reflection.Status.SUBMITTED,
        submitted_at=timezone.now(),
        what_happened="A walk by the river.",
    )
    Share.objects.create(reflection=reflection, supervisor=people.sam, link=people.sam_alice)
    return reflection


def test_a_half_written_record_survives_the_session_ending(
    page: Page, live_server: Any, people: Personas, settings: Any, console_problems: list[str]
) -> None:
    settings.SESSION_IDLE_TIMEOUT = IDLE_TIMEOUT
    form_path = reverse("supervision:record_create", kwargs={"link_id": people.sam_alice.pk})
    sign_in(page, live_server.url, "sam", form_path)
    explored = page.get_by_label("What was explored")
    explored.fill("Endings, and the worry of letting people down.")
    page.get_by_label("Who attended").fill("Alice, Sam")

    # Nobody touches the page: the session ends and the page goes to sign in by itself.
    expect(page.locator("h1")).to_have_text("Sign in", timeout=(IDLE_TIMEOUT + 5) * 1000)
    sign_in_here(page, "sam")

    expect(page.get_by_label("What was explored")).to_have_value(
        "Endings, and the worry of letting people down."
    )
    expect(page.get_by_label("Who attended")).to_have_value("Alice, Sam")
    expect(page.get_by_text("has been put back")).to_be_visible()
    page.get_by_role("button", name="Save the record").click()
    expect(page.get_by_text("The supervision record was saved")).to_be_visible()
    assert SupervisionRecord.objects.get().explored == (
        "Endings, and the worry of letting people down."
    )
    assert page.evaluate(UNSENT_KEYS) == []


def test_a_comment_sent_after_the_session_is_gone_comes_back_after_signing_in(
    page: Page, live_server: Any, people: Personas, console_problems: list[str]
) -> None:
    reflection = shared_reflection(people)
    page_path = reverse("supervision:reflection", kwargs={"pk": reflection.pk})
    sign_in(page, live_server.url, "sam", page_path)
    page.get_by_label("Your comment").fill("What helped you stay with the silence?")
    # The session ends on the server's side (its cookie is gone); the page does not know yet.
    context = page.context
    kept = [cookie for cookie in context.cookies() if cookie["name"] != "sessionid"]
    context.clear_cookies()
    context.add_cookies(kept)  # type: ignore[arg-type]

    page.get_by_role("button", name="Send comment").click()

    # The whole page goes to sign in; a fragment of the sign-in page is never swapped in.
    expect(page.locator("h1")).to_have_text("Sign in")
    assert not Comment.objects.exists()
    sign_in_here(page, "sam")
    expect(page).to_have_url(live_server.url + page_path)
    expect(page.get_by_label("Your comment")).to_have_value(
        "What helped you stay with the silence?"
    )
    page.get_by_role("button", name="Send comment").click()
    expect(page.locator("#comments")).to_contain_text("What helped you stay with the silence?")
    assert Comment.objects.get().body == "What helped you stay with the silence?"


def test_a_sent_comment_leaves_an_empty_form_and_no_copy(
    page: Page, live_server: Any, people: Personas, console_problems: list[str]
) -> None:
    reflection = shared_reflection(people)
    page_path = reverse("supervision:reflection", kwargs={"pk": reflection.pk})
    sign_in(page, live_server.url, "sam", page_path)
    page.get_by_label("Your comment").fill("A first thought.")
    page.get_by_role("button", name="Send comment").click()
    expect(page.locator("#comments")).to_contain_text("A first thought.")
    expect(page.get_by_label("Your comment")).to_have_value("")
    expect(page.get_by_text("has been put back")).to_have_count(0)
    assert page.evaluate(UNSENT_KEYS) == []

    # An empty comment comes back with its error and keeps nothing it should not.
    page.get_by_role("button", name="Send comment").click()
    expect(page.get_by_label("Your comment")).to_have_attribute("aria-invalid", "true")
    page.reload()
    expect(page.get_by_label("Your comment")).to_have_value("")
    assert Comment.objects.count() == 1
