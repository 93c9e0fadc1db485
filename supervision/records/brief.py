"""The one-page supervision brief: what a worker brings to supervision for a period.

Built only from reflections the worker has shared with the supervisor (live shares, see
supervision.sharing.access), never from anything else they wrote. Everything is read in a fixed
number of queries whatever the number of reflections (`build_brief` gives the count): the
counts are grouped in the database by My practice's rules, only the newest few reflections are
read whole, and the map is drawn with reflections.practice, so the brief draws the same
practice map as My practice, from the same functions.

To stay on one page the brief summarises at most KEY_POINT_LIMIT reflections and lists at
most ACTION_LIMIT open actions of each kind; the counts above them still cover every shared
reflection, and the brief says how many were left out. Actions due soonest come first, then
those without a date from the newest reflections.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet, Sum, Window
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from accounts.models import Organisation, User
from framework.diagrams import Diagram, render_diagram, render_diagram_print
from framework.models import FrameworkVersion
from reflections import practice, reading
from reflections.models import Chain, ContextRating, OutcomeObservation, Reflection
from reflections.reading import SharedAction
from reflections.selectors import EvidenceParts, FrameworkEntities, entities_of, evidence_parts
from supervision.models import RecordAction
from supervision.records.access import BriefAudience
from supervision.sharing.access import open_shares_through
from supervision.sharing.selectors import end_of_supervision_day, last_supervision_day

KEY_POINT_LIMIT = 4
CHAIN_LIMIT = 1
ACTION_LIMIT = 4
BLIND_SPOT_LIMIT = 2
PROMPT_LIMIT = 1
LEARNING_CHARS = 110
DEFAULT_MONTHS = 3
# The printed map's width: 96% of A4's 182 mm between the margins (static/css/pdf.css), at
# which its labels print at 7.3 pt.
PRINT_MAP_WIDTH_MM = 174.0


@dataclass(frozen=True)
class CoverageRow:
    """How often one context was present in the shared reflections of the period."""

    context: practice.Entity
    present: int  # rated at least "a little present", or used in a chain
    strongly: int  # rated "strongly present"
    average: float | None  # mean rating 0-3 over the reflections that rated it
    total: int

    @property
    def css_class(self) -> str:
        return f"context--{self.context.key}"


@dataclass(frozen=True)
class KeyPoint:
    """One shared reflection in a few lines, as last submitted."""

    reflection_id: int
    session_date: date | None
    person_label: str
    contexts: list[str]
    chains: list[SafeString]
    more_chains: int
    learning: str


@dataclass(frozen=True)
class Brief:
    worker: User
    supervisors: list[User]
    organisations: list[Organisation]
    start: date
    end: date
    version: FrameworkVersion
    total: int
    coverage: list[CoverageRow]
    diagram: Diagram
    chains: int
    blind_spots: list[practice.BlindSpot]
    more_blind_spots: int
    key_points: list[KeyPoint]
    more_reflections: int
    reflection_actions: list[SharedAction]
    more_reflection_actions: int
    record_actions: list[RecordAction]
    more_record_actions: int
    generated_on: date
    # Every reflection the brief draws on (map, coverage, key points): what its audit names.
    reflection_ids: tuple[int, ...] = ()

    @property
    def practice_map(self) -> SafeString:
        """The map for the screen: each box links to its framework page."""
        return render_diagram(self.diagram)

    @property
    def practice_map_print(self) -> SafeString:
        """The map for paper and PDF: no links, which paper cannot follow, and no count under
        each box, so the map spans the page at a size whose labels print at 7 pt or more and
        still leaves room for the rest of the page (line and border widths carry how often).
        Drawn by `render_diagram_print`, whose words are HTML over a shapes-only SVG, because
        WeasyPrint sets SVG text letter by letter."""
        return render_diagram_print(
            dataclasses.replace(
                self.diagram,
                columns=[
                    [dataclasses.replace(node, href=None, detail="") for node in column]
                    for column in self.diagram.columns
                ],
            ),
            width_mm=PRINT_MAP_WIDTH_MM,
        )

    @property
    def organisation_names(self) -> str:
        return ", ".join(organisation.name for organisation in self.organisations)

    @property
    def supervisor_names(self) -> str:
        return ", ".join(person.get_display_name() for person in self.supervisors)


def _supervisors(audience: BriefAudience) -> list[User]:
    seen: dict[int, User] = {}
    for link in audience.links:
        seen.setdefault(link.supervisor_id, link.supervisor)
    return list(seen.values())


def shared_reflections(*, audience: BriefAudience) -> QuerySet[Reflection]:
    """The worker's reflections shared with the audience's supervisor(s) through live shares.

    For a supervisor, only what was shared with them; for the worker's own brief, what they
    shared with any supervisor whose link is live. Read from the shares of the audience's
    live links (`open_shares_through`), so the worker's other reflections are never touched.
    """
    return Reflection.objects.filter(
        pk__in=open_shares_through(audience.links).values("reflection")
    )


@dataclass(frozen=True)
class SinceLastSupervision:
    """What was shared since the pair's last supervision, by the dashboard's definition.

    `last` is the day of the latest supervision record (None before the first); `shared` the
    number of reflections shared since then through live shares (all of them when there is
    no record yet); `earliest_session` the earliest session among those reflections.
    """

    last: date | None
    shared: int
    earliest_session: date | None


def since_last_supervision(*, audience: BriefAudience) -> SinceLastSupervision:
    """Reflections shared with the audience since the last supervision. Two queries.

    "Since" is supervision.sharing.selectors.end_of_supervision_day, the same rule the
    dashboard and the supervisee page count by, so the three agree.
    """
    supervisors = [person.pk for person in _supervisors(audience)]
    last = last_supervision_day(worker=audience.worker, supervisor_ids=supervisors)
    after = end_of_supervision_day(last)
    shares = open_shares_through(audience.links)
    if after is not None:
        shares = shares.filter(shared_at__gt=after)
    found = Reflection.objects.filter(pk__in=shares.values("reflection")).aggregate(
        first=Min("session_date"), count=Count("pk")
    )
    return SinceLastSupervision(last=last, shared=found["count"], earliest_session=found["first"])


def default_period(
    *,
    audience: BriefAudience,
    today: date | None = None,
    since: SinceLastSupervision | None = None,
) -> tuple[date, date]:
    """From the day after the last supervision to today, widened to take in every reflection
    shared since then; before any supervision, from the earliest shared session.

    A reflection shared after the last supervision belongs in the next one even when its
    session came before it, so the period then starts at that session instead. With nothing
    shared and no supervision yet, the last three months. Two queries unless `since` is given.
    """
    today = today or timezone.localdate()
    since = since or since_last_supervision(audience=audience)
    starts = []
    if since.last is not None and since.last < today:
        starts.append(date.fromordinal(since.last.toordinal() + 1))
    if since.earliest_session is not None and since.earliest_session <= today:
        starts.append(since.earliest_session)
    if not starts:
        return practice.add_months(today, -DEFAULT_MONTHS), today
    return min(starts), today


def chain_sentence(chain: dict[str, Any]) -> SafeString:
    """A chain as the reflection page words it, with the mechanism's short name and certainty."""
    return format_html(
        "{} ({})",
        reading.chain_sentence(chain, short=True),
        str(chain.get("confidence_label", "")).lower(),
    )


