"""The framework's pictures as plain data, for framework.diagrams to draw.

Weights count distinct supporting studies: when several cited links share an edge (the same
context and mechanism, say), the edge's weight is the number of different studies cited
across them, not the sum of their counts, so one study cited twice is not counted twice.
A link whose wording covers more than one mechanism (Link.additional_mechanisms) is drawn
through each of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from framework.diagrams import Diagram, DiagramEdge, DiagramNode
from framework.models import Context, Factor, Link, Mechanism, Outcome, OutcomeDomain


def studies_text(count: int) -> str:
    return ngettext("%(count)d study", "%(count)d studies", count) % {"count": count}


def coded_text(count: int, total: int) -> str:
    # Plain words for "the paper coded this in N of its T included studies".
    return ngettext(
        "found in %(count)d of %(total)d study",
        "found in %(count)d of %(total)d studies",
        total,
    ) % {"count": count, "total": total}


def link_studies(link: Link) -> set[int]:
    """The reference numbers a link cites (its citations must be prefetched)."""
    return {reference.number for reference in link.citations.all()}


def link_mechanisms(link: Link) -> list[Mechanism]:
    """The link's main mechanism, then any others its wording also covers."""
    return [link.mechanism, *link.additional_mechanisms.all()]


@dataclass
class _Tally:
    """Distinct supporting studies per box and per edge, gathered from cited links."""

    contexts: dict[int, set[int]] = field(default_factory=dict)
    mechanisms: dict[int, set[int]] = field(default_factory=dict)
    outcomes: dict[int, set[int]] = field(default_factory=dict)
    domains: dict[int, set[int]] = field(default_factory=dict)
    context_mechanism: dict[tuple[int, int], set[int]] = field(default_factory=dict)
    mechanism_outcome: dict[tuple[int, int], set[int]] = field(default_factory=dict)
    mechanism_domain: dict[tuple[int, int], set[int]] = field(default_factory=dict)
    context_objects: dict[int, Context] = field(default_factory=dict)
    mechanism_objects: dict[int, Mechanism] = field(default_factory=dict)
    outcome_objects: dict[int, Outcome] = field(default_factory=dict)


def _tally(links: Iterable[Link], keep: Callable[[Mechanism], bool] = lambda _m: True) -> _Tally:
    tally = _Tally()
    for link in links:
        studies = link_studies(link)
        for mechanism in link_mechanisms(link):
            if not keep(mechanism):
                continue
            context, outcome = link.context, link.outcome
            tally.context_objects[context.pk] = context
            tally.mechanism_objects[mechanism.pk] = mechanism
            tally.outcome_objects[outcome.pk] = outcome
            tally.contexts.setdefault(context.pk, set()).update(studies)
            tally.mechanisms.setdefault(mechanism.pk, set()).update(studies)
            tally.outcomes.setdefault(outcome.pk, set()).update(studies)
            tally.domains.setdefault(outcome.domain_id, set()).update(studies)
            tally.context_mechanism.setdefault((context.pk, mechanism.pk), set()).update(studies)
            tally.mechanism_outcome.setdefault((mechanism.pk, outcome.pk), set()).update(studies)
            tally.mechanism_domain.setdefault((mechanism.pk, outcome.domain_id), set()).update(
                studies
            )
    return tally


def _context_node(context: Context, *, weight: float, detail: str) -> DiagramNode:
    return DiagramNode(
        key=f"context-{context.key}",
        kind="context",
        label=context.name,
        href=context.get_absolute_url(),
        weight=weight,
        detail=detail,
        css_class=f"context--{context.key}",
    )


def _mechanism_node(mechanism: Mechanism, studies: set[int]) -> DiagramNode:
    return DiagramNode(
        key=f"mechanism-{mechanism.key}",
        kind="mechanism",
        label=mechanism.short_name,
        href=mechanism.get_absolute_url(),
        weight=len(studies),
        detail=studies_text(len(studies)),
    )


def _outcome_node(outcome: Outcome, studies: set[int]) -> DiagramNode:
    return DiagramNode(
        key=f"outcome-{outcome.key}",
        kind="outcome",
        label=outcome.name,
        href=outcome.domain.get_absolute_url(),
        weight=len(studies),
        detail=f"{outcome.domain.name} · {studies_text(len(studies))}",
    )


def _edges(
    pairs: dict[tuple[int, int], set[int]],
    source: str,
    target: str,
    keys: dict[str, dict[int, str]],
) -> list[DiagramEdge]:
    return [
        DiagramEdge(
            source=f"{source}-{keys[source][left]}",
            target=f"{target}-{keys[target][right]}",
            weight=len(studies),
            label=studies_text(len(studies)),
        )
        for (left, right), studies in pairs.items()
    ]


def _sorted_edges(edges: list[DiagramEdge]) -> list[DiagramEdge]:
    return sorted(edges, key=lambda edge: (edge.source, edge.target))


def _chain(
    tally: _Tally, first_column: list[DiagramNode]
) -> tuple[list[list[DiagramNode]], list[DiagramEdge]]:
    """Columns and edges for context → mechanism → specific outcome."""
    mechanisms = sorted(tally.mechanism_objects.values(), key=lambda m: m.order)
    outcomes = sorted(tally.outcome_objects.values(), key=lambda o: (o.domain.number, o.order))
    keys = {
        "context": {pk: c.key for pk, c in tally.context_objects.items()},
        "mechanism": {pk: m.key for pk, m in tally.mechanism_objects.items()},
        "outcome": {pk: o.key for pk, o in tally.outcome_objects.items()},
    }
    columns = [
        first_column,
        [_mechanism_node(m, tally.mechanisms[m.pk]) for m in mechanisms],
        [_outcome_node(o, tally.outcomes[o.pk]) for o in outcomes],
    ]
    edges = _edges(tally.context_mechanism, "context", "mechanism", keys) + _edges(
        tally.mechanism_outcome, "mechanism", "outcome", keys
    )
    return columns, _sorted_edges(edges)


