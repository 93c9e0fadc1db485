"""Reads for sharing, feedback and the supervisor's dashboard.

Each selector fetches what its page shows in a fixed number of queries, whatever the number of
supervisees, shares or comments: rows are fetched for everyone at once and grouped in Python.
Callers must have obtained the people and reflections through `supervision.access` first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from accounts.models import SupervisionLink, User
from framework.diagrams import Series, render_diagram, render_month_chart
from framework.selectors import current_version
from reflections.models import Chain, ContextRating, Reflection
from reflections.practice import (
    PRESENCE_MAX,
    ChainCount,
    PresenceRow,
    add_months,
    month_label,
    month_start,
    month_starts,
    monthly_presence,
    practice_diagram,
    practice_map,
)
from reflections.reading import SharedAction, open_actions_as_shared, read_shared
from reflections.selectors import FrameworkEntities, framework_entities
from supervision.access import live_links, live_shares, may_comment
from supervision.models import Comment, RecordAction, Share, SupervisionRecord

SHARE_PAGE_SIZE = 25


# --------------------------------------------------------------------------------------------
# The worker's side
# --------------------------------------------------------------------------------------------


def current_supervisor_links(*, worker: User) -> list[SupervisionLink]:
    """The worker's live supervision links, with each supervisor, oldest first."""
    return list(
        live_links()
        .filter(worker=worker)
        .select_related("supervisor", "organisation")
        .order_by("starts_on", "pk")
    )


def current_supervisors(*, worker: User) -> QuerySet[User]:
    """The people who supervise `worker` through a live link now."""
    return User.objects.filter(
        pk__in=live_links().filter(worker=worker).values("supervisor")
    ).order_by("display_name", "username")


def shareable_reflections(*, worker: User) -> QuerySet[Reflection]:
    """The worker's submitted reflections in organisations where their membership is active."""
    return Reflection.objects.filter(
        author=worker,
        status=Reflection.Status.SUBMITTED,
        organisation__memberships__user=worker,
        organisation__memberships__is_active=True,
    )


def _open_shares_prefetch() -> Prefetch[str]:
    """Each reflection's open shares, with whether the link behind each still gives access."""
    return Prefetch(
        "shares",
        queryset=Share.objects.filter(withdrawn_at__isnull=True)
        .select_related("supervisor")
        .annotate(is_live=Exists(live_shares().filter(pk=OuterRef("pk"))))
        .order_by("shared_at", "pk"),
        to_attr="open_shares",
    )


@dataclass(frozen=True)
class SharePage:
    """The "Bring to supervision" page: a page of reflections and the worker's supervisors."""

    page: Page[Reflection]
    supervisors: list[User]
    flagged_unshared: int


def share_page(*, worker: User, page_number: str | int | None) -> SharePage:
    """One page of the worker's submitted reflections, newest first, with their open shares.

    Five queries whatever the page size: the supervisors, the flagged count, the page
    count, the page, and all its open shares. A page number out of range gives the last page.
    """
    reflections = (
        shareable_reflections(worker=worker)
        .prefetch_related(_open_shares_prefetch())
        .order_by("-session_date", "-pk")
    )
    page = Paginator(reflections, SHARE_PAGE_SIZE).get_page(page_number)
    supervisors = list(current_supervisors(worker=worker))
    flagged_unshared = (
        shareable_reflections(worker=worker)
        .filter(bring_to_supervision=True)
        .exclude(
            Exists(live_shares().filter(reflection=OuterRef("pk"), supervisor__in=supervisors))
        )
        .count()
        if supervisors
        else 0
    )
    return SharePage(page=page, supervisors=supervisors, flagged_unshared=flagged_unshared)


@dataclass(frozen=True)
class ShareState:
    """What the share control on one reflection's page shows."""

    reflection: Reflection
    open_shares: Sequence[Share]
    # Current supervisors in the reflection's organisation it is not yet shared with.
    can_share_with: list[User]
    has_supervisor: bool

    @property
    def is_shareable(self) -> bool:
        return self.reflection.status == Reflection.Status.SUBMITTED


