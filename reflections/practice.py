"""What a worker's own reflections show about their practice, computed from plain rows.

Nothing here touches the database. Selectors fetch small aggregated rows (counts per context
key, per month and so on) in a fixed number of queries, whatever the number of reflections;
these functions turn those rows into the numbers and pictures the practice page shows.

Everything is keyed by the framework's stable keys (context, mechanism and outcome domain
keys), so a reflection written against an older framework version is counted under the
current version's context, mechanism or domain with the same key. A key the current version
no longer has is counted as `unmapped` and left out of the pictures.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from framework.diagrams import Diagram, DiagramEdge, DiagramNode

# A context, mechanism or domain recorded in fewer than this share of reflections is "rare".
RARE_SHARE = 0.10
# Co-occurrence counts contexts rated at least "present" (2 on the 0-3 scale).
CO_OCCURRENCE_PRESENCE = 2
PRESENCE_MAX = 3

Kind = Literal["context", "mechanism", "domain"]


# --------------------------------------------------------------------------------------------
# Rows and entities
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entity:
    """A context, mechanism or outcome domain of the current framework version."""

    key: str
    name: str
    href: str | None = None
    summary: str = ""


@dataclass(frozen=True)
class ChainCount:
    """How many chains recorded one context → mechanism → outcome domain."""

    context: str
    mechanism: str
    domain: str
    count: int


@dataclass(frozen=True)
class PresenceRow:
    """The sum and number of one context's presence ratings in one month."""

    month: date
    context: str
    total: float
    count: int


@dataclass(frozen=True)
class PairCount:
    """In how many reflections two contexts were both rated present (a == b: just one)."""

    first: str
    second: str
    count: int


@dataclass(frozen=True)
class EvidenceRoute:
    """One cited link of the framework, by key: context → mechanism → outcome domain."""

    context: str
    mechanism: str
    domain: str


# --------------------------------------------------------------------------------------------
# Periods and months
# --------------------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months, kept inside the target month (31 Mar - 1 month = 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_starts(first: date, last: date, *, most: int | None = None) -> list[date]:
    """The first day of every month from `first`'s month to `last`'s month, inclusive.

    With `most`, only the latest `most` months: a page's size must not follow a stored date
    however far back it lies.
    """
    months: list[date] = []
    current = month_start(first)
    if most is not None:
        current = max(current, add_months(month_start(last), -(most - 1)))
    end = month_start(last)
    while current <= end:
        months.append(current)
        current = add_months(current, 1)
    return months


def month_label(month: date) -> str:
    return date_format(month, "M Y")


# --------------------------------------------------------------------------------------------
# The worker's own map
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PracticeMap:
    """How often the worker recorded each box and each link of the map, in chains."""

    contexts: dict[str, int]
    mechanisms: dict[str, int]
    domains: dict[str, int]
    context_mechanism: dict[tuple[str, str], int]
    mechanism_domain: dict[tuple[str, str], int]
    chains: int
    unmapped: int

    @property
    def context_mechanism_pairs(self) -> set[tuple[str, str]]:
        return {pair for pair, count in self.context_mechanism.items() if count}


def practice_map(
    *,
    chain_counts: Iterable[ChainCount],
    contexts: Sequence[Entity],
    mechanisms: Sequence[Entity],
    domains: Sequence[Entity],
) -> PracticeMap:
    """Tally chains per box and per link; chains naming a key not in the framework are unmapped.

    A box's count is the number of chains that pass through it, so a context recorded in
    three chains has a border three units thick, like the paper's "number of times coded".
    """
    context_keys = {entity.key for entity in contexts}
    mechanism_keys = {entity.key for entity in mechanisms}
    domain_keys = {entity.key for entity in domains}
    by_context = dict.fromkeys(context_keys, 0)
    by_mechanism = dict.fromkeys(mechanism_keys, 0)
    by_domain = dict.fromkeys(domain_keys, 0)
    context_mechanism: dict[tuple[str, str], int] = {}
    mechanism_domain: dict[tuple[str, str], int] = {}
    mapped = unmapped = 0
    for row in chain_counts:
        if (
            row.context not in context_keys
            or row.mechanism not in mechanism_keys
            or row.domain not in domain_keys
        ):
            unmapped += row.count
            continue
        mapped += row.count
        by_context[row.context] += row.count
        by_mechanism[row.mechanism] += row.count
        by_domain[row.domain] += row.count
        pair = (row.context, row.mechanism)
        context_mechanism[pair] = context_mechanism.get(pair, 0) + row.count
        link = (row.mechanism, row.domain)
        mechanism_domain[link] = mechanism_domain.get(link, 0) + row.count
    return PracticeMap(
        contexts=by_context,
        mechanisms=by_mechanism,
        domains=by_domain,
        context_mechanism=context_mechanism,
        mechanism_domain=mechanism_domain,
        chains=mapped,
        unmapped=unmapped,
    )


