"""Audit-trail receivers for sign-in, sign-out, passwords and two-factor sign-in.

Connected in AccountsConfig.ready(). These only record what happened; they carry no rule of
their own (the house style keeps domain flow out of signals). Passwords and codes are never
recorded, and an identifier typed at sign-in that matches no account is kept only as a keyed
hash, because it may be someone's mistyped e-mail address.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.contrib.auth import signals as auth_signals
from django.db.models import Q
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from accounts.audit import audit_record
from accounts.middleware import SIGN_OUT_REASON_ATTR, idle_session_touch
from accounts.models import AuditEvent, Organisation, User
from accounts.two_factor import two_factor_enrolment_needed_in_session

# Set on the request by the two-factor receiver so the sign-in record can say how it was done.
TWO_FACTOR_METHOD_ATTR = "_appear_two_factor_method"


# The longest sign-in identifier: an e-mail address (RFC 5321); user names are shorter.
MAX_LOGIN_LENGTH = 254


def user_for_login(login: str) -> User | None:
    """Return the one account a typed user name or e-mail address names, or None."""
    login = login.strip()
    if not login or len(login) > MAX_LOGIN_LENGTH:
        return None
    matches = list(User.objects.filter(Q(username__iexact=login) | Q(email__iexact=login))[:2])
    return matches[0] if len(matches) == 1 else None


def organisation_for(user: User | None) -> Organisation | None:
    """Return the organisation whose admins should see this person's sign-in events.

    The first active membership by name: almost everyone belongs to one organisation.
    """
    if user is None:
        return None
    return (
        Organisation.objects.filter(memberships__user=user, memberships__is_active=True)
        .order_by("name")
        .first()
    )


def login_fingerprint(login: str) -> str:
    """A keyed hash of a typed identifier, so repeated attempts can be linked but not read."""
    return salted_hmac("accounts.sign-in-attempt", login.strip().lower()).hexdigest()[:16]


def on_user_logged_in(
    sender: object, request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    if request is not None and hasattr(request, "session"):
        idle_session_touch(request)
        # Asked now, while signing in writes the session anyway, so pages need not.
        two_factor_enrolment_needed_in_session(user=user, session=request.session)
    detail: dict[str, Any] = {}
    method = getattr(request, TWO_FACTOR_METHOD_ATTR, None)
    if method:
        detail["two_factor"] = method
    audit_record(
        action=AuditEvent.Action.SIGN_IN,
        actor=user,
        request=request,
        organisation=organisation_for(user),
        subject=user,
        **detail,
    )


def on_user_logged_out(
    sender: object, request: HttpRequest | None, user: User | None, **kwargs: Any
) -> None:
    if user is None:
        return
    reason = getattr(request, SIGN_OUT_REASON_ATTR, "signed_out")
    audit_record(
        action=AuditEvent.Action.SIGN_OUT,
        actor=user,
        request=request,
        organisation=organisation_for(user),
        subject=user,
        reason=reason,
    )


def on_user_login_failed(
    sender: object, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    login = str(credentials.get("email") or credentials.get("username") or "")
    subject = user_for_login(login)
    detail: dict[str, Any] = {"stage": "password"}
    if subject is None and login:
        detail["login_hash"] = login_fingerprint(login)
    audit_record(
        action=AuditEvent.Action.SIGN_IN_FAILED,
        actor=None,
        request=request,
        organisation=organisation_for(subject),
        subject=subject,
        **detail,
    )


def on_password_changed(
    sender: object, request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    audit_record(
        action=AuditEvent.Action.PASSWORD_CHANGED,
        actor=user,
        request=request,
        organisation=organisation_for(user),
        subject=user,
        via="change",
    )


def on_password_reset(
    sender: object, request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    audit_record(
        action=AuditEvent.Action.PASSWORD_CHANGED,
        actor=user,
        request=request,
        organisation=organisation_for(user),
        subject=user,
        via="reset_by_email",
    )


def _on_authenticator_change(action: str) -> Callable[..., None]:
    """A handler that audits an authenticator app being turned on or off (not recovery codes,
    which come and go with it)."""

    def handler(
        sender: object,
        request: HttpRequest | None,
        user: User,
        authenticator: Authenticator,
        **kwargs: Any,
    ) -> None:
        if authenticator.type != Authenticator.Type.TOTP:
            return
        audit_record(
            action=action,
            actor=user,
            request=request,
            organisation=organisation_for(user),
            subject=user,
        )

    return handler


on_authenticator_added = _on_authenticator_change(AuditEvent.Action.TWO_FACTOR_ENABLED)
on_authenticator_removed = _on_authenticator_change(AuditEvent.Action.TWO_FACTOR_DISABLED)


def on_authenticator_used(
    sender: object,
    request: HttpRequest | None,
    user: User,
    authenticator: Authenticator,
    **kwargs: Any,
) -> None:
    if request is not None:
        setattr(request, TWO_FACTOR_METHOD_ATTR, str(authenticator.type))


def on_two_factor_failed(
    sender: object,
    request: HttpRequest | None,
    user: User,
    authenticator: Authenticator,
    **kwargs: Any,
) -> None:
    # A right password followed by a wrong code is worth seeing: the password may be known.
    audit_record(
        action=AuditEvent.Action.SIGN_IN_FAILED,
        actor=None,
        request=request,
        organisation=organisation_for(user),
        subject=user,
        stage="two_factor",
        reauthentication=bool(kwargs.get("reauthentication", False)),
    )


def connect() -> None:
    uid = "accounts.signals."
    auth_signals.user_logged_in.connect(on_user_logged_in, dispatch_uid=uid + "logged_in")
    auth_signals.user_logged_out.connect(on_user_logged_out, dispatch_uid=uid + "logged_out")
    auth_signals.user_login_failed.connect(on_user_login_failed, dispatch_uid=uid + "failed")
    account_signals.password_changed.connect(on_password_changed, dispatch_uid=uid + "pw_change")
    account_signals.password_reset.connect(on_password_reset, dispatch_uid=uid + "pw_reset")
    mfa_signals.authenticator_added.connect(on_authenticator_added, dispatch_uid=uid + "mfa_add")
    mfa_signals.authenticator_removed.connect(
        on_authenticator_removed, dispatch_uid=uid + "mfa_remove"
    )
    mfa_signals.authenticator_used.connect(on_authenticator_used, dispatch_uid=uid + "mfa_used")
    mfa_signals.authentication_failed.connect(on_two_factor_failed, dispatch_uid=uid + "mfa_failed")
