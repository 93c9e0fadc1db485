"""System checks of this project's own settings, run by `manage.py check --deploy`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, register
from django.core.checks import Error as CheckError
from django.core.checks import Warning as CheckWarning

WEAK_HASHERS = ("MD5PasswordHasher", "UnsaltedMD5PasswordHasher", "UnsaltedSHA1PasswordHasher")


@register(Tags.security, deploy=True)
def check_password_hashing(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """FAST_PASSWORD_HASHING exists for the test suite; a deployment must never run with it."""
    first = settings.PASSWORD_HASHERS[0]
    if first.endswith(WEAK_HASHERS):
        return [
            CheckWarning(
                "Passwords are hashed with a fast, weak hash (FAST_PASSWORD_HASHING is on).",
                hint="Unset FAST_PASSWORD_HASHING: it is only for the test suite.",
                id="appear.W001",
            )
        ]
    return []


@register(Tags.security)
def check_two_factor_keys(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """A malformed TWO_FACTOR_KEYS entry would only show when someone next signs in."""
    from cryptography.fernet import Fernet

    for position, key in enumerate(settings.TWO_FACTOR_KEYS, start=1):
        try:
            Fernet(key.encode("ascii"))
        except ValueError:
            return [
                CheckError(
                    f"TWO_FACTOR_KEYS entry {position} is not a Fernet key.",
                    hint="Make one with: python -c 'from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())'",
                    id="appear.E001",
                )
            ]
    return []
