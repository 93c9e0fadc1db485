"""Helpers shared by the sign-in, two-factor and session tests."""

from __future__ import annotations

import re
import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.core.cache import cache
from django.test import Client, TestCase, override_settings
from django.urls import reverse

from accounts.models import User
from tests.base import PASSWORD, Personas, make_personas


def totp_code(secret: str, at: float | None = None) -> str:
    """The code an authenticator app shows for `secret` at time `at` (default: now)."""
    moment = time.time() if at is None else at
    code: str = format_hotp_value(hotp_value(secret, int(moment) // 30))
    return code


def enrol_totp(user: User) -> str:
    """Give `user` an authenticator app directly in the database; return its secret."""
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    TOTP.activate(user, secret)
    return secret


def recovery_codes(user: User) -> list[str]:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    return list(authenticator.wrap().get_unused_codes())


def secret_on_page(html: str) -> str:
    match = re.search(r'data-totp-secret="([A-Z2-7]+)"', html)
    assert match, "The enrolment page shows no authenticator key."
    return match.group(1)


# A fast hasher: these tests hash a password on every attempt, and what they test is the
# counting around it, not the hash.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@override_settings(PASSWORD_HASHERS=FAST_HASHERS)
class AuthTestCase(TestCase):
    """A TestCase with the personas and an empty cache, where allauth keeps its rate limits."""

    personas: Personas

    @classmethod
    def setUpTestData(cls) -> None:
        cls.personas = make_personas()

    def setUp(self) -> None:
        super().setUp()
        cache.clear()
        self.addCleanup(cache.clear)

    def sign_in(self, login: str, password: str = PASSWORD, client: Client | None = None) -> Client:
        """Sign in through the real sign-in form, as a person would."""
        client = client or self.client
        response = client.post(reverse("account_login"), {"login": login, "password": password})
        assert response.status_code == 302, response.content.decode()[:2000]
        return client

    def confirm_password(self, password: str = PASSWORD, client: Client | None = None) -> None:
        """Confirm the password again, as allauth asks before any change to two-factor sign-in."""
        client = client or self.client
        response = client.post(reverse("account_reauthenticate"), {"password": password})
        assert response.status_code == 302, response.content.decode()[:2000]

    def enrol(self, login: str) -> str:
        """Sign in, confirm the password and set up an authenticator app; return its key."""
        self.sign_in(login)
        self.confirm_password()
        secret = secret_on_page(self.client.get(reverse("mfa_activate_totp")).content.decode())
        response = self.client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
        assert response.status_code == 302
        return secret
