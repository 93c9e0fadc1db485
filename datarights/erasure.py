"""Erasing a person: what goes, what stays, and how what stays stops naming them.

Deleted: their account and sign-in details, memberships, reflections (drafts and open
amendments included, with their shares, comments and history), comments they wrote anywhere,
supervision links, exports, invitations sent to their address, their sessions, and every audit
event they did or that is about them (which includes every view of their material).

Kept (docs/erasure.md): supervision records the other person has signed, for the
organisation's retention period, with the erased person replaced by a "former member" account
that cannot sign in and their names replaced by "former member" in the record's text; rows of
any app that protect their person from deletion (a workshop's trainer) pointed at that same
account; and one
audit event saying that an account was erased, by whom, and nothing about what.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditEvent, Invitation, Membership, SupervisionLink, User
from accounts.sessions import sessions_end_for
from datarights.models import Erasure, Export, FailedTask
from reflections.models import Reflection
from supervision.models import Comment, RecordAction, SupervisionCheck, SupervisionRecord

FORMER_MEMBER = "former member"


@dataclass(frozen=True)
class ErasurePlan:
    """What erasing a person will do, shown before they (or their admin) confirm."""

    reflections: int
    drafts: int
    comments: int
    records_kept: int
    records_deleted: int


def _records(user: User) -> tuple[list[SupervisionRecord], list[SupervisionRecord]]:
    """The person's records split into (kept: signed by the other person, deleted: the rest)."""
    kept: list[SupervisionRecord] = []
    deleted: list[SupervisionRecord] = []
    for record in SupervisionRecord.objects.filter(Q(worker=user) | Q(supervisor=user)):
        other_signed = (
            record.supervisor_signed_at if record.worker_id == user.pk else record.worker_signed_at
        )
        (kept if other_signed is not None else deleted).append(record)
    return kept, deleted


def erasure_plan(*, user: User) -> ErasurePlan:
    kept, deleted = _records(user)
    own = Reflection.objects.filter(author=user)
    return ErasurePlan(
        reflections=own.filter(status=Reflection.Status.SUBMITTED).count(),
        drafts=own.filter(status=Reflection.Status.DRAFT).count(),
        comments=Comment.objects.filter(author=user).count(),
        records_kept=len(kept),
        records_deleted=len(deleted),
    )


def _names(user: User) -> list[str]:
    """Every way the person is named, longest first, ignoring fragments too short to be safe."""
    candidates = {
        user.username,
        user.display_name,
        user.get_full_name(),
        user.first_name,
        user.last_name,
        user.email,
    }
    return sorted((name for name in candidates if len(name.strip()) >= 2), key=len, reverse=True)


def _scrub(text: str, names: list[str]) -> str:
    for name in names:
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", FORMER_MEMBER, text, flags=re.IGNORECASE)
    return text


def _former_member() -> User:
    user = User(
        username=f"former-member-{secrets.token_hex(6)}",
        display_name=FORMER_MEMBER,
        is_active=False,
    )
    user.set_unusable_password()
    user.save()
    return user


class StandIn:
    """The "former member" account, made the first time something must keep pointing at one."""

    def __init__(self) -> None:
        self._user: User | None = None

    def get(self) -> User:
        if self._user is None:
            self._user = _former_member()
        return self._user


def _keep_records(
    records: list[SupervisionRecord], user: User, names: list[str], stand_ins: StandIn
) -> None:
    if not records:
        return
    stand_in = stand_ins.get()
    now = timezone.now()
    for record in records:
        side = "worker" if record.worker_id == user.pk else "supervisor"
        setattr(record, side, stand_in)
        record.attendees = _scrub(record.attendees, names)
        record.explored = _scrub(record.explored, names)
        # A signed record is never rewritten through the site; this is the one documented
        # exception, so the row is updated directly rather than through the record services.
        SupervisionRecord.objects.filter(pk=record.pk).update(
            **{side: stand_in}, attendees=record.attendees, explored=record.explored
        )
        link = record.link
        if getattr(link, f"{side}_id") == user.pk:
            SupervisionLink.objects.filter(pk=link.pk).update(
                **{side: stand_in}, ended_at=link.ended_at or now
            )
        for action in RecordAction.objects.filter(record=record):
            RecordAction.objects.filter(pk=action.pk).update(
                text=_scrub(action.text, names),
                owner=stand_in if action.owner_id == user.pk else action.owner,
            )
        for check in SupervisionCheck.objects.filter(record=record):
            SupervisionCheck.objects.filter(pk=check.pk).update(note=_scrub(check.note, names))


