"""Signing in by user name or e-mail address, signing out, and the closed sign-up page."""

from __future__ import annotations

import re

from django.urls import reverse

from accounts.models import AuditEvent
from accounts.signals import login_fingerprint
from tests.accounts.auth_support import AuthTestCase
from tests.base import PASSWORD


class SignInTests(AuthTestCase):
    def test_the_sign_in_page_has_one_heading_and_labelled_fields(self) -> None:
        html = self.client.get(reverse("account_login")).content.decode()
        assert html.count("<h1") == 1
        assert '<label for="id_login">User name or e-mail address</label>' in html
        assert '<label for="id_password">Password</label>' in html
        assert 'autocomplete="username"' in html
        assert 'autocomplete="current-password"' in html
        assert "placeholder" not in html

    def test_a_person_signs_in_with_their_user_name(self) -> None:
        response = self.client.post(
            reverse("account_login"), {"login": "alice", "password": PASSWORD}
        )
        assert response.status_code == 302
        assert response.url == reverse("home")
        assert self.client.session["_auth_user_id"] == str(self.personas.alice.pk)

    def test_a_person_signs_in_with_their_email_address_in_any_case(self) -> None:
        response = self.client.post(
            reverse("account_login"), {"login": "Alice@Example.org", "password": PASSWORD}
        )
        assert response.status_code == 302
        assert self.client.session["_auth_user_id"] == str(self.personas.alice.pk)

    def test_sign_in_goes_back_to_the_page_asked_for(self) -> None:
        response = self.client.post(
            reverse("account_login") + "?next=/framework/",
            {"login": "alice", "password": PASSWORD, "next": "/framework/"},
        )
        assert response.url == "/framework/"

    def test_a_successful_sign_in_is_audited_with_the_organisation(self) -> None:
        self.sign_in("alice")
        event = AuditEvent.objects.get(action=AuditEvent.Action.SIGN_IN)
        assert event.actor == self.personas.alice
        assert event.subject == self.personas.alice
        assert event.organisation == self.personas.riverside
        assert event.ip_address == "127.0.0.1"

    def test_a_wrong_password_gets_a_clear_error_next_to_the_form(self) -> None:
        response = self.client.post(
            reverse("account_login"), {"login": "alice", "password": "not-her-password"}
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "The user name, e-mail address or password is not right." in html
        assert 'role="alert"' in html
        assert 'value="alice"' in html, "The typed user name is kept."
        assert "_auth_user_id" not in self.client.session

    def test_a_wrong_password_is_audited_against_the_account_without_the_password(self) -> None:
        self.client.post(reverse("account_login"), {"login": "alice", "password": "guess-1234"})
        event = AuditEvent.objects.get(action=AuditEvent.Action.SIGN_IN_FAILED)
        assert event.subject == self.personas.alice
        assert event.actor is None
        assert event.organisation == self.personas.riverside
        assert event.detail == {"stage": "password"}
        assert "guess-1234" not in str(event.detail)

    def test_an_unknown_identifier_is_audited_only_as_a_keyed_hash(self) -> None:
        self.client.post(
            reverse("account_login"), {"login": "someone@else.example", "password": "x" * 12}
        )
        event = AuditEvent.objects.get(action=AuditEvent.Action.SIGN_IN_FAILED)
        assert event.subject is None
        assert event.detail["login_hash"] == login_fingerprint("someone@else.example")
        assert "someone" not in str(event.detail)

    def test_signed_in_person_asking_for_sign_in_is_sent_on(self) -> None:
        self.sign_in("alice")
        response = self.client.get(reverse("account_login"))
        assert response.status_code == 302


class SignOutTests(AuthTestCase):
    def test_sign_out_by_get_only_asks_for_confirmation(self) -> None:
        self.sign_in("bob")
        response = self.client.get(reverse("account_logout"))
        html = response.content.decode()
        assert response.status_code == 200
        assert html.count("<h1") == 1
        assert re.search(r'<form method="post" action="/accounts/logout/"', html)
        assert self.client.session.get("_auth_user_id") == str(self.personas.bob.pk)

    def test_sign_out_by_post_ends_the_session_and_is_audited(self) -> None:
        self.sign_in("bob")
        response = self.client.post(reverse("account_logout"))
        assert response.status_code == 302
        assert "_auth_user_id" not in self.client.session
        event = AuditEvent.objects.get(action=AuditEvent.Action.SIGN_OUT)
        assert event.actor == self.personas.bob
        assert event.detail == {"reason": "signed_out"}


class SignUpTests(AuthTestCase):
    def test_the_sign_up_address_explains_that_joining_is_by_invitation(self) -> None:
        response = self.client.get(reverse("account_signup"))
        html = response.content.decode()
        assert response.status_code == 200
        assert "<h1>Joining is by invitation</h1>" in html
        assert "invites you" in html

    def test_posting_to_sign_up_creates_nobody(self) -> None:
        before = self.personas.alice.__class__.objects.count()
        response = self.client.post(
            reverse("account_signup"),
            {
                "username": "mallory",
                "email": "mallory@example.org",
                "password1": "a-long-enough-password",
                "password2": "a-long-enough-password",
            },
        )
        assert response.status_code == 200
        assert self.personas.alice.__class__.objects.count() == before


class AdminSignInTests(AuthTestCase):
    def test_the_admin_sign_in_goes_through_the_site_sign_in(self) -> None:
        response = self.client.get("/admin/login/?next=/admin/")
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))

    def test_a_signed_in_person_who_is_not_staff_is_refused_the_admin_sign_in(self) -> None:
        self.sign_in("olive")
        assert self.client.get("/admin/login/").status_code == 403
