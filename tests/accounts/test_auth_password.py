"""Changing a password, and resetting a forgotten one through an e-mailed link that works once."""

from __future__ import annotations

import re

from django.core import mail
from django.urls import reverse

from accounts.models import AuditEvent
from tests.accounts.auth_support import AuthTestCase
from tests.base import PASSWORD

NEW_PASSWORD = "a-quiet-river-at-dawn"


class PasswordChangeTests(AuthTestCase):
    def test_the_change_page_labels_every_field(self) -> None:
        self.sign_in("alice")
        html = self.client.get(reverse("account_change_password")).content.decode()
        assert html.count("<h1") == 1
        for field in ("oldpassword", "password1", "password2"):
            assert f'<label for="id_{field}">' in html

    def test_a_person_changes_their_password_and_it_is_audited(self) -> None:
        self.sign_in("alice")
        response = self.client.post(
            reverse("account_change_password"),
            {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
        assert response.status_code == 302
        self.personas.alice.refresh_from_db()
        assert self.personas.alice.check_password(NEW_PASSWORD)
        event = AuditEvent.objects.get(action=AuditEvent.Action.PASSWORD_CHANGED)
        assert event.subject == self.personas.alice
        assert event.detail == {"via": "change"}

    def test_djangos_password_validators_refuse_a_weak_password(self) -> None:
        self.sign_in("alice")
        response = self.client.post(
            reverse("account_change_password"),
            {"oldpassword": PASSWORD, "password1": "12345678", "password2": "12345678"},
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "This password is too short. It must contain at least 10 characters." in html
        assert 'aria-invalid="true"' in html
        self.personas.alice.refresh_from_db()
        assert self.personas.alice.check_password(PASSWORD)

    def test_the_change_page_needs_a_signed_in_person(self) -> None:
        response = self.client.get(reverse("account_change_password"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


class PasswordResetTests(AuthTestCase):
    def request_reset(self, email: str) -> None:
        response = self.client.post(reverse("account_reset_password"), {"email": email})
        assert response.status_code == 302
        assert response.url == reverse("account_reset_password_done")

    def reset_link(self) -> str:
        assert len(mail.outbox) == 1
        match = re.search(
            r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", mail.outbox[0].body
        )
        assert match, mail.outbox[0].body
        return match.group(1)

    def test_the_reset_e_mail_carries_a_link_to_choose_a_new_password(self) -> None:
        self.request_reset("bob@example.org")
        message = mail.outbox[0]
        assert message.to == ["bob@example.org"]
        assert message.subject == "APPEAR Reflect: Reset your password"
        assert "It works once." in message.body

    def test_the_link_sets_a_new_password_that_signs_in(self) -> None:
        self.request_reset("bob@example.org")
        page = self.client.get(self.reset_link(), follow=True)
        assert "<h1>Choose a new password</h1>" in page.content.decode()
        form_url = page.redirect_chain[-1][0] if page.redirect_chain else self.reset_link()
        response = self.client.post(
            form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        )
        assert response.status_code == 302
        assert response.url == reverse("account_reset_password_from_key_done")
        self.personas.bob.refresh_from_db()
        assert self.personas.bob.check_password(NEW_PASSWORD)
        event = AuditEvent.objects.get(action=AuditEvent.Action.PASSWORD_CHANGED)
        assert event.detail == {"via": "reset_by_email"}
        self.sign_in("bob", NEW_PASSWORD)

    def test_the_link_works_only_once(self) -> None:
        self.request_reset("bob@example.org")
        link = self.reset_link()
        page = self.client.get(link, follow=True)
        form_url = page.redirect_chain[-1][0] if page.redirect_chain else link
        self.client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
        again = self.client.get(link, follow=True)
        assert "<h1>This link no longer works</h1>" in again.content.decode()

    def test_an_unknown_address_gets_the_same_page_and_no_sign_up_offer(self) -> None:
        self.request_reset("nobody@example.org")
        assert len(mail.outbox) == 1
        body = mail.outbox[0].body
        assert "no account uses that address" in body
        assert "sign up" not in body.lower()
