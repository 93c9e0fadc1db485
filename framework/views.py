"""The public APPEAR framework explorer."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from framework import selectors


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    version = selectors.current_version()
    if version is None:
        return render(request, "framework/not_loaded.html", status=503)
    contexts = version.contexts.prefetch_related("factors")
    return render(request, "framework/overview.html", {"version": version, "contexts": contexts})
