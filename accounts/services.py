"""Writes about memberships, invitations, supervision links and organisation settings.

Every service checks its rules (raising ValidationError keyed by the form field it concerns),
writes inside one transaction and appends to the audit trail, so a view stays a thin shell and
no change escapes the trail.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from datetime import date, timedelta
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors
from accounts.access import token_hash
from accounts.audit import audit_record
from accounts.models import AuditEvent, Invitation, Membership, Organisation, SupervisionLink, User

Action = AuditEvent.Action
Role = Membership.Role

DEFAULT_INVITATION_TTL_DAYS = 7


def invitation_ttl() -> timedelta:
    return timedelta(days=getattr(settings, "INVITATION_TTL_DAYS", DEFAULT_INVITATION_TTL_DAYS))


def _check_roles(roles: Collection[str], field: str) -> list[str]:
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValidationError({field: _("Choose roles from the list.")}, code="invalid")
    if not roles:
        raise ValidationError({field: _("Choose at least one role.")}, code="required")
    return [role for role in Role.values if role in roles]


def _lock_organisation(organisation: Organisation) -> None:
    """Serialise changes to one organisation's admins, so two admins cannot both step down."""
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()


def _has_other_admin(membership: Membership) -> bool:
    return (
        Membership.objects.filter(
            organisation_id=membership.organisation_id,
            is_active=True,
            is_org_admin=True,
            user__is_active=True,
        )
        .exclude(pk=membership.pk)
        .exists()
    )


def _end_links(
    links: Collection[SupervisionLink], *, by: User, request: HttpRequest | None, reason: str
) -> None:
    now = timezone.now()
    for link in links:
        link.ended_at = now
        link.save(update_fields=["ended_at"])
        audit_record(
            action=Action.LINK_ENDED,
            actor=by,
            request=request,
            organisation=link.organisation,
            subject=link.worker,
            target=link,
            supervisor=link.supervisor_id,
            reason=reason,
        )


def _open_links(
    membership: Membership, *, as_supervisor: bool, as_worker: bool
) -> list[SupervisionLink]:
    links = SupervisionLink.objects.filter(
        organisation_id=membership.organisation_id, ended_at__isnull=True
    ).select_related("organisation", "worker")
    mine = []
    if as_supervisor:
        mine += list(links.filter(supervisor_id=membership.user_id))
    if as_worker:
        mine += list(links.filter(worker_id=membership.user_id))
    return mine


@transaction.atomic
def membership_update_roles(
    *,
    membership: Membership,
    roles: Collection[str],
    by: User,
    request: HttpRequest | None = None,
) -> Membership:
    """Give the member exactly `roles` in their organisation.

    At least one role is required (to take someone's access away, deactivate them). The last
    active organisation admin keeps that role. Losing the supervisor or peer worker role ends
    the open supervision links that relied on it, each audited.
    """
    wanted = _check_roles(roles, "roles")
    before = membership.roles
    if wanted == before:
        return membership
    _lock_organisation(membership.organisation)
    if (
        membership.is_org_admin
        and Role.ORG_ADMIN not in wanted
        and membership.is_active
        and not _has_other_admin(membership)
    ):
        raise ValidationError(
            {
                "roles": _(
                    "The organisation needs at least one admin: make someone else admin first."
                )
            },
            code="last_admin",
        )
    ending = _open_links(
        membership,
        as_supervisor=membership.is_supervisor and Role.SUPERVISOR not in wanted,
        as_worker=membership.is_peer_worker and Role.PEER_WORKER not in wanted,
    )
    membership.set_roles(wanted)
    membership.full_clean()
    membership.save(update_fields=list(Membership.ROLE_FIELDS.values()))
    _end_links(ending, by=by, request=request, reason="role_removed")
    audit_record(
        action=Action.ROLES_CHANGED,
        actor=by,
        request=request,
        organisation=membership.organisation,
        subject=membership.user,
        target=membership,
        before=before,
        after=wanted,
    )
    return membership


@transaction.atomic
def membership_deactivate(
    *, membership: Membership, by: User, request: HttpRequest | None = None
) -> Membership:
    """End the member's access to the organisation at once; their data stays.

    Their open supervision links end (each audited). When they have no other active membership
    their account is switched off too, which makes Django drop their sessions on the next
    request; site staff accounts are left on so an organisation cannot lock out the site's own
    administrators. Nobody deactivates themselves, and the last admin cannot be deactivated.
    """
    if not membership.is_active:
        raise ValidationError(_("This member is already deactivated."), code="inactive")
    if membership.user_id == by.pk:
        raise ValidationError(
            _("You cannot deactivate yourself: ask another organisation admin."), code="self"
        )
    _lock_organisation(membership.organisation)
    if membership.is_org_admin and not _has_other_admin(membership):
        raise ValidationError(
            _("The organisation needs at least one admin: make someone else admin first."),
            code="last_admin",
        )
    _end_links(
        _open_links(membership, as_supervisor=True, as_worker=True),
        by=by,
        request=request,
        reason="member_deactivated",
    )
    membership.is_active = False
    membership.deactivated_at = timezone.now()
    membership.full_clean()
    membership.save(update_fields=["is_active", "deactivated_at"])
    user = membership.user
    still_member = Membership.objects.filter(user=user, is_active=True).exists()
    if not still_member and not user.is_staff and user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    audit_record(
        action=Action.MEMBER_DEACTIVATED,
        actor=by,
        request=request,
        organisation=membership.organisation,
        subject=user,
        target=membership,
        account_switched_off=not user.is_active,
    )
    return membership


