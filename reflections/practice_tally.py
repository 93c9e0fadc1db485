"""The per-worker, per-month tallies behind My practice, kept in step with the reflections.

My practice adds up `PracticeTally` rows (a few per month) instead of rescanning a worker's
whole history, so its cost does not grow with the number of reflections. The tallies are
derived data: `refresh` recomputes one worker's rows for some months from that worker's own
reflections, through indexes that lead with the author, and every write that changes what a
submitted reflection counts must call it in the same transaction:

- reflections.services: submitting, saving a reopened (amending) reflection, discarding an
  amendment (its date may move back);
- datarights: an import and retention's deletions (an erasure deletes the person, and their
  tallies with them);
- demo: the seed and `generate_reflections`, which write rows directly.

`rebuild` recomputes everyone (the migration and `manage.py rebuild_practice_tallies`).

A reopened reflection stays submitted, and My practice has always counted its rows as they
stand; the tallies do the same, so they hold the author's open amendment. They are read only
on the author's own practice page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import TruncMonth

from accounts.models import User
from reflections.models import Chain, ContextRating, OutcomeObservation, PracticeTally, Reflection
from reflections.practice import CO_OCCURRENCE_PRESENCE, add_months, month_start

Kind = PracticeTally.Kind
DateRange = tuple[date, date]  # first and last day, inclusive


def month_range(month: date) -> DateRange:
    """The first and last day of `month`'s month."""
    first = month_start(month)
    return first, add_months(first, 1) - timedelta(days=1)


def where(
    prefix: str,
    *,
    author_id: int | None = None,
    organisation_ids: Sequence[int] | QuerySet[Any, Any] | None = None,
    ranges: Sequence[DateRange] | None = None,
) -> Q:
    """Submitted reflections (seen through `prefix`) of one author, organisations and dates."""
    condition = Q(**{f"{prefix}status": Reflection.Status.SUBMITTED})
    if author_id is not None:
        condition &= Q(**{f"{prefix}author_id": author_id})
    if organisation_ids is not None:
        condition &= Q(**{f"{prefix}organisation_id__in": organisation_ids})
    if ranges is not None:
        condition &= reduce(
            or_,
            (Q(**{f"{prefix}session_date__range": (first, last)}) for first, last in ranges),
            Q(pk__in=[]),
        )
    return condition


def aggregate(
    *,
    author_id: int | None = None,
    organisation_ids: Sequence[int] | QuerySet[Any, Any] | None = None,
    ranges: Sequence[DateRange] | None = None,
) -> list[PracticeTally]:
    """The tallies of the submitted reflections chosen, computed from their rows: five queries.

    Unsaved rows, grouped by author, organisation and month. Each part is a plain grouped count
    over the reflections joined from the author's index, never a subquery over reflections
    (the planner misjudges those into scans of every chain).
    """
    own = where("", author_id=author_id, organisation_ids=organisation_ids, ranges=ranges)
    through = where(
        "reflection__", author_id=author_id, organisation_ids=organisation_ids, ranges=ranges
    )
    group: dict[str, Any] = {
        "a": F("reflection__author_id"),
        "o": F("reflection__organisation_id"),
        "month": TruncMonth("reflection__session_date"),
    }
    tallies: list[PracticeTally] = []

    def add(row: dict[str, Any], kind: str, **fields: object) -> None:
        tallies.append(
            PracticeTally(
                author_id=row["a"],
                organisation_id=row["o"],
                month=row["month"],
                kind=kind,
                count=row["n"],
                **fields,
            )
        )

    for row in (
        Reflection.objects.filter(own)
        .values(
            a=F("author_id"),
            o=F("organisation_id"),
            month=TruncMonth("session_date"),
            v=F("framework_version_id"),
        )
        .annotate(n=Count("pk"), lo=Min("session_date"), hi=Max("session_date"))
        .order_by()
    ):
        add(
            row,
            Kind.REFLECTIONS,
            framework_version_id=row["v"],
            first_day=row["lo"],
            last_day=row["hi"],
        )
    for row in (
        Chain.objects.filter(through)
        .values(**group, c=F("context__key"), m=F("mechanism__key"), d=F("outcome_domain__key"))
        .annotate(n=Count("pk"))
        .order_by()
    ):
        add(row, Kind.CHAIN, first=row["c"], second=row["m"], third=row["d"])
    for row in (
        ContextRating.objects.filter(through, presence__isnull=False)
        .values(**group, c=F("context__key"))
        .annotate(total=Sum("presence"), n=Count("pk"))
        .order_by()
    ):
        add(row, Kind.PRESENCE, first=row["c"], total=row["total"])
    # A self-join through the reflection: both ratings belong to the same reflection, and
    # the key order keeps each unordered pair once (the diagonal is the context alone).
    for row in (
        ContextRating.objects.filter(
            through,
            presence__gte=CO_OCCURRENCE_PRESENCE,
            reflection__context_ratings__presence__gte=CO_OCCURRENCE_PRESENCE,
            context__key__lte=F("reflection__context_ratings__context__key"),
        )
        .values(**group, x=F("context__key"), y=F("reflection__context_ratings__context__key"))
        .annotate(n=Count("reflection", distinct=True))
        .order_by()
    ):
        add(row, Kind.PAIR, first=row["x"], second=row["y"])
    for row in _reach(through, group):
        add(row, row["kind"], first=row["key"])
    return tallies