def _repoint_protected(user: User, stand_ins: StandIn) -> None:
    """Rows of any app that protect their person from deletion (a workshop's trainer, and any
    model added later) point at the "former member" account instead; found by walking every
    model, so a new app is covered without a change here."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if (
                field.is_relation
                and field.related_model is User
                and getattr(field.remote_field, "on_delete", None) is models.PROTECT
            ):
                rows = model._default_manager.filter(**{field.attname: user.pk})
                if rows.exists():
                    rows.update(**{field.attname: stand_ins.get().pk})


def _delete_records(records: list[SupervisionRecord]) -> None:
    # Newest version first: each version protects the one it replaced.
    for record in sorted(records, key=lambda r: (-r.version, -r.pk)):
        SupervisionRecord.objects.filter(pk=record.pk).delete()


def _delete_audit(user: User, names: list[str], membership_ids: list[int]) -> None:
    about = AuditEvent.objects.filter(
        Q(subject=user)
        | Q(actor=user)
        | Q(target_type="accounts.user", target_id=str(user.pk))
        | Q(target_type="accounts.membership", target_id__in=[str(pk) for pk in membership_ids])
    )
    # The trail is append-only for the application; erasure is the one exception the law
    # requires, so rows are removed with a queryset (which does not call AuditEvent.delete).
    about.delete()
    for event in AuditEvent.objects.filter(
        Q(detail__supervisor=user.pk) | Q(detail__worker=user.pk) | _mentions("detail", names)
    ):
        detail = {
            key: (
                None
                if key in {"supervisor", "worker"} and value == user.pk
                else _scrub(value, names)
                if isinstance(value, str)
                else value
            )
            for key, value in event.detail.items()
        }
        AuditEvent.objects.filter(pk=event.pk).update(detail=detail)


def _mentions(field: str, names: list[str]) -> Q:
    match = Q(pk__in=[])
    for name in names:
        match |= Q(**{f"{field}__icontains": name})
    return match


@transaction.atomic
def account_erase(*, user_id: int) -> bool:
    """Erase person `user_id` as docs/erasure.md describes; False if they are already gone."""
    from datarights import services

    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        return False
    erasure = Erasure.objects.filter(user=user).select_related("requested_by").first()
    by_self = erasure is None or erasure.requested_by_id == user.pk
    actor = None if erasure is None or by_self else erasure.requested_by
    organisation = erasure.organisation if erasure is not None else None
    names = _names(user)
    membership_ids = list(Membership.objects.filter(user=user).values_list("pk", flat=True))

    kept, deleted = _records(user)
    stand_ins = StandIn()
    _keep_records(kept, user, names, stand_ins)
    _delete_records(deleted)
    # Replies others wrote to this person's comments stay, as top-level comments.
    Comment.objects.filter(parent__author=user).exclude(author=user).update(parent=None)
    Comment.objects.filter(author=user).delete()
    Reflection.objects.filter(author=user).delete()
    for item in Export.objects.filter(user=user):
        services.export_discard_file(item=item)
    Invitation.objects.filter(Q(accepted_by=user) | Q(email__iexact=user.email or "-")).delete()
    FailedTask.objects.filter(_mentions("summary", names)).delete()
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    ).delete()
    _delete_audit(user, names, membership_ids)
    sessions_end_for(user=user)
    _repoint_protected(user, stand_ins)
    user.delete()
    audit_record(
        action=AuditEvent.Action.ACCOUNT_ERASED,
        actor=actor,
        organisation=organisation,
        requested_by="the_person" if by_self else "organisation_admin",
    )
    return True
