"""Two-factor secrets (authenticator keys, recovery-code seeds) are encrypted at rest.

allauth stores them in `Authenticator.data`; its MFA adapter's encrypt/decrypt hooks call the
functions here. A database dump or a backup therefore holds no usable second factor.

Keys come from `TWO_FACTOR_KEYS` (Fernet keys, the first encrypts, all decrypt) or, when that is
empty, are derived from `SECRET_KEY` and `SECRET_KEY_FALLBACKS`, so rotating the secret key the
Django way keeps two-factor working until `reencrypt_two_factor` has moved every secret over.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.crypto import salted_hmac

PREFIX = "fernet:"
_SALT = "appear.accounts.two_factor_secrets"


def _derived_key(secret: str) -> bytes:
    digest = salted_hmac(_SALT, "two-factor secrets", secret=secret, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest)


def _keys() -> list[bytes]:
    configured: list[str] = list(getattr(settings, "TWO_FACTOR_KEYS", []))
    if configured:
        return [key.encode("ascii") for key in configured]
    return [_derived_key(settings.SECRET_KEY)] + [
        _derived_key(old) for old in getattr(settings, "SECRET_KEY_FALLBACKS", [])
    ]


def _fernet() -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in _keys()])
    except ValueError as error:
        raise ImproperlyConfigured(
            "TWO_FACTOR_KEYS must be Fernet keys: 32 url-safe base64-encoded bytes each."
        ) from error


def is_encrypted(value: str) -> bool:
    return value.startswith(PREFIX)


def encrypt(text: str) -> str:
    return PREFIX + _fernet().encrypt(text.encode()).decode("ascii")


def decrypt(value: str) -> str:
    if not is_encrypted(value):
        # Written before encryption arrived and not yet moved over by the migration.
        return value
    try:
        return _fernet().decrypt(value.removeprefix(PREFIX).encode("ascii")).decode()
    except InvalidToken as error:
        # Failing loudly beats guessing: a wrong secret would lock people out silently.
        raise ImproperlyConfigured(
            "A two-factor secret cannot be decrypted with the configured keys. Restore the old "
            "SECRET_KEY (in SECRET_KEY_FALLBACKS) or the old TWO_FACTOR_KEYS entry."
        ) from error


def _secret_slots(data: dict[str, Any]) -> Iterator[tuple[dict[str, Any] | list[Any], Any]]:
    """Where allauth keeps secrets inside `Authenticator.data`: containers and their keys."""
    for name in ("secret", "seed"):
        if isinstance(data.get(name), str):
            yield data, name
    codes = data.get("migrated_codes")
    if isinstance(codes, list):
        for index, code in enumerate(codes):
            if isinstance(code, str):
                yield codes, index


def reencrypted(data: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """`data` with every secret encrypted under the first key; whether anything changed."""
    changed = False
    for container, key in _secret_slots(data):
        value = container[key]
        fresh = encrypt(decrypt(value))
        if not is_encrypted(value) or _key_index(value) != 0:
            container[key] = fresh
            changed = True
    return data, changed


def _key_index(value: str) -> int | None:
    token = value.removeprefix(PREFIX).encode("ascii")
    for index, key in enumerate(_keys()):
        try:
            Fernet(key).decrypt(token)
        except InvalidToken:
            continue
        return index
    return None


def reencrypt_all(authenticators: Any) -> int:
    """Encrypt every stored secret under the first key; the number of authenticators changed.

    `authenticators` is a queryset of allauth's Authenticator (or its historical model in a
    migration); only `data` is read and written.
    """
    changed_count = 0
    for authenticator in authenticators.only("pk", "data").iterator():
        data, changed = reencrypted(authenticator.data)
        if changed:
            authenticators.filter(pk=authenticator.pk).update(data=data)
            changed_count += 1
    return changed_count
