"""Workshop handouts as PDFs: the results, framework cards for tables, and paper worksheets.

Rendering goes through supervision.pdf (the project's WeasyPrint set-up, whose URL fetcher
serves static files and nothing else). Every handout carries the paper's citation and the
CC BY 4.0 attribution. No participant's name is ever printed: results are aggregates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.safestring import SafeString

from framework.diagrams import render_diagram
from framework.figures import context_diagram
from framework.models import FrameworkVersion
from framework.selectors import context_detail, current_version
from supervision.pdf import html_to_pdf, pdf_response, render_html, safe_filename
from workshops.models import Workshop, WorkshopItem
from workshops.results import FrameworkBoxes, ItemResult

__all__ = ["pdf_response", "safe_filename"]

CARDS_PER_SHEET = {"context": 4, "small": 8}


def _common(version: FrameworkVersion | None) -> dict[str, Any]:
    return {"version": version, "printed_on": timezone.localdate()}


def results_html(*, workshop: Workshop, results: list[ItemResult]) -> str:
    return render_html(
        template_name="workshops/pdf/results.html",
        context={**_common(current_version()), "workshop": workshop, "results": results},
    )


def results_pdf(*, workshop: Workshop, results: list[ItemResult]) -> bytes:
    return html_to_pdf(results_html(workshop=workshop, results=results))


def worksheets_html(*, workshop: Workshop, items: list[WorkshopItem], boxes: FrameworkBoxes) -> str:
    return render_html(
        template_name="workshops/pdf/worksheets.html",
        context={
            **_common(current_version()),
            "workshop": workshop,
            "items": items,
            "boxes": boxes,
            "scale": [0, 1, 2, 3],
            "chain_rows": [1, 2, 3],
        },
    )


def worksheets_pdf(
    *, workshop: Workshop, items: list[WorkshopItem], boxes: FrameworkBoxes
) -> bytes:
    return html_to_pdf(worksheets_html(workshop=workshop, items=items, boxes=boxes))


@dataclass(frozen=True)
class Card:
    kind: str  # context, mechanism, domain
    title: str
    summary: str
    lists: list[tuple[str, list[str]]]
    diagram: SafeString | None = None
    css_class: str = ""


def framework_cards(version: FrameworkVersion) -> list[list[Card]]:
    """The cards, already cut into sheets: four context cards a sheet, then eight small ones."""
    context_cards: list[Card] = []
    for context in version.contexts.order_by("order"):
        detail = context_detail(version=version, key=context.key)
        assert detail is not None
        diagram = render_diagram(
            context_diagram(
                context=context,
                factors=detail.factors,
                links=detail.links,
                study_count=detail.study_count,
            )
        )
        context_cards.append(
            Card(
                kind="context",
                title=context.name,
                summary=context.summary,
                lists=[
                    ("Interpersonal factors", [factor.name for factor in detail.factors]),
                    ("Ask yourself", list(context.prompts[:2])),
                    ("Tensions", [tension.name for tension in detail.tensions]),
                ],
                diagram=diagram,
                css_class=f"context--{context.key}",
            )
        )
    # Which contexts the paper's cited links bring to each mechanism, and which mechanisms to
    # each outcome domain: what a table needs to build chains from the cards alone.
    contexts_of: dict[int, list[str]] = {}
    mechanisms_of: dict[int, list[str]] = {}
    for link in version.links.select_related("context", "mechanism", "outcome").order_by(
        "context__order", "mechanism__order"
    ):
        names = contexts_of.setdefault(link.mechanism_id, [])
        if link.context.name not in names:
            names.append(link.context.name)
        through = mechanisms_of.setdefault(link.outcome.domain_id, [])
        label = link.mechanism.short_name or link.mechanism.statement
        if label not in through:
            through.append(label)
    small: list[Card] = [
        Card(
            kind="mechanism",
            title=mechanism.short_name or mechanism.statement,
            summary=mechanism.statement,
            lists=[
                ("Group", [mechanism.group.name]),
                ("Cited links from", contexts_of.get(mechanism.pk, [])),
            ],
        )
        for mechanism in version.mechanisms.select_related("group").order_by("order")
    ]
    small += [
        Card(
            kind="domain",
            title=domain.name,
            summary=domain.summary,
            lists=[
                ("Outcomes", [outcome.name for outcome in domain.outcomes.all()][:4]),
                ("Reached through", mechanisms_of.get(domain.pk, [])),
            ],
        )
        for domain in version.outcome_domains.prefetch_related("outcomes").order_by("number")
    ]

    def cut(cards: list[Card], size: int) -> list[list[Card]]:
        return [cards[start : start + size] for start in range(0, len(cards), size)]

    return cut(context_cards, CARDS_PER_SHEET["context"]) + cut(small, CARDS_PER_SHEET["small"])


def cards_html() -> str:
    version = current_version()
    sheets = framework_cards(version) if version is not None else []
    return render_html(
        template_name="workshops/pdf/cards.html", context={**_common(version), "sheets": sheets}
    )


def cards_pdf() -> bytes:
    return html_to_pdf(cards_html())


def results_rows(results: list[ItemResult]) -> list[list[object]]:
    """The results as CSV rows: one per vignette and context, then one per chosen chain."""
    rows: list[list[object]] = [
        [
            "vignette",
            "part",
            "what",
            "answers",
            "0 not present",
            "1 a little",
            "2 present",
            "3 strongly",
            "chosen by",
            "intended",
            "krippendorff alpha (ordinal)",
            "studies in the paper",
        ]
    ]
    for result in results:
        title = result.vignette.title
        for row in result.heat:
            rows.append(
                [
                    title,
                    "rating",
                    row.context.name,
                    result.answers,
                    *(cell.count for cell in row.cells),
                    "",
                    "" if row.intended is None else row.intended,
                    "" if result.alpha is None else round(result.alpha, 3),
                    "",
                ]
            )
        for chain in result.chains:
            rows.append(
                [
                    title,
                    "chain",
                    chain.label,
                    result.answers,
                    "",
                    "",
                    "",
                    "",
                    chain.count,
                    "yes" if chain.intended else "no",
                    "",
                    "" if chain.studies is None else chain.studies,
                ]
            )
    return rows
