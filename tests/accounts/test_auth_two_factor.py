"""Two-factor sign-in with an authenticator app and recovery codes."""

from __future__ import annotations

import base64
import datetime as dt
import time

import time_machine
from allauth.mfa.models import Authenticator
from django.urls import reverse

from accounts.models import AuditEvent
from tests.accounts.auth_support import (
    AuthTestCase,
    enrol_totp,
    recovery_codes,
    secret_on_page,
    totp_code,
)


class EnrolmentTests(AuthTestCase):
    def test_the_security_page_offers_two_factor_sign_in_to_anyone(self) -> None:
        self.sign_in("alice")
        html = self.client.get(reverse("mfa_index")).content.decode()
        assert "<h1>Sign-in security</h1>" in html
        assert f'href="{reverse("mfa_activate_totp")}"' in html
        assert "requires it for your role" not in html

    def test_the_enrolment_page_shows_a_qr_code_as_a_data_image_and_the_key_as_text(self) -> None:
        self.sign_in("alice")
        self.confirm_password()
        html = self.client.get(reverse("mfa_activate_totp")).content.decode()
        assert html.count("<h1") == 1
        assert '<img src="data:image/svg+xml;base64,' in html
        assert 'alt="QR code that adds APPEAR Reflect to your authenticator app"' in html
        secret = secret_on_page(html)
        assert len(secret) == 32
        assert '<label for="id_code">' in html
        assert "<script" not in html.split("</head>")[1]

    def test_the_qr_code_holds_the_key_for_this_site(self) -> None:
        self.sign_in("alice")
        self.confirm_password()
        response = self.client.get(reverse("mfa_activate_totp"))
        assert "otpauth://totp/" in response.context["totp_url"]
        assert "issuer=APPEAR%20Reflect" in response.context["totp_url"]
        svg = base64.b64decode(response.context["totp_svg_data_uri"].split(",", 1)[1])
        assert svg.startswith(b"<?xml") or b"<svg" in svg[:200]

    def test_a_right_code_turns_it_on_makes_recovery_codes_and_is_audited(self) -> None:
        self.sign_in("alice")
        self.confirm_password()
        secret = secret_on_page(self.client.get(reverse("mfa_activate_totp")).content.decode())
        # allauth announces the new authenticator once the transaction commits.
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
        assert response.status_code == 302
        assert response.url == reverse("mfa_view_recovery_codes")
        assert Authenticator.objects.filter(
            user=self.personas.alice, type=Authenticator.Type.TOTP
        ).exists()
        assert len(recovery_codes(self.personas.alice)) == 10
        event = AuditEvent.objects.get(action=AuditEvent.Action.TWO_FACTOR_ENABLED)
        assert event.subject == self.personas.alice

    def test_a_wrong_code_is_refused_next_to_the_field(self) -> None:
        self.sign_in("alice")
        self.confirm_password()
        self.client.get(reverse("mfa_activate_totp"))
        response = self.client.post(reverse("mfa_activate_totp"), {"code": "000000"})
        html = response.content.decode()
        assert response.status_code == 200
        assert "That code is not right." in html
        assert 'aria-invalid="true"' in html
        assert not Authenticator.objects.filter(user=self.personas.alice).exists()

    def test_enrolment_first_asks_to_confirm_the_password(self) -> None:
        self.sign_in("alice")
        response = self.client.get(reverse("mfa_activate_totp"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_reauthenticate"))
        html = self.client.get(response.url).content.decode()
        assert "<h1>Confirm it is you</h1>" in html
        assert '<label for="id_password">' in html

    def test_the_confirmation_lasts_five_minutes(self) -> None:
        start = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
        with time_machine.travel(start, tick=False):
            self.sign_in("alice")
            self.confirm_password()
            assert self.client.get(reverse("mfa_activate_totp")).status_code == 200
        with time_machine.travel(start + dt.timedelta(minutes=6), tick=False):
            response = self.client.get(reverse("mfa_activate_totp"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_reauthenticate"))


class RecoveryCodeTests(AuthTestCase):
    def test_recovery_codes_can_be_seen_and_made_again(self) -> None:
        self.enrol("alice")
        codes = recovery_codes(self.personas.alice)
        html = self.client.get(reverse("mfa_view_recovery_codes")).content.decode()
        assert all(f"<code>{code}</code>" in html for code in codes)
        response = self.client.post(reverse("mfa_generate_recovery_codes"))
        assert response.status_code == 302
        new_codes = recovery_codes(self.personas.alice)
        assert set(new_codes).isdisjoint(codes)


class TwoFactorSignInTests(AuthTestCase):
    def password_step(self, login: str = "sam") -> None:
        response = self.client.post(
            reverse("account_login"), {"login": login, "password": "correct-horse-battery-staple"}
        )
        assert response.status_code == 302
        assert response.url == reverse("mfa_authenticate")
        assert "_auth_user_id" not in self.client.session

    def test_signing_in_asks_for_the_code_after_the_password(self) -> None:
        enrol_totp(self.personas.sam)
        self.password_step()
        html = self.client.get(reverse("mfa_authenticate")).content.decode()
        assert "<h1>Enter your sign-in code</h1>" in html
        assert '<label for="id_code">' in html
        assert 'autocomplete="one-time-code"' in html

    def test_the_right_code_signs_in_and_the_record_says_how(self) -> None:
        secret = enrol_totp(self.personas.sam)
        self.password_step()
        response = self.client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
        assert response.status_code == 302
        assert self.client.session["_auth_user_id"] == str(self.personas.sam.pk)
        event = AuditEvent.objects.get(action=AuditEvent.Action.SIGN_IN)
        assert event.detail == {"two_factor": "totp"}

    def test_a_code_from_the_step_before_still_counts(self) -> None:
        secret = enrol_totp(self.personas.sam)
        self.password_step()
        code = totp_code(secret, at=time.time() - 30)
        self.client.post(reverse("mfa_authenticate"), {"code": code})
        assert self.client.session["_auth_user_id"] == str(self.personas.sam.pk)

    def test_a_wrong_code_is_refused_and_audited(self) -> None:
        enrol_totp(self.personas.sam)
        self.password_step()
        response = self.client.post(reverse("mfa_authenticate"), {"code": "123456"})
        assert response.status_code == 200
        assert "That code is not right." in response.content.decode()
        assert "_auth_user_id" not in self.client.session
        event = AuditEvent.objects.get(action=AuditEvent.Action.SIGN_IN_FAILED)
        assert event.subject == self.personas.sam
        assert event.detail == {"stage": "two_factor", "reauthentication": False}

    def test_a_code_cannot_be_used_twice(self) -> None:
        secret = enrol_totp(self.personas.sam)
        code = totp_code(secret)
        self.password_step()
        self.client.post(reverse("mfa_authenticate"), {"code": code})
        self.client.post(reverse("account_logout"))
        self.password_step()
        self.client.post(reverse("mfa_authenticate"), {"code": code})
        assert "_auth_user_id" not in self.client.session

    def test_a_recovery_code_signs_in_once(self) -> None:
        self.enrol("sam")
        self.client.post(reverse("account_logout"))
        code = recovery_codes(self.personas.sam)[0]
        self.password_step()
        self.client.post(reverse("mfa_authenticate"), {"code": code})
        assert self.client.session["_auth_user_id"] == str(self.personas.sam.pk)
        assert code not in recovery_codes(self.personas.sam)
        assert AuditEvent.objects.filter(
            action=AuditEvent.Action.SIGN_IN, detail={"two_factor": "recovery_codes"}
        ).exists()
        self.client.post(reverse("account_logout"))
        self.password_step()
        self.client.post(reverse("mfa_authenticate"), {"code": code})
        assert "_auth_user_id" not in self.client.session


class TurningOffTests(AuthTestCase):
    def test_someone_it_is_optional_for_can_turn_it_off_and_it_is_audited(self) -> None:
        self.enrol("alice")
        response = self.client.post(reverse("mfa_deactivate_totp"))
        assert response.status_code == 302
        assert not Authenticator.objects.filter(user=self.personas.alice).exists()
        event = AuditEvent.objects.get(action=AuditEvent.Action.TWO_FACTOR_DISABLED)
        assert event.subject == self.personas.alice

    def test_a_supervisor_whose_organisation_requires_it_cannot_turn_it_off(self) -> None:
        self.enrol("sam")
        self.personas.riverside.requires_two_factor = True
        self.personas.riverside.save()
        page = self.client.get(reverse("mfa_deactivate_totp")).content.decode()
        assert "Your organisation requires two-factor sign-in for your role" in page
        assert 'type="submit"' not in page.split("<main")[1].split("</main>")[0]
        self.client.post(reverse("mfa_deactivate_totp"))
        assert Authenticator.objects.filter(
            user=self.personas.sam, type=Authenticator.Type.TOTP
        ).exists()
        index = self.client.get(reverse("mfa_index")).content.decode()
        assert "Your organisation requires it for your role, so it stays on." in index
