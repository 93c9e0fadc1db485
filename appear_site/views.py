"""Site-wide pages that belong to no single app."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from accounts import selectors as account_selectors
from accounts.models import User
from framework import selectors
from reflections import selectors as reflection_selectors
from supervision.waiting import waiting_for


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The landing page for visitors; for a signed-in person, what each of their roles offers."""
    version = selectors.current_version()
    context: dict[str, object] = {"version": version}
    if isinstance(request.user, User) and request.user.is_authenticated:
        summaries = account_selectors.dashboard(request.user)
        context["summaries"] = summaries
        worker = any(summary.membership.is_peer_worker for summary in summaries)
        supervisor = any(summary.membership.is_supervisor for summary in summaries)
        if worker:
            context["drafts"] = reflection_selectors.open_drafts(user=request.user)
        if worker or supervisor:
            context["waiting"] = waiting_for(
                user=request.user, worker=worker, supervisor=supervisor
            )
    return render(request, "home.html", context)


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Pages without our base template (the Django admin) make browsers ask for /favicon.ico."""
    # Resolved per request: the hashed name exists only once collectstatic has run.
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
