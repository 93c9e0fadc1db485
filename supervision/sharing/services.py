"""Writes for sharing and feedback: shares, withdrawals, "discussed" marks and comments.

Each service checks its own rules, so a view, a command or a test cannot bypass them, writes
the audit trail where the issue asks for it, and sends its e-mails only once the transaction
has committed (a rolled-back share must not announce itself).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import live_links
from accounts.audit import AuditEntry, audit_record, audit_record_many
from accounts.models import AuditEvent, Organisation, SupervisionLink, User
from reflections.models import Reflection
from supervision.models import Comment, Share
from supervision.sharing import notifications
from supervision.sharing.access import comment_audience, may_comment

COMMENT_MAX_LENGTH = Comment._meta.get_field("body").max_length or 2000


@transaction.atomic
def share_create(
    *,
    reflections: Iterable[Reflection],
    supervisors: Iterable[User],
    by: User,
    request: HttpRequest | None = None,
    at: datetime | None = None,
) -> list[Share]:
    """Share each of `by`'s reflections with each of their current supervisors given.

    `at` dates the shares (default now); only the demo, telling a story over past weeks,
    passes it.

    Only the author shares, and only submitted reflections (a draft raises ValidationError).
    A reflection goes to a supervisor only through a live supervision link in the reflection's
    organisation; pairs without one are skipped, and if no pair at all has one the call raises
    ValidationError. A pair that already has an open share is skipped, so sharing twice (a
    double click, "share all flagged" after sharing some) is harmless. Returns the new shares.
    Each new share is audited with the author as subject; each supervisor gets one e-mail.
    """
    reflections = list(reflections)
    supervisors = list(supervisors)
    for reflection in reflections:
        if reflection.author_id != by.pk:
            raise ValidationError(_("You can only share your own reflections."))
        if reflection.status != Reflection.Status.SUBMITTED:
            raise ValidationError(
                _("Only a submitted reflection can be shared. Submit “%(title)s” first.")
                % {"title": reflection}
            )
    links = {
        (link.supervisor_id, link.organisation_id): link
        for link in live_links()
        .filter(worker=by, supervisor__in=supervisors)
        .select_related("supervisor", "organisation")
    }
    pairs = [
        (reflection, links[(supervisor.pk, reflection.organisation_id)])
        for reflection in reflections
        for supervisor in supervisors
        if (supervisor.pk, reflection.organisation_id) in links
    ]
    if reflections and not pairs:
        raise ValidationError(
            _("None of these people is your supervisor at the moment, so nothing was shared.")
        )
    already_open = set(
        Share.objects.filter(
            reflection__in=reflections, supervisor__in=supervisors, withdrawn_at__isnull=True
        ).values_list("reflection_id", "supervisor_id")
    )
    created: list[Share] = []
    for reflection, link in pairs:
        if (reflection.pk, link.supervisor_id) in already_open:
            continue
        share = _share_open(reflection=reflection, link=link, at=at)
        if share is None:
            continue
        created.append(share)
        audit_record(
            action=AuditEvent.Action.REFLECTION_SHARED,
            actor=by,
            request=request,
            organisation=reflection.organisation,
            subject=by,
            target=reflection,
            supervisor_id=link.supervisor_id,
            supervisor_name=link.supervisor.get_display_name(),
        )
    counts = Counter(share.link.supervisor_id for share in created)
    for link in {share.link.supervisor_id: share.link for share in created}.values():
        _notify_shared_on_commit(worker=by, link=link, count=counts[link.supervisor_id])
    return created


def _share_open(
    *, reflection: Reflection, link: SupervisionLink, at: datetime | None
) -> Share | None:
    try:
        # A savepoint, so a concurrent identical share (the same form sent twice at once)
        # meets the one-open-share constraint and is skipped instead of breaking the batch.
        with transaction.atomic():
            share = Share.objects.create(
                reflection=reflection, supervisor=link.supervisor, link=link
            )
    except IntegrityError:
        return None
    if at is not None:
        # `shared_at` is set on insert (auto_now_add); a dated share is moved afterwards.
        Share.objects.filter(pk=share.pk).update(shared_at=at)
        share.shared_at = at
    return share


def _notify_shared_on_commit(*, worker: User, link: SupervisionLink, count: int) -> None:
    transaction.on_commit(
        partial(
            notifications.notify_reflections_shared,
            worker=worker,
            supervisor=link.supervisor,
            count=count,
        )
    )


@transaction.atomic
def share_withdraw(*, share: Share, by: User, request: HttpRequest | None = None) -> Share:
    """Withdraw `share`: its supervisor loses access to the reflection at once.

    Only the reflection's author may withdraw. Withdrawing an already withdrawn share changes
    nothing and is not audited again, so a repeated request is harmless. The withdrawal is
    audited with the author as subject.
    """
    share = (
        Share.objects.select_for_update()
        .select_related("reflection", "supervisor")
        .get(pk=share.pk)
    )
    if share.reflection.author_id != by.pk:
        raise ValidationError(_("You can only withdraw shares of your own reflections."))
    if share.withdrawn_at is not None:
        return share
    share.withdrawn_at = timezone.now()
    share.save(update_fields=["withdrawn_at"])
    audit_record(
        action=AuditEvent.Action.SHARE_WITHDRAWN,
        actor=by,
        request=request,
        organisation=share.reflection.organisation,
        subject=by,
        target=share.reflection,
        supervisor_id=share.supervisor_id,
        supervisor_name=share.supervisor.get_display_name(),
    )
    return share


@transaction.atomic
def share_mark_discussed(
    *, share: Share, by: User, discussed: bool = True, at: datetime | None = None
) -> Share:
    """Record that the supervisor has discussed the shared reflection with its author, or undo it.

    Only the share's supervisor, and only on an open share. Marking twice keeps the first
    time, which is when the discussion happened. `discussed=False` takes a mark made by
    mistake back, so the reflection counts as not yet discussed again.
    """
    share = Share.objects.select_for_update().get(pk=share.pk)
    if share.supervisor_id != by.pk:
        raise ValidationError(_("Only the supervisor it was shared with can mark it discussed."))
    if share.withdrawn_at is not None:
        raise ValidationError(_("This reflection is no longer shared with you."))
    if discussed and share.discussed_at is None:
        share.discussed_at = at or timezone.now()
        share.save(update_fields=["discussed_at"])
    elif not discussed and share.discussed_at is not None:
        share.discussed_at = None
        share.save(update_fields=["discussed_at"])
    return share


@transaction.atomic
def comment_create(
    *, reflection: Reflection, author: User, body: str, parent: Comment | None = None
) -> Comment:
    """Add a comment to `reflection`'s feedback thread and tell the other party.

    Writers: the reflection's author while it is shared with someone, and a supervisor it is
    shared with (`access.may_comment`). The body is plain text, stripped, 1 to 2,000
    characters; markup is kept as typed and escaped when shown. A reply belongs under a
    top-level comment of the same reflection: a reply to a reply joins its top-level comment.
    The author's comment goes to every supervisor who can read the reflection; a supervisor's
    comment goes to the author. E-mails carry no content.
    """
    if not may_comment(user=author, reflection=reflection):
        raise ValidationError(
            _("This reflection is not shared with anyone at the moment, so no one could read it.")
        )
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write a comment before sending it.")})
    if len(body) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {"body": _("Keep a comment to %(max)d characters.") % {"max": COMMENT_MAX_LENGTH}}
        )
    if parent is not None:
        if parent.reflection_id != reflection.pk:
            raise ValidationError({"parent": _("That comment is not part of this thread.")})
        if parent.parent_id is not None:
            parent = Comment.objects.get(pk=parent.parent_id)
    comment = Comment(reflection=reflection, author=author, body=body, parent=parent)
    if author.pk == reflection.author_id:
        # The author has read what they wrote: only others' comments are new to them.
        comment.worker_seen_at = timezone.now()
    comment.full_clean()
    comment.save()
    if author.pk == reflection.author_id:
        recipients = list(comment_audience(reflection=reflection))
        path = reverse("supervision:reflection", kwargs={"pk": reflection.pk})
    else:
        recipients = [reflection.author]
        path = reflection.get_absolute_url()
    for recipient in recipients:
        transaction.on_commit(
            partial(notifications.notify_comment, author=author, recipient=recipient, path=path)
        )
    return comment


def comments_mark_seen(*, reflection: Reflection, by: User) -> int:
    """Mark the comments on `reflection` as seen by its author, when `by` is that author.

    Called where the thread is shown to the author (their feedback panel). Anyone else's
    viewing (a supervisor reading the shared reflection) changes nothing, so a comment stays
    new to the worker until the worker has seen it. Returns how many were newly marked; one
    UPDATE, which touches no row once everything is seen.
    """
    if reflection.author_id != by.pk:
        return 0
    return Comment.objects.filter(reflection=reflection, worker_seen_at__isnull=True).update(
        worker_seen_at=timezone.now()
    )


def share_mark_opened(*, share: Share, by: User) -> bool:
    """Record the first time the share's supervisor opens the shared reflection.

    Only that supervisor's opening counts; later openings keep the first time. Returns
    whether this call was the first opening. The share is then no longer "newly shared" on
    the supervisor's dashboard.
    """
    if share.supervisor_id != by.pk or share.opened_at is not None:
        return False
    now = timezone.now()
    marked = Share.objects.filter(pk=share.pk, opened_at__isnull=True).update(opened_at=now)
    if marked:
        share.opened_at = now
    return bool(marked)


def reflection_view_record(
    *, reflection: Reflection, viewer: User, request: HttpRequest | None = None
) -> None:
    """Audit that `viewer`, not the author, has read `reflection`.

    Every read of shared material by a supervisor is recorded, with the author as subject so
    the author sees it on their "who has looked at my material" page.
    """
    audit_record(
        action=AuditEvent.Action.REFLECTION_VIEWED,
        actor=viewer,
        request=request,
        organisation=reflection.organisation,
        subject=reflection.author,
        target=reflection,
    )


@dataclass(frozen=True)
class Shown:
    """One worker's reflections whose content a page showed to someone else."""

    worker: User
    organisation: Organisation
    reflection_ids: Sequence[int]


def reflections_shown_record(
    *, viewer: User, shown: Sequence[Shown], page: str, request: HttpRequest | None = None
) -> None:
    """Audit that `viewer` saw content of these reflections on `page` (dashboard, brief, ...).

    One event per worker per page view, naming the reflections shown, with the worker as
    subject so they see it on their "who has looked at my material" page. Workers with nothing
    shown, and the viewer's own reflections, write nothing. One INSERT whatever the number of
    workers, so the page's query count stays fixed.
    """
    audit_record_many(
        action=AuditEvent.Action.REFLECTION_VIEWED,
        actor=viewer,
        request=request,
        entries=[
            AuditEntry(
                organisation=item.organisation,
                subject=item.worker,
                detail={"page": page, "reflections": sorted(item.reflection_ids)},
            )
            for item in shown
            if item.reflection_ids and item.worker.pk != viewer.pk
        ],
    )