def times_text(count: int) -> str:
    if count == 0:
        return _("not recorded")
    return ngettext("recorded once", "recorded %(count)d times", count) % {"count": count}


def practice_diagram(
    *,
    practice: PracticeMap,
    contexts: Sequence[Entity],
    mechanisms: Sequence[Entity],
    domains: Sequence[Entity],
) -> Diagram:
    """The worker's map, laid out like the framework overview so the two compare box by box.

    Node keys follow framework.figures.overview_diagram (`context-…`, `mechanism-…`,
    `domain-…`) and every box of the framework is drawn, recorded or not, so a box missing
    from the worker's practice shows as a thin-bordered box without lines.
    """
    columns = [
        [
            DiagramNode(
                key=f"context-{entity.key}",
                kind="context",
                label=entity.name,
                href=entity.href,
                weight=practice.contexts.get(entity.key, 0),
                detail=times_text(practice.contexts.get(entity.key, 0)),
                css_class=f"context--{entity.key}",
            )
            for entity in contexts
        ],
        [
            DiagramNode(
                key=f"mechanism-{entity.key}",
                kind="mechanism",
                label=entity.name,
                href=entity.href,
                weight=practice.mechanisms.get(entity.key, 0),
                detail=times_text(practice.mechanisms.get(entity.key, 0)),
            )
            for entity in mechanisms
        ],
        [
            DiagramNode(
                key=f"domain-{entity.key}",
                kind="outcome",
                label=entity.name,
                href=entity.href,
                weight=practice.domains.get(entity.key, 0),
                detail=times_text(practice.domains.get(entity.key, 0)),
            )
            for entity in domains
        ],
    ]
    edges = [
        DiagramEdge(
            source=f"context-{context}",
            target=f"mechanism-{mechanism}",
            weight=count,
            label=times_text(count),
        )
        for (context, mechanism), count in sorted(practice.context_mechanism.items())
    ] + [
        DiagramEdge(
            source=f"mechanism-{mechanism}",
            target=f"domain-{domain}",
            weight=count,
            label=times_text(count),
        )
        for (mechanism, domain), count in sorted(practice.mechanism_domain.items())
    ]
    return Diagram(
        title=_("My practice map: the links I recorded"),
        description=_(
            "The five contexts on the left, the six mechanisms in the middle and the six "
            "outcome domains on the right, joined where my reflections recorded a chain. "
            "Thicker lines and borders mean I recorded that link or box more often."
        ),
        columns=columns,
        edges=edges,
        column_titles=[_("Contexts"), _("Mechanisms"), _("Outcome domains")],
    )


def unrecorded_evidence_links(
    *, routes: Iterable[EvidenceRoute], practice: PracticeMap
) -> list[tuple[str, str]]:
    """Context → mechanism pairs the evidence cites that the worker never recorded, in order."""
    recorded = practice.context_mechanism_pairs
    seen: list[tuple[str, str]] = []
    for route in routes:
        pair = (route.context, route.mechanism)
        if pair not in recorded and pair not in seen:
            seen.append(pair)
    return seen


# --------------------------------------------------------------------------------------------
# Month by month
# --------------------------------------------------------------------------------------------


def monthly_presence(
    *, months: Sequence[date], context_keys: Sequence[str], rows: Iterable[PresenceRow]
) -> dict[str, list[float]]:
    """Average presence (0-3) of each context in each month; 0 where nothing was rated.

    Rows for the same context and month (from several framework versions) are merged before
    averaging, so the average is over every rating, not an average of averages.
    """
    index = {month: position for position, month in enumerate(months)}
    totals = {key: [0.0] * len(months) for key in context_keys}
    counts = {key: [0] * len(months) for key in context_keys}
    for row in rows:
        position = index.get(month_start(row.month))
        if position is None or row.context not in totals:
            continue
        totals[row.context][position] += row.total
        counts[row.context][position] += row.count
    return {
        key: [
            round(total / count, 2) if count else 0.0
            for total, count in zip(totals[key], counts[key], strict=True)
        ]
        for key in context_keys
    }


# --------------------------------------------------------------------------------------------
# Co-occurrence
# --------------------------------------------------------------------------------------------


def co_occurrence(*, keys: Sequence[str], pairs: Iterable[PairCount]) -> list[list[float]]:
    """A symmetric matrix: cell (i, j) counts reflections with both contexts rated present.

    The diagonal counts reflections with that context rated present at all. Each unordered
    pair should come once (in either order); rows for the same pair, for instance from two
    framework versions, are added together.
    """
    position = {key: index for index, key in enumerate(keys)}
    size = len(keys)
    cells: dict[tuple[int, int], int] = {}
    for pair in pairs:
        if pair.first not in position or pair.second not in position:
            continue
        i, j = sorted((position[pair.first], position[pair.second]))
        cells[(i, j)] = cells.get((i, j), 0) + pair.count
    matrix = [[0.0] * size for _row in range(size)]
    for (i, j), count in cells.items():
        matrix[i][j] = float(count)
        matrix[j][i] = float(count)
    return matrix


