"""Fill a PostgreSQL database with the scale data set of issue 13 (demo/scale.py).

    DATABASE_URL=postgres://…/appear_scale manage.py migrate
    DATABASE_URL=postgres://…/appear_scale manage.py seed_scale [--reflections 500000]

Loads the framework first when no version is current. Refuses SQLite, and a database that
already has people or reflections unless --force (scale accounts already there still stop it:
their names are fixed).
"""

from __future__ import annotations

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from accounts.models import User
from demo.scale import (
    FULL_SIZE,
    SCALE_PASSWORD,
    SCALE_SUPERVISOR,
    SPECIAL_WORKERS,
    ScalePlan,
    fill_scale,
    table_counts,
)
from framework.selectors import current_version
from reflections.models import Reflection


class Command(BaseCommand):
    help = "Fill a PostgreSQL database with a large, realistic data set for benchmarks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reflections",
            type=int,
            default=FULL_SIZE,
            help=f"Submitted reflections in all (default {FULL_SIZE:,}).",
        )
        parser.add_argument(
            "--workers", type=int, default=200, help="Workers besides the named ones."
        )
        parser.add_argument("--organisations", type=int, default=4)
        parser.add_argument("--seed", type=int, default=13, help="Seed for the random choices.")
        parser.add_argument(
            "--force", action="store_true", help="Fill even a database that already has data."
        )

    def handle(self, *args: object, **options: object) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale needs PostgreSQL: set DATABASE_URL.")
        reflections = int(str(options["reflections"]))
        if reflections < 0:
            raise CommandError("--reflections must be zero or more.")
        if not options["force"] and (User.objects.exists() or Reflection.objects.exists()):
            raise CommandError(
                "The database already has people or reflections; use an empty one, or --force."
            )
        if User.objects.filter(username__in=[*SPECIAL_WORKERS, SCALE_SUPERVISOR]).exists():
            raise CommandError("The scale accounts already exist here: drop the database first.")
        version = current_version()
        if version is None:
            call_command("load_framework", stdout=self.stdout)
            version = current_version()
        assert version is not None  # load_framework either loads one or raises
        plan = ScalePlan(
            reflections=reflections,
            workers=int(str(options["workers"])),
            organisations=max(1, int(str(options["organisations"]))),
            seed=int(str(options["seed"])),
        )
        started = time.perf_counter()
        report = fill_scale(plan=plan, version=version, progress=self.stdout.write, fast=True)
        elapsed = time.perf_counter() - started
        for table, count in table_counts().items():
            self.stdout.write(f"{table:45} {count:>10,}")
        named = ", ".join(f"{name} ({count:,})" for name, count in plan.special_counts().items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Filled in {elapsed:.0f} s: {len(report.people.users)} people in "
                f"{len(report.people.organisations)} organisations. Workers {named}, "
                f"supervised by {SCALE_SUPERVISOR}; every scale account's password is "
                f"{SCALE_PASSWORD}."
            )
        )
