"""Reads of the framework, shared by the explorer, reflections and PDFs.

Each page-sized read fetches its rows with a fixed number of queries (select_related and
prefetch_related built in), so a page's query count does not grow with the framework's size.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from framework.models import (
    Context,
    Factor,
    FeedbackLoop,
    FrameworkVersion,
    Limitation,
    Link,
    Mechanism,
    MechanismGroup,
    OtherStatedLink,
    Outcome,
    OutcomeDomain,
    Reference,
    StakeholderReflection,
    Tension,
)


def current_version() -> FrameworkVersion | None:
    """The framework version new reflections are written against, or None before any load."""
    return FrameworkVersion.objects.filter(is_current=True).first()


def included_study_count(*, version: FrameworkVersion) -> int:
    """How many primary studies the synthesis included (the paper's 20).

    Counted from the version's references of kind `study`, so a corrected data file is
    reflected without code changes. One query.
    """
    return version.references.filter(kind=Reference.Kind.STUDY).count()


def links_with_evidence(queryset: QuerySet[Link]) -> QuerySet[Link]:
    """Links with everything a page shows about them, in three queries whatever their number.

    The links (with context, mechanism, outcome, domain and quoted reference joined in), their
    citations and their additional mechanisms.
    """
    return queryset.select_related(
        "context", "mechanism", "outcome__domain", "quote_reference"
    ).prefetch_related(
        Prefetch("citations", queryset=Reference.objects.order_by("number")),
        Prefetch("additional_mechanisms", queryset=Mechanism.objects.order_by("order")),
    )


def _other_links(queryset: QuerySet[OtherStatedLink]) -> QuerySet[OtherStatedLink]:
    return queryset.prefetch_related(
        Prefetch("contexts", queryset=Context.objects.order_by("order")),
        Prefetch("mechanisms", queryset=Mechanism.objects.order_by("order")),
        Prefetch(
            "outcomes",
            queryset=Outcome.objects.select_related("domain").order_by("domain__number", "order"),
        ),
    )


@dataclass(frozen=True)
class Overview:
    version: FrameworkVersion
    contexts: list[Context]
    groups: list[MechanismGroup]
    domains: list[OutcomeDomain]
    links: list[Link]
    feedback_loops: list[FeedbackLoop]
    limitations: list[Limitation]
    other_links: list[OtherStatedLink]
    study_count: int


def framework_overview(*, version: FrameworkVersion) -> Overview:
    """Everything the overview page shows, in 15 queries.

    Contexts with factors (2), groups with mechanisms (2), domains with outcomes (2), links
    with citations and additional mechanisms (3), feedback loops with mechanisms and outcomes
    (3), limitations (1), uncited links (1) and the study count (1).
    """
    return Overview(
        version=version,
        contexts=list(version.contexts.prefetch_related("factors")),
        groups=list(
            version.mechanism_groups.prefetch_related(
                Prefetch("mechanisms", queryset=Mechanism.objects.order_by("order"))
            )
        ),
        domains=list(
            version.outcome_domains.prefetch_related(
                Prefetch("outcomes", queryset=Outcome.objects.order_by("order"))
            )
        ),
        links=list(
            version.links.select_related(
                "context", "mechanism", "outcome__domain"
            ).prefetch_related("citations", "additional_mechanisms")
        ),
        feedback_loops=list(
            version.feedback_loops.prefetch_related(
                Prefetch("mechanisms", queryset=Mechanism.objects.order_by("order")),
                Prefetch(
                    "outcomes",
                    queryset=Outcome.objects.select_related("domain").order_by(
                        "domain__number", "order"
                    ),
                ),
            )
        ),
        limitations=list(version.limitations.all()),
        other_links=list(version.other_links.all()),
        study_count=included_study_count(version=version),
    )


@dataclass(frozen=True)
class ContextDetail:
    context: Context
    factors: list[Factor]
    reflections: list[StakeholderReflection]
    tensions: list[Tension]
    links: list[Link]
    other_links: list[OtherStatedLink]
    contexts: list[Context]
    study_count: int


def context_detail(*, version: FrameworkVersion, key: str) -> ContextDetail | None:
    """One context with its factors, reflections, tensions and cited links; None if unknown.

    13 queries: the context (1), its factors (1), stakeholder reflections with their tension
    (1), tensions (1), links with evidence (3), uncited links with their parts (4), every
    context for the navigation (1) and the study count (1).
    """
    context = version.contexts.filter(key=key).first()
    if context is None:
        return None
    return ContextDetail(
        context=context,
        factors=list(context.factors.all()),
        reflections=list(context.stakeholder_reflections.select_related("tension")),
        tensions=list(context.tensions.order_by("order")),
        links=list(links_with_evidence(context.links.all())),
        other_links=list(_other_links(context.other_links.all())),
        contexts=list(version.contexts.all()),
        study_count=included_study_count(version=version),
    )


@dataclass(frozen=True)
class MechanismDetail:
    mechanism: Mechanism
    links: list[Link]
    other_links: list[OtherStatedLink]
    feedback_loops: list[FeedbackLoop]
    mechanisms: list[Mechanism]
    study_count: int


def mechanism_detail(*, version: FrameworkVersion, key: str) -> MechanismDetail | None:
    """One mechanism with every cited link that reaches it; None if unknown.

    A link reaches a mechanism as its main mechanism or as one of its additional mechanisms
    (where the paper's wording covers two). 11 queries: the mechanism with its group (1),
    links with evidence (3), uncited links with their parts (4), feedback loops (1), every
    mechanism for the navigation (1) and the study count (1).
    """
    mechanism = version.mechanisms.select_related("group").filter(key=key).first()
    if mechanism is None:
        return None
    links = links_with_evidence(
        version.links.filter(Q(mechanism=mechanism) | Q(additional_mechanisms=mechanism))
        .distinct()
        .order_by("context__order", "code")
    )
    return MechanismDetail(
        mechanism=mechanism,
        links=list(links),
        other_links=list(_other_links(mechanism.other_links.all())),
        feedback_loops=list(mechanism.feedback_loops.order_by("order")),
        mechanisms=list(version.mechanisms.all()),
        study_count=included_study_count(version=version),
    )


@dataclass(frozen=True)
class DomainDetail:
    domain: OutcomeDomain
    outcomes: list[Outcome]
    links: list[Link]
    other_links: list[OtherStatedLink]
    domains: list[OutcomeDomain]
    study_count: int


def domain_detail(*, version: FrameworkVersion, key: str) -> DomainDetail | None:
    """One outcome domain with its outcomes and every cited link ending in it; None if unknown.

    11 queries: the domain (1), its outcomes (1), links with evidence (3), uncited links with
    their parts (4), every domain for the navigation (1) and the study count (1).
    """
    domain = version.outcome_domains.filter(key=key).first()
    if domain is None:
        return None
    links = links_with_evidence(
        version.links.filter(outcome__domain=domain).order_by("context__order", "code")
    )
    other_links = _other_links(
        version.other_links.filter(outcomes__domain=domain).distinct().order_by("code")
    )
    return DomainDetail(
        domain=domain,
        outcomes=list(domain.outcomes.order_by("order")),
        links=list(links),
        other_links=list(other_links),
        domains=list(version.outcome_domains.all()),
        study_count=included_study_count(version=version),
    )


def references_with_links(*, version: FrameworkVersion) -> list[Reference]:
    """Every reference with the links that cite it and quote it, in three queries."""
    cited = Link.objects.select_related("context", "mechanism", "outcome__domain").order_by("code")
    return list(
        version.references.prefetch_related(
            Prefetch("links", queryset=cited),
            Prefetch("quoted_in", queryset=cited),
        )
    )


@dataclass(frozen=True)
class SearchCorpus:
    contexts: list[Context]
    mechanisms: list[Mechanism]
    domains: list[OutcomeDomain]
    reflections: list[StakeholderReflection]
    tensions: list[Tension]
    links: list[Link]


def search_corpus(*, version: FrameworkVersion) -> SearchCorpus:
    """All the text the search looks through, in nine queries.

    The framework is small (tens of rows), so loading it whole and filtering in Python keeps
    the query count fixed whatever is searched for.
    """
    return SearchCorpus(
        contexts=list(version.contexts.prefetch_related("factors")),
        mechanisms=list(version.mechanisms.select_related("group")),
        domains=list(
            version.outcome_domains.prefetch_related(
                Prefetch("outcomes", queryset=Outcome.objects.order_by("order"))
            )
        ),
        reflections=list(
            StakeholderReflection.objects.filter(context__version=version).select_related("context")
        ),
        tensions=list(
            version.tensions.prefetch_related(
                Prefetch("contexts", queryset=Context.objects.order_by("order"))
            )
        ),
        links=list(
            version.links.exclude(quote_text="").select_related(
                "context", "mechanism", "outcome__domain", "quote_reference"
            )
        ),
    )


@dataclass(frozen=True)
class StatementGroup:
    """Cited links that come from one sentence of the paper, shown together.

    `citations` and `quote` are filled only when every link in the group shares them, so a
    page can show them once; otherwise each link shows its own.
    """

    code: str
    links: list[Link]
    citations: list[Reference]
    quote: Link | None


def group_by_statement(links: list[Link]) -> list[StatementGroup]:
    """Group links (with citations prefetched) by the sentence they come from, keeping order.

    No queries beyond the prefetched ones.
    """
    grouped: dict[str, list[Link]] = {}
    for link in links:
        grouped.setdefault(link.statement_group, []).append(link)
    result = []
    for code, members in grouped.items():
        citation_sets = {tuple(ref.number for ref in link.citations.all()) for link in members}
        quotes = {(link.quote_text, link.quote_reference_id, link.quote_page) for link in members}
        first = members[0]
        result.append(
            StatementGroup(
                code=code,
                links=members,
                citations=list(first.citations.all()) if len(citation_sets) == 1 else [],
                quote=first if len(quotes) == 1 and first.quote_text else None,
            )
        )
    return result
