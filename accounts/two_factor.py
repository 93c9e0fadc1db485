"""Who must use two-factor sign-in, and whether they have set it up.

An organisation that sets `requires_two_factor` asks it of the people who can see other
people's material or change who can: its supervisors and organisation admins. Site staff
(the Django admin, which can change anyone's roles) always need it. Everyone else may turn it
on from the sign-in security page but is never made to.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib.sessions.backends.base import SessionBase
from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.signals import post_delete, post_save

from accounts.models import Membership, Organisation, User


def _memberships_requiring_two_factor(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(
        Q(is_supervisor=True) | Q(is_org_admin=True),
        user=user,
        is_active=True,
        organisation__requires_two_factor=True,
    )


def two_factor_required(*, user: User) -> bool:
    """Return True if the user is site staff or one of their organisations requires it of them.

    Only active memberships count, and only the supervisor and organisation admin roles.
    """
    return user.is_staff or _memberships_requiring_two_factor(user).exists()


def two_factor_enrolment_needed(*, user: User) -> bool:
    """Return True if two-factor sign-in is required of the user and they have no authenticator app.

    One query, because the enrolment middleware asks it on every signed-in request.
    """
    if user.is_staff:
        return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    has_totp = Authenticator.objects.filter(user=OuterRef("user"), type=Authenticator.Type.TOTP)
    return _memberships_requiring_two_factor(user).filter(~Exists(has_totp)).exists()


# The middleware asks on every signed-in request. The answer is kept in the session beside a
# per-person stamp held in the shared cache; anything that can change the answer (an
# authenticator added or removed, a membership or an organisation's setting changed) deletes
# the stamp, so every session of that person asks the database again on its next request. The
# stamp is read before the database is, so a change committed while the answer is worked out
# still deletes the stamp the answer is stored under. Site staff status lives on the user row,
# which every request reads anyway, so it is kept with the answer and compared instead.
ENROLMENT_SESSION_KEY = "_appear_two_factor_needed"
logger = logging.getLogger(__name__)
_STAMP_SECONDS = 24 * 60 * 60


def _stamp_key(user_id: int) -> str:
    return f"accounts:two-factor-stamp:{user_id}"


def _stamp(user_id: int) -> str:
    """The person's current stamp, made if there is none; "" if the cache cannot be reached."""
    key = _stamp_key(user_id)
    try:
        stamp = cache.get(key)
        if isinstance(stamp, str):
            return stamp
        # add() leaves a stamp another request set meanwhile, so both store under the same one.
        cache.add(key, secrets.token_hex(8), _STAMP_SECONDS)
        stamp = cache.get(key)
    except Exception:  # Redis down: ask the database every time instead.
        logger.warning("The cache is unreachable; two-factor answers are not remembered.")
        return ""
    return stamp if isinstance(stamp, str) else ""


def two_factor_enrolment_needed_in_session(*, user: User, session: SessionBase) -> bool:
    """`two_factor_enrolment_needed`, remembered in `session` until something changes it.

    No query while the remembered answer holds; one (and a session write) after the user's
    authenticators, memberships or organisations' settings change, or their staff status does.
    A stamp lost from the cache counts as a change. An answer remembered without a stamp (the
    cache unreachable) is never trusted.
    """
    stamp = _stamp(user.pk)
    remembered = session.get(ENROLMENT_SESSION_KEY)
    if (
        stamp
        and isinstance(remembered, list)
        and len(remembered) == 3
        and remembered[:2] == [stamp, user.is_staff]
    ):
        return bool(remembered[2])
    needed = two_factor_enrolment_needed(user=user)
    if stamp:  # Without one the answer could not be trusted later: not worth a session write.
        session[ENROLMENT_SESSION_KEY] = [stamp, user.is_staff, needed]
    return needed


def two_factor_answers_forget(*, user_ids: Iterable[int]) -> None:
    """Make every session of these people ask again whether they must enrol.

    At once, and again when the transaction commits, so a session that asked in between
    (and read the database as it was before the change) is not believed either.
    """
    keys = [_stamp_key(user_id) for user_id in set(user_ids)]
    if not keys:
        return
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def _on_authenticator_saved_or_deleted(
    sender: object, instance: Authenticator, **kwargs: Any
) -> None:
    two_factor_answers_forget(user_ids=[instance.user_id])


def _on_membership_saved_or_deleted(sender: object, instance: Membership, **kwargs: Any) -> None:
    two_factor_answers_forget(user_ids=[instance.user_id])


def _on_organisation_saved(
    sender: object, instance: Organisation, update_fields: frozenset[str] | None, **kwargs: Any
) -> None:
    if update_fields is not None and "requires_two_factor" not in update_fields:
        return
    members = Membership.objects.filter(organisation=instance).values_list("user_id", flat=True)
    two_factor_answers_forget(user_ids=list(members))


def connect() -> None:
    """Forget remembered answers whenever a row they depend on is written.

    Model signals rather than calls in the services, because the Django admin and allauth's
    own views write these rows too. A queryset `update()` sends no signal: code that changes
    these rows that way must call `two_factor_answers_forget` itself.
    """
    uid = "accounts.two_factor."
    for model, receiver in (
        (Authenticator, _on_authenticator_saved_or_deleted),
        (Membership, _on_membership_saved_or_deleted),
    ):
        name = model._meta.model_name
        post_save.connect(receiver, sender=model, dispatch_uid=f"{uid}{name}_saved")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"{uid}{name}_deleted")
    post_save.connect(
        _on_organisation_saved, sender=Organisation, dispatch_uid=f"{uid}organisation_saved"
    )