def _present_contexts(content: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        rating
        for rating in content["context_ratings"]
        if rating["presence"] is not None and rating["presence"] >= 1
    ]


def _reach(
    contents: Sequence[dict[str, Any]],
) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """In how many reflections each context, mechanism and domain key was recorded.

    The rules of My practice (reflections.selectors): a context counts when rated at least
    "a little present" or used in a chain; a mechanism when used in a chain; a domain when a
    chain ends in it or an outcome was observed in it.
    """
    contexts: dict[str, int] = {}
    mechanisms: dict[str, int] = {}
    domains: dict[str, int] = {}
    for content in contents:
        chains = content["chains"]
        context_keys = {rating["context_key"] for rating in _present_contexts(content)} | {
            chain["context_key"] for chain in chains
        }
        mechanism_keys = {chain["mechanism_key"] for chain in chains}
        domain_keys = {chain["outcome_domain_key"] for chain in chains} | {
            observation["domain_key"] for observation in content["outcome_observations"]
        }
        for counter, keys in (
            (contexts, context_keys),
            (mechanisms, mechanism_keys),
            (domains, domain_keys),
        ):
            for key in keys:
                counter[key] = counter.get(key, 0) + 1
    return contexts, mechanisms, domains


@dataclass
class _Tally:
    """What the brief counts over the shared reflections of the period.

    `reach` holds, for contexts, mechanisms and domains, in how many reflections each key was
    recorded; `presence_sum`, `rated` and `strongly` the context ratings. Filled from grouped
    queries for the reflections as they stand, and from stored content for those under
    amendment (`add_contents`), which count as last submitted.
    """

    total: int = 0
    reach: tuple[dict[str, int], dict[str, int], dict[str, int]] = dataclasses.field(
        default_factory=lambda: ({}, {}, {})
    )
    presence_sum: dict[str, int] = dataclasses.field(default_factory=dict)
    rated: dict[str, int] = dataclasses.field(default_factory=dict)
    strongly: dict[str, int] = dataclasses.field(default_factory=dict)
    chains: list[practice.ChainCount] = dataclasses.field(default_factory=list)

    def add_contents(self, contents: Sequence[dict[str, Any]]) -> None:
        self.total += len(contents)
        for counter, extra in zip(self.reach, _reach(contents), strict=True):
            for key, count in extra.items():
                counter[key] = counter.get(key, 0) + count
        for content in contents:
            for rating in content["context_ratings"]:
                if rating["presence"] is None:
                    continue
                key = rating["context_key"]
                self.presence_sum[key] = self.presence_sum.get(key, 0) + rating["presence"]
                self.rated[key] = self.rated.get(key, 0) + 1
                if rating["presence"] == ContextRating.Presence.STRONGLY:
                    self.strongly[key] = self.strongly.get(key, 0) + 1
            self.chains.extend(
                practice.ChainCount(
                    context=chain["context_key"],
                    mechanism=chain["mechanism_key"],
                    domain=chain["outcome_domain_key"],
                    count=1,
                )
                for chain in content["chains"]
            )


