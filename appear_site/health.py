"""The health check a load balancer asks each app server before sending it people.

Kept apart from the pages in views.py: it reads no app's data, only whether the two services
every page needs (the database and the shared cache, where sessions, sign-in throttling and
cached pages live) answer from this server.
"""

from __future__ import annotations

import logging
import secrets

from django.core.cache import cache
from django.db import Error as DatabaseError
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

OK = "ok"
UNAVAILABLE = "unavailable"
# The probe's key outlives a request only if deleting it failed; it must never pile up.
CACHE_PROBE_SECONDS = 10


def database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return bool(cursor.fetchone() == (1,))
    except DatabaseError:
        logger.warning("Health check: the database did not answer.", exc_info=True)
        return False


def cache_answers() -> bool:
    # A key of its own per probe: two servers, or two workers, probing at once must not read
    # each other's value and report a working cache as broken.
    key = f"healthz:{secrets.token_hex(8)}"
    value = secrets.token_hex(8)
    try:
        cache.set(key, value, timeout=CACHE_PROBE_SECONDS)
        answered = bool(cache.get(key) == value)
        cache.delete(key)
    # Any error from the cache backend (the redis client's own exceptions share no base with
    # Django's) means the same thing here: this server cannot use the shared cache.
    except Exception:
        logger.warning("Health check: the cache did not answer.", exc_info=True)
        return False
    return answered


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when this server reaches the database and the cache, 503 naming which it cannot.

    The answer says only "ok" or "unavailable" for each: no host names, versions or error
    text, because anyone can ask. The errors themselves go to the server's log. A probe
    that hangs (a cache that accepts connections but never answers) is left to the load
    balancer's own check timeout, which marks the server down as it should.
    """
    checks = {
        "database": OK if database_answers() else UNAVAILABLE,
        "cache": OK if cache_answers() else UNAVAILABLE,
    }
    healthy = all(state == OK for state in checks.values())
    return JsonResponse(
        {"status": OK if healthy else UNAVAILABLE, **checks}, status=200 if healthy else 503
    )
