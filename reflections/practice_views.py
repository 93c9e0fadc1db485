"""My reflections (the signed-in person's own list) and My practice (what their reflections show).

Both pages only ever read the signed-in person's own reflections, so they need no access
function: there is no other person's object to ask for. Both are GET forms that work
without JavaScript; with htmx, the results region alone is re-rendered as filters change.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from accounts.http import AuthedRequest
from framework.caching import cached_for_version
from framework.diagrams import Series, render_diagram, render_matrix, render_month_chart
from framework.figures import overview_diagram
from framework.selectors import current_version
from reflections import practice, selectors
from reflections.filters import (
    MAX_PRACTICE_MONTHS,
    Period,
    PracticePeriodForm,
    ReflectionFilterForm,
)

PAGE_SIZE = 20


def _partial_request(request: AuthedRequest) -> bool:
    """An htmx request for the results region (a history restore needs the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


@require_GET
@login_required
@vary_on_headers("HX-Request")
def reflection_list(request: AuthedRequest) -> HttpResponse:
    version = current_version()
    entities = selectors.framework_entities(version=version)
    form = ReflectionFilterForm(
        request.GET or None,
        contexts=entities.contexts,
        mechanisms=entities.mechanisms,
        domains=entities.domains,
        person_labels=selectors.person_labels(user=request.user),
        today=timezone.localdate(),
    )
    filters = form.filters()
    listing = selectors.reflection_list_page(
        user=request.user, filters=filters, number=request.GET.get("page"), per_page=PAGE_SIZE
    )
    context = {
        "form": form,
        "filters": filters,
        "page": listing.page,
        "rows": listing.rows,
        "capped": listing.capped,
        "search_limit": selectors.SEARCH_LIMIT,
        "searching_by_relevance": bool(filters.query) and selectors.search_is_ranked(),
    }
    if _partial_request(request):
        return render(request, "reflections/partials/list_results.html", context)
    return render(request, "reflections/list.html", context)


@require_GET
@login_required
@vary_on_headers("HX-Request")
def practice_overview(request: AuthedRequest) -> HttpResponse:
    version = current_version()
    if version is None:
        return render(request, "framework/not_loaded.html", status=503)
    today = timezone.localdate()
    form = PracticePeriodForm(request.GET, today=today)
    period = form.chosen_period()
    parts = selectors.evidence_parts(version=version)
    entities = selectors.entities_of(parts)
    rows = selectors.practice_rows(
        user=request.user, start=period.start, end=period.end, version=version, entities=entities
    )
    context = {
        "form": form,
        "period": period,
        "period_text": _period_text(period, rows),
        "report": _report(parts=parts, entities=entities, rows=rows, period=period),
    }
    if _partial_request(request):
        return render(request, "reflections/partials/practice_body.html", context)
    return render(request, "reflections/practice/overview.html", context)


def _period_text(period: Period, rows: selectors.PracticeRows) -> str:
    start = period.start or rows.first_month
    if start is None:
        return _("All time")
    return _("%(start)s to %(end)s") % {
        "start": date_format(start, "j F Y"),
        "end": date_format(period.end, "j F Y"),
    }


@dataclass(frozen=True)
class MonthSummary:
    label: str
    reflections: int


@dataclass(frozen=True)
class PracticeReport:
    """Everything the practice page shows, pictures already drawn."""

    total: int
    older_version: int
    unmapped: int
    chains: int
    own_map: SafeString
    evidence_map: SafeString
    month_chart: SafeString
    months: list[MonthSummary]
    matrix: SafeString
    together: list[tuple[str, str, int]]
    context_spots: list[practice.BlindSpot]
    mechanism_spots: list[practice.BlindSpot]
    domain_spots: list[practice.BlindSpot]
    unrecorded_links: list[tuple[practice.Entity, practice.Entity]]

    @property
    def blind_spot_count(self) -> int:
        return len(self.context_spots) + len(self.mechanism_spots) + len(self.domain_spots)


def _evidence_map(parts: selectors.EvidenceParts) -> SafeString:
    """The framework's cited links, the same for everyone: drawn once per version and language."""

    def draw() -> SafeString:
        return render_diagram(
            overview_diagram(
                contexts=parts.contexts,
                mechanisms=parts.mechanisms,
                domains=parts.domains,
                links=parts.links,
                study_count=parts.study_count,
            ),
            compact=True,
        )

    return cached_for_version(parts.version, f"reflections.evidence_map:{get_language()}", draw)


def _report(
    *,
    parts: selectors.EvidenceParts,
    entities: selectors.FrameworkEntities,
    rows: selectors.PracticeRows,
    period: Period,
) -> PracticeReport:
    routes = parts.routes
    own = practice.practice_map(
        chain_counts=rows.chain_counts,
        contexts=entities.contexts,
        mechanisms=entities.mechanisms,
        domains=entities.domains,
    )
    own_map = render_diagram(
        practice.practice_diagram(
            practice=own,
            contexts=entities.contexts,
            mechanisms=entities.mechanisms,
            domains=entities.domains,
        ),
        compact=True,
    )
    evidence_map = _evidence_map(parts)

    first = period.start or rows.first_month
    months = practice.month_starts(first, period.end, most=MAX_PRACTICE_MONTHS) if first else []
    # Formatting a date is slow enough to matter over ten years of months: label each once.
    labels = [practice.month_label(month) for month in months]
    counts = {row.month: row.reflections for row in rows.months}
    context_keys = [entity.key for entity in entities.contexts]
    presence = practice.monthly_presence(
        months=months, context_keys=context_keys, rows=rows.presence
    )
    month_chart = render_month_chart(
        title=_("How present each context was, month by month"),
        description=_(
            "For each context, the average of my ratings in each month, from 0 (not present) "
            "to 3 (strongly present). A month without a bar had no rating above 0."
        ),
        months=labels,
        series=[
            Series(
                key=entity.key,
                label=entity.name,
                values=presence[entity.key],
                css_class=f"context--{entity.key}",
            )
            for entity in entities.contexts
        ],
        max_value=practice.PRESENCE_MAX,
    )

    matrix_values = practice.co_occurrence(keys=context_keys, pairs=rows.pairs)
    names = {entity.key: entity.name for entity in entities.contexts}
    matrix = render_matrix(
        title=_("Which contexts occur together"),
        description=_(
            "How many of my reflections rated both contexts at least “present”. The diagonal "
            "counts reflections that rated that context at least “present”."
        ),
        labels=[entity.name for entity in entities.contexts],
        values=matrix_values,
    )
    together = [
        (names[first_key], names[second_key], count)
        for first_key, second_key, count in practice.strongest_pairs(
            keys=context_keys, matrix=matrix_values
        )
    ]

    mechanism_contexts = practice.evidence_contexts_by(
        routes=routes, contexts=entities.contexts, through="mechanism"
    )
    domain_contexts = practice.evidence_contexts_by(
        routes=routes, contexts=entities.contexts, through="domain"
    )
    context_prompts = {
        context.key: [
            practice.PromptGroup(title=_("Questions to reflect on"), prompts=list(context.prompts)),
            *(
                practice.PromptGroup(
                    title=_("Tension: %(name)s") % {"name": tension.name},
                    prompts=list(tension.prompts),
                )
                for tension in parts.tensions
                if any(linked.key == context.key for linked in tension.contexts.all())
            ),
        ]
        for context in parts.contexts
    }
    mechanism_prompts = {
        entity.key: [
            practice.PromptGroup(
                title=_("Questions to reflect on"),
                prompts=practice.mechanism_prompts(entity, mechanism_contexts.get(entity.key, [])),
            )
        ]
        for entity in entities.mechanisms
    }
    domain_prompts = {
        entity.key: [
            practice.PromptGroup(
                title=_("Questions to reflect on"),
                prompts=practice.domain_prompts(entity, domain_contexts.get(entity.key, [])),
            )
        ]
        for entity in entities.domains
    }
    total = rows.total
    context_by_key = {entity.key: entity for entity in entities.contexts}
    mechanism_by_key = {entity.key: entity for entity in entities.mechanisms}
    unrecorded = [
        (context_by_key[context], mechanism_by_key[mechanism])
        for context, mechanism in practice.unrecorded_evidence_links(routes=routes, practice=own)
        if context in context_by_key and mechanism in mechanism_by_key
    ]
    return PracticeReport(
        total=total,
        older_version=rows.older_version,
        unmapped=own.unmapped,
        chains=own.chains,
        own_map=own_map,
        evidence_map=evidence_map,
        month_chart=month_chart,
        months=[
            MonthSummary(label=label, reflections=counts.get(month, 0))
            for month, label in zip(months, labels, strict=True)
        ],
        matrix=matrix,
        together=together,
        context_spots=practice.blind_spots(
            kind="context",
            entities=entities.contexts,
            counts=rows.context_reach,
            total=total,
            prompts=context_prompts,
        ),
        mechanism_spots=practice.blind_spots(
            kind="mechanism",
            entities=entities.mechanisms,
            counts=rows.mechanism_reach,
            total=total,
            prompts=mechanism_prompts,
        ),
        domain_spots=practice.blind_spots(
            kind="domain",
            entities=entities.domains,
            counts=rows.domain_reach,
            total=total,
            prompts=domain_prompts,
        ),
        unrecorded_links=unrecorded if total else [],
    )
