"""Session-level security: idle expiry, required two-factor enrolment, signing in again from an
htmx request, and unsent-form receipts.

Order in settings.MIDDLEWARE matters: all three come after sessions, authentication and
messages, idle expiry before two-factor enrolment (an expired session goes to sign-in, not to
enrolment).
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_htmx.http import HttpResponseClientRedirect

from accounts.models import User
from accounts.two_factor import two_factor_enrolment_needed_in_session

GetResponse = Callable[[HttpRequest], HttpResponse]

# The session remembers when it last saw a request, in whole seconds since the epoch.
IDLE_LAST_SEEN_KEY = "_appear_idle_last_seen"
# Set on the request before an automatic sign-out so the audit record can say why.
SIGN_OUT_REASON_ATTR = "_appear_sign_out_reason"
# Seconds until the session would expire, for static/js/idle.js after htmx and fetch requests.
IDLE_LEFT_HEADER = "X-Session-Idle-Left"
# Set on the request for templates (base.html gives it to static/js/idle.js).
IDLE_LEFT_ATTR = "idle_seconds_left"

KEEP_UNSENT_FIELD = "_keep_unsent"
KEEP_UNSENT_COOKIE = "appear_sent"
_KEEP_UNSENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


# Set by `polling_view` on views that a page calls by itself on a timer.
POLLING_VIEW_ATTR = "appear_polling_view"

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])


def polling_view(view: ViewFunc) -> ViewFunc:
    """Mark a view a page polls on a timer: its requests do not count as activity.

    Only a person's own requests keep the session open, so an unattended page that
    refreshes itself still signs out after the idle time. Put it innermost (nearest the
    function); `functools.wraps` in the outer decorators carries the mark outwards.
    """
    setattr(view, POLLING_VIEW_ATTR, True)
    return view


def _touch_interval(timeout: int) -> int:
    # Writing the session on every request would cost a query each time; a tenth of the
    # timeout (at most a minute) keeps expiry accurate to within that.
    return max(1, min(60, timeout // 10))


def idle_session_touch(request: HttpRequest) -> None:
    """Record activity now, so the idle clock starts again."""
    now = int(time.time())
    request.session[IDLE_LAST_SEEN_KEY] = now
    setattr(request, IDLE_LEFT_ATTR, settings.SESSION_IDLE_TIMEOUT)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if _is_htmx(request):
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)


def _return_path(request: HttpRequest) -> str:
    """The page to come back to after signing in again.

    For a GET it is the page itself. A form POST or an htmx request cannot be repeated by a
    redirect, so it is the page the person was on (if it is this site), where
    static/js/keep-unsent.js restores what was typed.
    """
    if request.method == "GET" and not _is_htmx(request):
        return request.get_full_path()
    # htmx names the page it was called from; a plain form POST has only the Referer.
    page = request.headers.get("HX-Current-URL" if _is_htmx(request) else "Referer", "")
    allowed = url_has_allowed_host_and_scheme(
        page, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if page and allowed:
        parts = urlsplit(page)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    if request.method == "GET":
        return request.get_full_path()
    return resolve_url(settings.LOGIN_REDIRECT_URL)


class IdleSessionMiddleware:
    """End a signed-in session after settings.SESSION_IDLE_TIMEOUT seconds without a request.

    The expired session is flushed (and the sign-out audited with the reason "idle"), and the
    person is sent to sign in with `next` pointing back to where they were. htmx requests get
    an HX-Redirect so the whole page goes, not just a swapped fragment.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.get_response(request)
        timeout = int(settings.SESSION_IDLE_TIMEOUT)
        if timeout <= 0:  # Turned off.
            return self.get_response(request)
        now = int(time.time())
        last_seen = request.session.get(IDLE_LAST_SEEN_KEY)
        if isinstance(last_seen, int) and now - last_seen >= timeout:
            return self._expire(request, timeout)
        left = timeout - (now - last_seen) if isinstance(last_seen, int) else timeout
        setattr(request, IDLE_LEFT_ATTR, left)
        response = self.get_response(request)
        if request.user.is_authenticated:
            response.headers[IDLE_LEFT_HEADER] = str(getattr(request, IDLE_LEFT_ATTR))
        return response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: object,
        view_kwargs: object,
    ) -> None:
        """Count the request as activity, unless its view only polls for fresh content.

        Deciding here, once the view is known, lets a projected page that refreshes itself
        every few seconds still time out when the person has walked away from it.
        """
        timeout = int(settings.SESSION_IDLE_TIMEOUT)
        if (
            timeout <= 0
            or not request.user.is_authenticated
            or getattr(view_func, POLLING_VIEW_ATTR, False)
        ):
            return
        now = int(time.time())
        last_seen = request.session.get(IDLE_LAST_SEEN_KEY)
        if not isinstance(last_seen, int) or now - last_seen >= _touch_interval(timeout):
            request.session[IDLE_LAST_SEEN_KEY] = now
            last_seen = now
        setattr(request, IDLE_LEFT_ATTR, timeout - (now - last_seen))

    def _expire(self, request: HttpRequest, timeout: int) -> HttpResponse:
        return_path = _return_path(request)
        setattr(request, SIGN_OUT_REASON_ATTR, "idle")
        logout(request)
        minutes = max(1, math.ceil(timeout / 60))
        messages.info(
            request,
            ngettext(
                "You were signed out after %(minutes)d minute without activity, to protect "
                "what was on your screen. Sign in again to carry on where you left off.",
                "You were signed out after %(minutes)d minutes without activity, to protect "
                "what was on your screen. Sign in again to carry on where you left off.",
                minutes,
            )
            % {"minutes": minutes},
        )
        login_url = resolve_url(settings.LOGIN_URL)
        return _redirect(request, f"{login_url}?{urlencode({'next': return_path})}")


