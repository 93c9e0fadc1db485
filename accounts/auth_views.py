"""The keep-alive behind the idle warning's "Stay signed in" button."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_POST

from accounts.http import AuthedRequest
from accounts.middleware import idle_session_touch


@require_POST
@login_required
def session_keep_alive(request: AuthedRequest) -> HttpResponse:
    """Start the idle clock again; 204 because the page that asked stays as it is.

    An expired session never reaches here: IdleSessionMiddleware answers with a redirect to
    sign in, which static/js/idle.js takes as "the session has ended".
    """
    idle_session_touch(request)
    return HttpResponse(status=204)
