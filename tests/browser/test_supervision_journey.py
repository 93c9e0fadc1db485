"""Issue 5's acceptance, in a real browser: from sharing to a signed record and a printed brief.

`demo-worker` shares two reflections through the "Bring to supervision" page;
`demo-supervisor` reads them, comments on one, writes a supervision record with an action
and signs it; the worker signs too, which locks the record; then the supervisor downloads
the one-page brief, and the text pypdf extracts from it holds the worker's name, the period,
the five contexts and the action.

The reflections are made directly in the database (writing them is issue 4's journey). Every
page on the way is checked with axe-core, and the `console_problems` fixture fails the test
on any Content Security Policy violation or script error.
"""

from __future__ import annotations

import io
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from accounts.models import Membership, Organisation, SupervisionLink, User
from framework.models import FrameworkVersion
from framework.services import framework_data_read, framework_load
from reflections.models import Action, Chain, ContextRating, Reflection
from reflections.practice import add_months
from supervision.models import Comment, Share, SupervisionRecord

PASSWORD = "a-long-demo-password-for-tests"
# Set SUPERVISION_SCREENSHOTS=<folder> to keep phone-width pictures of the record pages.
SCREENSHOTS = (
    Path(os.environ["SUPERVISION_SCREENSHOTS"])
    if os.environ.get("SUPERVISION_SCREENSHOTS")
    else None
)
CONTEXTS = ["Accepting", "Personalised Practice", "Empowering", "Available", "Reciprocal"]
ACTION = "Practise ending sessions on time, with a five-minute warning"


@pytest.fixture(autouse=True)
def fast_and_fresh(settings: Any) -> None:
    # A fast hasher keeps account creation quick; an empty cache resets sign-in rate limits.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()


def assert_accessible(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def assert_fits_a_phone(page: Page) -> None:
    """Nothing wider than a 360 px screen, and still no axe violations at that width."""
    page.set_viewport_size({"width": 360, "height": 740})
    if SCREENSHOTS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = page.url.split("/supervision/", 1)[-1].strip("/").replace("/", "_") or "index"
        page.screenshot(path=str(SCREENSHOTS / f"{name}-360.png"), full_page=True, caret="initial")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than a 360px screen"
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 800})


def sign_in(page: Page, base: str, login: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("User name or e-mail address").fill(login)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("button", name="Sign out")
    ).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Sign out").click()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in")
    ).to_be_visible()


def make_world() -> tuple[User, User, list[Reflection]]:
    """A demo organisation with demo-worker supervised by demo-supervisor, and two reflections."""
    version: FrameworkVersion = framework_load(
        data=framework_data_read(settings.FRAMEWORK_DATA_FILE)
    ).version
    organisation = Organisation.objects.create(name="Demo Peer Support", slug="demo")
    worker = User.objects.create_user(
        username="demo-worker", password=PASSWORD, display_name="Demo Worker"
    )
    supervisor = User.objects.create_user(
        username="demo-supervisor", password=PASSWORD, display_name="Demo Supervisor"
    )
    Membership.objects.create(user=worker, organisation=organisation, is_peer_worker=True)
    Membership.objects.create(user=supervisor, organisation=organisation, is_supervisor=True)
    SupervisionLink.objects.create(organisation=organisation, supervisor=supervisor, worker=worker)
    contexts = list(version.contexts.order_by("order"))
    mechanisms = list(version.mechanisms.order_by("order"))
    domains = list(version.outcome_domains.order_by("number"))
    reflections = []
    for index, label in enumerate(("J", "K")):
        reflection = Reflection.objects.create(
            author=worker,
            organisation=organisation,
            framework_version=version,
            status=Reflection.Status.SUBMITTED,
            submitted_at=timezone.now(),
            session_date=timezone.localdate() - timedelta(days=3 + index * 7),
            person_label=label,
            what_happened="We walked to the park and talked about the week.",
            learning="Leave more room at the end to say goodbye.",
        )
        for position, context in enumerate(contexts):
            ContextRating.objects.create(
                reflection=reflection, context=context, presence=(position + index) % 4
            )
        Chain.objects.create(
            reflection=reflection,
            context=contexts[index],
            mechanism=mechanisms[index],
            outcome_domain=domains[index],
        )
        Action.objects.create(reflection=reflection, text=f"Check in with {label} next week")
        reflections.append(reflection)
    return worker, supervisor, reflections


