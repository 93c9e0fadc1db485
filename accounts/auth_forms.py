"""The sign-in form: allauth's, with plain labels, clear messages and an audited lockout.

allauth counts failed sign-ins (settings.ACCOUNT_RATE_LIMITS["login_failed"]) and refuses
further attempts with a "too many attempts" error once the count is reached. This form turns
that error into a message that says how long the lock lasts and records the refusal in the
audit trail. Failed passwords themselves are recorded by the `user_login_failed` receiver in
accounts.signals, which sees every path that checks a password.
"""

from __future__ import annotations

import math
import time
from typing import Any

from allauth.account import forms as allauth_forms
from allauth.account.adapter import get_adapter
from allauth.core.internal import ratelimit
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.audit import audit_record
from accounts.models import AuditEvent
from accounts.signals import MAX_LOGIN_LENGTH, organisation_for, user_for_login

_PASSWORD_MISMATCH_CODES = {"username_password_mismatch", "email_password_mismatch"}


def lockout_remaining(request: HttpRequest, credentials: dict[str, Any]) -> tuple[str, int]:
    """Return which limit refuses this sign-in ("account" or "network") and for how many seconds.

    Reads allauth's own rate-limit history so the time shown is the time left, not the
    configured window. The account limit is reported first because it is the one a person
    can act on (by waiting or resetting their password). allauth.core.internal is not public
    API: pyproject pins allauth below 66 and tests/accounts/test_auth_throttling.py checks the
    minutes shown, so a change there fails loudly.
    """
    adapter = get_adapter(request)
    key = adapter._get_login_attempts_cache_key(request, **credentials)
    now = time.time()
    refusals: list[tuple[str, int]] = []
    for rate in ratelimit.get_rates(app="allauth.account", action="login_failed"):
        cache_key = ratelimit.get_cache_key(
            request, app="allauth.account", action="login_failed", rate=rate, key=key
        )
        history = list(cache.get(cache_key, []))
        allowed, history = ratelimit.apply_rate(history, now, rate, dry_run=True)
        if not allowed and history:
            seconds = max(1, math.ceil(history[-1] + rate.duration - now))
            refusals.append(("account" if rate.per == "key" else "network", seconds))
    if not refusals:
        # The limit lifted between allauth's check and this one; the next attempt will pass.
        return "account", 1
    refusals.sort(key=lambda refusal: refusal[0] != "account")
    return refusals[0]


class LoginForm(allauth_forms.LoginForm):
    """Sign in with a user name or an e-mail address and a password."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.label = _("User name or e-mail address")
        login.widget.attrs.pop("placeholder", None)
        login.widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        # No user name or address is longer; checking first keeps a 100,000-character value
        # away from the case-insensitive lookups, which SQLite refuses as "too complex".
        login.max_length = MAX_LOGIN_LENGTH
        login.validators.append(MaxLengthValidator(MAX_LOGIN_LENGTH))
        login.widget.attrs["maxlength"] = str(MAX_LOGIN_LENGTH)
        password = self.fields["password"]
        password.widget.attrs.pop("placeholder", None)
        # The page links to password reset beside the button; a second link here is noise.
        password.help_text = ""

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError as error:
            if error.code == "too_many_login_attempts":
                raise self._locked_out() from error
            if error.code in _PASSWORD_MISMATCH_CODES:
                raise ValidationError(
                    _(
                        "The user name, e-mail address or password is not right. Check them "
                        "and try again: after five wrong passwords the account is locked for "
                        "a few minutes."
                    ),
                    code="password_mismatch",
                ) from error
            raise

    def _locked_out(self) -> ValidationError:
        request = self.request
        credentials = self.user_credentials()
        scope, seconds = lockout_remaining(request, credentials)
        minutes = max(1, math.ceil(seconds / 60))
        subject = user_for_login(str(self.cleaned_data.get("login", "")))
        audit_record(
            action=AuditEvent.Action.LOCKED_OUT,
            actor=None,
            request=request,
            organisation=organisation_for(subject),
            subject=subject,
            scope=scope,
            minutes=minutes,
        )
        if scope == "account":
            message = ngettext(
                "Too many failed sign-in attempts. For your security this account is locked "
                "for {minutes} minute. Try again after that, or {reset}.",
                "Too many failed sign-in attempts. For your security this account is locked "
                "for {minutes} minutes. Try again after that, or {reset}.",
                minutes,
            )
        else:
            message = ngettext(
                "Too many failed sign-in attempts from this network. For your security sign-in "
                "is paused for {minutes} minute. Try again after that, or {reset}.",
                "Too many failed sign-in attempts from this network. For your security sign-in "
                "is paused for {minutes} minutes. Try again after that, or {reset}.",
                minutes,
            )
        reset_link = format_html(
            '<a href="{}">{}</a>',
            reverse("account_reset_password"),
            _("reset your password by e-mail"),
        )
        return ValidationError(
            format_html(message, minutes=minutes, reset=reset_link), code="locked_out"
        )


# Sentence-case labels in the site's words; a visible label, not a placeholder, names each field.
_LABELS = {
    "email": _("E-mail address"),
    "oldpassword": _("Current password"),
    "password1": _("New password"),
    "password2": _("New password again"),
}


def _relabel(form: Any) -> None:
    for name, field in form.fields.items():
        if name in _LABELS:
            field.label = _LABELS[name]
        field.widget.attrs.pop("placeholder", None)


class ChangePasswordForm(allauth_forms.ChangePasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self)


class SetPasswordForm(allauth_forms.SetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self)


class ResetPasswordForm(allauth_forms.ResetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self)


class ResetPasswordKeyForm(allauth_forms.ResetPasswordKeyForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self)
