"""Reads of a worker's own reflections: My reflections and My practice.

Every read here is scoped to one author (the signed-in person) and runs a fixed number of
queries whatever the number of reflections: filters are `Exists` subqueries, counts are
grouped in the database, and list rows come with their badges prefetched.

Contexts, mechanisms and outcome domains are matched by key, not by row, so reflections
written against an older framework version are found and counted under the current
version's entity of the same key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import TruncMonth
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from accounts.models import Membership, User
from framework.caching import cached_for_version
from framework.models import Context, FrameworkVersion, Link, Mechanism, OutcomeDomain, Tension
from framework.selectors import included_study_count, links_with_evidence
from reflections import practice_tally
from reflections.models import (
    SEARCH_CONFIG,
    SEARCH_FIELDS,
    Chain,
    ContextRating,
    OutcomeObservation,
    PracticeTally,
    Reflection,
)
from reflections.practice import (
    CO_OCCURRENCE_PRESENCE,
    ChainCount,
    Entity,
    EvidenceRoute,
    PairCount,
    PresenceRow,
    month_start,
)

# The SQLite fallback matches each word separately; more words than this add nothing useful.
MAX_SEARCH_WORDS = 8
SNIPPET_LENGTH = 200
# A search or a filter lists at most this many matches, the newest; with more, the page says
# "more than".
SEARCH_LIMIT = 200


# --------------------------------------------------------------------------------------------
# Framework choices for the filters and the practice page
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FrameworkEntities:
    """The current version's contexts, mechanisms and domains, as plain entities."""

    contexts: list[Entity]
    mechanisms: list[Entity]
    domains: list[Entity]

    @classmethod
    def empty(cls) -> FrameworkEntities:
        return cls(contexts=[], mechanisms=[], domains=[])


def framework_entities(*, version: FrameworkVersion | None) -> FrameworkEntities:
    """Contexts, mechanisms (by short name) and outcome domains of `version`, in order.

    Three queries; none before a framework is loaded.
    """
    if version is None:
        return FrameworkEntities.empty()
    return FrameworkEntities(
        contexts=[_context_entity(context) for context in version.contexts.all()],
        mechanisms=[
            Entity(key=m.key, name=m.short_name, href=m.get_absolute_url(), summary=m.statement)
            for m in version.mechanisms.all()
        ],
        domains=[
            Entity(key=d.key, name=d.name, href=d.get_absolute_url(), summary=d.summary)
            for d in version.outcome_domains.all()
        ],
    )


def _context_entity(context: Context) -> Entity:
    return Entity(
        key=context.key, name=context.name, href=context.get_absolute_url(), summary=context.summary
    )


def own(*, user: User) -> QuerySet[Reflection]:
    """`user`'s own reflections in the organisations where their membership is still active.

    The same rule as reflections.access: a deactivated worker's old session shows nothing,
    and a worker who left one organisation keeps seeing only the other's reflections. The
    membership is joined, not queried, so this adds no query.
    """
    return Reflection.objects.filter(
        author=user,
        author__is_active=True,
        organisation__memberships__user=user,
        organisation__memberships__is_active=True,
    )


def open_drafts(*, user: User, limit: int = 5) -> list[Reflection]:
    """The worker's drafts, most recently saved first, for "continue your draft". One query.

    Reopened (amending) reflections are not drafts: their page says so already.
    """
    return list(
        Reflection.objects.filter(author=user, status=Reflection.Status.DRAFT)
        .only("pk", "organisation_id", "session_date", "updated_at", "status")
        .order_by("-updated_at")[:limit]
    )


# Each step finds the worker's first person label after the one before: the next entry of
# the (author, person label) index, in an organisation where their membership is active.
_PERSON_LABELS = """
WITH RECURSIVE labels(label) AS (
    SELECT (
        SELECT r.person_label FROM reflections_reflection r
        WHERE r.author_id = %(user)s AND r.person_label > ''
        AND EXISTS (
            SELECT 1 FROM accounts_membership m
            WHERE m.user_id = %(user)s AND m.organisation_id = r.organisation_id
            AND m.is_active
        )
        ORDER BY r.person_label LIMIT 1
    )
    UNION ALL
    SELECT (
        SELECT r.person_label FROM reflections_reflection r
        WHERE r.author_id = %(user)s AND r.person_label > labels.label
        AND EXISTS (
            SELECT 1 FROM accounts_membership m
            WHERE m.user_id = %(user)s AND m.organisation_id = r.organisation_id
            AND m.is_active
        )
        ORDER BY r.person_label LIMIT 1
    )
    FROM labels WHERE labels.label IS NOT NULL
)
SELECT label FROM labels WHERE label IS NOT NULL ORDER BY label
"""


