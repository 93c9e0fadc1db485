"""The site's URLs plus a bare signed-in view, to measure what every signed-in page pays."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from appear_site.urls import urlpatterns as site_urlpatterns


@login_required
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("bare")


urlpatterns = [path("bare/", bare), *site_urlpatterns]