def _tally_rows(reflections: QuerySet[Reflection], entities: FrameworkEntities) -> _Tally:
    """The brief's counts over `reflections` (none under amendment), grouped in the database.

    Three queries whatever their number: in how many reflections each context, mechanism and
    domain was recorded (by My practice's rules, see `_reach`) with the total; the context
    ratings grouped by context; the chains grouped by context, mechanism and domain. Each
    reads only these reflections' rows, through the indexes that lead with the reflection.
    """
    tally = _Tally()
    pk = OuterRef("pk")
    rated = ContextRating.objects.filter(reflection=pk, presence__gte=1)
    chains = Chain.objects.filter(reflection=pk)
    observed = OutcomeObservation.objects.filter(reflection=pk)
    counts: dict[str, Any] = {"total": Count("pk")}
    for index, entity in enumerate(entities.contexts):
        counts[f"c{index}"] = Count(
            "pk",
            filter=Q(Exists(rated.filter(context__key=entity.key)))
            | Q(Exists(chains.filter(context__key=entity.key))),
        )
    for index, entity in enumerate(entities.mechanisms):
        counts[f"m{index}"] = Count(
            "pk", filter=Q(Exists(chains.filter(mechanism__key=entity.key)))
        )
    for index, entity in enumerate(entities.domains):
        counts[f"d{index}"] = Count(
            "pk",
            filter=Q(Exists(chains.filter(outcome_domain__key=entity.key)))
            | Q(Exists(observed.filter(domain__key=entity.key))),
        )
    found = reflections.order_by().aggregate(**counts)
    tally.total = found["total"]
    for counter, prefix, group in zip(
        tally.reach, "cmd", (entities.contexts, entities.mechanisms, entities.domains), strict=True
    ):
        for index, entity in enumerate(group):
            if found[f"{prefix}{index}"]:
                counter[entity.key] = found[f"{prefix}{index}"]
    ids = reflections.order_by().values("pk")
    for row in (
        ContextRating.objects.filter(reflection__in=ids, presence__isnull=False)
        .values(key=F("context__key"))
        .annotate(
            total=Sum("presence"),
            rated=Count("pk"),
            strongly=Count("pk", filter=Q(presence=ContextRating.Presence.STRONGLY)),
        )
        .order_by()
    ):
        tally.presence_sum[row["key"]] = row["total"]
        tally.rated[row["key"]] = row["rated"]
        tally.strongly[row["key"]] = row["strongly"]
    tally.chains = [
        practice.ChainCount(context=row["c"], mechanism=row["m"], domain=row["d"], count=row["n"])
        for row in Chain.objects.filter(reflection__in=ids)
        .values(c=F("context__key"), m=F("mechanism__key"), d=F("outcome_domain__key"))
        .annotate(n=Count("pk"))
        .order_by()
    ]
    return tally