@transaction.atomic
def membership_reactivate(
    *, membership: Membership, by: User, request: HttpRequest | None = None
) -> Membership:
    """Give a deactivated member their access back, with the roles they had.

    Their account is switched back on. Supervision links ended at deactivation stay ended: an
    admin links them again deliberately.
    """
    if membership.is_active:
        raise ValidationError(_("This member is already active."), code="active")
    membership.is_active = True
    membership.deactivated_at = None
    membership.full_clean()
    membership.save(update_fields=["is_active", "deactivated_at"])
    user = membership.user
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    audit_record(
        action=Action.MEMBER_REACTIVATED,
        actor=by,
        request=request,
        organisation=membership.organisation,
        subject=user,
        target=membership,
    )
    return membership


def _invitation_url(site_root: str, token: str) -> str:
    return urljoin(site_root, reverse("accounts:invitation_accept", kwargs={"token": token}))


@transaction.atomic
def invitation_send(
    *,
    organisation: Organisation,
    email: str,
    roles: Collection[str],
    by: User,
    site_root: str,
    request: HttpRequest | None = None,
) -> tuple[Invitation, str]:
    """Invite `email` to join `organisation` with `roles`; e-mail them a one-time link.

    Returns the invitation and its token (the token is stored only as a hash, so this is the
    one chance to see it). An address that already belongs to a member, active or not, is
    refused. An earlier open invitation for the same address is revoked and replaced, so only
    the newest link works. If the e-mail cannot be sent nothing is saved.
    """
    email = User.objects.normalize_email(email.strip())
    wanted = _check_roles(roles, "roles")
    existing = selectors.membership_by_email(organisation, email)
    if existing is not None:
        message = (
            _("This person is already a member of the organisation.")
            if existing.is_active
            else _("This person is a deactivated member: reactivate them from the members page.")
        )
        raise ValidationError({"email": message}, code="member")
    earlier = list(
        Invitation.objects.open()
        .select_for_update()
        .filter(organisation=organisation, email__iexact=email)
    )
    for old in earlier:
        _revoke(old, by=by, request=request, replaced=True)
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation = Invitation(
        organisation=organisation,
        email=email,
        token_hash=token_hash(token),
        invited_by=by,
        created_at=now,
        expires_at=now + invitation_ttl(),
    )
    invitation.set_roles(wanted)
    invitation.full_clean()
    invitation.save()
    context = {
        "organisation": organisation,
        "invited_by": by,
        "invitation": invitation,
        "url": _invitation_url(site_root, token),
        "role_labels": invitation.role_labels,
    }
    subject = render_to_string("accounts/email/invitation_subject.txt", context)
    body = render_to_string("accounts/email/invitation_message.txt", context)
    try:
        send_mail(" ".join(subject.split()), body, None, [email])
    except OSError as error:
        raise ValidationError(
            _("The invitation e-mail could not be sent. Nothing was saved; try again later."),
            code="mail",
        ) from error
    audit_record(
        action=Action.INVITATION_SENT,
        actor=by,
        request=request,
        organisation=organisation,
        target=invitation,
        email=email,
        roles=wanted,
    )
    return invitation, token


def _revoke(
    invitation: Invitation, *, by: User, request: HttpRequest | None, replaced: bool = False
) -> None:
    invitation.revoked_at = timezone.now()
    invitation.revoked_by = by
    invitation.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        action=Action.INVITATION_REVOKED,
        actor=by,
        request=request,
        organisation=invitation.organisation,
        target=invitation,
        email=invitation.email,
        replaced=replaced,
    )


@transaction.atomic
def invitation_revoke(
    *, invitation: Invitation, by: User, request: HttpRequest | None = None
) -> Invitation:
    """Make the invitation's link stop working. An accepted or revoked one cannot be revoked."""
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at is not None or locked.revoked_at is not None:
        raise ValidationError(_("This invitation is no longer open."), code="closed")
    _revoke(locked, by=by, request=request)
    return locked


def _lock_pending(invitation: Invitation) -> Invitation:
    """Lock the invitation's row and check its link still works, against double acceptance."""
    locked = (
        Invitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
    )
    if not locked.is_pending:
        raise ValidationError(_("This invitation can no longer be used."), code="closed")
    return locked


