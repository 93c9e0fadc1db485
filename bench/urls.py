"""The site's URLs plus `/__bench__/bare/`, a signed-in view that does nothing else.

The bare view pays only what every signed-in page pays (middleware, session, user), so a page's
median divided by its median is the page's own cost. Mounted by bench/settings.py alone.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from appear_site.urls import urlpatterns as site_urlpatterns


@require_GET
@login_required
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("__bench__/bare/", bare, name="bench_bare"), *site_urlpatterns]
