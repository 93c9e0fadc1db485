"""A room's results for one vignette, computed from plain rows (no database here).

Shares are of answers: "4 of 12" means four of the twelve people or tables that answered chose
that chain, however many chains each chose. The heat map counts ratings per context and point
of the scale; agreement is Krippendorff's alpha (ordinal) over the five contexts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from framework.diagrams import Diagram, DiagramEdge, DiagramNode, render_diagram
from reflections.practice import ChainCount, Entity, practice_map
from workshops.agreement import Reading, ordinal_alpha, reading
from workshops.models import PRESENCE_MAX

if TYPE_CHECKING:
    from workshops.models import Vignette, WorkshopItem

# Included studies per (context, mechanism, domain) the paper cites; absent: not stated.
Evidence = dict[tuple[str, str, str], int]
SCALE = list(range(PRESENCE_MAX + 1))
# Heat-map shades: six steps of one hue, light to dark, always printed with the number.
SHADES = 5


@dataclass(frozen=True)
class FrameworkBoxes:
    contexts: list[Entity]
    mechanisms: list[Entity]
    domains: list[Entity]

    def name(self, kind: str, key: str) -> str:
        entities = {"context": self.contexts, "mechanism": self.mechanisms, "domain": self.domains}
        for entity in entities[kind]:
            if entity.key == key:
                return entity.name
        return key

    @property
    def context_keys(self) -> set[str]:
        return {entity.key for entity in self.contexts}


@dataclass(frozen=True)
class HeatCell:
    count: int
    shade: int  # 0 (none) to SHADES, for the cell's class


@dataclass(frozen=True)
class HeatRow:
    context: Entity
    cells: list[HeatCell]
    intended: int | None


@dataclass(frozen=True)
class ChainShare:
    context: str
    mechanism: str
    domain: str
    label: str
    count: int
    answers: int
    studies: int | None  # None: evidence not asked for; 0: the paper does not state it
    intended: bool

    @property
    def percent(self) -> int:
        return round(100 * self.count / self.answers) if self.answers else 0


@dataclass(frozen=True)
class IntendedChain:
    label: str
    reason: str


@dataclass(frozen=True)
class ItemResult:
    item: WorkshopItem
    answers: int
    heat: list[HeatRow]
    alpha: float | None
    reading: Reading
    chains: list[ChainShare]
    diagram: SafeString
    intended_chains: list[IntendedChain] = field(default_factory=list)

    @property
    def vignette(self) -> Vignette:
        return self.item.vignette

    @property
    def alpha_text(self) -> str:
        return "–" if self.alpha is None else f"{self.alpha:.2f}"


def chain_label(boxes: FrameworkBoxes, context: str, mechanism: str, domain: str) -> str:
    return " → ".join(
        (
            boxes.name("context", context),
            boxes.name("mechanism", mechanism),
            boxes.name("domain", domain),
        )
    )


def share_text(count: int, answers: int) -> str:
    return ngettext(
        "%(count)d of %(answers)d answer", "%(count)d of %(answers)d answers", answers
    ) % {
        "count": count,
        "answers": answers,
    }


def _shade(count: int, answers: int) -> int:
    if count == 0 or answers == 0:
        return 0
    return max(1, round(SHADES * count / answers))


def room_diagram(
    *, boxes: FrameworkBoxes, counts: list[ChainCount], answers: int, title: str
) -> SafeString:
    """The room's chosen chains on the framework's three columns, drawn like My practice."""
    tally = practice_map(
        chain_counts=counts,
        contexts=boxes.contexts,
        mechanisms=boxes.mechanisms,
        domains=boxes.domains,
    )

    def node(kind: str, prefix: str, entity: Entity, count: int, css: str = "") -> DiagramNode:
        return DiagramNode(
            key=f"{prefix}-{entity.key}",
            kind=kind,  # type: ignore[arg-type]
            label=entity.name,
            weight=count,
            detail=share_text(count, answers) if count else _("not chosen"),
            css_class=css,
        )

    columns = [
        [
            node("context", "context", e, tally.contexts.get(e.key, 0), f"context--{e.key}")
            for e in boxes.contexts
        ],
        [
            node("mechanism", "mechanism", e, tally.mechanisms.get(e.key, 0))
            for e in boxes.mechanisms
        ],
        [node("outcome", "domain", e, tally.domains.get(e.key, 0)) for e in boxes.domains],
    ]
    edges = [
        DiagramEdge(f"context-{c}", f"mechanism-{m}", n, share_text(n, answers))
        for (c, m), n in sorted(tally.context_mechanism.items())
    ] + [
        DiagramEdge(f"mechanism-{m}", f"domain-{d}", n, share_text(n, answers))
        for (m, d), n in sorted(tally.mechanism_domain.items())
    ]
    return render_diagram(
        Diagram(
            title=title,
            description=_(
                "The five contexts on the left, the six mechanisms in the middle and the six "
                "outcome domains on the right, joined where the room chose a chain. Thicker "
                "lines and borders mean more of the room chose it."
            ),
            columns=columns,
            edges=edges,
            column_titles=[_("Contexts"), _("Mechanisms"), _("Outcome domains")],
        )
    )


def item_result(
    *,
    item: WorkshopItem,
    ratings: dict[int, dict[str, int]],
    chains: dict[int, list[tuple[str, str, str]]],
    boxes: FrameworkBoxes,
    evidence: Evidence | None,
) -> ItemResult:
    """Results for one vignette from each answer's ratings and chains, keyed by answer id."""
    vignette = item.vignette
    answers = len(set(ratings) | set(chains))
    heat = []
    for context in boxes.contexts:
        values = [given[context.key] for given in ratings.values() if context.key in given]
        cells = [
            HeatCell(count=values.count(point), shade=_shade(values.count(point), answers))
            for point in SCALE
        ]
        heat.append(
            HeatRow(
                context=context, cells=cells, intended=vignette.intended_ratings.get(context.key)
            )
        )
    units = [
        [given[context.key] for given in ratings.values() if context.key in given]
        for context in boxes.contexts
    ]
    alpha = ordinal_alpha(units)
    chosen: dict[tuple[str, str, str], int] = {}
    for answer_chains in chains.values():
        for chain in set(answer_chains):
            chosen[chain] = chosen.get(chain, 0) + 1
    intended_keys = {
        (chain["context"], chain["mechanism"], chain["domain"])
        for chain in vignette.intended_chains
    }
    shares = [
        ChainShare(
            context=c,
            mechanism=m,
            domain=d,
            label=chain_label(boxes, c, m, d),
            count=count,
            answers=answers,
            studies=None if evidence is None else evidence.get((c, m, d), 0),
            intended=(c, m, d) in intended_keys,
        )
        for (c, m, d), count in sorted(chosen.items(), key=lambda row: (-row[1], row[0]))
    ]
    diagram = room_diagram(
        boxes=boxes,
        counts=[ChainCount(c, m, d, n) for (c, m, d), n in sorted(chosen.items())],
        answers=answers,
        title=_("The room's map for “%(title)s”") % {"title": vignette.title},
    )
    return ItemResult(
        item=item,
        answers=answers,
        heat=heat,
        alpha=alpha,
        reading=reading(alpha, answers),
        chains=shares,
        diagram=diagram,
        intended_chains=[
            IntendedChain(
                label=chain_label(boxes, chain["context"], chain["mechanism"], chain["domain"]),
                reason=chain.get("reason", ""),
            )
            for chain in vignette.intended_chains
        ],
    )
