"""Writes for data rights: asking for an export, building it, handing it over once.

The export is built by a background task (datarights.tasks.build_export); these functions are
what that task and the views call. Every hand-over is audited with the person as subject.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import AuditEvent, Membership, Organisation, User
from datarights import export
from datarights.models import Erasure, Export, RetentionPolicy


def export_root() -> Path:
    root = Path(settings.EXPORT_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    return root


def export_path(item: Export) -> Path:
    return export_root() / item.file_name


@transaction.atomic
def export_request(*, user: User, request: HttpRequest | None = None) -> Export:
    """Ask for a new export of everything that is `user`'s, built in the background.

    One at a time: while an export is waiting or being made, asking again returns it.
    """
    from datarights.tasks import build_export

    User.objects.select_for_update().filter(pk=user.pk).first()
    running = Export.objects.filter(
        user=user, status__in=[Export.Status.QUEUED, Export.Status.RUNNING]
    ).first()
    if running is not None:
        return running
    item = Export.objects.create(user=user)
    audit_record(
        action=AuditEvent.Action.DATA_EXPORT_REQUESTED,
        actor=user,
        request=request,
        subject=user,
        target=item,
    )
    transaction.on_commit(lambda: build_export.delay(item.pk))
    return item


def _progress(item: Export) -> export.Progress:
    def report(done: int, total: int) -> None:
        Export.objects.filter(pk=item.pk).update(done=done, total=total)

    return report


def export_build(*, export_id: int, with_pdfs: bool = True) -> Export | None:
    """Make the ZIP of a waiting export, reporting progress as it goes, then e-mail its owner.

    Runs in the background task. The file is written under a temporary name and renamed when
    complete, so a half-written ZIP is never offered.
    """
    # RUNNING too: a worker that died mid-export leaves the task in the queue (acks_late), and
    # the next worker starts the ZIP again from the beginning.
    claimed = Export.objects.filter(
        pk=export_id, status__in=[Export.Status.QUEUED, Export.Status.RUNNING]
    ).update(status=Export.Status.RUNNING, done=0)
    if not claimed:
        return None
    item = Export.objects.select_related("user").get(pk=export_id)
    name = f"{secrets.token_hex(16)}.zip"
    partial = export_root() / f"{name}.part"
    try:
        export.write_zip(
            user=item.user, path=partial, with_pdfs=with_pdfs, progress=_progress(item)
        )
        final = export_root() / name
        partial.replace(final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    now = timezone.now()
    item.refresh_from_db(fields=["done", "total"])
    item.status = Export.Status.READY
    item.file_name = name
    item.size_bytes = final.stat().st_size
    item.finished_at = now
    item.expires_at = now + timedelta(hours=settings.EXPORT_TTL_HOURS)
    item.save(update_fields=["status", "file_name", "size_bytes", "finished_at", "expires_at"])
    _notify_ready(item)
    return item


def _notify_ready(item: Export) -> None:
    if not item.user.email:
        return
    context = {
        "recipient_name": item.user.get_display_name(),
        "hours": settings.EXPORT_TTL_HOURS,
        "url": settings.SITE_URL.rstrip("/") + reverse("datarights:export"),
    }
    subject = " ".join(
        render_to_string("email/datarights/export_ready_subject.txt", context).split()
    )
    body = render_to_string("email/datarights/export_ready_body.txt", context)
    send_mail(subject, body, None, [item.user.email])


def export_mark_failed(*, export_id: int) -> None:
    Export.objects.filter(
        pk=export_id, status__in=[Export.Status.QUEUED, Export.Status.RUNNING]
    ).update(status=Export.Status.FAILED, finished_at=timezone.now())


@transaction.atomic
def export_hand_over(*, item: Export, by: User, request: HttpRequest | None = None) -> Path:
    """Mark a ready export downloaded and return its file: the link works once.

    The caller streams the file and deletes it afterwards (`export_discard_file`).
    """
    locked = Export.objects.select_for_update().get(pk=item.pk)
    if not locked.is_downloadable:
        raise ValidationError(
            _("This export has already been downloaded or has expired. Ask for a new one.")
        )
    path = export_path(locked)
    if not path.is_file():
        locked.status = Export.Status.EXPIRED
        locked.save(update_fields=["status"])
        raise ValidationError(_("This export is no longer on the server. Ask for a new one."))
    locked.status = Export.Status.DOWNLOADED
    locked.downloaded_at = timezone.now()
    locked.save(update_fields=["status", "downloaded_at"])
    audit_record(
        action=AuditEvent.Action.DATA_EXPORT_DOWNLOADED,
        actor=by,
        request=request,
        subject=locked.user,
        target=locked,
        size_bytes=locked.size_bytes,
    )
    return path


def export_discard_file(*, item: Export) -> None:
    if item.file_name:
        (export_root() / item.file_name).unlink(missing_ok=True)


def exports_expire(*, now: datetime | None = None) -> int:
    """Delete the files of exports past their expiry, and of downloaded ones; return how many."""
    moment = now or timezone.now()
    expired = 0
    stale = Export.objects.filter(status=Export.Status.READY, expires_at__lte=moment)
    for item in stale:
        export_discard_file(item=item)
        expired += 1
    stale.update(status=Export.Status.EXPIRED)
    for item in Export.objects.filter(status=Export.Status.DOWNLOADED).exclude(file_name=""):
        export_discard_file(item=item)
    Export.objects.filter(status=Export.Status.DOWNLOADED).exclude(file_name="").update(
        file_name=""
    )
    return expired


# Erasure


def _other_organisations(user: User, organisation: Organisation) -> bool:
    return Membership.objects.filter(user=user).exclude(organisation=organisation).exists()


@transaction.atomic
def erasure_request(
    *,
    user: User,
    by: User,
    organisation: Organisation | None = None,
    request: HttpRequest | None = None,
) -> Erasure:
    """Ask for `user`'s account to be erased in the background (docs/erasure.md).

    The person asks for themselves, or an organisation admin (`by`, of `organisation`) for a
    member. An admin cannot erase themselves this way, a member who also belongs to another
    organisation (that organisation's material is not theirs to erase), or site staff. The
    account is switched off at once, which ends its sessions, before the task deletes it.
    """
    from datarights.tasks import erase_account

    if by.pk != user.pk:
        if organisation is None:
            raise ValidationError(_("Only the person or their organisation admin can ask."))
        if user.is_staff or user.is_superuser:
            raise ValidationError(_("Site staff accounts are erased by the site administrators."))
        if _other_organisations(user, organisation):
            raise ValidationError(
                _(
                    "This person also belongs to another organisation, so only they can ask "
                    "for their account to be erased."
                )
            )
    locked = User.objects.select_for_update().get(pk=user.pk)
    existing = Erasure.objects.filter(user=locked).first()
    if existing is not None:
        return existing
    erasure = Erasure.objects.create(user=locked, requested_by=by, organisation=organisation)
    locked.is_active = False
    locked.save(update_fields=["is_active"])
    transaction.on_commit(lambda: erase_account.delay(locked.pk))
    return erasure


@transaction.atomic
def retention_update(
    *,
    organisation: Organisation,
    by: User,
    values: dict[str, int],
    request: HttpRequest | None = None,
) -> RetentionPolicy:
    """Set the organisation's retention periods (validated by RetentionForm); audited."""
    policy, _created = RetentionPolicy.objects.select_for_update().get_or_create(
        organisation=organisation
    )
    before = {name: getattr(policy, name) for name in values}
    for name, value in values.items():
        setattr(policy, name, value)
    policy.full_clean()
    policy.save()
    audit_record(
        action=AuditEvent.Action.SETTINGS_CHANGED,
        actor=by,
        request=request,
        organisation=organisation,
        target=policy,
        before=before,
        after=dict(values),
    )
    return policy
