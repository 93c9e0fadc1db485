"""django-allauth adapter: nobody registers themselves; people join by invitation."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest

from accounts.audit import client_ip
from accounts.models import User
from accounts.signals import MAX_LOGIN_LENGTH


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's rate limits count per address: the same address the audit trail records,
        # read through TRUSTED_PROXY_COUNT (accounts.audit.client_ip).
        address = client_ip(request)
        if address is None:
            raise PermissionDenied("Unable to determine the client's address.")
        return address

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth counts failed sign-ins per identifier typed, so a user name and an e-mail
        # address would each get their own five attempts. Counting per account instead makes
        # "five wrong passwords lock the account" true whichever identifier is used.
        key = super()._get_login_attempts_cache_key(request, **credentials)
        login = str(credentials.get("email") or credentials.get("username") or "")
        if not login or len(login) > MAX_LOGIN_LENGTH:
            return key
        matches = list(
            User.objects.filter(Q(username__iexact=login) | Q(email__iexact=login)).values_list(
                "pk", flat=True
            )[:2]
        )
        if len(matches) != 1:
            return key
        return f"{key.partition(':')[0]}:account:{matches[0]}"