def strongest_pairs(
    *, keys: Sequence[str], matrix: Sequence[Sequence[float]], limit: int = 3
) -> list[tuple[str, str, int]]:
    """The pairs of different contexts that most often occur together, most frequent first."""
    found = [
        (keys[i], keys[j], int(matrix[i][j]))
        for i in range(len(keys))
        for j in range(i + 1, len(keys))
        if matrix[i][j] > 0
    ]
    found.sort(key=lambda item: -item[2])
    return found[:limit]


# --------------------------------------------------------------------------------------------
# Blind spots
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PromptGroup:
    """Reflection prompts under a heading, e.g. a context's own or one of its tensions'."""

    title: str
    prompts: list[str]


@dataclass(frozen=True)
class BlindSpot:
    kind: Kind
    entity: Entity
    count: int
    total: int
    prompt_groups: list[PromptGroup] = field(default_factory=list)

    @property
    def never(self) -> bool:
        return self.count == 0

    @property
    def percent(self) -> int:
        return round(100 * self.count / self.total) if self.total else 0

    @property
    def reach_text(self) -> str:
        if self.never:
            return ngettext(
                "Not recorded in your %(total)d reflection in this period.",
                "Not recorded in any of your %(total)d reflections in this period.",
                self.total,
            ) % {"total": self.total}
        return ngettext(
            "Recorded in %(count)d of your %(total)d reflection (%(percent)d%%).",
            "Recorded in %(count)d of your %(total)d reflections (%(percent)d%%).",
            self.total,
        ) % {"count": self.count, "total": self.total, "percent": self.percent}


def mechanism_prompts(entity: Entity, evidence_contexts: Sequence[str]) -> list[str]:
    """Questions for a mechanism the worker rarely records (written for this project)."""
    prompts = [
        _(
            "When did you last notice a shift towards “%(mechanism)s” in someone you support? "
            "What in your contact made room for it?"
        )
        % {"mechanism": entity.name},
        _(
            "Is it not happening, or happening without you noticing? What could you listen "
            "for next time?"
        ),
    ]
    if evidence_contexts:
        prompts.append(
            _(
                "In the evidence it comes through %(contexts)s. How could you make room for it "
                "there?"
            )
            % {"contexts": ", ".join(evidence_contexts)}
        )
    return prompts


def domain_prompts(entity: Entity, evidence_contexts: Sequence[str]) -> list[str]:
    """Questions for an outcome domain the worker rarely records (written for this project)."""
    prompts = [
        _("What would a small step in “%(domain)s” look like for the people you support?")
        % {"domain": entity.name},
        _("Did you look for it and not see it, or not look for it? What could you ask about?"),
    ]
    if evidence_contexts:
        prompts.append(
            _("In the evidence it is reached from: %(contexts)s.")
            % {"contexts": ", ".join(evidence_contexts)}
        )
    else:
        prompts.append(
            _(
                "The paper cites no link to this domain yet, so what you notice here adds "
                "something the evidence lacks."
            )
        )
    return prompts


def blind_spots(
    *,
    kind: Kind,
    entities: Sequence[Entity],
    counts: Mapping[str, int],
    total: int,
    prompts: Mapping[str, list[PromptGroup]],
    threshold: float = RARE_SHARE,
) -> list[BlindSpot]:
    """Entities recorded in no reflection, or in fewer than `threshold` of them, least first.

    Nothing is a blind spot when there are no reflections: an empty period says nothing
    about practice.
    """
    if total <= 0:
        return []
    found = [
        BlindSpot(
            kind=kind,
            entity=entity,
            count=counts.get(entity.key, 0),
            total=total,
            prompt_groups=list(prompts.get(entity.key, [])),
        )
        for entity in entities
        if counts.get(entity.key, 0) / total < threshold
    ]
    order = {entity.key: index for index, entity in enumerate(entities)}
    found.sort(key=lambda spot: (spot.count, order[spot.entity.key]))
    return found


def evidence_contexts_by(
    *, routes: Iterable[EvidenceRoute], contexts: Sequence[Entity], through: Kind
) -> dict[str, list[str]]:
    """For each mechanism (or domain) key, the names of contexts whose cited links reach it."""
    names = {entity.key: entity.name for entity in contexts}
    order = {entity.key: index for index, entity in enumerate(contexts)}
    found: dict[str, set[str]] = {}
    for route in routes:
        target = route.mechanism if through == "mechanism" else route.domain
        found.setdefault(target, set()).add(route.context)
    return {
        target: [names[key] for key in sorted(keys, key=lambda k: order.get(k, 99)) if key in names]
        for target, keys in found.items()
    }
