"""Reads about people, organisations, invitations, links and the audit trail.

Each selector joins what its page shows, so a page's query count does not grow with its rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet

from accounts.models import AuditEvent, Invitation, Membership, Organisation, SupervisionLink, User


def memberships_active(user: User) -> list[Membership]:
    """Return the person's active memberships with their organisations, by organisation name.

    Empty for a deactivated account.
    """
    if not user.is_active:
        return []
    return list(
        Membership.objects.filter(user=user, is_active=True)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def organisation_members(organisation: Organisation) -> QuerySet[Membership]:
    """Return every membership of the organisation, active first, then by name."""
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("-is_active", "user__display_name", "user__username")
    )


def organisation_people(organisation: Organisation) -> QuerySet[User]:
    """Return everyone who is or was a member of the organisation, for filters and pickers."""
    return User.objects.filter(memberships__organisation=organisation).order_by(
        "display_name", "username"
    )


def organisation_role_holders(organisation: Organisation, role: str) -> QuerySet[User]:
    """Return the active people holding `role` in the organisation, by name."""
    field_name = Membership.ROLE_FIELDS[role]
    return User.objects.filter(
        is_active=True,
        memberships__organisation=organisation,
        memberships__is_active=True,
        **{f"memberships__{field_name}": True},
    ).order_by("display_name", "username")


def membership_by_email(organisation: Organisation, email: str) -> Membership | None:
    """Return the membership (active or not) of a person with this e-mail address, or None."""
    return (
        Membership.objects.filter(organisation=organisation, user__email__iexact=email)
        .select_related("user")
        .first()
    )


def user_by_email(email: str) -> User | None:
    """Return the earliest account with this e-mail address, compared without case, or None."""
    return User.objects.filter(email__iexact=email).order_by("pk").first()


def username_taken(username: str) -> bool:
    return User.objects.filter(username__iexact=username).exists()


def organisation_invitations_pending(organisation: Organisation) -> QuerySet[Invitation]:
    """Return the invitations whose links still work, newest first."""
    return (
        Invitation.objects.pending().filter(organisation=organisation).select_related("invited_by")
    )


def organisation_invitations_closed(
    organisation: Organisation, *, limit: int = 20
) -> list[Invitation]:
    """Return the most recent accepted, revoked or expired invitations, newest first."""
    pending = Invitation.objects.pending().filter(organisation=organisation).values("pk")
    return list(
        Invitation.objects.filter(organisation=organisation)
        .exclude(pk__in=pending)
        .select_related("invited_by", "accepted_by", "revoked_by")[:limit]
    )


def organisation_links_current(organisation: Organisation) -> QuerySet[SupervisionLink]:
    """Return the links not yet ended (including those starting in future), by supervisor."""
    return (
        SupervisionLink.objects.filter(organisation=organisation, ended_at__isnull=True)
        .select_related("supervisor", "worker")
        .order_by("supervisor__display_name", "supervisor__username", "worker__username")
    )


def organisation_links_past(organisation: Organisation) -> QuerySet[SupervisionLink]:
    """Return the ended links, most recently ended first."""
    return (
        SupervisionLink.objects.filter(organisation=organisation, ended_at__isnull=False)
        .select_related("supervisor", "worker")
        .order_by("-ended_at", "-id")
    )


def member_links(membership: Membership) -> QuerySet[SupervisionLink]:
    """Return the links, current and past, where the member supervises or is supervised."""
    return (
        SupervisionLink.objects.filter(organisation_id=membership.organisation_id)
        .filter(Q(supervisor_id=membership.user_id) | Q(worker_id=membership.user_id))
        .select_related("supervisor", "worker")
        .order_by("ended_at", "-starts_on")
    )


def organisation_audit_events(
    organisation: Organisation,
    *,
    action: str | None = None,
    person: User | None = None,
    start: date | None = None,
    end: date | None = None,
) -> QuerySet[AuditEvent]:
    """Return the organisation's audit trail, newest first, optionally filtered.

    `start` and `end` are days in the site's time zone, both included.

    `person` matches events the person did (actor) or that concern them (subject). Events
    written without an organisation (sign-ins, password changes) are included when their
    subject is or was a member, because an admin investigating an account needs them.
    """
    members = Membership.objects.filter(organisation=organisation).values("user_id")
    events = AuditEvent.objects.filter(
        Q(organisation=organisation) | Q(organisation__isnull=True, subject_id__in=members)
    )
    if action:
        events = events.filter(action=action)
    if person is not None:
        events = events.filter(Q(actor=person) | Q(subject=person))
    if start is not None:
        events = events.filter(occurred_at__date__gte=start)
    if end is not None:
        events = events.filter(occurred_at__date__lte=end)
    return events.select_related("actor", "subject").order_by("-occurred_at", "-id")


def audit_events_about(user: User) -> QuerySet[AuditEvent]:
    """Return what other people (or anonymous visitors) did to the person's material or account.

    Events the person did themselves are left out: the page answers "who has looked at mine".
    """
    return (
        AuditEvent.objects.filter(subject=user)
        .exclude(actor=user)
        .select_related("actor", "organisation")
        .order_by("-occurred_at", "-id")
    )


@dataclass
class MembershipSummary:
    """One organisation on a person's dashboard, with who they supervise and who supervises them."""

    membership: Membership
    supervises: list[User] = field(default_factory=list)
    supervised_by: list[User] = field(default_factory=list)


def dashboard(user: User) -> list[MembershipSummary]:
    """Return the person's active memberships with their current supervision links.

    Two queries whatever the number of organisations or links.
    """
    summaries = {m.organisation_id: MembershipSummary(m) for m in memberships_active(user)}
    if not summaries:
        return []
    links = (
        SupervisionLink.objects.active()
        .filter(organisation_id__in=summaries.keys())
        .filter(Q(supervisor=user) | Q(worker=user))
        .select_related("supervisor", "worker")
        .order_by("starts_on", "id")
    )
    for link in links:
        summary = summaries[link.organisation_id]
        if link.supervisor_id == user.pk and summary.membership.is_supervisor:
            summary.supervises.append(link.worker)
        elif link.worker_id == user.pk and summary.membership.is_peer_worker:
            summary.supervised_by.append(link.supervisor)
    return list(summaries.values())