def _reach(through: Q, group: dict[str, Any]) -> QuerySet[ContextRating, dict[str, Any]]:
    """In how many reflections each context, mechanism and domain was recorded: one query.

    A context counts when rated at least "a little present" or used in a chain; a domain
    when a chain ends in it or an observation names it; a mechanism when a chain passes
    through it. Each union is counted as two disjoint parts (rated, then chained but not
    rated) so every part is a plain grouped count; the five parts travel as one UNION ALL.
    """
    rated_present = ContextRating.objects.filter(
        reflection=OuterRef("reflection"), context__key=OuterRef("context__key"), presence__gte=1
    )
    chained_domain = Chain.objects.filter(
        reflection=OuterRef("reflection"), outcome_domain__key=OuterRef("domain__key")
    )
    parts = [
        ContextRating.objects.filter(through, presence__gte=1).values(
            **group, kind=Value(Kind.CONTEXT_REACH.value), key=F("context__key")
        ),
        Chain.objects.filter(through)
        .exclude(Exists(rated_present))
        .values(**group, kind=Value(Kind.CONTEXT_REACH.value), key=F("context__key")),
        Chain.objects.filter(through).values(
            **group, kind=Value(Kind.MECHANISM_REACH.value), key=F("mechanism__key")
        ),
        Chain.objects.filter(through).values(
            **group, kind=Value(Kind.DOMAIN_REACH.value), key=F("outcome_domain__key")
        ),
        OutcomeObservation.objects.filter(through)
        .exclude(Exists(chained_domain))
        .values(**group, kind=Value(Kind.DOMAIN_REACH.value), key=F("domain__key")),
    ]
    counted = [part.annotate(n=Count("reflection", distinct=True)).order_by() for part in parts]
    union: QuerySet[ContextRating, dict[str, Any]] = counted[0].union(*counted[1:], all=True)
    return union


def _merged(tallies: Iterable[PracticeTally]) -> list[PracticeTally]:
    """`tallies` with the rows of the same author, organisation, month, kind and keys added up.

    The two parts of a reach count arrive as separate rows; stored, they are one.
    """
    merged: dict[tuple[object, ...], PracticeTally] = {}
    for tally in tallies:
        key = (
            tally.author_id,
            tally.organisation_id,
            tally.month,
            tally.kind,
            tally.framework_version_id,
            tally.first,
            tally.second,
            tally.third,
        )
        found = merged.get(key)
        if found is None:
            merged[key] = tally
        else:
            found.count += tally.count
            found.total += tally.total
            found.first_day = _earliest(found.first_day, tally.first_day)
            found.last_day = _latest(found.last_day, tally.last_day)
    return list(merged.values())


def _earliest(first: date | None, second: date | None) -> date | None:
    return min(day for day in (first, second) if day is not None) if first or second else None


def _latest(first: date | None, second: date | None) -> date | None:
    return max(day for day in (first, second) if day is not None) if first or second else None


@transaction.atomic
def refresh(*, author: User | int, months: Iterable[date]) -> None:
    """Recompute `author`'s tallies for the months of `months`, in every organisation.

    Takes a lock on the author's row first, so two writes by the same person (two tabs) do
    not interleave their delete and insert; other people's writes are not held up.
    """
    author_id = author if isinstance(author, int) else author.pk
    starts = sorted({month_start(day) for day in months})
    if not starts:
        return
    list(User.objects.select_for_update().filter(pk=author_id).values_list("pk"))
    PracticeTally.objects.filter(author_id=author_id, month__in=starts).delete()
    PracticeTally.objects.bulk_create(
        _merged(aggregate(author_id=author_id, ranges=[month_range(start) for start in starts])),
        batch_size=1000,
    )


def refresh_reflections(reflections: Iterable[Reflection]) -> None:
    """Refresh the tallies of every author and month that `reflections` fall in."""
    months: dict[int, set[date]] = defaultdict(set)
    for reflection in reflections:
        months[reflection.author_id].add(reflection.session_date)
    for author_id, days in sorted(months.items()):
        refresh(author=author_id, months=days)


def affected_months(reflections: QuerySet[Reflection]) -> dict[int, set[date]]:
    """Each author's months among `reflections`: read before a bulk delete, refreshed after."""
    found: dict[int, set[date]] = defaultdict(set)
    for author_id, day in reflections.values_list("author_id", "session_date").order_by():
        found[author_id].add(month_start(day))
    return dict(found)


def refresh_months(months: dict[int, set[date]]) -> None:
    for author_id, days in sorted(months.items()):
        refresh(author=author_id, months=days)


@transaction.atomic
def rebuild(*, author_ids: Iterable[int] | None = None) -> int:
    """Recompute the tallies of `author_ids` (everyone by default), one author at a time.

    Returns the number of tally rows written.
    """
    if author_ids is None:
        PracticeTally.objects.all().delete()
        author_ids = (
            Reflection.objects.filter(status=Reflection.Status.SUBMITTED)
            .values_list("author_id", flat=True)
            .distinct()
            .order_by("author_id")
        )
    written = 0
    for author_id in list(author_ids):
        PracticeTally.objects.filter(author_id=author_id).delete()
        written += len(
            PracticeTally.objects.bulk_create(
                _merged(aggregate(author_id=author_id)), batch_size=1000
            )
        )
    return written
