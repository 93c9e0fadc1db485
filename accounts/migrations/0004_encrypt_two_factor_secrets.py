"""Encrypt the two-factor secrets stored before encryption at rest arrived."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from accounts import two_factor_secrets


def encrypt_secrets(apps: Any, schema_editor: Any) -> None:
    two_factor_secrets.reencrypt_all(apps.get_model("mfa", "Authenticator").objects.all())


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_audit_record_actions"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    # Backwards leaves them encrypted: decrypt() still reads them, and plaintext is never
    # written again on purpose.
    operations = [migrations.RunPython(encrypt_secrets, migrations.RunPython.noop)]
