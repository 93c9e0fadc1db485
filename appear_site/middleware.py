"""Small middleware the security baseline needs and Django does not ship."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class PermissionsPolicyMiddleware:
    """Send a Permissions-Policy header turning off browser features the site never uses."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class PrivatePagesMiddleware:
    """Tell browsers and proxies to keep no copy of any page served to someone signed in.

    Signed-in pages show reflections, comments, records or who looked at them; a copy in a
    shared computer's browser cache, or in a proxy, outlives signing out. A response that
    already says how to cache it (a PDF's `private, no-store`) is left as it is.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            add_never_cache_headers(response)
        return response