def _accept(invitation: Invitation, user: User, request: HttpRequest | None) -> Membership:
    if Membership.objects.filter(user=user, organisation=invitation.organisation).exists():
        raise ValidationError(_("You are already a member of this organisation."), code="member")
    membership = Membership(user=user, organisation=invitation.organisation)
    membership.set_roles(invitation.roles)
    membership.full_clean()
    membership.save()
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        action=Action.INVITATION_ACCEPTED,
        actor=user,
        request=request,
        organisation=invitation.organisation,
        subject=user,
        target=invitation,
        roles=invitation.roles,
    )
    return membership


@transaction.atomic
def invitation_accept(
    *,
    invitation: Invitation,
    username: str,
    password: str,
    display_name: str = "",
    request: HttpRequest | None = None,
) -> User:
    """Create the invitee's account and their membership of the inviting organisation only.

    The link works once: a second attempt, or one after expiry or revocation, is refused. The
    e-mail address comes from the invitation. If an account already uses that address the
    person must sign in and join with `invitation_accept_existing` instead.
    """
    locked = _lock_pending(invitation)
    if selectors.user_by_email(locked.email) is not None:
        raise ValidationError(
            _("An account already uses this e-mail address: sign in to accept."), code="exists"
        )
    if selectors.username_taken(username):
        raise ValidationError(
            {"username": _("That user name is taken; choose another.")}, code="unique"
        )
    user = User(username=username, email=locked.email, display_name=display_name)
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.error_list}) from error
    user.set_password(password)
    user.full_clean()
    user.save()
    _accept(locked, user, request)
    return user


@transaction.atomic
def invitation_accept_existing(
    *, invitation: Invitation, user: User, request: HttpRequest | None = None
) -> Membership:
    """Add an existing, signed-in account to the inviting organisation.

    Only the account whose e-mail address the invitation was sent to may accept it this way.
    """
    locked = _lock_pending(invitation)
    if user.email.casefold() != locked.email.casefold():
        raise ValidationError(
            _("This invitation was sent to another e-mail address."), code="email"
        )
    return _accept(locked, user, request)


@transaction.atomic
def supervision_link_create(
    *,
    organisation: Organisation,
    supervisor: User,
    worker: User,
    by: User,
    starts_on: date | None = None,
    request: HttpRequest | None = None,
) -> SupervisionLink:
    """Link a supervisor to a peer worker of the same organisation from `starts_on` (today).

    Both must be active members holding those roles there, and different people; a pair may
    have only one open link at a time.
    """
    if supervisor.pk == worker.pk:
        raise ValidationError({"worker": _("A person cannot supervise themselves.")}, code="self")
    holders = selectors.organisation_role_holders
    if not holders(organisation, Role.SUPERVISOR).filter(pk=supervisor.pk).exists():
        raise ValidationError(
            {"supervisor": _("Choose an active supervisor of this organisation.")},
            code="role",
        )
    if not holders(organisation, Role.PEER_WORKER).filter(pk=worker.pk).exists():
        raise ValidationError(
            {"worker": _("Choose an active peer worker of this organisation.")}, code="role"
        )
    if SupervisionLink.objects.filter(
        supervisor=supervisor, worker=worker, ended_at__isnull=True
    ).exists():
        raise ValidationError(
            {"worker": _("This supervisor already supervises this peer worker.")},
            code="duplicate",
        )
    link = SupervisionLink(
        organisation=organisation,
        supervisor=supervisor,
        worker=worker,
        starts_on=starts_on or timezone.localdate(),
        created_by=by,
    )
    link.full_clean()
    link.save()
    audit_record(
        action=Action.LINK_CREATED,
        actor=by,
        request=request,
        organisation=organisation,
        subject=worker,
        target=link,
        supervisor=supervisor.pk,
        starts_on=link.starts_on.isoformat(),
    )
    return link


@transaction.atomic
def supervision_link_end(
    *, link: SupervisionLink, by: User, request: HttpRequest | None = None
) -> SupervisionLink:
    """End the link now: the supervisor's access through it ends at once."""
    locked = (
        SupervisionLink.objects.select_for_update()
        .select_related("organisation", "worker")
        .get(pk=link.pk)
    )
    if locked.ended_at is not None:
        raise ValidationError(_("This supervision link has already ended."), code="ended")
    _end_links([locked], by=by, request=request, reason="ended_by_admin")
    return locked


@transaction.atomic
def organisation_update_settings(
    *,
    organisation: Organisation,
    requires_two_factor: bool,
    by: User,
    request: HttpRequest | None = None,
) -> Organisation:
    """Change the organisation's settings; an unchanged form writes nothing."""
    if organisation.requires_two_factor == requires_two_factor:
        return organisation
    organisation.requires_two_factor = requires_two_factor
    organisation.full_clean()
    organisation.save(update_fields=["requires_two_factor"])
    audit_record(
        action=Action.SETTINGS_CHANGED,
        actor=by,
        request=request,
        organisation=organisation,
        target=organisation,
        requires_two_factor=requires_two_factor,
    )
    return organisation
