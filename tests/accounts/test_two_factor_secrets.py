"""Two-factor secrets are encrypted at rest, keep working through key rotation, and fail
loudly rather than silently when the keys that wrote them are gone."""

from __future__ import annotations

import importlib
import json
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import TestCase, override_settings

from accounts import two_factor_secrets
from appear_site.checks import check_two_factor_keys
from tests.accounts.auth_support import enrol_totp, totp_code
from tests.base import make_user

OLD_KEY = "an-old-secret-key-that-is-long-enough-for-the-tests-0123456789"
NEW_KEY = "a-new-secret-key-that-is-long-enough-for-the-tests-9876543210"


def totp_row(user_id: int) -> Authenticator:
    return Authenticator.objects.get(user_id=user_id, type=Authenticator.Type.TOTP)


def accepts(user_id: int, secret: str) -> bool:
    """Whether the stored key accepts the current code; allauth refuses a code used already,
    so its memory of used codes is forgotten first."""
    cache.clear()
    return bool(totp_row(user_id).wrap().validate_code(totp_code(secret)))


class EncryptionAtRestTests(TestCase):
    def test_the_authenticator_key_is_stored_encrypted_and_still_accepts_codes(self) -> None:
        user = make_user("pat")
        secret = enrol_totp(user)
        row = totp_row(user.pk)
        assert row.data["secret"].startswith("fernet:")
        assert secret not in json.dumps(row.data)
        assert row.wrap().validate_code(totp_code(secret))

    def test_the_recovery_code_seed_is_stored_encrypted_and_its_codes_still_work(self) -> None:
        user = make_user("pat")
        codes = RecoveryCodes.activate(user)
        row = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
        assert row.data["seed"].startswith("fernet:")
        unused = codes.get_unused_codes()
        assert len(unused) == 10
        assert RecoveryCodes(row).validate_code(unused[0])
        assert not RecoveryCodes(row).validate_code(unused[0])  # each code works once

    def test_the_migration_encrypts_secrets_stored_in_the_clear(self) -> None:
        user = make_user("pat")
        secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
        Authenticator.objects.create(
            user=user, type=Authenticator.Type.TOTP, data={"secret": secret}
        )
        Authenticator.objects.create(
            user=user,
            type=Authenticator.Type.RECOVERY_CODES,
            data={"migrated_codes": ["12345678", "87654321"], "used_mask": 0},
        )
        assert accepts(user.pk, secret)  # read as it was

        migration = importlib.import_module("accounts.migrations.0004_encrypt_two_factor_secrets")
        migration.encrypt_secrets(apps, None)

        assert totp_row(user.pk).data["secret"].startswith("fernet:")
        assert accepts(user.pk, secret)
        recovery = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
        assert all(code.startswith("fernet:") for code in recovery.data["migrated_codes"])
        assert RecoveryCodes(recovery).get_unused_codes() == ["12345678", "87654321"]


class KeyRotationTests(TestCase):
    def test_a_new_secret_key_with_the_old_one_as_fallback_keeps_two_factor_working(
        self,
    ) -> None:
        user = make_user("pat")
        with override_settings(SECRET_KEY=OLD_KEY):
            secret = enrol_totp(user)
            written = totp_row(user.pk).data["secret"]
        with override_settings(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=[OLD_KEY]):
            assert accepts(user.pk, secret)
            out = StringIO()
            call_command("reencrypt_two_factor", stdout=out)
            assert "moved to the current key: 1" in out.getvalue()
            assert totp_row(user.pk).data["secret"] != written
        with override_settings(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=[]):
            assert accepts(user.pk, secret)

    def test_reencrypting_twice_changes_nothing_the_second_time(self) -> None:
        enrol_totp(make_user("pat"))
        out = StringIO()
        call_command("reencrypt_two_factor", stdout=out)
        call_command("reencrypt_two_factor", stdout=out)
        assert out.getvalue().count("moved to the current key: 0") == 2

    def test_without_the_key_that_wrote_it_a_secret_is_refused_loudly(self) -> None:
        user = make_user("pat")
        with override_settings(SECRET_KEY=OLD_KEY):
            enrol_totp(user)
        with (
            override_settings(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=[]),
            pytest.raises(ImproperlyConfigured, match="cannot be decrypted"),
        ):
            totp_row(user.pk).wrap().validate_code("123456")

    def test_configured_keys_take_over_from_the_secret_key_and_rotate_too(self) -> None:
        first, second = Fernet.generate_key().decode(), Fernet.generate_key().decode()
        user = make_user("pat")
        with override_settings(TWO_FACTOR_KEYS=[first]):
            secret = enrol_totp(user)
        with override_settings(TWO_FACTOR_KEYS=[second, first]):
            assert accepts(user.pk, secret)
            call_command("reencrypt_two_factor", stdout=StringIO())
        with override_settings(TWO_FACTOR_KEYS=[second]):
            assert accepts(user.pk, secret)
        with (
            override_settings(TWO_FACTOR_KEYS=[]),
            pytest.raises(ImproperlyConfigured),
        ):
            two_factor_secrets.decrypt(totp_row(user.pk).data["secret"])


class KeyCheckTests(TestCase):
    def test_a_malformed_key_is_a_system_check_error(self) -> None:
        with override_settings(TWO_FACTOR_KEYS=[Fernet.generate_key().decode(), "not-a-key"]):
            errors = check_two_factor_keys()
        assert [error.id for error in errors] == ["appear.E001"]
        assert "entry 2" in errors[0].msg

    def test_well_formed_keys_pass_the_check(self) -> None:
        with override_settings(TWO_FACTOR_KEYS=[Fernet.generate_key().decode()]):
            assert check_two_factor_keys() == []