def share_state(*, reflection: Reflection) -> ShareState:
    """The share control's data for the author of `reflection`.

    Two queries; none for a draft, which can be neither shared nor have been (a submitted
    reflection never becomes a draft again, even while it is amended).
    """
    if reflection.status != Reflection.Status.SUBMITTED:
        return ShareState(
            reflection=reflection, open_shares=[], can_share_with=[], has_supervisor=False
        )
    open_shares = list(
        reflection.shares.filter(withdrawn_at__isnull=True)
        .select_related("supervisor")
        .annotate(is_live=Exists(live_shares().filter(pk=OuterRef("pk"))))
        .order_by("shared_at", "pk")
    )
    supervisors = [
        link.supervisor
        for link in live_links()
        .filter(worker_id=reflection.author_id, organisation_id=reflection.organisation_id)
        .select_related("supervisor")
        .order_by("starts_on", "pk")
    ]
    shared_with = {share.supervisor_id for share in open_shares}
    return ShareState(
        reflection=reflection,
        open_shares=open_shares,
        can_share_with=[person for person in supervisors if person.pk not in shared_with],
        has_supervisor=bool(supervisors),
    )


# --------------------------------------------------------------------------------------------
# Feedback
# --------------------------------------------------------------------------------------------


def comment_thread(*, reflection: Reflection) -> list[Comment]:
    """Top-level comments of `reflection`, oldest first, each with `.replies` prefetched.

    Two queries whatever the number of comments; authors come with each row.
    """
    return list(
        Comment.objects.filter(reflection=reflection, parent__isnull=True)
        .select_related("author")
        .prefetch_related(
            Prefetch(
                "replies",
                queryset=Comment.objects.select_related("author").order_by("created_at", "pk"),
            )
        )
        .order_by("created_at", "pk")
    )


# --------------------------------------------------------------------------------------------
# The supervisor's side
# --------------------------------------------------------------------------------------------


@dataclass
class SuperviseeSummary:
    """One supervisee on the dashboard."""

    link: SupervisionLink
    last_supervision: date | None = None
    open_shares: list[Share] = field(default_factory=list)
    open_actions: list[SharedAction] = field(default_factory=list)
    open_record_actions: list[RecordAction] = field(default_factory=list)
    glance: PracticeGlance | None = None

    @property
    def worker(self) -> User:
        return self.link.worker

    @property
    def new_shares(self) -> list[Share]:
        """Shares made after the day of the last supervision (all of them if there was none)."""
        if self.last_supervision is None:
            return self.open_shares
        after = timezone.make_aware(datetime.combine(self.last_supervision, time.max))
        return [share for share in self.open_shares if share.shared_at > after]

    @property
    def open_action_count(self) -> int:
        return len(self.open_actions) + len(self.open_record_actions)

    @property
    def undiscussed_count(self) -> int:
        return sum(1 for share in self.open_shares if share.discussed_at is None)


def supervisor_dashboard(*, supervisor: User) -> list[SuperviseeSummary]:
    """Every current supervisee of `supervisor`, with shares, last supervision and open actions.

    Eleven queries whatever the number of supervisees and shares: links, last supervision
    dates, live shares, open reflection actions on those shares, open actions of the pairs'
    records, and the six of `practice_glances`.
    Actions of a record replaced by a newer version are left out, so they are not counted
    twice.
    """
    links = list(
        live_links()
        .filter(supervisor=supervisor)
        .select_related("worker", "organisation")
        .order_by("worker__display_name", "worker__username", "pk")
    )
    summaries = {link.worker_id: SuperviseeSummary(link=link) for link in links}
    if not summaries:
        return []
    workers = list(summaries)
    last_dates = (
        SupervisionRecord.objects.filter(supervisor=supervisor, worker__in=workers)
        .values("worker")
        .annotate(last=Max("held_on"))
        .values_list("worker", "last")
    )
    for worker_id, last in last_dates:
        summaries[worker_id].last_supervision = last
    for share in supervised_shares(supervisor=supervisor, worker_ids=workers):
        summaries[share.reflection.author_id].open_shares.append(share)
    actions = open_actions_as_shared(
        reflections=Reflection.objects.filter(
            pk__in=live_shares()
            .filter(supervisor=supervisor, reflection__author__in=workers)
            .values("reflection")
        )
    )
    for action in actions:
        summaries[action.author_id].open_actions.append(action)
    for record_action in open_record_actions(supervisor=supervisor, worker_ids=workers):
        summaries[record_action.record.worker_id].open_record_actions.append(record_action)
    glances = practice_glances(
        workers=[summary.worker for summary in summaries.values()],
        shares=[share for summary in summaries.values() for share in summary.open_shares],
    )
    for worker_id, glance in glances.items():
        summaries[worker_id].glance = glance
    return list(summaries.values())


