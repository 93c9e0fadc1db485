"""Create demo data so every page of a development site shows something.

Seeding runs in steps. `demo.people.seed_people` comes first and returns a `DemoWorld` (the
demo organisations, people and links); then each function in SEED_STEPS runs with that world
and returns a line for the report. A step for an app whose demo module does not exist yet is
skipped. Every step must be idempotent: running the command twice must leave the database as
after once (tests/accounts/test_seed_demo.py checks the whole database).

The demo lives in an app of its own (`demo/`) because it uses every other app, and no other
app may import it (tests/test_import_seam.py). To add an app's demo data, write
`def seed_<app>(world: DemoWorld) -> str` in `demo/<app>.py` (or `<app>/demo.py`) and add
`optional_step("<module>", "seed_<app>")` to SEED_STEPS, or an adapter like
`reflections_step` when the function takes other arguments.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, User
from demo.people import DEMO_ORGANISATIONS, DEMO_PASSWORD, DemoWorld, seed_people
from framework.selectors import current_version

Step = Callable[[DemoWorld], str]


def _module_exists(name: str) -> bool:
    package = name.rpartition(".")[0]
    if package and importlib.util.find_spec(package) is None:
        return False
    return importlib.util.find_spec(name) is not None


def optional_step(module_name: str, function_name: str) -> Step:
    """A step calling `module_name.function_name(world)` when that module exists."""

    def step(world: DemoWorld) -> str:
        if not _module_exists(module_name):
            return f"{module_name}: not there yet, skipped."
        function: Step = getattr(importlib.import_module(module_name), function_name)
        return function(world)

    return step


def reflections_step(world: DemoWorld) -> str:
    """Six months of fictional reflections for the demo workers (needs the framework loaded)."""
    if current_version() is None:
        return "Demo reflections skipped: run `manage.py load_framework` first, then again."
    from demo.reflections import seed_reflections

    count = seed_reflections(
        demo_worker=world.users["demo-worker"],
        demo_worker_2=world.users["demo-worker-2"],
        other_worker=world.users["other-worker"],
        today=timezone.localdate(),
    )
    return f"Demo reflections: {count} new."


SEED_STEPS: list[Step] = [
    reflections_step,
    optional_step("demo.supervision", "seed_supervision"),
    optional_step("demo.workshops", "seed_workshops"),
]


class Command(BaseCommand):
    help = "Create demo data. Idempotent. Refuses to run with DEBUG off unless --allow-production."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has people in it.",
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even though DEBUG is off (never on a real service).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "seed_demo creates accounts with a published password; with DEBUG off it "
                "needs --allow-production."
            )
        if options["if_empty"] and User.objects.exists():
            if User.objects.filter(username="demo-site-admin").exists():
                # A second `make run`: the sign-ins are still worth showing.
                self.stdout.write("The demo data from an earlier run is still here.")
                self._report()
            else:
                self.stdout.write("The database already has people in it; no demo data added.")
            return
        with transaction.atomic():
            self._site_admin()
            world = seed_people()
            for step in SEED_STEPS:
                self.stdout.write(step(world))
        self._report()

    def _site_admin(self) -> None:
        admin, created = User.objects.get_or_create(
            username="demo-site-admin",
            defaults={
                "email": "demo-site-admin@example.org",
                "is_staff": True,
                "is_superuser": True,
            },
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save(update_fields=["password"])

    def _report(self) -> None:
        self.stdout.write(
            self.style.SUCCESS(
                f"Site admin: demo-site-admin / {DEMO_PASSWORD} (Django admin at /admin/)"
            )
        )
        for (_slug, name), people in DEMO_ORGANISATIONS.items():
            self.stdout.write(f"{name}:")
            for username, _display, roles in people:
                labels = ", ".join(str(Membership.Role(role).label) for role in roles)
                self.stdout.write(f"  {username} / {DEMO_PASSWORD} ({labels})")