def _coverage(tally: _Tally, contexts: Sequence[practice.Entity]) -> list[CoverageRow]:
    sums, rated = tally.presence_sum, tally.rated
    return [
        CoverageRow(
            context=entity,
            present=tally.reach[0].get(entity.key, 0),
            strongly=tally.strongly.get(entity.key, 0),
            average=round(sums[entity.key] / rated[entity.key], 1)
            if rated.get(entity.key)
            else None,
            total=tally.total,
        )
        for entity in contexts
    ]


def _blind_spots(
    *,
    parts: EvidenceParts,
    entities: FrameworkEntities,
    reach: tuple[dict[str, int], dict[str, int], dict[str, int]],
    total: int,
) -> list[practice.BlindSpot]:
    routes = parts.routes
    mechanism_contexts = practice.evidence_contexts_by(
        routes=routes, contexts=entities.contexts, through="mechanism"
    )
    domain_contexts = practice.evidence_contexts_by(
        routes=routes, contexts=entities.contexts, through="domain"
    )
    title = _("Questions to bring")
    context_prompts = {
        context.key: [
            practice.PromptGroup(title=title, prompts=list(context.prompts)[:PROMPT_LIMIT])
        ]
        for context in parts.contexts
    }
    mechanism_prompts = {
        entity.key: [
            practice.PromptGroup(
                title=title,
                prompts=practice.mechanism_prompts(entity, mechanism_contexts.get(entity.key, []))[
                    :PROMPT_LIMIT
                ],
            )
        ]
        for entity in entities.mechanisms
    }
    domain_prompts = {
        entity.key: [
            practice.PromptGroup(
                title=title,
                prompts=practice.domain_prompts(entity, domain_contexts.get(entity.key, []))[
                    :PROMPT_LIMIT
                ],
            )
        ]
        for entity in entities.domains
    }
    context_reach, mechanism_reach, domain_reach = reach
    return [
        *practice.blind_spots(
            kind="context",
            entities=entities.contexts,
            counts=context_reach,
            total=total,
            prompts=context_prompts,
        ),
        *practice.blind_spots(
            kind="mechanism",
            entities=entities.mechanisms,
            counts=mechanism_reach,
            total=total,
            prompts=mechanism_prompts,
        ),
        *practice.blind_spots(
            kind="domain",
            entities=entities.domains,
            counts=domain_reach,
            total=total,
            prompts=domain_prompts,
        ),
    ]


def _key_point(reflection_id: int, content: dict[str, Any]) -> KeyPoint:
    chains = content["chains"]
    return KeyPoint(
        reflection_id=reflection_id,
        session_date=content["session_date"],
        person_label=content.get("person_label") or "",
        contexts=[rating["context"] for rating in _present_contexts(content)],
        chains=[chain_sentence(chain) for chain in chains[:CHAIN_LIMIT]],
        more_chains=max(len(chains) - CHAIN_LIMIT, 0),
        learning=Truncator(" ".join(content["learning"].split())).chars(LEARNING_CHARS),
    )


@dataclass(frozen=True)
class PeriodShared:
    """The shared reflections of a period, counted, with the newest few read as shared."""

    tally: _Tally
    # The newest KEY_POINT_LIMIT, as (id, content as last submitted).
    newest: list[tuple[int, dict[str, Any]]]
    # Every reflection counted, newest session first: what the brief's audit names.
    reflection_ids: tuple[int, ...]


def shared_in_period(
    *, audience: BriefAudience, start: date, end: date, entities: FrameworkEntities
) -> PeriodShared:
    """The shared reflections with sessions from `start` to `end`, counted as last submitted.

    A reflection under amendment counts by its last submitted content (session date
    included), so an unsubmitted change moves nothing; the others are counted in the database
    (`_tally_rows`), and only the newest KEY_POINT_LIMIT are read whole. At most twelve queries
    whatever the number of reflections: those under amendment, the three of the tally, the
    ids in the period, the newest reflections and reflections.reading.read_shared's rows.
    """
    shared = shared_reflections(audience=audience)
    amending = list(
        shared.filter(amendment_base__isnull=False).only(
            "pk", "author_id", "status", "session_date", "amendment_base"
        )
    )
    amended = [
        (pk, content)
        for pk, content in reading.read_shared(reflections=amending).items()
        if content["session_date"] is not None and start <= content["session_date"] <= end
    ]
    live = shared.filter(
        amendment_base__isnull=True, session_date__gte=start, session_date__lte=end
    )
    tally = _tally_rows(live, entities)
    tally.add_contents([content for _pk, content in amended])
    ordered = [
        *(
            (pk, session, False)
            for pk, session in live.order_by("-session_date", "-pk").values_list(
                "pk", "session_date"
            )
        ),
        *((pk, content["session_date"], True) for pk, content in amended),
    ]
    ordered.sort(key=lambda row: (row[1], row[0]), reverse=True)
    newest_ids = [pk for pk, _session, _amending in ordered[:KEY_POINT_LIMIT]]
    contents = dict(amended)
    to_read = [pk for pk in newest_ids if pk not in contents]
    if to_read:
        contents.update(
            reading.read_shared(
                reflections=list(
                    Reflection.objects.filter(pk__in=to_read).select_related("framework_version")
                )
            )
        )
    return PeriodShared(
        tally=tally,
        newest=[(pk, contents[pk]) for pk in newest_ids],
        reflection_ids=tuple(pk for pk, _session, _amending in ordered),
    )


