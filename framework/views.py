"""The public APPEAR framework explorer: readable without signing in, GET only.

Every page shows the current framework version. Before any version is loaded each page
answers 503 with a short explanation rather than failing.

What a page shows of the framework (its rows, the drawn diagram, and that part of the page
rendered) depends on the version alone, so it is worked out once per version and kept in the
shared cache (framework.caching); each request reads only which version is current, and
renders the page around the cached part with its own header, messages and CSRF token.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from framework import figures, selectors
from framework.caching import VERSION_CACHE_SECONDS, cached_for_version, version_cache_key
from framework.diagrams import render_diagram
from framework.models import FrameworkVersion, Reference
from framework.search import MAX_QUERY_LENGTH, QueryProblem, framework_search, query_terms


def _not_loaded(request: HttpRequest) -> HttpResponse:
    return render(request, "framework/not_loaded.html", status=503)


Page = dict[str, Any]


def _page_context(
    version: FrameworkVersion, name: str, compute: Callable[[], Page | None], names: Sequence[str]
) -> Page:
    """The template's values `names` of the cached page `name`, each read only when used.

    Each page template keeps its rendered framework part in the cache too (`{% cache %}`
    under `explorer_fragment`), so a page whose part is there never reads, or unpickles, the
    values that part was drawn from.
    """
    loaded: list[Page | None] = []

    def page() -> Page:
        if not loaded:
            loaded.append(cached_for_version(version, name, compute))
        return loaded[0] or {}

    values: Page = {
        value: SimpleLazyObject(lambda value=value: page()[value])  # type: ignore[misc]
        for value in names
    }
    return {
        **values,
        "explorer_fragment": f"{version_cache_key(version, name)}:{get_language()}",
        "explorer_fragment_seconds": VERSION_CACHE_SECONDS,
    }


def _head(
    version: FrameworkVersion, name: str, compute: Callable[[], Page | None], names: Sequence[str]
) -> Page | None:
    """The few values the page shows outside its framework part (title, breadcrumbs), or None
    if there is no such page; kept apart from the page so reading them stays cheap."""

    def work_out() -> Page | None:
        page = cached_for_version(version, name, compute)
        return None if page is None else {value: page[value] for value in names}

    return cached_for_version(version, f"{name}:head", work_out)


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    version = selectors.current_version()
    if version is None:
        return _not_loaded(request)
    page = _page_context(
        version, "explorer:overview", lambda: _overview(version), ["data", "diagram"]
    )
    return render(request, "framework/overview.html", {"version": version, **page})


def _overview(version: FrameworkVersion) -> Page:
    data = selectors.framework_overview(version=version)
    mechanisms = [m for group in data.groups for m in group.mechanisms.all()]
    diagram = figures.overview_diagram(
        contexts=data.contexts,
        mechanisms=mechanisms,
        domains=data.domains,
        links=data.links,
        study_count=data.study_count,
    )
    # The overview's map is read on phones too: a list there, the drawing a tap away.
    return {
        "data": data,
        "diagram": render_diagram(diagram, max_weight=data.study_count, compact=True),
    }


# Only pages that exist are cached (None is never kept), so an unknown key typed into the
# address cannot fill the cache.
_DETAIL = ["detail", "link_groups", "diagram"]


@require_GET
def context_page(request: HttpRequest, key: str) -> HttpResponse:
    version = selectors.current_version()
    if version is None:
        return _not_loaded(request)
    name = f"explorer:context:{key}"
    head = _head(version, name, lambda: _context(version, key), ["context"])
    if head is None:
        raise Http404(_("There is no such context."))
    page = _page_context(version, name, lambda: _context(version, key), _DETAIL)
    return render(request, "framework/context.html", {"version": version, **head, **page})


def _context(version: FrameworkVersion, key: str) -> Page | None:
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
    name = f"explorer:mechanism:{key}"
    head = _head(version, name, lambda: _mechanism(version, key), ["mechanism"])
    if head is None:
        raise Http404(_("There is no such mechanism."))
    page = _page_context(version, name, lambda: _mechanism(version, key), _DETAIL)
    return render(request, "framework/mechanism.html", {"version": version, **head, **page})


def _mechanism(version: FrameworkVersion, key: str) -> Page | None:
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
    name = f"explorer:outcome:{key}"
    head = _head(version, name, lambda: _outcome(version, key), ["domain"])
    if head is None:
        raise Http404(_("There is no such outcome domain."))
    page = _page_context(version, name, lambda: _outcome(version, key), _DETAIL)
    return render(request, "framework/outcome.html", {"version": version, **head, **page})


def _outcome(version: FrameworkVersion, key: str) -> Page | None:
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
    page = _page_context(version, "explorer:references", lambda: _references(version), ["kinds"])
    return render(request, "framework/references.html", {"version": version, **page})


def _references(version: FrameworkVersion) -> Page:
    references = selectors.references_with_links(version=version)
    # Lazy, so the cached page is translated when it is shown, not when it was worked out.
    headings = {
        Reference.Kind.STUDY: gettext_lazy("The included studies"),
        Reference.Kind.THEORY: gettext_lazy("Theory and background"),
    }
    kinds = [
        (kind, heading, [reference for reference in references if reference.kind == kind])
        for kind, heading in headings.items()
    ]
    return {"kinds": [entry for entry in kinds if entry[2]]}


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