class HtmxSignInMiddleware:
    """Send the whole page to sign in when an htmx request finds no session.

    `login_required` answers a redirect, which the browser follows inside the htmx request and
    htmx would swap the sign-in page into a fragment. Instead the page goes (HX-Redirect), and
    `next` is the page the person was on, where static/js/keep-unsent.js puts back what they
    had typed: the htmx URL itself may take only POSTs.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not _is_htmx(request) or not 300 <= response.status_code < 400:
            return response
        login_url = resolve_url(settings.LOGIN_URL)
        if urlsplit(response.headers.get("Location", "")).path != login_url:
            return response
        return HttpResponseClientRedirect(
            f"{login_url}?{urlencode({'next': _return_path(request)})}"
        )


# Pages a person who must enrol in two-factor sign-in can still reach.
TWO_FACTOR_ENROLMENT_URL_NAMES = frozenset(
    {
        "mfa_index",
        "mfa_activate_totp",
        "mfa_reauthenticate",
        "account_reauthenticate",
        "account_logout",
        "session_keep_alive",
        # The load balancer's health check answers the same whoever asks.
        "healthz",
    }
)


class TwoFactorEnrolmentMiddleware:
    """Send a supervisor or organisation admin to enrol when their organisation requires it.

    Applies to site staff, and to people with an active supervisor or organisation admin
    membership of an organisation with `requires_two_factor`, who have no authenticator app yet. Every page
    except enrolment, re-authentication, sign-out, the keep-alive and static files redirects
    to the enrolment page. The answer is remembered in the session (accounts.two_factor says
    until when), so a signed-in request costs no query for it.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            isinstance(user, User)
            and user.is_authenticated
            and not self._exempt(request)
            and two_factor_enrolment_needed_in_session(user=user, session=request.session)
        ):
            if request.method == "GET" and not _is_htmx(request):
                messages.warning(
                    request,
                    _(
                        "Site staff use two-factor sign-in, because the site admin can change "
                        "anyone's access. Set up an authenticator app to carry on."
                    )
                    if user.is_staff
                    else _(
                        "Your organisation asks supervisors and organisation admins to use "
                        "two-factor sign-in. Set up an authenticator app to carry on."
                    ),
                )
            return _redirect(request, reverse("mfa_activate_totp"))
        return self.get_response(request)

    @staticmethod
    def _exempt(request: HttpRequest) -> bool:
        static_url = "/" + settings.STATIC_URL.lstrip("/")
        if request.path_info.startswith(static_url):
            return True
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.url_name in TWO_FACTOR_ENROLMENT_URL_NAMES


class KeepUnsentReceiptMiddleware:
    """Tell static/js/keep-unsent.js that a form it kept a copy of has been received.

    The script adds a `_keep_unsent` field holding the copy's id to the form. When the POST
    succeeds (a redirect, or htmx's HX-Redirect, elsewhere than sign-in, with the person
    still signed in) the id comes back in a short-lived cookie and the script deletes its copy. A failure
    of any kind (errors shown again, an expired session, a server error) sends no receipt, so
    the copy stays until the next successful submit.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # An htmx form that saved answers 200 with HX-Redirect where a plain form redirects.
        sent_on = response.headers.get("Location") or response.headers.get("HX-Redirect")
        if request.method != "POST" or not sent_on:
            return response
        keep_id = request.POST.get(KEEP_UNSENT_FIELD, "")
        if not _KEEP_UNSENT_ID.match(keep_id) or not request.user.is_authenticated:
            return response
        location = urlsplit(sent_on).path
        if location == resolve_url(settings.LOGIN_URL):
            return response
        response.set_cookie(
            KEEP_UNSENT_COOKIE,
            keep_id,
            max_age=120,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=False,  # The script must read it; it holds only a random id.
            samesite="Lax",
        )
        return response
