"""django-allauth MFA adapter: two-factor sign-in cannot be turned off where it is required,
and its secrets are stored encrypted."""

from __future__ import annotations

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.utils.translation import gettext_lazy as _

from accounts import two_factor_secrets
from accounts.models import User
from accounts.two_factor import two_factor_required


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": _(
            "Your organisation requires two-factor sign-in for your role, so it cannot be "
            "turned off. An organisation admin can tell you more."
        ),
        "incorrect_code": _(
            "That code is not right. Enter the code your authenticator app shows now (check that "
            "the clock on your phone is right)."
        ),
    }

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if authenticator.type != Authenticator.Type.TOTP:
            return True
        user = User.objects.get(pk=authenticator.user_id)
        return not two_factor_required(user=user)

    def encrypt(self, text: str) -> str:
        return two_factor_secrets.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return two_factor_secrets.decrypt(encrypted_text)