def test_a_worker_shares_the_supervisor_records_both_sign_and_the_brief_prints(
    page: Page, live_server: Any, console_problems: list[str]
) -> None:
    base = live_server.url
    worker, supervisor, reflections = make_world()

    # The worker brings two reflections to supervision.
    sign_in(page, base, "demo-worker")
    page.goto(base + "/supervision/share/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bring to supervision")
    assert_accessible(page)
    for reflection in reflections:
        page.locator(f"#share-reflection-{reflection.pk}").check()
    page.get_by_role("button", name="Share selected").click()
    expect(page.get_by_text("Shared with Demo Supervisor").first).to_be_visible()
    assert Share.objects.filter(supervisor=supervisor, withdrawn_at__isnull=True).count() == 2
    sign_out(page)

    # The supervisor sees both and comments on one.
    sign_in(page, base, "demo-supervisor")
    page.goto(base + f"/supervision/workers/{worker.pk}/")
    assert_accessible(page)
    shared_links = page.get_by_role("link", name="Session with J", exact=False)
    expect(shared_links.first).to_be_visible()
    expect(page.get_by_role("link", name="Session with K", exact=False).first).to_be_visible()
    shared_links.first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Session with J")
    assert_accessible(page)
    page.get_by_label("Your comment").fill(
        "Lovely attention to the ending. Shall we talk about it?"
    )
    page.get_by_role("button", name="Send comment").click()
    expect(page.get_by_text("Lovely attention to the ending.")).to_be_visible()
    assert Comment.objects.filter(author=supervisor).count() == 1

    # The supervisor writes the supervision record, with an action, and signs it.
    page.goto(base + "/supervision/records/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Supervision records")
    assert_accessible(page)
    assert_fits_a_phone(page)
    page.get_by_role("link", name="New record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New supervision record")
    assert_accessible(page)
    assert_fits_a_phone(page)
    for reflection in reflections:
        page.locator(f"input[name='reflections'][value='{reflection.pk}']").check()
    page.get_by_label("What was explored").fill("Endings, and leaving room to say goodbye.")
    for question in ("accepting", "personalised", "empowering", "available", "reciprocal"):
        page.get_by_role("group", name=f"Was supervision {question} for you?").get_by_label(
            "Mostly"
        ).check()
    page.get_by_label("Action", exact=True).fill(ACTION)
    page.get_by_label("Due by").fill((timezone.localdate() + timedelta(days=14)).isoformat())
    # Another action row, added without losing anything typed, then left empty.
    page.get_by_role("button", name="Add another action").click()
    expect(page.locator("input[name='actions-1-text']")).to_be_visible()
    expect(page.locator("input[name='actions-0-text']")).to_have_value(ACTION)
    page.get_by_role("button", name="Save the record").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Supervision on")
    assert_accessible(page)
    assert_fits_a_phone(page)
    record = SupervisionRecord.objects.get()
    assert list(record.actions.values_list("text", flat=True)) == [ACTION]
    assert record.reflections.count() == 2
    page.get_by_role("button", name="Sign as supervisor").click()
    expect(page.get_by_text("You have signed.")).to_be_visible()
    sign_out(page)

    # The worker reads the record and signs it, which locks it.
    sign_in(page, base, "demo-worker")
    page.goto(base + "/supervision/records/")
    page.get_by_role("link", name=date_format(record.held_on, "j M Y")).first.click()
    expect(page.get_by_role("cell", name=ACTION, exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Sign as peer worker").click()
    expect(page.get_by_text("Both of you have signed, so this record is locked.")).to_be_visible()
    record.refresh_from_db()
    assert record.is_locked
    sign_out(page)

    # The supervisor prints the brief: the PDF's text holds what the meeting needs.
    sign_in(page, base, "demo-supervisor")
    page.goto(base + f"/supervision/workers/{worker.pk}/brief/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Supervision brief: Demo Worker")
    assert_accessible(page)
    assert_fits_a_phone(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the brief (PDF)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("supervision-brief-demo-worker-")
    content = download.path().read_bytes()
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    today = timezone.localdate()
    start = add_months(today, -3)
    period = f"{date_format(start, 'j F Y')} to {date_format(today, 'j F Y')}"
    assert "Demo Worker" in text
    assert period in text
    for context in CONTEXTS:
        assert context in text, context
    assert ACTION in text
    assert len(reader.pages) == 1
