"""The idle warning in a real browser: it appears before the session ends, "Stay signed in" keeps
the session, and text typed into a form survives the session ending and signing in again.

The idle time is shortened to twelve seconds (the warning then comes six seconds before the
end). This module is also the URLconf for these tests: the site's own URLs plus one page with
a form marked data-keep-unsent, as later features' forms will be.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template import engines
from django.urls import path
from playwright.sync_api import Page, expect

from appear_site.urls import urlpatterns as site_urlpatterns
from tests.base import PASSWORD, make_personas

IDLE_TIMEOUT = 12

NOTE_PAGE = engines["django"].from_string(
    """{% extends "base.html" %}
{% block content %}
  <h1>A note</h1>
  <form method="post" action="/test/note/" class="form" data-keep-unsent="note">
    {% csrf_token %}
    <div class="field">
      <label for="note">Note</label>
      <textarea id="note" name="note"></textarea>
    </div>
    <div class="field">
      <label for="feeling">How it felt</label>
      <select id="feeling" name="feeling">
        <option value="">Choose</option>
        <option value="calm">Calm</option>
        <option value="tense">Tense</option>
      </select>
    </div>
    <button type="submit" class="button">Save the note</button>
  </form>
{% endblock content %}"""
)


@login_required
def note(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return redirect("/")
    return HttpResponse(NOTE_PAGE.render({}, request))


urlpatterns = [*site_urlpatterns, path("test/note/", note)]


@pytest.fixture(autouse=True)
def short_idle_time(settings: Any) -> None:
    settings.SESSION_IDLE_TIMEOUT = IDLE_TIMEOUT
    settings.ROOT_URLCONF = __name__
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    make_personas()


def sign_in(page: Page, live_server: Any, next_path: str = "/") -> None:
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.get_by_label("User name or e-mail address").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("button", name="Sign out").first).to_be_visible()
    # The button shows as soon as the HTML is parsed; typing before the deferred scripts have
    # run would go unwatched (seen in CI under load), so wait for the page's load event.
    page.wait_for_load_state("load")
    if page.locator("form[data-keep-unsent]").count():
        expect(page.locator("form[data-keep-unsent-watched]").first).to_be_attached()


def test_the_warning_comes_first_and_stay_signed_in_keeps_the_session(
    page: Page, live_server: Any, console_problems: list[str]
) -> None:
    sign_in(page, live_server)
    loaded = time.monotonic()
    dialog = page.get_by_role("alertdialog", name="Are you still there?")
    expect(dialog).to_be_hidden()
    expect(dialog).to_be_visible(timeout=IDLE_TIMEOUT * 1000)
    expect(dialog).to_contain_text("you will be signed out at")
    stay = dialog.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()

    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    # Past the moment the session would have ended without the keep-alive.
    time.sleep(max(0.0, IDLE_TIMEOUT + 1 - (time.monotonic() - loaded)))
    page.goto(live_server.url + "/")
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("button", name="Sign out").first).to_be_visible()


def test_escape_also_means_i_am_here(
    page: Page, live_server: Any, console_problems: list[str]
) -> None:
    sign_in(page, live_server)
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_be_visible(timeout=IDLE_TIMEOUT * 1000)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.wait_for_timeout(7000)
    page.goto(live_server.url + "/")
    expect(page).to_have_url(live_server.url + "/")


def test_sign_out_from_the_warning_signs_out(
    page: Page, live_server: Any, console_problems: list[str]
) -> None:
    sign_in(page, live_server)
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_be_visible(timeout=IDLE_TIMEOUT * 1000)
    dialog.get_by_role("button", name="Sign out").click()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in")
    ).to_be_visible()


def test_typed_text_survives_the_session_ending_and_signing_in_again(
    page: Page, live_server: Any, console_problems: list[str]
) -> None:
    sign_in(page, live_server, next_path="/test/note/")
    expect(page.locator("h1")).to_have_text("A note")
    page.get_by_label("Note").fill("Sat with the silence; it helped.")
    page.get_by_label("How it felt").select_option("calm")

    # Nobody touches the page: the session ends and the page goes to sign in by itself.
    expect(page.locator("h1")).to_have_text("Sign in", timeout=(IDLE_TIMEOUT + 5) * 1000)
    expect(page.locator(".messages")).to_contain_text("You were signed out after 1 minute")
    assert "next=%2Ftest%2Fnote%2F" in page.url

    page.get_by_label("User name or e-mail address").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()

    expect(page.locator("h1")).to_have_text("A note")
    expect(page.get_by_label("Note")).to_have_value("Sat with the silence; it helped.")
    expect(page.get_by_label("How it felt")).to_have_value("calm")
    expect(page.get_by_role("status").filter(has_text="had not sent")).to_be_visible()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()

    # Once the server confirms it received the form, the kept copy goes.
    page.get_by_role("button", name="Save the note").click()
    expect(page).to_have_url(live_server.url + "/")
    page.goto(live_server.url + "/test/note/")
    expect(page.get_by_label("Note")).to_have_value("")
    expect(page.get_by_text("had not sent has been put back")).to_have_count(0)


def test_discard_puts_the_form_back_as_it_was(
    page: Page, live_server: Any, console_problems: list[str]
) -> None:
    sign_in(page, live_server, next_path="/test/note/")
    page.get_by_label("Note").fill("Draft to throw away")
    page.reload()
    expect(page.get_by_label("Note")).to_have_value("Draft to throw away")
    page.get_by_role("button", name="Discard it").click()
    expect(page.get_by_label("Note")).to_have_value("")
    expect(page.get_by_label("Note")).to_be_focused()
    page.reload()
    expect(page.get_by_label("Note")).to_have_value("")
