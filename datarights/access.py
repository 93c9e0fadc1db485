"""Who may reach which data-rights object: each person only their own; admins their members."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from accounts.models import User
from datarights.models import Export


def access_export(*, user: User | AnonymousUser, pk: int) -> Export:
    """Return export `pk` if it is `user`'s own; raise Http404 otherwise (anyone else's too)."""
    if not user.is_authenticated:
        raise Http404
    item = Export.objects.filter(pk=pk, user_id=user.pk).first()
    if item is None:
        raise Http404
    return item
