"""Reads for data rights: everything that is one person's, fetched in a fixed number of queries.

A person's material is what they may open themselves: their reflections in organisations where
their membership is still active (reflections.selectors.own, the same rule as every page),
and the supervision records they may open (supervision.record_selectors.my_records).
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from accounts.models import AuditEvent, Membership, User
from datarights.models import Export, FailedTask, Import
from reflections.models import (
    Action,
    Chain,
    ContextRating,
    OutcomeObservation,
    Reflection,
    ReflectionRevision,
)
from reflections.selectors import own
from supervision.models import Comment, RecordAction, Share, SupervisionCheck, SupervisionRecord
from supervision.records.selectors import my_records


def export_reflections(*, user: User) -> QuerySet[Reflection]:
    """`user`'s own reflections with every row an export writes, in nine queries in all.

    Ratings with contexts and factors, chains with their parts, observations, actions, the
    amendment history with content, shares with supervisors, and comments with authors.
    """
    return (
        own(user=user)
        .select_related("author", "organisation", "framework_version")
        .prefetch_related(
            Prefetch(
                "context_ratings",
                queryset=ContextRating.objects.select_related("context")
                .prefetch_related("factors")
                .order_by("context__order"),
            ),
            Prefetch(
                "chains",
                queryset=Chain.objects.select_related("context", "mechanism", "outcome_domain"),
            ),
            Prefetch(
                "outcome_observations",
                queryset=OutcomeObservation.objects.select_related("domain").order_by(
                    "domain__number"
                ),
            ),
            Prefetch("actions", queryset=Action.objects.order_by("order", "id")),
            Prefetch("revisions", queryset=ReflectionRevision.objects.order_by("revision")),
            Prefetch("shares", queryset=Share.objects.select_related("supervisor")),
            Prefetch(
                "comments",
                queryset=Comment.objects.select_related("author").order_by("created_at", "id"),
            ),
        )
        .order_by("session_date", "id")
    )


def export_records(*, user: User) -> QuerySet[SupervisionRecord]:
    """The supervision records `user` may open, with checks and actions, in three queries."""
    ids = [record.pk for record in my_records(user=user)]
    return (
        SupervisionRecord.objects.filter(pk__in=ids)
        .select_related("organisation", "worker", "supervisor")
        .prefetch_related(
            Prefetch("checks", queryset=SupervisionCheck.objects.select_related("context")),
            Prefetch("actions", queryset=RecordAction.objects.select_related("owner")),
            Prefetch("reflections", queryset=Reflection.objects.only("id")),
        )
        .order_by("held_on", "version", "id")
    )


def export_memberships(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organisation").order_by("pk")


def audit_by(*, user: User) -> QuerySet[AuditEvent]:
    """What `user` did, oldest first."""
    return (
        AuditEvent.objects.filter(actor=user)
        .select_related("organisation")
        .order_by("occurred_at", "id")
    )


def audit_about(*, user: User) -> QuerySet[AuditEvent]:
    """What others did with `user`'s material or account, oldest first."""
    return (
        AuditEvent.objects.filter(subject=user)
        .filter(~Q(actor=user) | Q(actor__isnull=True))
        .select_related("actor", "organisation")
        .order_by("occurred_at", "id")
    )


def latest_export(*, user: User) -> Export | None:
    return Export.objects.filter(user=user).order_by("-requested_at", "-id").first()


def imports_of(*, user: User) -> QuerySet[Import]:
    return Import.objects.filter(user=user).select_related("organisation")


def organisation_failed_tasks(*, organisation_id: int) -> QuerySet[FailedTask]:
    return FailedTask.objects.filter(organisation_id=organisation_id).order_by("-failed_at", "-id")
