"""Ending someone's sessions from outside them.

Deleting `Session` rows is not enough when sessions are cached (settings.SESSION_ENGINE is
`cached_db` with Redis): the cache would keep serving the session. Each one is ended through
the configured engine, which clears the cache and the row alike.
"""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session

from accounts.models import User


def sessions_end_for(*, user: User) -> int:
    """End every session signed in as `user`, expired ones too; return how many.

    Expired rows go as well because they still name the person. Reads every session, because
    a row names its person only inside its encoded data; this runs only when an account is
    erased.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for session in Session.objects.all().iterator():
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk):
            store(session_key=session.session_key).delete()
            ended += 1
    return ended
