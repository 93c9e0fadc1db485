"""The public APPEAR framework explorer: readable without signing in, GET only.

Every page shows the current framework version. Before any version is loaded each page
answers 503 with a short explanation rather than failing.

What a page shows of the framework (its rows and the drawn diagram) depends on the version
alone, so it is worked out once per version and kept in the shared cache
(framework.caching); each request reads only which version is current, and renders the
page around the cached part with its own header, messages and CSRF token.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from framework import figures, selectors
from framework.caching import cached_for_version
from framework.diagrams import render_diagram
from framework.models import FrameworkVersion, Reference
from framework.search import MAX_QUERY_LENGTH, QueryProblem, framework_search, query_terms


def _not_loaded(request: HttpRequest) -> HttpResponse:
    return render(request, "framework/not_loaded.html", status=503)


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    version = selectors.current_version()
    if version is None:
        return _not_loaded(request)
    page = cached_for_version(version, "explorer:overview", lambda: _overview(version))
    return render(request, "framework/overview.html", {"version": version, **page})


def _overview(version: FrameworkVersion) -> dict[str, Any]:
    data = selectors.framework_overview(version=version)
    mechanisms = [m for group in data.groups for m in group.mechanisms.all()]
    diagram = figures.overview_diagram(
        contexts=data.contexts,
        mechanisms=mechanisms,
        domains=data.domains,
        links=data.links,
        study_count=data.study_count,
    )
    return {"data": data, "diagram": render_diagram(diagram, max_weight=data.study_count)}


@require_GET
def context_page(request: HttpRequest, key: str) -> HttpResponse:
    version = selectors.current_version()
    if version is None:
        return _not_loaded(request)
    # Only contexts that exist are cached (None is never kept), so an unknown key in the
    # address cannot fill the cache.
    page = cached_for_version(version, f"explorer:context:{key}", lambda: _context(version, key))
    if page is None:
        raise Http404(_("There is no such context."))
    return render(request, "framework/context.html", {"version": version, **page})


def _context(version: FrameworkVersion, key: str) -> dict[str, Any] | None:
    detail = selectors.context_detail(version=version, key=key)
    if detail is None:
        return None
    diagram = figures.context_diagram(
        context=detail.context,
        factors=detail.factors,
        links=detail.links,
        study_count=detail.study_count,
    )
    return {
        "detail": detail,
        "context": detail.context,
        "link_groups": selectors.group_by_statement(detail.links),
        "diagram": render_diagram(diagram, max_weight=detail.study_count),
    }


@require_GET
def mechanism_page(request: HttpRequest, key: str) -> HttpResponse:
    version = selectors.current_version()
    if version is None:
        return _not_loaded(request)
    page = cached_for_version(
        version, f"explorer:mechanism:{key}", lambda: _mechanism(version, key)
    )
    if page is None:
        raise Http404(_("There is no such mechanism."))
    return render(request, "framework/mechanism.html", {"version": version, **page})


def _mechanism(version: FrameworkVersion, key: str) -> dict[str, Any] | None:
    detail = selectors.mechanism_detail(version=version, key=key)
    if detail is None:
        return None
    diagram = figures.mechanism_diagram(mechanism=detail.mechanism, links=detail.links)
    return {
        "detail": detail,
        "mechanism": detail.mechanism,
        "link_groups": selectors.group_by_statement(detail.links),
        "diagram": render_diagram(diagram, max_weight=detail.study_count) if detail.links else "",
    }


@require_GET
def outcome_page(request: HttpRequest, key: str) -> HttpResponse:
    version = selectors.current_version()
    if version is None:
        return _not_loaded(request)
    page = cached_for_version(version, f"explorer:outcome:{key}", lambda: _outcome(version, key))
    if page is None:
        raise Http404(_("There is no such outcome domain."))
    return render(request, "framework/outcome.html", {"version": version, **page})


def _outcome(version: FrameworkVersion, key: str) -> dict[str, Any] | None:
    detail = selectors.domain_detail(version=version, key=key)
    if detail is None:
        return None
    diagram = figures.domain_diagram(domain=detail.domain, links=detail.links)
    return {
        "detail": detail,
        "domain": detail.domain,
        "link_groups": selectors.group_by_statement(detail.links),
        "diagram": render_diagram(diagram, max_weight=detail.study_count) if detail.links else "",
    }


@require_GET
def references(request: HttpRequest) -> HttpResponse:
    version = selectors.current_version()
    if version is None:
        return _not_loaded(request)
    references = cached_for_version(
        version, "explorer:references", lambda: selectors.references_with_links(version=version)
    )
    headings = {
        Reference.Kind.STUDY: _("The included studies"),
        Reference.Kind.THEORY: _("Theory and background"),
    }
    kinds = [
        (kind, heading, [reference for reference in references if reference.kind == kind])
        for kind, heading in headings.items()
    ]
    return render(
        request,
        "framework/references.html",
        {"version": version, "kinds": [entry for entry in kinds if entry[2]]},
    )


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    version = selectors.current_version()
    if version is None:
        return _not_loaded(request)
    query = request.GET.get("q", "")
    problem = ""
    groups = []
    searched = "q" in request.GET
    if searched:
        try:
            terms = query_terms(query)
        except QueryProblem as error:
            problem = str(error)
        else:
            groups = framework_search(version=version, terms=terms)
    return render(
        request,
        "framework/search.html",
        {
            "version": version,
            "query": query,
            "searched": searched,
            "problem": problem,
            "groups": groups,
            "hit_count": sum(len(group.hits) for group in groups),
            "max_length": MAX_QUERY_LENGTH,
        },
    )