def _column_titles(*, contexts: int, mechanisms: int) -> list[str]:
    return [
        ngettext("Context", "Contexts", contexts),
        ngettext("Mechanism", "Mechanisms", mechanisms),
        _("Outcomes"),
    ]


def context_diagram(
    *, context: Context, factors: list[Factor], links: list[Link], study_count: int
) -> Diagram:
    """The paper-style configuration diagram for one context (its Figures 2–6)."""
    tally = _tally(links)
    first = [
        _context_node(
            context,
            weight=context.papers_coded,
            detail=coded_text(context.papers_coded, study_count),
        ),
        *(
            DiagramNode(
                key=f"factor-{factor.key}",
                kind="factor",
                label=factor.name,
                href=f"{context.get_absolute_url()}#factor-{factor.key}",
                weight=factor.papers_coded,
                detail=studies_text(factor.papers_coded),
                css_class=f"context--{context.key}",
            )
            for factor in factors
        ),
    ]
    columns, edges = _chain(tally, first)
    return Diagram(
        title=_("How the %(context)s context works: cited links") % {"context": context.name},
        description=_(
            "%(context)s and its interpersonal factors on the left, the mechanisms the cited "
            "links pass through in the middle, and the outcomes they lead to on the right. "
            "Thicker lines and borders mean more supporting studies."
        )
        % {"context": context.name},
        columns=columns,
        edges=edges,
        column_titles=_column_titles(contexts=1, mechanisms=len(columns[1])),
    )


def mechanism_diagram(*, mechanism: Mechanism, links: list[Link]) -> Diagram:
    """Which contexts reach one mechanism, and which outcomes it leads to."""
    tally = _tally(links, keep=lambda m: m.pk == mechanism.pk)
    contexts = sorted(tally.context_objects.values(), key=lambda c: c.order)
    first = [
        _context_node(
            c,
            weight=len(tally.contexts[c.pk]),
            detail=studies_text(len(tally.contexts[c.pk])),
        )
        for c in contexts
    ]
    columns, edges = _chain(tally, first)
    return Diagram(
        title=_("Cited links through “%(mechanism)s”") % {"mechanism": mechanism.statement},
        description=_(
            "The contexts whose cited links pass through this mechanism on the left, the "
            "mechanism in the middle, and the outcomes on the right. Thicker lines and borders "
            "mean more supporting studies."
        ),
        columns=columns,
        edges=edges,
        column_titles=_column_titles(contexts=len(first), mechanisms=1),
    )


def domain_diagram(*, domain: OutcomeDomain, links: list[Link]) -> Diagram:
    """Which contexts and mechanisms lead to one outcome domain's outcomes."""
    tally = _tally(links)
    contexts = sorted(tally.context_objects.values(), key=lambda c: c.order)
    first = [
        _context_node(
            c,
            weight=len(tally.contexts[c.pk]),
            detail=studies_text(len(tally.contexts[c.pk])),
        )
        for c in contexts
    ]
    columns, edges = _chain(tally, first)
    return Diagram(
        title=_("Cited links to the %(domain)s outcome domain") % {"domain": domain.name},
        description=_(
            "The contexts on the left, the mechanisms their cited links pass through in the "
            "middle, and this domain's outcomes on the right. Thicker lines and borders mean "
            "more supporting studies."
        ),
        columns=columns,
        edges=edges,
        column_titles=_column_titles(contexts=len(first), mechanisms=len(columns[1])),
    )


def overview_diagram(
    *,
    contexts: list[Context],
    mechanisms: list[Mechanism],
    domains: list[OutcomeDomain],
    links: list[Link],
    study_count: int,
) -> Diagram:
    """The whole framework: five contexts, six mechanisms, six outcome domains."""
    tally = _tally(links)
    context_keys = {c.pk: c.key for c in contexts}
    mechanism_keys = {m.pk: m.key for m in mechanisms}
    domain_keys = {d.pk: d.key for d in domains}
    columns = [
        [
            _context_node(c, weight=c.papers_coded, detail=coded_text(c.papers_coded, study_count))
            for c in contexts
        ],
        [_mechanism_node(m, tally.mechanisms.get(m.pk, set())) for m in mechanisms],
        [
            DiagramNode(
                key=f"domain-{d.key}",
                kind="outcome",
                label=d.name,
                href=d.get_absolute_url(),
                weight=len(tally.domains.get(d.pk, set())),
                detail=(
                    studies_text(len(tally.domains[d.pk]))
                    if d.pk in tally.domains
                    else _("no cited link")
                ),
            )
            for d in domains
        ],
    ]
    keys = {"context": context_keys, "mechanism": mechanism_keys, "domain": domain_keys}
    edges = _edges(tally.context_mechanism, "context", "mechanism", keys) + _edges(
        tally.mechanism_domain, "mechanism", "domain", keys
    )
    return Diagram(
        title=_("The APPEAR framework: contexts, mechanisms and outcome domains"),
        description=_(
            "The five interpersonal contexts on the left, the six mechanisms in the middle and "
            "the six outcome domains on the right, joined where the paper cites a link. Thicker "
            "lines and borders mean more supporting studies."
        ),
        columns=columns,
        edges=_sorted_edges(edges),
        column_titles=[_("Contexts"), _("Mechanisms"), _("Outcome domains")],
    )
