"""Backups: a seeded PostgreSQL database dumped with pg_dump and restored with pg_restore into a
fresh database holds every demo reflection and signed supervision record, row for row.

This is the restore drill of docs/operations.md as a test. It needs PostgreSQL (DATABASE_URL)
and the client tools; on SQLite it is skipped with the reason, and CI's PostgreSQL stage runs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from django.test import TransactionTestCase

from reflections.models import Reflection
from supervision.models import SupervisionRecord
from tests.reflections.flow_support import load_framework

ROWS = {
    "reflections": "SELECT id, md5(t::text) FROM reflections_reflection t ORDER BY id",
    "signed records": (
        "SELECT id, md5(t::text) FROM supervision_supervisionrecord t "
        "WHERE worker_signed_at IS NOT NULL AND supervisor_signed_at IS NOT NULL ORDER BY id"
    ),
    "ratings": "SELECT id, md5(t::text) FROM reflections_contextrating t ORDER BY id",
    "audit events": "SELECT id, md5(t::text) FROM accounts_auditevent t ORDER BY id",
}


def _client_environment() -> dict[str, str]:
    settings = connection.settings_dict
    environment = {**os.environ, "PGHOST": settings["HOST"] or "", "PGUSER": settings["USER"] or ""}
    if settings["PORT"]:
        environment["PGPORT"] = str(settings["PORT"])
    if settings["PASSWORD"]:
        environment["PGPASSWORD"] = settings["PASSWORD"]
    return environment


def _rows(dbname: str) -> dict[str, list[tuple[int, str]]]:
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=dbname,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
    ) as restored:
        return {name: restored.execute(query).fetchall() for name, query in ROWS.items()}


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the backup drill needs PostgreSQL: run with DATABASE_URL=postgres://... (CI does)",
)
class BackupRestoreTests(TransactionTestCase):
    def test_a_dumped_and_restored_database_holds_every_demo_reflection_and_signed_record(
        self,
    ) -> None:
        for tool in ("pg_dump", "pg_restore", "createdb", "dropdb"):
            if shutil.which(tool) is None:
                pytest.fail(f"{tool} is not installed (Debian: postgresql-client).")
        load_framework()
        call_command("seed_demo", "--allow-production", stdout=StringIO())
        assert Reflection.objects.count() > 30
        assert SupervisionRecord.objects.exclude(supervisor_signed_at=None).exists()
        source = connection.settings_dict["NAME"]
        restored = f"{source}_restore_{uuid.uuid4().hex[:8]}"
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory, True)
        dump = Path(directory) / "appear.dump"
        environment = _client_environment()
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", source],
            env=environment,
            check=True,
        )
        subprocess.run(["createdb", restored], env=environment, check=True)
        try:
            subprocess.run(
                ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored}", str(dump)],
                env=environment,
                check=True,
            )
            before, after = _rows(source), _rows(restored)
        finally:
            subprocess.run(
                ["dropdb", "--if-exists", "--force", restored], env=environment, check=True
            )
        assert after == before
        assert len(after["reflections"]) == Reflection.objects.count()
        assert after["signed records"] != []