def build_brief(
    *, audience: BriefAudience, start: date, end: date, version: FrameworkVersion
) -> Brief:
    """Everything the brief shows, in 23 queries whatever the number of reflections.

    The framework's parts for the map and the prompts (9, reflections.selectors.
    evidence_parts), the shared reflections of the period counted in the database and the
    newest read as shared (at most 12, `shared_in_period`), the first open actions of every
    shared reflection as shared with their count (2) and the first open actions of the pair's
    current records with theirs (1). The audience's links arrive with their people and
    organisations. Nothing grows with the worker's history but the ids the audit names.
    """
    parts = evidence_parts(version=version)
    entities = entities_of(parts)
    period = shared_in_period(audience=audience, start=start, end=end, entities=entities)
    tally = period.tally
    total = tally.total
    own = practice.practice_map(
        chain_counts=tally.chains,
        contexts=entities.contexts,
        mechanisms=entities.mechanisms,
        domains=entities.domains,
    )
    diagram = dataclasses.replace(
        practice.practice_diagram(
            practice=own,
            contexts=entities.contexts,
            mechanisms=entities.mechanisms,
            domains=entities.domains,
        ),
        title=_("Practice map from the reflections shared for supervision"),
        description=_(
            "Contexts on the left, mechanisms in the middle and outcome domains on the right, "
            "joined where a shared reflection recorded a chain. Thicker lines and borders mean "
            "the worker recorded that link or box more often."
        ),
    )
    spots = _blind_spots(parts=parts, entities=entities, reach=tally.reach, total=total)

    listed, counted = reading.open_actions_as_shared_by_author(
        reflections=shared_reflections(audience=audience), limit=ACTION_LIMIT
    )
    reflection_actions = listed.get(audience.worker.pk, [])
    reflection_action_count = counted.get(audience.worker.pk, 0)
    supervisors = _supervisors(audience)
    record_actions: list[RecordAction] = list(
        RecordAction.objects.filter(
            done_at__isnull=True,
            record__worker=audience.worker,
            record__supervisor__in=[person.pk for person in supervisors],
            record__next_version__isnull=True,
        )
        .annotate(of_all=Window(Count("pk")))
        .select_related("owner", "record")
        .order_by(F("due_on").asc(nulls_last=True), "pk")[:ACTION_LIMIT]
    )
    record_action_count: int = getattr(record_actions[0], "of_all", 0) if record_actions else 0
    organisations = sorted(
        {link.organisation_id: link.organisation for link in audience.links}.values(),
        key=lambda organisation: organisation.name,
    )
    return Brief(
        worker=audience.worker,
        supervisors=supervisors,
        organisations=organisations,
        start=start,
        end=end,
        version=version,
        total=total,
        coverage=_coverage(tally, entities.contexts),
        diagram=diagram,
        chains=own.chains,
        blind_spots=spots[:BLIND_SPOT_LIMIT],
        more_blind_spots=max(len(spots) - BLIND_SPOT_LIMIT, 0),
        key_points=[_key_point(pk, content) for pk, content in period.newest],
        more_reflections=max(total - KEY_POINT_LIMIT, 0),
        reflection_actions=reflection_actions,
        more_reflection_actions=max(reflection_action_count - ACTION_LIMIT, 0),
        record_actions=record_actions,
        more_record_actions=max(record_action_count - ACTION_LIMIT, 0),
        generated_on=timezone.localdate(),
        reflection_ids=period.reflection_ids,
    )
