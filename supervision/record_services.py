"""Writes to supervision records: create, change, sign, and make a new version after sign-off.

A record is agreed between two people. Each signs it separately (a POST each, time-stamped
and audited); once both have signed it is locked and never changes again. A change after
sign-off makes a new version that copies the content, clears both signatures and points
back at the one it replaces, so the signed wording is kept exactly as it was signed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import AuditEvent, SupervisionLink, User
from framework.models import Context
from reflections.models import Reflection
from supervision.models import RecordAction, SupervisionCheck, SupervisionRecord
from supervision.notifications import notify_record_to_sign
from supervision.record_selectors import discussable_reflections

# AuditEvent.Action has no choice for signing a record yet (see the note to the lead); the
# stored value is the same either way, so events written now read correctly once it exists.
RECORD_SIGNED = AuditEvent.Action.RECORD_SIGNED
RECORD_VERSIONED = AuditEvent.Action.RECORD_VERSIONED


@dataclass(frozen=True)
class CheckInput:
    """One row of the APPEAR check of the supervision itself."""

    context: Context
    rating: int | None
    note: str


@dataclass(frozen=True)
class ActionInput:
    """One agreed action; `pk` names an existing action of the same record, if any."""

    text: str
    owner: User
    due_on: date | None
    pk: int | None = None


@dataclass(frozen=True)
class RecordContent:
    """What a record says, as both people agree it."""

    held_on: date
    attendees: str
    explored: str
    reflections: Sequence[Reflection]
    checks: Sequence[CheckInput]
    actions: Sequence[ActionInput]


def _party(*, record_or_link: SupervisionRecord | SupervisionLink, by: User) -> str:
    if by.pk == record_or_link.supervisor_id:
        return "supervisor"
    if by.pk == record_or_link.worker_id:
        return "worker"
    raise ValidationError(_("Only the worker and the supervisor can change this record."))


def _check_reflections(
    *, reflections: Iterable[Reflection], worker: User, supervisor: User
) -> list[Reflection]:
    chosen = {reflection.pk: reflection for reflection in reflections}
    allowed = set(
        discussable_reflections(worker=worker, supervisor=supervisor)
        .filter(pk__in=chosen)
        .values_list("pk", flat=True)
    )
    if set(chosen) - allowed:
        raise ValidationError(
            {"reflections": _("Choose only reflections the worker has shared with you.")}
        )
    return list(chosen.values())


def _check_owners(*, actions: Iterable[ActionInput], worker: User, supervisor: User) -> None:
    if any(action.owner.pk not in (worker.pk, supervisor.pk) for action in actions):
        raise ValidationError(
            {"actions": _("Each action belongs to the worker or the supervisor.")}
        )


def _write_content(*, record: SupervisionRecord, content: RecordContent) -> None:
    """Save the record's own fields, then its discussed reflections, checks and actions."""
    record.held_on = content.held_on
    record.attendees = content.attendees
    record.explored = content.explored
    # full_clean does not apply a TextField's max_length, so the limit is checked here.
    limit = SupervisionRecord._meta.get_field("explored").max_length
    if limit is not None and len(record.explored) > limit:
        raise ValidationError(
            {"explored": _("Keep this to %(limit)d characters.") % {"limit": limit}}
        )
    record.full_clean()
    record.save()
    record.reflections.set(
        _check_reflections(
            reflections=content.reflections, worker=record.worker, supervisor=record.supervisor
        )
    )
    _check_owners(actions=content.actions, worker=record.worker, supervisor=record.supervisor)

    existing_checks = {check.context_id: check for check in record.checks.all()}
    for check_input in content.checks:
        check = existing_checks.pop(check_input.context.pk, None) or SupervisionCheck(
            record=record, context=check_input.context
        )
        check.rating = check_input.rating
        check.note = check_input.note
        check.full_clean()
        check.save()
    for stale in existing_checks.values():
        stale.delete()

    existing_actions = {action.pk: action for action in record.actions.all()}
    for action_input in content.actions:
        action = (
            existing_actions.pop(action_input.pk, None) if action_input.pk is not None else None
        ) or RecordAction(record=record)
        action.text = action_input.text
        action.owner = action_input.owner
        action.due_on = action_input.due_on
        action.full_clean()
        action.save()
    # Actions left out of the form were removed by the person editing.
    RecordAction.objects.filter(pk__in=list(existing_actions)).delete()


@transaction.atomic
def record_create(*, link: SupervisionLink, by: User, content: RecordContent) -> SupervisionRecord:
    """Create a record of one supervision meeting for the pair on `link`.

    Either person may write it. Discussed reflections must be ones the worker has shared with
    this supervisor (open shares); action owners must be one of the two people.
    """
    _party(record_or_link=link, by=by)
    record = SupervisionRecord(
        organisation=link.organisation,
        link=link,
        worker=link.worker,
        supervisor=link.supervisor,
        held_on=content.held_on,
    )
    _write_content(record=record, content=content)
    return record


