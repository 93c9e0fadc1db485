"""Reads of supervision records, shared by the record pages and the record PDF.

Each read fetches its rows with a fixed number of queries (select_related and
prefetch_related built in), so a page's query count does not grow with its rows.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from accounts.models import Membership, SupervisionLink, User
from framework.models import Context
from reflections.models import Reflection
from supervision.access import live_links, live_shares
from supervision.models import RecordAction, SupervisionCheck, SupervisionRecord


def discussable_reflections(*, worker: User, supervisor: User) -> QuerySet[Reflection]:
    """The worker's reflections a record may name as discussed: those shared with `supervisor`.

    Only submitted reflections with a live share to that supervisor count (the rules of
    supervision.access.live_shares): a withdrawn share or an ended link takes the reflection
    off the list at once.
    """
    shared = live_shares().filter(reflection=OuterRef("pk"), supervisor=supervisor)
    return (
        Reflection.objects.filter(author=worker)
        .filter(Exists(shared))
        .order_by("-session_date", "-pk")
    )


def check_contexts(*, record: SupervisionRecord | None = None) -> list[Context]:
    """The contexts a record's APPEAR check asks about, in framework order.

    A new record asks about the current framework version's five contexts. An existing record
    keeps the contexts its checks were written against (its checks must be prefetched), so a
    newer framework never reshapes an old record. At most one query.
    """
    if record is not None and record.pk is not None:
        contexts = [check.context for check in record.checks.all()]
        if contexts:
            return contexts
    return list(Context.objects.filter(version__is_current=True).order_by("order"))


def records_with_detail(queryset: QuerySet[SupervisionRecord]) -> QuerySet[SupervisionRecord]:
    """Records with everything a record page or PDF shows, in four queries whatever their number.

    The records with their people and neighbouring versions (1), checks with their contexts
    (1), actions with their owners (1) and the discussed reflections (1).
    """
    return queryset.select_related(
        "organisation", "worker", "supervisor", "link", "previous", "next_version"
    ).prefetch_related(
        Prefetch("checks", queryset=SupervisionCheck.objects.select_related("context")),
        Prefetch("actions", queryset=RecordAction.objects.select_related("owner")),
        Prefetch("reflections", queryset=Reflection.objects.order_by("-session_date", "-pk")),
    )


def pair_records(*, worker: User, supervisor: User) -> list[SupervisionRecord]:
    """One worker's records with one supervisor, newest meeting first, in two queries.

    Records from earlier links of the same pair are included: a pair's history does not
    restart when a link is ended and a new one made. Each record carries `open_actions`.
    """
    return list(
        SupervisionRecord.objects.filter(worker=worker, supervisor=supervisor)
        .select_related("next_version")
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=RecordAction.objects.filter(done_at__isnull=True).select_related("owner"),
                to_attr="open_actions",
            )
        )
        .order_by("-held_on", "-version", "-pk")
    )


def my_live_links(*, user: User) -> list[SupervisionLink]:
    """The live links where `user` supervises or is supervised, with both people, in one query."""
    return list(
        live_links()
        .filter(Q(supervisor=user) | Q(worker=user))
        .select_related("organisation", "supervisor", "worker")
        .order_by("organisation__name", "worker__username", "supervisor__username")
    )


def my_records(*, user: User) -> list[SupervisionRecord]:
    """Every record `user` may open, newest meeting first, in one query.

    Their own records as a worker in organisations where they are still an active member,
    and records they wrote as a supervisor while their link with that worker is live.
    """
    member_of = Membership.objects.filter(
        user=user, organisation=OuterRef("organisation"), is_active=True
    )
    live_pair = live_links().filter(
        supervisor=OuterRef("supervisor"),
        worker=OuterRef("worker"),
        organisation=OuterRef("organisation"),
    )
    return list(
        SupervisionRecord.objects.filter(
            (Q(worker=user) & Exists(member_of)) | (Q(supervisor=user) & Exists(live_pair))
        )
        .select_related("organisation", "worker", "supervisor", "next_version")
        .order_by("-held_on", "-version", "-pk")
    )


def record_action(*, record_id: int, pk: int) -> RecordAction | None:
    """Action `pk` if it belongs to record `record_id` (already reached through access)."""
    return RecordAction.objects.filter(record_id=record_id, pk=pk).first()
