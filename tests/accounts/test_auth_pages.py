"""Every django-allauth page the site exposes sits in the site layout, has one heading and labels
every field."""

from __future__ import annotations

from html.parser import HTMLParser

from django.core import mail
from django.urls import reverse

from tests.accounts.auth_support import AuthTestCase, enrol_totp

UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}


class PageShape(HTMLParser):
    """Collects headings, form controls, labels and the page title."""

    def __init__(self) -> None:
        super().__init__()
        self.h1_count = 0
        self.controls: list[dict[str, str | None]] = []
        self.label_targets: set[str] = set()
        self.in_title = False
        self.title = ""
        self.has_site_header = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "h1":
            self.h1_count += 1
        elif tag == "title":
            self.in_title = True
        elif tag == "label" and attributes.get("for"):
            self.label_targets.add(str(attributes["for"]))
        elif tag in {"input", "select", "textarea"}:
            if attributes.get("type") not in UNLABELLED_TYPES:
                self.controls.append(attributes)
        elif tag == "header" and "site-header" in (attributes.get("class") or ""):
            self.has_site_header = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data


class AllauthPageTests(AuthTestCase):
    def assert_well_formed(self, url: str, expected_status: int = 200) -> None:
        response = self.client.get(url)
        assert response.status_code == expected_status, url
        shape = PageShape()
        shape.feed(response.content.decode())
        assert shape.has_site_header, f"{url} is not in the site layout"
        assert shape.h1_count == 1, f"{url} has {shape.h1_count} <h1>"
        assert shape.title.strip().endswith("· APPEAR Reflect"), url
        assert shape.title.strip() != "· APPEAR Reflect", f"{url} has no page title"
        for control in shape.controls:
            assert control.get("id") in shape.label_targets, f"{url}: unlabelled {control}"

    def test_pages_for_people_signing_in(self) -> None:
        for url in (
            reverse("account_login"),
            reverse("account_signup"),
            reverse("account_reset_password"),
            reverse("account_reset_password_done"),
            reverse("account_reset_password_from_key", kwargs={"uidb36": "zz", "key": "bad"}),
            reverse("account_reset_password_from_key_done"),
            reverse("account_inactive"),
        ):
            self.assert_well_formed(url)

    def test_pages_for_a_signed_in_person(self) -> None:
        self.sign_in("alice")
        for url in (
            reverse("account_logout"),
            reverse("account_change_password"),
            reverse("account_reauthenticate"),
            reverse("account_email"),
            reverse("mfa_index"),
        ):
            self.assert_well_formed(url)
        self.confirm_password()
        self.assert_well_formed(reverse("mfa_activate_totp"))

    def test_pages_for_a_person_with_two_factor_sign_in(self) -> None:
        self.enrol("alice")
        for url in (
            reverse("mfa_index"),
            reverse("mfa_view_recovery_codes"),
            reverse("mfa_generate_recovery_codes"),
            reverse("mfa_deactivate_totp"),
            reverse("mfa_reauthenticate"),
        ):
            self.assert_well_formed(url)

    def test_the_code_page_during_sign_in(self) -> None:
        enrol_totp(self.personas.sam)
        self.client.post(
            reverse("account_login"), {"login": "sam", "password": "correct-horse-battery-staple"}
        )
        self.assert_well_formed(reverse("mfa_authenticate"))

    def test_the_rate_limit_page(self) -> None:
        for _ in range(6):
            response = self.client.post(
                reverse("account_reset_password"), {"email": "alice@example.org"}
            )
        assert response.status_code == 429
        shape = PageShape()
        shape.feed(response.content.decode())
        assert shape.has_site_header
        assert shape.h1_count == 1
        assert "Too many attempts" in shape.title


class ReauthenticationByCodeTests(AuthTestCase):
    """allauth 65.22's re-authentication by e-mailed code, reviewed when the lock took it in.

    Sign-in by code is off, so neither page sends a code or accepts one: a signed-in person is
    sent back to confirm their password, which is how the site asks before a sensitive change.
    """

    def test_asking_for_a_code_sends_no_mail_and_leads_to_the_password_page(self) -> None:
        self.sign_in("alice")
        for method in (self.client.get, self.client.post):
            response = method(reverse("account_request_reauthentication_code"))
            assert response.status_code == 302
            assert response["Location"] == reverse("account_reauthenticate")
        assert mail.outbox == []

    def test_a_guessed_code_is_never_checked_and_confirms_nothing(self) -> None:
        self.sign_in("alice")
        response = self.client.post(
            reverse("account_confirm_reauthentication_code"), {"code": "ABCDEF"}
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("account_request_reauthentication_code")
        still_asked = self.client.get(reverse("mfa_activate_totp"))
        assert still_asked.status_code == 302
        assert still_asked["Location"].startswith(reverse("account_reauthenticate"))
