"""django-allauth adapter: nobody registers themselves; people join by invitation."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.db.models import Q
from django.http import HttpRequest

from accounts.models import User


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth counts failed sign-ins per identifier typed, so a user name and an e-mail
        # address would each get their own five attempts. Counting per account instead makes
        # "five wrong passwords lock the account" true whichever identifier is used.
        key = str(super()._get_login_attempts_cache_key(request, **credentials))
        login = str(credentials.get("email") or credentials.get("username") or "")
        if not login:
            return key
        matches = list(
            User.objects.filter(Q(username__iexact=login) | Q(email__iexact=login)).values_list(
                "pk", flat=True
            )[:2]
        )
        if len(matches) != 1:
            return key
        return f"{key.partition(':')[0]}:account:{matches[0]}"