def person_labels(*, user: User) -> list[str]:
    """The distinct person labels `user` has used, alphabetically. One query.

    Only from reflections in organisations where the membership is still active (see `own`).
    Read as a skip through the (author, person label) index, one step per distinct label,
    rather than a DISTINCT over every reflection: a worker with 20,000 reflections and a
    dozen labels pays for a dozen index lookups, as one with ten reflections does.
    """
    if not user.is_active:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_PERSON_LABELS, {"user": user.pk})
        return [label for (label,) in cursor.fetchall()]


# --------------------------------------------------------------------------------------------
# My reflections
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListFilters:
    """What My reflections is narrowed by; empty values mean "any"."""

    date_from: date | None = None
    date_to: date | None = None
    context: str = ""
    mechanism: str = ""
    domain: str = ""
    person: str = ""
    supervision: bool = False
    status: str = ""
    query: str = ""


def context_recorded(key: str) -> Q:
    """Reflections where the context with `key` was rated present at all, or used in a chain."""
    return _recorded(
        Q(context_ratings__context__key=key, context_ratings__presence__gte=1)
        | Q(chains__context__key=key)
    )


def mechanism_recorded(key: str) -> Q:
    """Reflections with a chain through the mechanism with `key`."""
    return _recorded(Q(chains__mechanism__key=key))


def domain_recorded(key: str) -> Q:
    """Reflections with a chain ending in, or an observation in, the domain with `key`."""
    return _recorded(Q(chains__outcome_domain__key=key) | Q(outcome_observations__domain__key=key))


def _recorded(condition: Q) -> Q:
    """Reflections meeting `condition` on their rows, as one EXISTS over the reflection.

    One EXISTS rather than two joined by OR: PostgreSQL makes a lone EXISTS a semi-join
    that looks up each candidate reflection's rows through their foreign-key indexes, so a
    filter costs what the worker's own reflections cost. `EXISTS … OR EXISTS …` is planned
    as a hash of every matching row in the database instead (124,601 reflections read for a
    worker with 10, in the scale measurements of issue 13).
    """
    return Q(Exists(Reflection.objects.filter(condition, pk=OuterRef("pk"))))


def own_reflections(*, user: User, filters: ListFilters) -> QuerySet[Reflection]:
    """`user`'s own reflections (drafts and submitted) narrowed by `filters`, newest first.

    Never anyone else's, whatever the filters say, and only while the membership is active
    (see `own`). Always newest session first: a search's ranking by relevance is applied to
    its newest matches by `reflection_list_page`, which also adds the badges to the page.
    """
    queryset = own(user=user)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.date_from:
        queryset = queryset.filter(session_date__gte=filters.date_from)
    if filters.date_to:
        queryset = queryset.filter(session_date__lte=filters.date_to)
    if filters.person:
        queryset = queryset.filter(person_label=filters.person)
    if filters.supervision:
        queryset = queryset.filter(bring_to_supervision=True)
    if filters.context:
        queryset = queryset.filter(context_recorded(filters.context))
    if filters.mechanism:
        queryset = queryset.filter(mechanism_recorded(filters.mechanism))
    if filters.domain:
        queryset = queryset.filter(domain_recorded(filters.domain))
    if filters.query:
        queryset = _search(queryset, filters.query)
    return queryset.order_by("-session_date", "-id")


def search_is_ranked() -> bool:
    """Whether a search orders by relevance (PostgreSQL) rather than by date (SQLite)."""
    return connection.vendor == "postgresql"


def _search(queryset: QuerySet[Reflection], query: str) -> QuerySet[Reflection]:
    """Narrow to reflections whose text or evidence lines match `query`.

    PostgreSQL: full-text search with the English configuration (stemming, so "walks"
    finds "walking") and web-search syntax ("quoted phrases", -excluded words) against the
    stored, indexed `search_vector`. SQLite: every word must appear, case-insensitively,
    somewhere in the reflection's texts or its evidence lines (`evidence_text`).
    """
    if search_is_ranked():
        return queryset.filter(search_vector=_search_query(query))
    for word in query.split()[:MAX_SEARCH_WORDS]:
        matches = Q()
        for name in (*SEARCH_FIELDS, "evidence_text"):
            matches |= Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(matches)
    return queryset


