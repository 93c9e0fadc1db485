"""Move every stored two-factor secret to the current key, after a key change."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import two_factor_secrets


class Command(BaseCommand):
    help = (
        "Re-encrypt stored two-factor secrets with the first TWO_FACTOR_KEYS entry (or the "
        "current SECRET_KEY). Run it after rotating keys, before removing the old one."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            changed = two_factor_secrets.reencrypt_all(Authenticator.objects.select_for_update())
        self.stdout.write(f"Two-factor secrets moved to the current key: {changed}.")
