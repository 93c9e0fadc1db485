"""Retention: deleting what an organisation no longer keeps, by kind, on a daily schedule.

Each kind of material is a `Kind`: how many days its organisation keeps it (from the
organisation's RetentionPolicy, or the defaults), and which rows are past that. `plan` lists
what would go, per organisation and kind, without touching anything; `apply` deletes exactly
that list and writes one audit event per organisation with the counts.

Adding a kind (e.g. workshop answers, whose app keeps its own setting): append a `Kind` to
KINDS whose `days` reads that setting and whose `expired` returns the rows past it. The
dry run, the real run, the audit counts and the tests then cover it (docs/retention.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditEvent, Organisation
from datarights.models import RetentionPolicy
from reflections import practice_tally
from reflections.models import Reflection
from supervision.models import SupervisionRecord


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    days: Callable[[RetentionPolicy], int]
    # Rows of `organisation` (None: rows of no organisation) older than `days` at `now`.
    expired: Callable[[Organisation | None, datetime, int], QuerySet[Any]]
    # Whether rows belonging to no organisation exist for this kind (audit events only).
    has_unowned: bool = False


def _reflections(organisation: Organisation | None, now: datetime, days: int) -> QuerySet[Any]:
    return Reflection.objects.filter(
        organisation=organisation,
        status=Reflection.Status.SUBMITTED,
        submitted_at__lt=now - timedelta(days=days),
    )


def _records(organisation: Organisation | None, now: datetime, days: int) -> QuerySet[Any]:
    cutoff = timezone.localdate(now) - timedelta(days=days)
    # A version is only deleted with the version that replaced it (which protects it).
    return SupervisionRecord.objects.filter(organisation=organisation, held_on__lt=cutoff).filter(
        Q(next_version__isnull=True) | Q(next_version__held_on__lt=cutoff)
    )


def _audit(organisation: Organisation | None, now: datetime, days: int) -> QuerySet[Any]:
    days = max(days, RetentionPolicy.AUDIT_MINIMUM_DAYS)
    return AuditEvent.objects.filter(
        organisation=organisation, occurred_at__lt=now - timedelta(days=days)
    )


KINDS: list[Kind] = [
    Kind("reflections", "submitted reflections", lambda p: p.reflection_days, _reflections),
    Kind("supervision_records", "supervision records", lambda p: p.record_days, _records),
    Kind("audit_events", "audit events", lambda p: p.audit_days, _audit, has_unowned=True),
]


@dataclass(frozen=True)
class PlanItem:
    organisation: Organisation | None
    kind: Kind
    days: int
    ids: list[int]


def policy_for(organisation: Organisation | None) -> RetentionPolicy:
    """The organisation's policy, or the defaults (unsaved) when it has none."""
    if organisation is not None:
        found = RetentionPolicy.objects.filter(organisation=organisation).first()
        if found is not None:
            return found
    return RetentionPolicy(organisation=organisation)


def plan(*, now: datetime | None = None) -> list[PlanItem]:
    """What retention would delete at `now`, per organisation and kind; changes nothing."""
    moment = now or timezone.now()
    items = []
    owners: list[Organisation | None] = [*Organisation.objects.order_by("slug"), None]
    for organisation in owners:
        policy = policy_for(organisation)
        for kind in KINDS:
            if organisation is None and not kind.has_unowned:
                continue
            days = kind.days(policy)
            ids = sorted(kind.expired(organisation, moment, days).values_list("pk", flat=True))
            items.append(PlanItem(organisation=organisation, kind=kind, days=days, ids=ids))
    return items


def _delete(item: PlanItem) -> None:
    model = {
        "reflections": Reflection,
        "supervision_records": SupervisionRecord,
        "audit_events": AuditEvent,
    }.get(item.kind.key)
    if model is SupervisionRecord:
        # Newest version first: each version protects the one it replaced.
        for record in SupervisionRecord.objects.filter(pk__in=item.ids).order_by("-version", "-pk"):
            SupervisionRecord.objects.filter(pk=record.pk).delete()
        return
    if model is Reflection:
        expired = Reflection.objects.filter(pk__in=item.ids)
        months = practice_tally.affected_months(expired)
        expired.delete()
        practice_tally.refresh_months(months)
        return
    if model is not None:
        # A queryset delete: AuditEvent.delete refuses single rows; retention is the trail's
        # own documented expiry.
        model._default_manager.filter(pk__in=item.ids).delete()
        return
    item.kind.expired(item.organisation, timezone.now(), item.days).filter(pk__in=item.ids).delete()


@transaction.atomic
def apply(*, now: datetime | None = None) -> list[PlanItem]:
    """Delete exactly what `plan(now)` lists, and audit each organisation's counts."""
    moment = now or timezone.now()
    items = plan(now=moment)
    for item in items:
        if item.ids:
            _delete(item)
    by_owner: dict[int | None, dict[str, int]] = {}
    for item in items:
        owner = item.organisation.pk if item.organisation is not None else None
        by_owner.setdefault(owner, {})[item.kind.key] = len(item.ids)
    organisations = {
        o.pk: o for o in Organisation.objects.filter(pk__in=[k for k in by_owner if k])
    }
    for owner, counts in by_owner.items():
        audit_record(
            action=AuditEvent.Action.RETENTION_APPLIED,
            actor=None,
            organisation=organisations.get(owner) if owner is not None else None,
            deleted=counts,
        )
    return items
