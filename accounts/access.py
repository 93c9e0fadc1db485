"""The one way a view obtains people's organisations, memberships, invitations and links.

Two kinds of function live here:

- role predicates other apps reuse (`active_membership`, `is_supervisor_of`,
  `organisations_where`, `active_supervision_link`), which answer a question and never raise;
- `access_*` functions, which return the object a person may use or raise `Http404`, so a
  person cannot learn whether another organisation's object exists.

Every rule starts from an active account and an active membership: a deactivated member loses
everything at once, even while their account stays active for another organisation.
"""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from accounts.models import Invitation, Membership, Organisation, SupervisionLink, User

# secrets.token_urlsafe(32) gives 43 characters; anything much longer is not a token of ours.
TOKEN_MAX_LENGTH = 64

AnyUser = User | AnonymousUser


def _signed_in(user: AnyUser) -> User | None:
    if isinstance(user, User) and user.is_active:
        return user
    return None


def active_membership(user: AnyUser, organisation: Organisation) -> Membership | None:
    """Return the person's active membership of `organisation`, or None.

    None for anonymous visitors, deactivated accounts and deactivated memberships.
    """
    person = _signed_in(user)
    if person is None:
        return None
    return Membership.objects.filter(user=person, organisation=organisation, is_active=True).first()


def organisations_where(user: AnyUser, role: str) -> QuerySet[Organisation]:
    """Return the organisations where the person actively holds `role` (a Membership.Role).

    Empty for anonymous visitors and deactivated accounts; a deactivated membership counts for
    nothing. Raises KeyError for a role that does not exist, which is a programming error.
    """
    field = Membership.ROLE_FIELDS[role]
    person = _signed_in(user)
    if person is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        memberships__user=person,
        memberships__is_active=True,
        **{f"memberships__{field}": True},
    )


def live_links() -> QuerySet[SupervisionLink]:
    """Links that give access now: started, not ended, and both people active members of
    the link's organisation, the supervisor with the supervisor role and the worker with the
    peer worker role. The one definition every app uses.
    """
    supervisor_ok = Membership.objects.filter(
        organisation=OuterRef("organisation"),
        user=OuterRef("supervisor"),
        is_active=True,
        is_supervisor=True,
        user__is_active=True,
    )
    worker_ok = Membership.objects.filter(
        organisation=OuterRef("organisation"),
        user=OuterRef("worker"),
        is_active=True,
        is_peer_worker=True,
        user__is_active=True,
    )
    return SupervisionLink.objects.active().filter(Exists(supervisor_ok), Exists(worker_ok))


def active_supervision_link(supervisor: AnyUser, worker: AnyUser) -> SupervisionLink | None:
    """Return the live supervision link from `supervisor` to `worker`, or None.

    Live means: started, not ended, in an organisation where the supervisor is an active
    member with the supervisor role and the worker an active member with the peer worker role.
    An ended link, a future start date, a removed role or a deactivated member all give None.
    """
    person = _signed_in(supervisor)
    if person is None or not isinstance(worker, User) or person.pk == worker.pk:
        return None
    return (
        live_links().filter(supervisor=person, worker=worker).select_related("organisation").first()
    )


def is_supervisor_of(supervisor: AnyUser, worker: AnyUser) -> bool:
    """Return True when `supervisor` currently supervises `worker` through a live link.

    The rules are those of `active_supervision_link`; ending a link ends this at once.
    """
    person = _signed_in(supervisor)
    if person is None or not isinstance(worker, User) or person.pk == worker.pk:
        return False
    return live_links().filter(supervisor=person, worker=worker).exists()


def access_organisation_for_admin(*, user: AnyUser, slug: str) -> Organisation:
    """Return the organisation if `user` is one of its active organisation admins.

    Raises Http404 for everyone else, so a slug's existence is not revealed.
    """
    organisation = organisations_where(user, Membership.Role.ORG_ADMIN).filter(slug=slug).first()
    if organisation is None:
        raise Http404
    return organisation


def access_membership_for_admin(*, user: AnyUser, slug: str, pk: int) -> Membership:
    """Return the membership `pk` of organisation `slug` for one of that organisation's admins.

    Raises Http404 when the person is not an active admin there or when the membership belongs
    to another organisation (a known pk under the wrong slug is still a 404).
    """
    organisation = access_organisation_for_admin(user=user, slug=slug)
    membership = (
        Membership.objects.select_related("user", "organisation")
        .filter(pk=pk, organisation=organisation)
        .first()
    )
    if membership is None:
        raise Http404
    return membership


def access_invitation_for_admin(*, user: AnyUser, slug: str, pk: int) -> Invitation:
    """Return invitation `pk` of organisation `slug` for one of that organisation's admins.

    Raises Http404 otherwise, including for another organisation's invitation.
    """
    organisation = access_organisation_for_admin(user=user, slug=slug)
    invitation = (
        Invitation.objects.select_related("organisation")
        .filter(pk=pk, organisation=organisation)
        .first()
    )
    if invitation is None:
        raise Http404
    return invitation


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def access_invitation_by_token(*, token: str) -> Invitation:
    """Return the invitation whose one-time token is `token`, in whatever state it is.

    Anyone holding the link may open it, signed in or not. Raises Http404 for a token that
    matches no invitation; the caller decides what an accepted, revoked or expired one shows.
    """
    if not token or len(token) > TOKEN_MAX_LENGTH:
        raise Http404
    invitation = (
        Invitation.objects.select_related("organisation")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if invitation is None:
        raise Http404
    return invitation


def access_supervision_link_for_admin(*, user: AnyUser, slug: str, pk: int) -> SupervisionLink:
    """Return supervision link `pk` of organisation `slug` for one of that organisation's admins.

    Raises Http404 otherwise, including for another organisation's link.
    """
    organisation = access_organisation_for_admin(user=user, slug=slug)
    link = (
        SupervisionLink.objects.select_related("supervisor", "worker", "organisation")
        .filter(pk=pk, organisation=organisation)
        .first()
    )
    if link is None:
        raise Http404
    return link
