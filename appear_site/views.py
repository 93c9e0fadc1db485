"""Site-wide pages that belong to no single app."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from framework import selectors


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    version = selectors.current_version()
    return render(request, "home.html", {"version": version})