def supervised_shares(*, supervisor: User, worker_ids: list[int]) -> QuerySet[Share]:
    """Live shares to `supervisor` from the given workers, newest first, with their reflections.

    One query; each share carries its reflection (and the reflection's author id).
    """
    return (
        live_shares()
        .filter(supervisor=supervisor, reflection__author__in=worker_ids)
        .select_related("reflection")
        .order_by("-shared_at", "-pk")
    )


def open_record_actions(*, supervisor: User, worker_ids: list[int]) -> QuerySet[RecordAction]:
    """Undone actions of the current versions of the records between `supervisor` and workers."""
    return (
        RecordAction.objects.filter(
            done_at__isnull=True,
            record__supervisor=supervisor,
            record__worker__in=worker_ids,
            record__next_version__isnull=True,
        )
        .select_related("record", "owner")
        .order_by("due_on", "pk")
    )


def supervisee_summary(*, link: SupervisionLink) -> SuperviseeSummary:
    """The dashboard summary of one supervisee (the link's worker). Ten queries."""
    summary = SuperviseeSummary(link=link)
    summary.last_supervision = SupervisionRecord.objects.filter(
        supervisor_id=link.supervisor_id, worker_id=link.worker_id
    ).aggregate(last=Max("held_on"))["last"]
    summary.open_shares = list(
        supervised_shares(supervisor=link.supervisor, worker_ids=[link.worker_id])
    )
    summary.open_actions = open_actions_as_shared(
        reflections=Reflection.objects.filter(
            pk__in=[share.reflection_id for share in summary.open_shares]
        )
    )
    summary.open_record_actions = list(
        open_record_actions(supervisor=link.supervisor, worker_ids=[link.worker_id])
    )
    summary.glance = practice_glances(workers=[link.worker], shares=summary.open_shares).get(
        link.worker_id
    )
    return summary


@dataclass(frozen=True)
class FeedbackThread:
    """A reflection's comment thread as one viewer sees it."""

    reflection: Reflection
    comments: list[Comment]
    can_comment: bool
    viewer_is_author: bool

    @property
    def count(self) -> int:
        return sum(1 + len(comment.replies.all()) for comment in self.comments)

    def slot_for(self, parent_id: int | None) -> int | None:
        """The top-level comment a reply to `parent_id` sits under; None for a new comment.

        A reply to a reply sits under its top-level comment; an id not in this thread (a
        stale page, a tampered form) falls back to the new-comment form, which shows why.
        """
        for comment in self.comments:
            if parent_id == comment.pk or any(r.pk == parent_id for r in comment.replies.all()):
                return comment.pk
        return None


def feedback_thread(*, reflection: Reflection, user: User) -> FeedbackThread:
    """The thread of `reflection` for `user` (its author, or a supervisor it is shared with).

    Three queries whatever the number of comments (two when there are none); none for a
    draft, which cannot have been shared and so has no thread. The caller must have obtained
    the reflection through an access function for `user`.
    """
    if reflection.status != Reflection.Status.SUBMITTED:
        return FeedbackThread(
            reflection=reflection,
            comments=[],
            can_comment=False,
            viewer_is_author=reflection.author_id == user.pk,
        )
    return FeedbackThread(
        reflection=reflection,
        comments=comment_thread(reflection=reflection),
        can_comment=may_comment(user=user, reflection=reflection),
        viewer_is_author=reflection.author_id == user.pk,
    )


# --------------------------------------------------------------------------------------------
# Practice at a glance, from shared reflections only
# --------------------------------------------------------------------------------------------

GLANCE_MONTHS = 6


@dataclass(frozen=True)
class PracticeGlance:
    """One supervisee's practice map and monthly context chart, from what they shared."""

    reflections: int
    chains: int
    map_svg: SafeString
    chart_svg: SafeString


