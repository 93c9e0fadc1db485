"""Create demo data so every page of a development site shows something.

Seeding runs in steps. `accounts.demo.seed_people` comes first and returns a `DemoWorld` (the
demo organisations, people and links); every later step is a function taking that world,
listed in SEED_HOOKS as "module:function". A step whose module does not exist yet is skipped,
so an app adds its demo data by writing e.g. `reflections/demo.py` with
`def seed_reflections(world: DemoWorld) -> None` and no change here. Each step must be
idempotent: running the command twice must leave the database as after once.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts.demo import DEMO_ORGANISATIONS, DEMO_PASSWORD, DemoWorld, seed_people
from accounts.models import Membership, User

SEED_HOOKS = [
    "reflections.demo:seed_reflections",
    "supervision.demo:seed_supervision",
]


def _hook(path: str) -> Callable[[DemoWorld], None] | None:
    module_name, _, function_name = path.partition(":")
    package = module_name.rpartition(".")[0]
    if package and importlib.util.find_spec(package) is None:
        return None
    if importlib.util.find_spec(module_name) is None:
        return None
    function: Callable[[DemoWorld], None] = getattr(
        importlib.import_module(module_name), function_name
    )
    return function


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
            self.stdout.write("The database already has people in it; no demo data added.")
            return
        with transaction.atomic():
            self._site_admin()
            world = seed_people()
            for path in SEED_HOOKS:
                hook = _hook(path)
                if hook is not None:
                    hook(world)
                    self.stdout.write(f"Ran {path}.")
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
