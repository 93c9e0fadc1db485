"""The only way a view obtains a reflection, or the right to start one.

A reflection is its author's alone while their membership of its organisation is active:
anyone else, whatever their role, gets a 404, so not even its existence leaks. Trainers never
see individual reflections. Readers it was shared with reach it through supervision.access. Each purpose adds a rule about the reflection's state; a state
that does not fit is a `ReflectionStateError` (the author is told why), never a 404.
"""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from accounts.access import organisations_where
from accounts.models import Membership, Organisation, User
from reflections.models import Reflection


class Purpose(StrEnum):
    """What the caller means to do."""

    VIEW = "view"
    EDIT = "edit"
    AMEND = "amend"
    DISCARD_AMENDMENT = "discard_amendment"
    DELETE = "delete"


class ReflectionStateError(Exception):
    """The author may use the reflection, but not for this purpose in its current state."""

    def __init__(self, reflection: Reflection, purpose: Purpose) -> None:
        super().__init__(f"Reflection {reflection.pk} cannot be used to {purpose} now.")
        self.reflection = reflection
        self.purpose = purpose


def _state_allows(reflection: Reflection, purpose: Purpose) -> bool:
    if purpose is Purpose.EDIT:
        return reflection.is_editable
    if purpose is Purpose.AMEND:
        return reflection.status == Reflection.Status.SUBMITTED and not reflection.is_amending
    if purpose is Purpose.DISCARD_AMENDMENT:
        return reflection.is_amending
    if purpose is Purpose.DELETE:
        return reflection.is_draft
    return True


def access_reflection(*, user: User | AnonymousUser, pk: int, purpose: Purpose) -> Reflection:
    """Return the reflection if `user` may use it for `purpose`; raise Http404 otherwise.

    Only the author, and only while their membership of the reflection's organisation is
    active (a deactivated worker keeps no access through an old session). EDIT needs a draft
    or a reopened submitted reflection, AMEND a submitted one not already reopened,
    DISCARD_AMENDMENT a reopened one, DELETE a draft; otherwise ReflectionStateError. A
    supervisor reading a shared reflection goes through supervision.access instead, which
    holds the sharing rules; reflections knows nothing of supervision. One query.
    """
    if not user.is_authenticated:
        raise Http404
    reflection = (
        Reflection.objects.filter(
            pk=pk,
            author=user,
            author__is_active=True,
            organisation__memberships__user=user,
            organisation__memberships__is_active=True,
        )
        .select_related("framework_version", "organisation")
        .first()
    )
    if reflection is None:
        raise Http404
    if not _state_allows(reflection, purpose):
        raise ReflectionStateError(reflection, purpose)
    return reflection


def organisations_to_write_in(*, user: User | AnonymousUser) -> list[Organisation]:
    """The organisations where `user` may start a reflection: active peer-worker memberships.

    Empty for anyone who is not a peer worker anywhere (supervisors, trainers, admins and
    deactivated workers alike). One query.
    """
    return list(organisations_where(user, Membership.Role.PEER_WORKER).order_by("name"))
