"""Who must use two-factor sign-in, and whether they have set it up.

An organisation that sets `requires_two_factor` asks it of the people who can see other
people's material or change who can: its supervisors and organisation admins. Site staff
(the Django admin, which can change anyone's roles) always need it. Everyone else may turn it
on from the sign-in security page but is never made to.
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import Membership, User


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
