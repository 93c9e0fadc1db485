"""Reads for sharing, feedback and the supervisor's dashboard.

Each selector fetches what its page shows in a fixed number of queries, whatever the number of
supervisees, shares or comments: rows are fetched for everyone at once, counts are grouped and
long lists cut in the database, so the supervisor's pages cost the same however much each worker
has written or shared.
Callers must have obtained the people and reflections through `supervision.sharing.access` first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber, TruncMonth
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from accounts.access import live_links
from accounts.models import SupervisionLink, User
from framework.diagrams import Series, render_diagram, render_month_chart
from framework.selectors import current_version
from reflections.models import ContextRating, Reflection
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
from reflections.reading import SharedAction, open_actions_as_shared_by_author, read_shared
from reflections.selectors import FrameworkEntities, framework_entities
from supervision.models import Comment, RecordAction, Share, SupervisionRecord
from supervision.sharing.access import live_shares, may_comment, open_shares_through

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


def end_of_supervision_day(last_supervision: date | None) -> datetime | None:
    """The moment after which a share counts as made since the last supervision.

    The one definition of "since the last supervision", used by the dashboard, the supervisee
    page and the brief: shared after the end of the day of the pair's latest supervision
    record (in the site's time zone), or at any time when there is no record yet.
    """
    if last_supervision is None:
        return None
    return timezone.make_aware(datetime.combine(last_supervision, time.max))


def shared_since_last_supervision(shared_at: datetime, last_supervision: date | None) -> bool:
    """Whether a share made at `shared_at` is new since the supervision of that day."""
    after = end_of_supervision_day(last_supervision)
    return after is None or shared_at > after


def last_supervision_day(*, worker: User, supervisor_ids: Sequence[int]) -> date | None:
    """The day of the latest supervision record of `worker` with any of the supervisors."""
    last: date | None = SupervisionRecord.objects.filter(
        worker=worker, supervisor__in=supervisor_ids
    ).aggregate(last=Max("held_on"))["last"]
    return last


# How many shares and actions of each kind a supervisee's card lists; the counts above the
# lists cover all of them. Lists are cut in the database so a page's cost does not grow with
# what a worker has shared over the years.
DASHBOARD_SHOWN = 10
SUPERVISEE_SHOWN = 50


@dataclass
class SuperviseeSummary:
    """One supervisee on the dashboard or their own page.

    Counts cover every live share to this supervisor; the lists hold the newest of them (and
    the first open actions), up to the page's limit.
    """

    link: SupervisionLink
    last_supervision: date | None = None
    shared_count: int = 0
    new_count: int = 0
    undiscussed_count: int = 0
    new_shares: list[Share] = field(default_factory=list)
    earlier_shares: list[Share] = field(default_factory=list)
    open_actions: list[SharedAction] = field(default_factory=list)
    open_reflection_action_count: int = 0
    open_record_actions: list[RecordAction] = field(default_factory=list)
    open_record_action_count: int = 0
    glance: PracticeGlance | None = None

    @property
    def worker(self) -> User:
        return self.link.worker

    @property
    def open_shares(self) -> list[Share]:
        """The shares listed: those since the last supervision, then earlier ones."""
        return [*self.new_shares, *self.earlier_shares]

    @property
    def earlier_count(self) -> int:
        return self.shared_count - self.new_count

    @property
    def more_new(self) -> int:
        return max(self.new_count - len(self.new_shares), 0)

    @property
    def more_earlier(self) -> int:
        return max(self.earlier_count - len(self.earlier_shares), 0)

    @property
    def open_action_count(self) -> int:
        return self.open_reflection_action_count + self.open_record_action_count

    @property
    def more_actions(self) -> int:
        return self.open_action_count - len(self.open_actions) - len(self.open_record_actions)

    @property
    def reflection_ids_shown(self) -> list[int]:
        """The reflections whose titles or actions the page lists: what its audit names."""
        return sorted(
            {share.reflection_id for share in self.open_shares}
            | {action.reflection_id for action in self.open_actions}
        )


def _supervised(supervisor: User, links: Sequence[SupervisionLink]) -> QuerySet[Share]:
    """Live shares to `supervisor` through the given live links (of that supervisor).

    Through the share index that leads with the link, so only these pairs' rows are read.
    """
    return open_shares_through([link for link in links if link.supervisor_id == supervisor.pk])


def _since_filter(summaries: dict[int, SuperviseeSummary]) -> Q:
    """Shares made since each worker's last supervision (`shared_since_last_supervision`)."""
    since = Q(pk__in=[])
    for worker_id, summary in summaries.items():
        after = end_of_supervision_day(summary.last_supervision)
        mine = Q(reflection__author=worker_id)
        since |= mine if after is None else mine & Q(shared_at__gt=after)
    return since


def _listed_shares(shares: QuerySet[Share], limit: int) -> QuerySet[Share]:
    """The newest `limit` of `shares` of each worker, with what a title needs of each reflection."""
    author = F("reflection__author")
    return (
        shares.annotate(
            rank=Window(
                RowNumber(), partition_by=[author], order_by=[F("shared_at").desc(), F("pk").desc()]
            )
        )
        .filter(rank__lte=limit)
        .select_related("reflection")
        .only(
            "pk",
            "reflection_id",
            "supervisor_id",
            "link_id",
            "shared_at",
            "discussed_at",
            "withdrawn_at",
            "reflection__id",
            "reflection__author_id",
            "reflection__status",
            "reflection__session_date",
            "reflection__person_label",
            "reflection__amendment_base",
        )
        .order_by("-shared_at", "-pk")
    )


def _summaries(
    *, supervisor: User, links: list[SupervisionLink], shown: int, earlier: bool
) -> list[SuperviseeSummary]:
    """The summaries of `links`' workers, each list cut at `shown`. Thirteen queries (fourteen
    with `earlier`), whatever the number of supervisees, shares and actions."""
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
    shares = _supervised(supervisor, links)
    since = _since_filter(summaries)
    for row in (
        shares.values(author=F("reflection__author"))
        .annotate(
            total=Count("pk"),
            new=Count("pk", filter=since),
            undiscussed=Count("pk", filter=since & Q(discussed_at__isnull=True)),
        )
        .order_by()
    ):
        summary = summaries[row["author"]]
        summary.shared_count = row["total"]
        summary.new_count = row["new"]
        summary.undiscussed_count = row["undiscussed"]
    for share in _listed_shares(shares.filter(since), shown):
        summaries[share.reflection.author_id].new_shares.append(share)
    if earlier:
        for share in _listed_shares(shares.exclude(since), shown):
            summaries[share.reflection.author_id].earlier_shares.append(share)
    actions, action_counts = open_actions_as_shared_by_author(
        reflections=Reflection.objects.filter(pk__in=shares.values("reflection")), limit=shown
    )
    for worker_id, listed in actions.items():
        summaries[worker_id].open_actions = listed
        summaries[worker_id].open_reflection_action_count = action_counts[worker_id]
    for record_action in open_record_actions(
        supervisor=supervisor, worker_ids=workers, limit=shown
    ):
        summary = summaries[record_action.record.worker_id]
        summary.open_record_actions.append(record_action)
        summary.open_record_action_count = record_action.of_worker  # type: ignore[attr-defined]
    glances = practice_glances(
        supervisor=supervisor,
        links=links,
        reflections={worker_id: summary.shared_count for worker_id, summary in summaries.items()},
    )
    for worker_id, glance in glances.items():
        summaries[worker_id].glance = glance
    return list(summaries.values())


def supervisor_dashboard(*, supervisor: User) -> list[SuperviseeSummary]:
    """Every current supervisee of `supervisor`, with shares, last supervision and open actions.

    Thirteen queries whatever the number of supervisees, shares and actions: links, last
    supervision dates, share counts, the newest shares since the last supervision, open
    reflection actions as shared (two), open actions of the pairs' records, and the six of
    `practice_glances`. Every count is grouped in the database and every list cut at
    DASHBOARD_SHOWN there, so the page costs the same however long each worker's history.
    Actions of a record replaced by a newer version are left out, so they are not counted
    twice.
    """
    links = list(
        live_links()
        .filter(supervisor=supervisor)
        .select_related("worker", "organisation")
        .order_by("worker__display_name", "worker__username", "pk")
    )
    return _summaries(supervisor=supervisor, links=links, shown=DASHBOARD_SHOWN, earlier=False)


def open_record_actions(
    *, supervisor: User, worker_ids: list[int], limit: int
) -> QuerySet[RecordAction]:
    """The first `limit` undone actions of the current records between `supervisor` and each
    worker, due soonest first, each carrying its worker's count as `of_worker`."""
    worker = F("record__worker")
    order = [F("due_on").asc(nulls_last=True), F("pk").asc()]
    return (
        RecordAction.objects.filter(
            done_at__isnull=True,
            record__supervisor=supervisor,
            record__worker__in=worker_ids,
            record__next_version__isnull=True,
        )
        .annotate(
            rank=Window(RowNumber(), partition_by=[worker], order_by=order),
            of_worker=Window(Count("pk"), partition_by=[worker]),
        )
        .filter(rank__lte=limit)
        .select_related("record", "owner")
        .order_by(*order)
    )


def supervisee_summary(*, link: SupervisionLink) -> SuperviseeSummary:
    """The summary of one supervisee (the link's worker), with shares before the last
    supervision too. Fourteen queries whatever the number of shares (`_summaries`)."""
    [summary] = _summaries(
        supervisor=link.supervisor, links=[link], shown=SUPERVISEE_SHOWN, earlier=True
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
    *, supervisor: User, links: Sequence[SupervisionLink], reflections: dict[int, int]
) -> dict[int, PracticeGlance]:
    """For each link's worker, their practice at a glance from what they shared with `supervisor`.

    Only reflections shared with `supervisor` through a live share count, so a supervisor
    never sees a picture of anything the worker did not share with them; `reflections` gives
    how many each worker shared (workers with none get no glance). Seven queries whatever the
    number of workers and shares: the current framework version, its contexts, mechanisms
    and domains, chains and presence grouped by author in the database (through the shares'
    link index and the chains' and ratings' reflection indexes), and the reflections under
    amendment, which count as last submitted from their stored content. The month chart
    covers the last six months to today; the map covers every shared reflection.
    """
    workers = [link.worker for link in links if reflections.get(link.worker_id)]
    if not workers:
        return {}
    entities = framework_entities(version=current_version())
    shared = _supervised(supervisor, links).values("reflection")
    # A reflection under amendment counts as last submitted: its rows hold unfinished changes,
    # so it is left out of the grouped queries and counted from its stored content instead.
    counted_live = Reflection.objects.filter(pk__in=shared, amendment_base__isnull=True)
    chain_rows: dict[int, list[ChainCount]] = defaultdict(list)
    # Grouped from the shares, so the planner starts at the links' shares and reaches the
    # chains through their reflection index (joining chains to reflections first, it read
    # both tables whole at scale).
    for row in (
        _supervised(supervisor, links)
        .filter(reflection__amendment_base__isnull=True, reflection__chains__isnull=False)
        .values(
            author=F("link__worker"),
            c=F("reflection__chains__context__key"),
            m=F("reflection__chains__mechanism__key"),
            d=F("reflection__chains__outcome_domain__key"),
        )
        .annotate(n=Count("reflection__chains"))
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
            reflection__in=counted_live.filter(session_date__gte=months[0]).values("pk"),
            presence__isnull=False,
        )
        .annotate(month=TruncMonth("reflection__session_date"))
        .values("month", author=F("reflection__author"), c=F("context__key"))
        .annotate(total=Sum("presence"), n=Count("pk"))
        .order_by()
    ):
        presence_rows[row["author"]].append(
            PresenceRow(month=row["month"], context=row["c"], total=row["total"], count=row["n"])
        )
    amending = list(
        Reflection.objects.filter(pk__in=shared, amendment_base__isnull=False).only(
            "pk", "author_id", "status", "amendment_base"
        )
    )
    authors = {reflection.pk: reflection.author_id for reflection in amending}
    for pk, content in read_shared(reflections=amending).items():
        author = authors[pk]
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
    return {
        worker.pk: _glance(
            name=worker.get_display_name(),
            reflections=reflections[worker.pk],
            entities=entities,
            chain_counts=chain_rows.get(worker.pk, []),
            months=months,
            presence=presence_rows.get(worker.pk, []),
        )
        for worker in workers
    }


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