@transaction.atomic
def record_update(*, record: SupervisionRecord, by: User, content: RecordContent) -> None:
    """Change a record that is not yet locked.

    A locked (fully signed) record never changes: raises ValidationError with code "locked";
    use `record_new_version` instead. Any signature already given is cleared, because it was
    given to the earlier wording.
    """
    _party(record_or_link=record, by=by)
    locked = (
        SupervisionRecord.objects.select_for_update()
        .filter(pk=record.pk)
        .values_list("worker_signed_at", "supervisor_signed_at")
        .get()
    )
    if all(locked):
        raise ValidationError(
            _("This record has been signed by both of you and cannot be changed."),
            code="locked",
        )
    record.worker_signed_at = None
    record.supervisor_signed_at = None
    _write_content(record=record, content=content)


@transaction.atomic
def record_sign(
    *, record: SupervisionRecord, by: User, request: HttpRequest | None = None
) -> SupervisionRecord:
    """Sign the record as its worker or its supervisor, now; audited.

    Signing twice, or signing a locked record, raises ValidationError. When the second
    signature arrives the record is locked.
    """
    party = _party(record_or_link=record, by=by)
    fresh = SupervisionRecord.objects.select_for_update().get(pk=record.pk)
    field = f"{party}_signed_at"
    if getattr(fresh, field) is not None:
        raise ValidationError(_("You have already signed this record."), code="signed")
    now = timezone.now()
    setattr(fresh, field, now)
    fresh.full_clean()
    fresh.save(update_fields=[field, "updated_at"])
    setattr(record, field, now)
    record.updated_at = fresh.updated_at
    audit_record(
        action=RECORD_SIGNED,
        actor=by,
        request=request,
        organisation=record.organisation,
        subject=record.worker,
        target=record,
        signed_as=party,
        version=record.version,
        locked=fresh.is_locked,
    )
    if not fresh.is_locked:
        # The other person's signature is what is missing now: tell them, without content.
        other = record.supervisor if party == "worker" else record.worker
        transaction.on_commit(
            lambda: notify_record_to_sign(
                signer=by, recipient=other, path=record.get_absolute_url()
            )
        )
    return record


@transaction.atomic
def record_new_version(
    *, record: SupervisionRecord, by: User, request: HttpRequest | None = None
) -> SupervisionRecord:
    """Start a change to a signed record: a new version with the same content, unsigned.

    Only a locked record gets a new version, and only once: a second attempt raises
    ValidationError pointing at the existing newer version. The new version copies the
    date, attendees, what was explored, the discussed reflections, the checks and the
    actions (with their done state), and links back to the record it replaces.
    """
    party = _party(record_or_link=record, by=by)
    fresh = SupervisionRecord.objects.select_for_update().get(pk=record.pk)
    if not fresh.is_locked:
        raise ValidationError(
            _("This record is not signed yet: change it directly."), code="not_locked"
        )
    if SupervisionRecord.objects.filter(previous=fresh).exists():
        raise ValidationError(_("A newer version of this record already exists."), code="exists")
    copy = SupervisionRecord(
        organisation=fresh.organisation,
        link=fresh.link,
        worker=fresh.worker,
        supervisor=fresh.supervisor,
        held_on=fresh.held_on,
        attendees=fresh.attendees,
        explored=fresh.explored,
        version=fresh.version + 1,
        previous=fresh,
    )
    copy.full_clean()
    copy.save()
    copy.reflections.set(list(fresh.reflections.all()))
    SupervisionCheck.objects.bulk_create(
        SupervisionCheck(
            record=copy, context_id=check.context_id, rating=check.rating, note=check.note
        )
        for check in fresh.checks.all()
    )
    RecordAction.objects.bulk_create(
        RecordAction(
            record=copy,
            text=action.text,
            owner_id=action.owner_id,
            due_on=action.due_on,
            done_at=action.done_at,
        )
        for action in fresh.actions.all()
    )
    audit_record(
        action=RECORD_VERSIONED,
        actor=by,
        request=request,
        organisation=fresh.organisation,
        subject=fresh.worker,
        target=copy,
        started_by=party,
        replaces=fresh.pk,
        version=copy.version,
    )
    return copy


@transaction.atomic
def record_action_set_done(*, action: RecordAction, by: User, done: bool) -> RecordAction:
    """Mark an agreed action done (now) or not done.

    Allowed on a signed record too: whether an action has been carried out is progress after
    the meeting, not part of what was agreed, so it does not need a new version.
    """
    _party(record_or_link=action.record, by=by)
    action.done_at = (action.done_at or timezone.now()) if done else None
    action.full_clean()
    action.save(update_fields=["done_at"])
    return action