def _search_query(query: str) -> SearchQuery:
    return SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")


def _newest_ids(reflections: QuerySet[Reflection], query: str) -> tuple[list[int], bool]:
    """The ids of the newest SEARCH_LIMIT `reflections`, the most relevant first when
    searching on PostgreSQL (otherwise newest first), and whether there were more; one query.

    The newest matches are found first (an index scan of the worker's reflections newest
    first that stops at the limit, checking each against the search and the filters, or the
    search index when the words are rare), and only they are ranked: a search or a filter
    then costs the same with 20,000 reflections as with 10, even when it matches them all.
    """
    newest = reflections.values("pk")[: SEARCH_LIMIT + 1]
    if query and search_is_ranked():
        rows = list(
            Reflection.objects.filter(pk__in=newest)
            .annotate(rank=SearchRank(F("search_vector"), _search_query(query)))
            .order_by("-rank", "-session_date", "-id")
            .values_list("pk", "session_date")
        )
    else:
        rows = list(reflections.values_list("pk", "session_date")[: SEARCH_LIMIT + 1])
    capped = len(rows) > SEARCH_LIMIT
    if capped:
        # The one past the limit is the oldest found; it only told that there are more.
        rows.remove(min(rows, key=lambda row: (row[1], row[0])))
    return [pk for pk, _date in rows], capped


@dataclass(frozen=True)
class ReflectionRow:
    """One line of My reflections: the reflection, its context badges and a snippet."""

    reflection: Reflection
    present_ratings: list[ContextRating]
    snippet: SafeString


@dataclass(frozen=True)
class ListPage:
    """One page of My reflections: its rows, and whether a search found more than it lists.

    `capped` is true when a search or a filter matched more than SEARCH_LIMIT reflections:
    only the newest SEARCH_LIMIT of them are listed (a search's most relevant first), and the
    page says so.
    """

    page: Page[Any]
    rows: list[ReflectionRow]
    capped: bool = False


def reflection_list_page(
    *, user: User, filters: ListFilters, number: str | int | None, per_page: int
) -> ListPage:
    """The page `number` of `user`'s reflections under `filters`, with badges and snippets.

    Three queries. Without a search or a context, mechanism or domain filter (conditions on
    the reflection's own row, read through its indexes): the count, the page, its badges.
    With one (a match or a lookup per reflection): the ids of the newest SEARCH_LIMIT
    matches in the order shown (`_newest_ids`: the match and any ranking run once, and the
    count is that list's length, capped), the page's rows by id, their badges. An
    impossible page number shows the first or last page, as Paginator.get_page does.
    """
    reflections = own_reflections(user=user, filters=filters)
    if not (filters.query or filters.context or filters.mechanism or filters.domain):
        plain = Paginator(reflections, per_page).get_page(number)
        rows = reflection_rows(_with_badges(list(plain.object_list)), query="")
        return ListPage(page=plain, rows=rows)
    ids, capped = _newest_ids(reflections, filters.query)
    searched = Paginator(ids, per_page).get_page(number)
    wanted = list(searched.object_list)
    found = {r.pk: r for r in _with_badges(list(Reflection.objects.filter(pk__in=wanted)))}
    rows = reflection_rows([found[pk] for pk in wanted if pk in found], query=filters.query)
    return ListPage(page=searched, rows=rows, capped=capped)


def _with_badges(reflections: list[Reflection]) -> list[Reflection]:
    """The reflections with their contexts rated present as `present_ratings`; one query."""
    prefetch_related_objects(
        reflections,
        Prefetch(
            "context_ratings",
            queryset=ContextRating.objects.filter(presence__gte=1)
            .select_related("context")
            .order_by("context__order"),
            to_attr="present_ratings",
        ),
    )
    return reflections