def practice_glances(
    *, workers: Sequence[User], shares: Sequence[Share]
) -> dict[int, PracticeGlance]:
    """For each worker, their practice at a glance drawn from the shared reflections given.

    Only the reflections of `shares` count, so a supervisor never sees a picture of anything
    the worker did not share with them. Six queries whatever the number of workers and
    shares (the current framework version, its contexts, mechanisms and domains, then chains
    and presence grouped by author in the database); none when nothing is shared. The month
    chart covers the last six months to today; the map covers every shared reflection.
    """
    by_worker: dict[int, set[int]] = defaultdict(set)
    for share in shares:
        by_worker[share.reflection.author_id].add(share.reflection_id)
    reflection_ids = {share.reflection_id for share in shares}
    if not reflection_ids:
        return {}
    entities = framework_entities(version=current_version())
    # A reflection under amendment counts as last submitted: its rows hold unfinished changes,
    # so it is left out of the grouped queries and counted from its stored content instead.
    amending = {
        share.reflection_id: share.reflection
        for share in shares
        if share.reflection.amendment_base is not None
    }
    counted_live = reflection_ids - set(amending)
    chain_rows: dict[int, list[ChainCount]] = defaultdict(list)
    for row in (
        Chain.objects.filter(reflection__in=counted_live)
        .values(
            author=F("reflection__author"),
            c=F("context__key"),
            m=F("mechanism__key"),
            d=F("outcome_domain__key"),
        )
        .annotate(n=Count("pk"))
        .order_by()
    ):
        chain_rows[row["author"]].append(
            ChainCount(context=row["c"], mechanism=row["m"], domain=row["d"], count=row["n"])
        )
    today = timezone.localdate()
    months = month_starts(add_months(month_start(today), 1 - GLANCE_MONTHS), today)
    presence_rows: dict[int, list[PresenceRow]] = defaultdict(list)
    for row in (
        ContextRating.objects.filter(
            reflection__in=counted_live,
            presence__isnull=False,
            reflection__session_date__gte=months[0],
        )
        .annotate(month=TruncMonth("reflection__session_date"))
        .values("month", author=F("reflection__author"), c=F("context__key"))
        .annotate(total=Sum("presence"), n=Count("pk"))
        .order_by()
    ):
        presence_rows[row["author"]].append(
            PresenceRow(month=row["month"], context=row["c"], total=row["total"], count=row["n"])
        )
    as_submitted = read_shared(reflections=list(amending.values())) if amending else {}
    for pk, content in as_submitted.items():
        author = amending[pk].author_id
        chain_rows[author].extend(
            ChainCount(
                context=chain["context_key"],
                mechanism=chain["mechanism_key"],
                domain=chain["outcome_domain_key"],
                count=1,
            )
            for chain in content["chains"]
        )
        session = content["session_date"]
        if session is None or session < months[0]:
            continue
        presence_rows[author].extend(
            PresenceRow(
                month=month_start(session),
                context=rating["context_key"],
                total=rating["presence"],
                count=1,
            )
            for rating in content["context_ratings"]
            if rating["presence"] is not None
        )
    glances: dict[int, PracticeGlance] = {}
    for worker in workers:
        if not by_worker.get(worker.pk):
            continue
        glances[worker.pk] = _glance(
            name=worker.get_display_name(),
            reflections=len(by_worker[worker.pk]),
            entities=entities,
            chain_counts=chain_rows.get(worker.pk, []),
            months=months,
            presence=presence_rows.get(worker.pk, []),
        )
    return glances


def _glance(
    *,
    name: str,
    reflections: int,
    entities: FrameworkEntities,
    chain_counts: list[ChainCount],
    months: list[date],
    presence: list[PresenceRow],
) -> PracticeGlance:
    practice = practice_map(
        chain_counts=chain_counts,
        contexts=entities.contexts,
        mechanisms=entities.mechanisms,
        domains=entities.domains,
    )
    diagram = replace(
        practice_diagram(
            practice=practice,
            contexts=entities.contexts,
            mechanisms=entities.mechanisms,
            domains=entities.domains,
        ),
        title=_("%(name)s’s practice map, from the reflections shared with you") % {"name": name},
        description=_(
            "The five contexts on the left, the six mechanisms in the middle and the six "
            "outcome domains on the right, joined where %(name)s recorded a chain in a "
            "reflection shared with you. Thicker lines and borders mean more often."
        )
        % {"name": name},
    )
    averages = monthly_presence(
        months=months,
        context_keys=[entity.key for entity in entities.contexts],
        rows=presence,
    )
    chart = render_month_chart(
        title=_("How present each context was for %(name)s, month by month") % {"name": name},
        description=_(
            "Average presence from 0 (not present) to 3 (strongly present) in the reflections "
            "%(name)s shared with you, by the month of the session."
        )
        % {"name": name},
        months=[month_label(month) for month in months],
        series=[
            Series(
                key=entity.key,
                label=entity.name,
                values=averages[entity.key],
                css_class=f"context--{entity.key}",
            )
            for entity in entities.contexts
        ],
        max_value=PRESENCE_MAX,
    )
    return PracticeGlance(
        reflections=reflections,
        chains=practice.chains,
        map_svg=render_diagram(diagram),
        chart_svg=chart,
    )
