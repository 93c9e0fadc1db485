"""Supervisors and organisation admins must enrol where their organisation requires it."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership
from accounts.two_factor import two_factor_enrolment_needed, two_factor_required
from tests.accounts.auth_support import AuthTestCase, enrol_totp, secret_on_page, totp_code

ENROL = "/accounts/2fa/totp/activate/"


class RequiredTwoFactorTests(AuthTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.personas.riverside.requires_two_factor = True
        self.personas.riverside.save()

    def test_a_supervisor_is_sent_to_enrol_from_any_page_with_a_clear_message(self) -> None:
        self.sign_in("sam")
        for url in ("/", "/framework/", reverse("account_change_password")):
            response = self.client.get(url)
            assert response.status_code == 302, url
            assert response.url == ENROL
        page = self.client.get(ENROL, follow=True).content.decode()
        assert "Your organisation asks supervisors and organisation admins to use two-factor" in (
            page
        )

    def test_an_organisation_admin_is_sent_to_enrol(self) -> None:
        self.sign_in("olive")
        assert self.client.get("/").url == ENROL

    def test_sign_in_itself_lands_on_enrolment(self) -> None:
        response = self.client.post(
            reverse("account_login"),
            {"login": "sam", "password": "correct-horse-battery-staple"},
            follow=True,
        )
        assert response.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))

    def test_a_peer_worker_in_the_same_organisation_is_not(self) -> None:
        self.sign_in("alice")
        assert self.client.get("/").status_code == 200

    def test_a_trainer_is_not(self) -> None:
        self.sign_in("tara")
        assert self.client.get("/").status_code == 200

    def test_a_supervisor_in_another_organisation_is_not(self) -> None:
        self.sign_in("hana")
        assert self.client.get("/").status_code == 200

    def test_a_deactivated_supervisor_membership_does_not_count(self) -> None:
        Membership.objects.filter(user=self.personas.una).update(is_active=False)
        assert not two_factor_required(user=self.personas.una)
        assert two_factor_required(user=self.personas.sam)

    def test_sign_out_and_the_enrolment_pages_stay_reachable(self) -> None:
        self.sign_in("sam")
        assert self.client.get(reverse("mfa_index")).status_code == 200
        assert self.client.get(reverse("account_reauthenticate")).status_code == 200
        assert self.client.get(reverse("account_logout")).status_code == 200
        assert self.client.post(reverse("session_keep_alive")).status_code == 204
        assert self.client.get("/static/js/idle.js").status_code == 200
        self.client.post(reverse("account_logout"))
        assert "_auth_user_id" not in self.client.session

    def test_a_post_elsewhere_is_refused_the_same_way(self) -> None:
        self.sign_in("sam")
        response = self.client.post(reverse("account_change_password"), {})
        assert response.status_code == 302
        assert response.url == ENROL

    def test_htmx_requests_get_a_client_redirect(self) -> None:
        self.sign_in("sam")
        response = self.client.get("/framework/", headers={"HX-Request": "true"})
        assert response.headers["HX-Redirect"] == ENROL

    def test_after_enrolling_they_get_through(self) -> None:
        self.sign_in("sam")
        self.confirm_password()
        secret = secret_on_page(self.client.get(ENROL).content.decode())
        response = self.client.post(ENROL, {"code": totp_code(secret)})
        assert response.url == reverse("mfa_view_recovery_codes")
        assert self.client.get(response.url).status_code == 200
        assert self.client.get("/").status_code == 200

    def test_an_unverified_e_mail_address_does_not_block_enrolment(self) -> None:
        EmailAddress.objects.create(
            user=self.personas.sam, email="sam@example.org", primary=True, verified=False
        )
        self.sign_in("sam")
        self.confirm_password()
        response = self.client.get(ENROL)
        assert response.status_code == 200
        secret = secret_on_page(response.content.decode())
        assert self.client.post(ENROL, {"code": totp_code(secret)}).status_code == 302

    def test_the_check_costs_one_query(self) -> None:
        """The middleware asks on every signed-in request, so it must stay one EXISTS query."""
        with CaptureQueriesContext(connection) as queries:
            assert two_factor_enrolment_needed(user=self.personas.sam)
        assert len(queries) == 1
        enrol_totp(self.personas.sam)
        with self.assertNumQueries(1):
            assert not two_factor_enrolment_needed(user=self.personas.sam)


class OptionalTwoFactorTests(AuthTestCase):
    def test_nobody_is_sent_to_enrol_when_the_organisation_does_not_ask(self) -> None:
        for login in ("sam", "olive"):
            self.sign_in(login)
            assert self.client.get("/").status_code == 200
            self.client.post(reverse("account_logout"))