def reflection_rows(reflections: Sequence[Reflection], *, query: str = "") -> list[ReflectionRow]:
    """Rows for a page of `own_reflections`; no queries beyond the page and its prefetch."""
    return [
        ReflectionRow(
            reflection=reflection,
            present_ratings=list(getattr(reflection, "present_ratings", [])),
            snippet=text_snippet([getattr(reflection, name) for name in SEARCH_FIELDS], query),
        )
        for reflection in reflections
    ]


def text_snippet(texts: Sequence[str], query: str, *, length: int = SNIPPET_LENGTH) -> SafeString:
    """A short excerpt of the first text that mentions a search word, with the words marked.

    Without a query (or when only a related text matched), the start of the first non-empty
    text. The text is escaped; only the `<mark>` elements are markup.
    """
    words = [re.escape(word) for word in query.split()[:MAX_SEARCH_WORDS] if word]
    pattern = re.compile("|".join(words), re.IGNORECASE) if words else None
    chosen, start = "", 0
    if pattern is not None:
        for text in texts:
            found = pattern.search(text)
            if found:
                chosen, start = text, max(found.start() - length // 3, 0)
                break
    if not chosen:
        chosen = next((text for text in texts if text.strip()), "")
    excerpt = " ".join(chosen[start : start + length].split())
    if not excerpt:
        return mark_safe("")
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + length < len(chosen) else ""
    if pattern is None:
        return format_html("{}{}{}", prefix, excerpt, suffix)
    parts: list[SafeString] = []
    position = 0
    for found in pattern.finditer(excerpt):
        parts.append(format_html("{}<mark>{}</mark>", excerpt[position : found.start()], found[0]))
        position = found.end()
    parts.append(format_html("{}", excerpt[position:]))
    return format_html("{}{}{}", prefix, mark_safe("".join(parts)), suffix)  # noqa: S308


# --------------------------------------------------------------------------------------------
# My practice
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceParts:
    """What the evidence map and the blind-spot hints need from the current version."""

    version: FrameworkVersion
    contexts: list[Context]
    mechanisms: list[Mechanism]
    domains: list[OutcomeDomain]
    tensions: list[Tension]
    links: list[Link]  # with their evidence prefetched (framework.selectors)
    study_count: int

    @property
    def routes(self) -> list[EvidenceRoute]:
        """Every cited link by key, through its main and any additional mechanisms."""
        routes: list[EvidenceRoute] = []
        for link in self.links:
            for mechanism in [link.mechanism, *link.additional_mechanisms.all()]:
                routes.append(
                    EvidenceRoute(
                        context=link.context.key,
                        mechanism=mechanism.key,
                        domain=link.outcome.domain.key,
                    )
                )
        return routes


def evidence_parts(*, version: FrameworkVersion) -> EvidenceParts:
    """The current version's parts for the evidence map and the prompts, from the shared cache.

    They depend on the version alone (framework.caching); computing them takes nine queries.
    """
    return cached_for_version(
        version, "reflections.evidence_parts", lambda: _evidence_parts(version)
    )


def _evidence_parts(version: FrameworkVersion) -> EvidenceParts:
    """The current version's parts for the evidence map and the prompts, in nine queries.

    Contexts, mechanisms and domains (3), tensions with their contexts (2), links with
    their context, mechanism, outcome and domain, citations and additional mechanisms (3),
    and the number of included studies (1).
    """
    return EvidenceParts(
        version=version,
        contexts=list(version.contexts.all()),
        mechanisms=list(version.mechanisms.all()),
        domains=list(version.outcome_domains.all()),
        tensions=list(
            version.tensions.prefetch_related(
                Prefetch("contexts", queryset=Context.objects.only("id", "key"))
            )
        ),
        links=list(links_with_evidence(version.links.all())),
        study_count=included_study_count(version=version),
    )


def entities_of(parts: EvidenceParts) -> FrameworkEntities:
    """The parts as plain entities, without another query."""
    return FrameworkEntities(
        contexts=[_context_entity(context) for context in parts.contexts],
        mechanisms=[
            Entity(key=m.key, name=m.short_name, href=m.get_absolute_url(), summary=m.statement)
            for m in parts.mechanisms
        ],
        domains=[
            Entity(key=d.key, name=d.name, href=d.get_absolute_url(), summary=d.summary)
            for d in parts.domains
        ],
    )


@dataclass(frozen=True)
class MonthCount:
    month: date
    reflections: int
    older_version: int


@dataclass(frozen=True)
class PracticeRows:
    """Aggregated rows about a worker's submitted reflections in one period."""

    months: list[MonthCount]
    chain_counts: list[ChainCount]
    presence: list[PresenceRow]
    pairs: list[PairCount]
    context_reach: dict[str, int]
    mechanism_reach: dict[str, int]
    domain_reach: dict[str, int]

    @property
    def total(self) -> int:
        return sum(month.reflections for month in self.months)

    @property
    def older_version(self) -> int:
        return sum(month.older_version for month in self.months)

    @property
    def first_month(self) -> date | None:
        return self.months[0].month if self.months else None


def submitted_in_period(*, user: User, start: date | None, end: date) -> QuerySet[Reflection]:
    """`user`'s submitted reflections with a session from `start` (or ever) to `end`.

    Only in organisations where the membership is still active (see `own`).
    """
    queryset = own(user=user).filter(status=Reflection.Status.SUBMITTED, session_date__lte=end)
    if start is not None:
        queryset = queryset.filter(session_date__gte=start)
    return queryset


def practice_rows(
    *,
    user: User,
    start: date | None,
    end: date,
    version: FrameworkVersion,
    entities: FrameworkEntities,
) -> PracticeRows:
    """Everything My practice counts, from the worker's monthly tallies: one query, usually.

    The same rules and numbers as counting the reflections themselves
    (`practice_rows_direct`): only `user`'s submitted reflections with a session in the
    period, only in organisations where the membership is still active, and "older version"
    relative to `version`. One query reads the tallies of the months the period touches,
    added up in the database. A month the period cuts (it starts or ends inside it) is used
    whole when its reflections' session dates all fall inside the period, as they do for a
    period ending today; otherwise that part is counted from the reflections themselves
    (5 more queries for each such end, bounded by one month of one worker's rows).
    """
    if start is not None and start > end:
        return _rows_from([], version=version, entities=entities)
    active = Membership.objects.filter(user=user, is_active=True, user__is_active=True).values(
        "organisation_id"
    )
    cut = _cut_months(start, end)
    tallies: list[PracticeTally | StoredTally] = []
    spans: dict[date, list[tuple[date | None, date | None]]] = {}
    for tally in _stored_tallies(user=user, organisations=active, start=start, end=end, cut=cut):
        if tally.month in cut and tally.kind == PracticeTally.Kind.REFLECTIONS:
            spans.setdefault(tally.month, []).append((tally.first_day, tally.last_day))
        tallies.append(tally)
    recount = [
        month
        for month, (first, last) in cut.items()
        if any(
            lo is None or hi is None or lo < first or hi > last for lo, hi in spans.get(month, [])
        )
    ]
    if recount:
        tallies = [tally for tally in tallies if tally.month not in recount]
    for month in recount:
        # One range per query: an OR of two ranges loses the author-and-date index range scan.
        tallies += practice_tally.aggregate(
            author_id=user.pk, organisation_ids=active, ranges=[cut[month]]
        )
    return _rows_from(tallies, version=version, entities=entities)


@dataclass(frozen=True, slots=True)
class StoredTally:
    """Stored tallies added up: the month (None: added over months), kind, keys and sums."""

    month: date | None
    kind: str
    framework_version_id: int | None
    first: str
    second: str
    third: str
    count: int
    total: int
    first_day: date | None
    last_day: date | None


def _cut_months(start: date | None, end: date) -> dict[date, tuple[date, date]]:
    """The months the period starts or ends inside, each with the part of it in the period."""
    cut: dict[date, tuple[date, date]] = {}
    for day in ([start] if start is not None else []) + [end]:
        first, last = practice_tally.month_range(day)
        inside = (max(first, start) if start is not None else first, min(last, end))
        if inside != (first, last) and inside[0] <= inside[1]:
            cut[first] = inside
    return cut


def _stored_tallies(
    *,
    user: User,
    organisations: QuerySet[Membership, Any],
    start: date | None,
    end: date,
    cut: dict[date, tuple[date, date]],
) -> list[StoredTally]:
    """The stored tallies of the months `start` to `end` touch, added up in the database: one
    query on the author's index.

    Rows stay apart by month for the kinds shown month by month and for the cut months (which
    may have to be counted again); the rest are added up over the months.
    """
    stored = PracticeTally.objects.filter(
        author=user, organisation_id__in=organisations, month__lte=month_start(end)
    )
    if start is not None:
        stored = stored.filter(month__gte=month_start(start))
    by_month = Q(kind__in=[PracticeTally.Kind.REFLECTIONS, PracticeTally.Kind.PRESENCE])
    if cut:
        by_month |= Q(month__in=list(cut))
    # Plain tuples, not model instances: a long history brings a few hundred rows.
    return [
        StoredTally(*row)
        for row in stored.values(
            "kind",
            "framework_version_id",
            "first",
            "second",
            "third",
            bucket=Case(When(by_month, then=F("month")), default=Value(None)),
        )
        .annotate(n=Sum("count"), sum=Sum("total"), lo=Min("first_day"), hi=Max("last_day"))
        .values_list(
            "bucket",
            "kind",
            "framework_version_id",
            "first",
            "second",
            "third",
            "n",
            "sum",
            "lo",
            "hi",
        )
        .order_by()
    ]


def _rows_from(
    tallies: Iterable[PracticeTally | StoredTally],
    *,
    version: FrameworkVersion,
    entities: FrameworkEntities,
) -> PracticeRows:
    """Tallies (in any grouping) added up into what the practice page counts."""
    Kind = PracticeTally.Kind
    months: dict[date, list[int]] = {}
    chains: dict[tuple[str, str, str], int] = {}
    presence: dict[tuple[date, str], list[int]] = {}
    pairs: dict[tuple[str, str], int] = {}
    reach: dict[str, dict[str, int]] = {
        Kind.CONTEXT_REACH: {},
        Kind.MECHANISM_REACH: {},
        Kind.DOMAIN_REACH: {},
    }
    for tally in tallies:
        # Reflections and presence always come by month (see _stored_tallies).
        if tally.kind == Kind.REFLECTIONS and tally.month is not None:
            month = months.setdefault(month_start(tally.month), [0, 0])
            month[0] += tally.count
            if tally.framework_version_id != version.pk:
                month[1] += tally.count
        elif tally.kind == Kind.CHAIN:
            key = (tally.first, tally.second, tally.third)
            chains[key] = chains.get(key, 0) + tally.count
        elif tally.kind == Kind.PRESENCE and tally.month is not None:
            cell = presence.setdefault((month_start(tally.month), tally.first), [0, 0])
            cell[0] += tally.total
            cell[1] += tally.count
        elif tally.kind == Kind.PAIR:
            pair = (tally.first, tally.second)
            pairs[pair] = pairs.get(pair, 0) + tally.count
        elif tally.kind in reach:
            found = reach[tally.kind]
            found[tally.first] = found.get(tally.first, 0) + tally.count
    return PracticeRows(
        months=[
            MonthCount(month=month, reflections=counts[0], older_version=counts[1])
            for month, counts in sorted(months.items())
        ],
        chain_counts=[
            ChainCount(context=c, mechanism=m, domain=d, count=n)
            for (c, m, d), n in sorted(chains.items())
        ],
        presence=[
            PresenceRow(month=month, context=context, total=cell[0], count=cell[1])
            for (month, context), cell in sorted(presence.items())
        ],
        pairs=[PairCount(first=a, second=b, count=n) for (a, b), n in sorted(pairs.items())],
        context_reach={
            entity.key: reach[Kind.CONTEXT_REACH].get(entity.key, 0) for entity in entities.contexts
        },
        mechanism_reach={
            entity.key: reach[Kind.MECHANISM_REACH].get(entity.key, 0)
            for entity in entities.mechanisms
        },
        domain_reach={
            entity.key: reach[Kind.DOMAIN_REACH].get(entity.key, 0) for entity in entities.domains
        },
    )


def practice_rows_direct(
    *,
    user: User,
    start: date | None,
    end: date,
    version: FrameworkVersion,
    entities: FrameworkEntities,
) -> PracticeRows:
    """Everything My practice counts, straight from the reflections' rows: five queries.

    The reference the tallies are tested against (`practice_rows` reads those); its cost
    grows with the worker's history, so no page calls it.

    Only `user`'s submitted reflections with a session in the period count; drafts are
    still being written. Queries: reflections per month (and how many were written
    against an older framework version), chains per context → mechanism → domain, presence
    per month and context, pairs of contexts rated present together, and how many
    reflections recorded each context, mechanism and domain (one UNION ALL query).
    """
    base = submitted_in_period(user=user, start=start, end=end)
    in_period = Q(reflection__in=base.values("pk"))

    months = [
        MonthCount(month=row["month"], reflections=row["n"], older_version=row["older"])
        for row in base.annotate(month=TruncMonth("session_date"))
        .values("month")
        .annotate(n=Count("pk"), older=Count("pk", filter=~Q(framework_version=version)))
        .order_by("month")
    ]
    chain_counts = [
        ChainCount(context=row["c"], mechanism=row["m"], domain=row["d"], count=row["n"])
        for row in Chain.objects.filter(in_period)
        .values(c=F("context__key"), m=F("mechanism__key"), d=F("outcome_domain__key"))
        .annotate(n=Count("pk"))
        .order_by()
    ]
    presence = [
        PresenceRow(month=row["month"], context=row["c"], total=row["total"], count=row["n"])
        for row in ContextRating.objects.filter(in_period, presence__isnull=False)
        .annotate(month=TruncMonth("reflection__session_date"))
        .values("month", c=F("context__key"))
        .annotate(total=Sum("presence"), n=Count("pk"))
        .order_by()
    ]
    # A self-join through the reflection: both ratings belong to the same reflection, and
    # the key order keeps each unordered pair once (the diagonal is the context alone).
    pairs = [
        PairCount(first=row["a"], second=row["b"], count=row["n"])
        for row in ContextRating.objects.filter(
            in_period,
            presence__gte=CO_OCCURRENCE_PRESENCE,
            reflection__context_ratings__presence__gte=CO_OCCURRENCE_PRESENCE,
            context__key__lte=F("reflection__context_ratings__context__key"),
        )
        .values(a=F("context__key"), b=F("reflection__context_ratings__context__key"))
        .annotate(n=Count("reflection", distinct=True))
        .order_by()
    ]
    context_reach, mechanism_reach, domain_reach = _reach(base, entities)
    return PracticeRows(
        months=months,
        chain_counts=chain_counts,
        presence=presence,
        pairs=pairs,
        context_reach=context_reach,
        mechanism_reach=mechanism_reach,
        domain_reach=domain_reach,
    )


def _reach(
    base: QuerySet[Reflection], entities: FrameworkEntities
) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """In how many reflections each context, mechanism and domain was recorded: one query.

    A context counts when rated at least "a little present" or used in a chain; a domain
    when a chain ends in it or an observation names it; a mechanism when a chain passes
    through it. Each union is counted as two disjoint parts (rated, then chained but not
    rated) so every part is a plain grouped count; the five parts travel as one UNION ALL.
    """
    in_period = Q(reflection__in=base.values("pk"))
    rated_present = ContextRating.objects.filter(
        reflection=OuterRef("reflection"), context__key=OuterRef("context__key"), presence__gte=1
    )
    chained_domain = Chain.objects.filter(
        reflection=OuterRef("reflection"), outcome_domain__key=OuterRef("domain__key")
    )
    parts = [
        ContextRating.objects.filter(in_period, presence__gte=1).values(
            kind=Value("context"), key=F("context__key")
        ),
        Chain.objects.filter(in_period)
        .exclude(Exists(rated_present))
        .values(kind=Value("context"), key=F("context__key")),
        Chain.objects.filter(in_period).values(kind=Value("mechanism"), key=F("mechanism__key")),
        Chain.objects.filter(in_period).values(kind=Value("domain"), key=F("outcome_domain__key")),
        OutcomeObservation.objects.filter(in_period)
        .exclude(Exists(chained_domain))
        .values(kind=Value("domain"), key=F("domain__key")),
    ]
    counted = [part.annotate(n=Count("reflection", distinct=True)).order_by() for part in parts]
    reach: dict[str, dict[str, int]] = {"context": {}, "mechanism": {}, "domain": {}}
    for row in counted[0].union(*counted[1:], all=True):
        totals = reach[row["kind"]]
        totals[row["key"]] = totals.get(row["key"], 0) + row["n"]
    return (
        {entity.key: reach["context"].get(entity.key, 0) for entity in entities.contexts},
        {entity.key: reach["mechanism"].get(entity.key, 0) for entity in entities.mechanisms},
        {entity.key: reach["domain"].get(entity.key, 0) for entity in entities.domains},
    )
